package io.tunctl.core.tun.darwin;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.InterfaceSpec;
import io.tunctl.core.spi.RouteSpec;
import io.tunctl.core.spi.RuleSpec;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What runs on Linux of the macOS interface: name to unit, and refusing what macOS cannot do before any call. */
class UtunInterfaceTest {

    @Test
    void namesMapToControlUnits() {
        assertEquals(0, UtunDevice.unitFor(null));
        assertEquals(0, UtunDevice.unitFor("utun"));
        assertEquals(0, UtunDevice.unitFor("utun%d"));
        assertEquals(1, UtunDevice.unitFor("utun0"));
        assertEquals(8, UtunDevice.unitFor("utun7"));
        for (String bad : List.of("tun0", "utun-1", "utun07", "utunx", "utun99999999999", "en0")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UtunDevice.unitFor(bad), bad);
            assertTrue(e.getMessage().contains("utunN"), e.getMessage());
        }
    }

    @Test
    void linuxOnlySettingsAreRefusedByName() {
        InterfaceSpec ok = new InterfaceSpec("utun7", 1400, List.of(Cidr.parse("10.9.0.1/24")),
                List.of(RouteSpec.parse("10.10.0.0/16"), new RouteSpec(Cidr.parse("10.11.0.0/16"), "10.9.0.2", null, null)),
                List.of(), false, 1);
        assertDoesNotThrow(() -> UtunInterface.checkSupported(ok));
        assertRefused(ok.withOffload(true), "offload");
        assertRefused(new InterfaceSpec("utun7", 1400, List.of(), List.of(), List.of(), false, 4), "multi-queue");
        assertRefused(ok.withRules(List.of(new RuleSpec(4, 0x51820L, null, 100, null, false))), "policy rules");
        assertRefused(ok.withRoutes(List.of(RouteSpec.parse("10.0.0.0/8").inTable(100))), "routing tables");
        assertRefused(ok.withRoutes(List.of(new RouteSpec(Cidr.parse("10.0.0.0/8"), null, 50, null))), "metrics");
        assertRefused(ok.withRoutes(List.of(new RouteSpec(Cidr.parse("10.0.0.0/8"), "2001:db8::1", null, null))), "family");
        assertThrows(IllegalArgumentException.class,
                () -> UtunInterface.checkSupported(InterfaceSpec.of("tun0", 1400, List.of())));
    }

    private static void assertRefused(InterfaceSpec spec, String word) {
        IOException e = assertThrows(IOException.class, () -> UtunInterface.checkSupported(spec));
        assertTrue(e.getMessage().contains(word), e.getMessage());
    }
}
