package io.tunctl.transport.p2p.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class CompactEncodingTest {
    private static String enc(Consumer<CompactEncoder> c) {
        CompactEncoder e = new CompactEncoder();
        c.accept(e);
        return HexFormat.of().formatHex(e.toByteArray());
    }

    private static CompactDecoder dec(String hex) {
        return new CompactDecoder(HexFormat.of().parseHex(hex));
    }

    private static InetSocketAddress addr(String host, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    @Test
    void uintWidths() {
        // hyperdht-wire.md §12.1
        long[] n = {0, 1, 252, 253, 255, 256, 65535, 65536, 4294967295L, 4294967296L};
        String[] hex = {"00", "01", "fc", "fdfd00", "fdff00", "fd0001", "fdffff", "fe00000100", "feffffffff",
            "ff0000000001000000"};
        for (int i = 0; i < n.length; i++) {
            long v = n[i];
            assertEquals(hex[i], enc(e -> e.uint(v)));
            assertEquals(v, dec(hex[i]).uint());
        }
        assertEquals(5, dec("fe05000000").uint(), "non-minimal width is accepted");
    }

    @Test
    void fixedWidthAndBuffers() throws Exception {
        assertEquals("3412", enc(e -> e.uint16(0x1234)));
        assertEquals("78563412", enc(e -> e.uint32(0x12345678)));
        assertEquals("03010203", enc(e -> e.buffer(new byte[] {1, 2, 3})));
        assertEquals("00", enc(e -> e.optionalBuffer(null)));
        assertNull(dec("00").optionalBuffer());
        assertEquals("03616263", enc(e -> e.string("abc")));
        assertEquals("abc", dec("03616263").string());
    }

    @Test
    void addresses() throws Exception {
        InetSocketAddress a = addr("1.2.3.4", 49737);
        assertEquals("0102030449c2", enc(e -> e.ipv4Address(a)));
        assertEquals(a, dec("0102030449c2").ipv4Address());
        InetSocketAddress loop6 = addr("::1", 49737);
        assertEquals("0000000000000000000000000000000149c2", enc(e -> e.ipv6Address(loop6)));
        InetSocketAddress v6 = addr("2001:db8::ff00:42:8329", 443);
        assertEquals("20010db8000000000000ff0000428329bb01", enc(e -> e.ipv6Address(v6)));
        assertEquals(v6, dec("20010db8000000000000ff0000428329bb01").ipv6Address());
        List<InetSocketAddress> two = List.of(addr("127.0.0.1", 1), addr("10.0.0.2", 65535));
        assertEquals("027f00000101000a000002ffff", enc(e -> e.array(two, CompactEncoder::ipv4Address)));
        assertEquals(two, dec("027f00000101000a000002ffff").array(CompactDecoder::ipv4Address));
    }

    @Test
    void strictDecoding() {
        CompactDecodeException e = assertThrows(CompactDecodeException.class, () -> dec("fd01").uint());
        assertEquals("truncated uint16: needs 2 bytes, 1 left", e.getMessage());
        assertThrows(CompactDecodeException.class, () -> dec("05010203").buffer());
        assertThrows(CompactDecodeException.class, () -> dec("fe01001000").array(CompactDecoder::uint8));
        assertThrows(CompactDecodeException.class, () -> dec("02c328").string());
        assertThrows(IllegalArgumentException.class, () -> new CompactEncoder().uint(-1));
    }
}
