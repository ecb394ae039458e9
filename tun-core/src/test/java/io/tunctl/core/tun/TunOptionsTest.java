package io.tunctl.core.tun;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TunOptionsTest {

    @Test
    void namesAreCheckedBeforeAnySyscall() {
        assertEquals("tun%d", TunOptions.named("tun%d").name());
        assertEquals("x".repeat(15), TunOptions.named("x".repeat(15)).name());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TunOptions.named("x".repeat(16)));
        assertTrue(e.getMessage().contains("longer than 15 bytes"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TunOptions.named("a/b"));
        assertThrows(IllegalArgumentException.class, () -> TunOptions.named("a b"));
        assertThrows(IllegalArgumentException.class, () -> TunOptions.named(""));
        assertThrows(IllegalArgumentException.class, () -> TunOptions.named(".."));
    }

    @Test
    void builderAndWithers() {
        TunOptions o = TunOptions.builder().name("t0").vnetHdr(true).multiQueue(true).build();
        assertEquals(new TunOptions("t0", true, true), o);
        assertEquals(new TunOptions(null, false, false), TunOptions.kernelChosen());
        assertEquals(new TunOptions("a", true, false), TunOptions.named("a").withVnetHdr(true));
    }
}
