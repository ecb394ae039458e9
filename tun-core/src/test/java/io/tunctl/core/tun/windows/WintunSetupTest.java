package io.tunctl.core.tun.windows;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.InterfaceSpec;
import io.tunctl.core.spi.RouteSpec;
import io.tunctl.core.spi.RuleSpec;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What runs on Linux of the Windows side: where wintun.dll comes from, the error without it, spec checks, text. */
class WintunSetupTest {

    @Test
    void dllPathFromPropertyThenEnvironmentThenWorkingDirectory() {
        Path wd = Path.of("/work");
        assertEquals(Path.of("C:/x/wintun.dll"), WintunLibrary.resolve("C:/x/wintun.dll", Map.of(WintunLibrary.ENV, "D:/y.dll"), wd));
        assertEquals(Path.of("D:/y.dll"), WintunLibrary.resolve(null, Map.of(WintunLibrary.ENV, "D:/y.dll"), wd));
        assertEquals(Path.of("D:/y.dll"), WintunLibrary.resolve(" ", Map.of(WintunLibrary.ENV, "D:/y.dll"), wd));
        assertEquals(wd.resolve("wintun.dll"), WintunLibrary.resolve(null, Map.of(), wd));
    }

    @Test
    void missingDllErrorNamesThePathAndWhereToGetIt() {
        String m = WintunLibrary.missing(Path.of("/opt/tunctl/wintun.dll"), "amd64", null).getMessage();
        assertTrue(m.startsWith("wintun.dll not found at /opt/tunctl/wintun.dll: "), m);
        assertTrue(m.contains("https://www.wintun.net"), m);
        assertTrue(m.contains("bin\\amd64\\wintun.dll"), m);
        assertTrue(m.contains("-Dtunctl.wintun.path="), m);
        assertTrue(WintunLibrary.missing(Path.of("w.dll"), "aarch64", null).getMessage().contains("bin\\arm64"));
    }

    @Test
    void loadFailsClearlyWhenTheDllIsMissing() {
        String old = System.getProperty(WintunLibrary.PROPERTY);
        System.setProperty(WintunLibrary.PROPERTY, "target/no-such/wintun.dll");
        try {
            IOException e = assertThrows(IOException.class, WintunLibrary::load);
            assertTrue(e.getMessage().contains("no-such"), e.getMessage());
            // and the device says the same before touching any native code
            IOException d = assertThrows(IOException.class, () -> WintunDevice.open("tunctl", true, 1420));
            assertEquals(e.getMessage(), d.getMessage());
        } finally {
            if (old == null) System.clearProperty(WintunLibrary.PROPERTY); else System.setProperty(WintunLibrary.PROPERTY, old);
        }
    }

    @Test
    void linuxOnlySettingsAreRefusedByName() throws IOException {
        InterfaceSpec ok = new InterfaceSpec("tunctl0", 1420, List.of(Cidr.parse("10.9.0.1/24")),
                List.of(new RouteSpec(Cidr.parse("10.10.0.0/16"), "10.9.0.2", 5, null)), List.of(), false, 1);
        assertDoesNotThrow(() -> WintunInterface.checkSupported(ok));
        assertRefused(ok.withOffload(true), "offload");
        assertRefused(new InterfaceSpec("t", 1420, List.of(), List.of(), List.of(), false, 2), "multi-queue");
        assertRefused(ok.withRules(List.of(new RuleSpec(4, 1L, null, 100, null, false))), "policy rules");
        assertRefused(ok.withRoutes(List.of(RouteSpec.parse("10.0.0.0/8").inTable(7))), "routing tables");
        assertRefused(InterfaceSpec.of("tun%d", 1420, List.of()), "fixed name");
        assertRefused(InterfaceSpec.of("x".repeat(128), 1420, List.of()), "fixed name");
    }

    private static void assertRefused(InterfaceSpec spec, String word) {
        IOException e = assertThrows(IOException.class, () -> WintunInterface.checkSupported(spec));
        assertTrue(e.getMessage().contains(word), e.getMessage());
    }

    @Test
    void adapterNamesAreNulTerminatedUtf16() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = WintunDevice.utf16z(a, "tün");
            assertEquals(8, s.byteSize());
            assertEquals("tün", WindowsErrors.decode(s, 3));
        }
    }

    @Test
    void formatMessageTextIsTrimmed() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = WintunDevice.utf16z(a, "Access is denied.\r\n");
            assertEquals("Access is denied.", WindowsErrors.decode(s, 19));
        }
    }
}
