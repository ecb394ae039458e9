package io.tunctl.core.tun.darwin;

import io.tunctl.core.packet.Cidr;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Byte-exact routing messages as macOS's route(4) expects them (little-endian host order: every Mac is, and so is
 * the machine these run on). The expected bytes are written out by hand from XNU's struct rt_msghdr (92 bytes) and
 * sockaddr layouts.
 */
class RouteMessageTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] encode(int type, int ifIndex, String dst, String gw) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = RouteMessage.encode(a, type, 1, 100, ifIndex, Cidr.parse(dst),
                    gw == null ? null : Cidr.parseAddress(gw));
            return m.toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** rt_msghdr: msglen, version 5, type, index, flags, addrs, pid 100, seq 1, then zeros up to 92 bytes. */
    private static String header(int len, int type, int index, int flags, int addrs) {
        String s = String.format("%02x%02x05%02x%02x%02x0000", len & 0xff, len >> 8, type, index & 0xff, index >> 8)
                + le(flags) + le(addrs) + le(100) + le(1);
        return s + "00".repeat(92 - s.length() / 2);
    }

    private static String le(int v) {
        return String.format("%02x%02x%02x%02x", v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24);
    }

    @Test
    void networkRouteIntoTheInterface() {
        assertEquals(ByteOrder.LITTLE_ENDIAN, ByteOrder.nativeOrder(), "expected bytes are little-endian");
        String expected = header(144, 1, 7, 0x801, 0x7) // RTM_ADD; RTF_UP|RTF_STATIC; DST|GATEWAY|NETMASK
                + "1002" + "0000" + "0a000000" + "0000000000000000"       // dst sockaddr_in 10.0.0.0
                + "1412" + "0700" + "00000000" + "000000000000000000000000" // gateway sockaddr_dl, index 7 (20 bytes)
                + "1002" + "0000" + "ff000000" + "0000000000000000";      // netmask 255.0.0.0
        assertArrayEquals(HEX.parseHex(expected), encode(1, 7, "10.0.0.0/8", null));
    }

    @Test
    void deleteIsTheSameMessageWithAnotherType() {
        byte[] add = encode(1, 7, "10.0.0.0/8", null);
        byte[] del = encode(2, 7, "10.0.0.0/8", null);
        assertEquals(2, del[3]);
        del[3] = 1;
        assertArrayEquals(add, del);
    }

    @Test
    void ipv6HostRouteViaAGateway() {
        String expected = header(148, 1, 3, 0x807, 0x3) // RTF_UP|RTF_GATEWAY|RTF_HOST|RTF_STATIC; DST|GATEWAY
                + "1c1e" + "0000" + "00000000" + "20010db8000000000000000000000001" + "00000000"  // dst, sin6_len 28
                + "1c1e" + "0000" + "00000000" + "20010db800000000000000000000ffff" + "00000000"; // gateway
        assertArrayEquals(HEX.parseHex(expected), encode(1, 3, "2001:db8::1/128", "2001:db8::ffff"));
    }

    @Test
    void ipv6NetworkRouteHasA28ByteMask() {
        byte[] m = encode(1, 3, "2001:db8::/32", null);
        assertEquals(92 + 28 + 20 + 28, m.length);
        int mask = 92 + 28 + 20;
        assertArrayEquals(HEX.parseHex("1c1e000000000000" + "ffffffff000000000000000000000000" + "00000000"),
                java.util.Arrays.copyOfRange(m, mask, mask + 28));
    }

    @Test
    void sockaddrsArePaddedToFourBytes() {
        assertEquals(4, RouteMessage.roundup32(0));
        assertEquals(4, RouteMessage.roundup32(1));
        assertEquals(16, RouteMessage.roundup32(16));
        assertEquals(20, RouteMessage.roundup32(20));
        assertEquals(28, RouteMessage.roundup32(28));
        assertEquals(32, RouteMessage.roundup32(29));
    }

    @Test
    void badRequestsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> encode(4, 1, "10.0.0.0/8", null)); // RTM_GET
        assertThrows(IllegalArgumentException.class, () -> encode(1, 1, "10.0.0.1/8", null)); // host bits
        assertThrows(IllegalArgumentException.class, () -> encode(1, 1, "10.0.0.0/8", "2001:db8::1")); // family
    }

    @Test
    void masks() {
        assertArrayEquals(new byte[4], Sockaddrs.mask(4, 0));
        assertArrayEquals(HEX.parseHex("fffff000"), Sockaddrs.mask(4, 20));
        assertArrayEquals(HEX.parseHex("ffffffff"), Sockaddrs.mask(4, 32));
        assertArrayEquals(HEX.parseHex("fffffffffffffffe0000000000000000"), Sockaddrs.mask(16, 63));
        assertThrows(IllegalArgumentException.class, () -> Sockaddrs.mask(4, 33));
    }
}
