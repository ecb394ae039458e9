package io.tunctl.core.tun.darwin;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UtunFrameTest {
    private static final HexFormat HEX = HexFormat.of();

    private static MemorySegment seg(String hex) {
        return MemorySegment.ofArray(HEX.parseHex(hex));
    }

    @Test
    void headerIsTheDarwinFamilyInNetworkByteOrder() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment h = a.allocate(4);
            UtunFrame.encode(h, UtunFrame.familyOf(seg("4500"), 2));
            assertArrayEquals(HEX.parseHex("00000002"), h.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            UtunFrame.encode(h, UtunFrame.familyOf(seg("6000"), 2));
            assertArrayEquals(HEX.parseHex("0000001e"), h.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)); // AF_INET6 = 30
            assertEquals(30, UtunFrame.decode(h));
        }
    }

    @Test
    void familyComesFromTheVersionNibble() {
        assertEquals(2, UtunFrame.familyOf(seg("45000054"), 4));
        assertEquals(2, UtunFrame.familyOf(seg("4f"), 1)); // header length does not matter, only the version
        assertEquals(30, UtunFrame.familyOf(seg("60000000"), 4));
        assertEquals(-1, UtunFrame.familyOf(seg("50000000"), 4));
        assertEquals(-1, UtunFrame.familyOf(seg("00"), 1));
        assertEquals(-1, UtunFrame.familyOf(seg("45"), 0)); // empty packet
    }

    @Test
    void receivedHeaderMustAgreeWithThePacket() {
        assertTrue(UtunFrame.agrees(UtunFrame.decode(seg("00000002")), seg("4500"), 2));
        assertTrue(UtunFrame.agrees(UtunFrame.decode(seg("0000001e")), seg("6000"), 2));
        assertFalse(UtunFrame.agrees(UtunFrame.decode(seg("0000001e")), seg("4500"), 2), "IPv6 header, IPv4 packet");
        assertFalse(UtunFrame.agrees(UtunFrame.decode(seg("00000002")), seg("6000"), 2), "IPv4 header, IPv6 packet");
        assertFalse(UtunFrame.agrees(UtunFrame.decode(seg("0000000a")), seg("6000"), 2), "Linux's AF_INET6 (10) is not Darwin's");
        assertFalse(UtunFrame.agrees(UtunFrame.decode(seg("02000000")), seg("4500"), 2), "little-endian header");
        assertFalse(UtunFrame.agrees(UtunFrame.decode(seg("00000002")), seg("4500"), 0), "no packet after the header");
    }
}
