package io.tunctl.core.packet;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;

/**
 * Packet builders and a reference checksum for tests. The reference is written independently of
 * {@link Checksum}: plain byte pairs, summed in a long, folded at the end.
 */
final class TestPackets {
    private TestPackets() {}

    /** Real packets captured on a loopback interface in a private namespace (hex of the IP packet). */
    static final String PING4_REQUEST = "4500003410d2400040012bf57f0000017f000001080023c822c500018d94036b00000000"
            + "5cbc0e00000000006f6e6374746f6e63";
    static final String PING4_REPLY = "4500003410d3000040016bf47f0000017f00000100002bc822c500018d94036b00000000"
            + "5cbc0e00000000006f6e6374746f6e63";
    static final String PING6_REQUEST = "600c9d7f00203a40000000000000000000000000000000010000000000000000000000000"
            + "0000001800028c922c600018d94036b0000000048c30e00000000001011121314151617";
    static final String PING6_REPLY = "600ef7d100203a40000000000000000000000000000000010000000000000000000000000000"
            + "0001810027c922c600018d94036b0000000048c30e00000000001011121314151617";
    static final String TCP4_RST = "450000280000400040063cce7f0000017f0000010009e72200000000269ed85850140000cbab0000";
    static final String ICMP4_PORT_UNREACHABLE = "45c0004410d4000040016b237f0000017f000001030385f1000000004500"
            + "0028eea8400040114e1a7f0000017f000001dd8e00090014fe2768656c6c6f2074756e63746c";
    /** Captured with CHECKSUM_PARTIAL: the TCP/UDP checksum field holds only the pseudo-header sum. */
    static final String TCP4_SYN_PARTIAL = "4500003c755040004006c7697f0000017f000001e7220009269ed85700000000a002ffd7"
            + "fe3000000204ffd70402080a4ddcd426000000000103030a";
    static final String TCP6_SYN_PARTIAL = "600a5157002806400000000000000000000000000000000100000000000000000000000"
            + "000000001e9460009314e56e700000000a002ffc4003000000204ffc40402080ac4da1d77000000000103030a";
    static final String TCP6_RST_PARTIAL = "600ab6ca0014064000000000000000000000000000000001000000000000000000000000"
            + "000000010009e94600000000314e56e850140000001c0000";
    static final String UDP4_PARTIAL = "45000028eea8400040114e1a7f0000017f000001dd8e00090014fe2768656c6c6f2074756e63746c";

    static byte[] hex(String s) { return HexFormat.of().parseHex(s); }

    static MemorySegment seg(byte[] b) { return MemorySegment.ofArray(b); }

    /** An off-heap copy at byte {@code pad} of a larger segment, to exercise non-zero offsets. */
    static MemorySegment offHeap(Arena arena, byte[] b, int pad) {
        MemorySegment s = arena.allocate(b.length + pad + 16L);
        MemorySegment.copy(b, 0, s, ValueLayout.JAVA_BYTE, pad, b.length);
        return s;
    }

    // ---- reference checksum ----

    static int refSum(byte[] b, int off, int len) {
        long acc = 0;
        for (int i = 0; i < len; i++) {
            int v = b[off + i] & 0xff;
            acc += (i % 2 == 0) ? v << 8 : v;
        }
        while ((acc >>> 16) != 0) acc = (acc & 0xffff) + (acc >>> 16);
        return (int) acc;
    }

    static int refAdd(int a, int b) {
        int x = a + b;
        return (x & 0xffff) + (x >>> 16);
    }

    /** Reference transport checksum for a packet starting at byte 0, checksum field taken as zero. */
    static int refTransportChecksum(byte[] p) {
        int version = (p[0] & 0xff) >>> 4;
        int tOff, proto, tLen;
        byte[] pseudo;
        if (version == 4) {
            tOff = (p[0] & 0x0f) * 4;
            proto = p[9] & 0xff;
            tLen = u16(p, 2) - tOff;
            pseudo = new byte[12];
            System.arraycopy(p, 12, pseudo, 0, 8);
            pseudo[9] = (byte) proto;
            pseudo[10] = (byte) (tLen >>> 8);
            pseudo[11] = (byte) tLen;
            if (proto == 1) pseudo = new byte[0];
        } else {
            tOff = 40;
            proto = p[6] & 0xff;
            tLen = u16(p, 4);
            pseudo = new byte[40];
            System.arraycopy(p, 8, pseudo, 0, 32);
            pseudo[34] = (byte) (tLen >>> 8);
            pseudo[35] = (byte) tLen;
            pseudo[39] = (byte) proto;
        }
        int field = switch (proto) { case 6 -> 16; case 17 -> 6; default -> 2; };
        byte[] t = new byte[tLen];
        System.arraycopy(p, tOff, t, 0, tLen);
        t[field] = 0;
        t[field + 1] = 0;
        int c = ~refAdd(refSum(pseudo, 0, pseudo.length), refSum(t, 0, t.length)) & 0xffff;
        return proto == 17 && c == 0 ? 0xffff : c;
    }

    static int u16(byte[] b, int off) { return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff); }

    static long u32(byte[] b, int off) { return ((long) u16(b, off) << 16) | u16(b, off + 2); }

    static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    static void put32(byte[] b, int off, long v) {
        put16(b, off, (int) (v >>> 16));
        put16(b, off + 2, (int) v);
    }

    // ---- builders (checksums filled with the reference) ----

    static final byte[] V4_SRC = {(byte) 192, 0, 2, 1};
    static final byte[] V4_DST = {(byte) 198, 51, 100, 7};
    static final byte[] V6_SRC = Cidr.parseAddress("2001:db8::1");
    static final byte[] V6_DST = Cidr.parseAddress("2001:db8:1::2");

    /** IPv4 header (IHL 5) in front of {@code l4}, with header checksum; transport checksum left as in l4. */
    static byte[] ipv4(int proto, byte[] l4) {
        byte[] p = new byte[20 + l4.length];
        p[0] = 0x45;
        put16(p, 2, p.length);
        put16(p, 4, 0x1234);
        p[6] = 0x40; // DF
        p[8] = 64;
        p[9] = (byte) proto;
        System.arraycopy(V4_SRC, 0, p, 12, 4);
        System.arraycopy(V4_DST, 0, p, 16, 4);
        put16(p, 10, ~refSum(p, 0, 20) & 0xffff);
        System.arraycopy(l4, 0, p, 20, l4.length);
        return p;
    }

    static byte[] ipv6(int nextHeader, byte[] rest) {
        byte[] p = new byte[40 + rest.length];
        p[0] = 0x60;
        p[1] = 0x0a; // traffic class 0x00, flow label 0xa1234
        put16(p, 2, 0x1234);
        put16(p, 4, rest.length);
        p[6] = (byte) nextHeader;
        p[7] = 64;
        System.arraycopy(V6_SRC, 0, p, 8, 16);
        System.arraycopy(V6_DST, 0, p, 24, 16);
        System.arraycopy(rest, 0, p, 40, rest.length);
        return p;
    }

    /** TCP header with {@code options} (multiple of 4 bytes) and payload, checksum zero. */
    static byte[] tcp(int sport, int dport, long seq, long ack, int flags, byte[] options, byte[] payload) {
        int hl = 20 + options.length;
        byte[] t = new byte[hl + payload.length];
        put16(t, 0, sport);
        put16(t, 2, dport);
        put32(t, 4, seq);
        put32(t, 8, ack);
        t[12] = (byte) ((hl / 4) << 4);
        t[13] = (byte) flags;
        put16(t, 14, 65000);
        System.arraycopy(options, 0, t, 20, options.length);
        System.arraycopy(payload, 0, t, hl, payload.length);
        return t;
    }

    static byte[] udp(int sport, int dport, byte[] payload) {
        byte[] u = new byte[8 + payload.length];
        put16(u, 0, sport);
        put16(u, 2, dport);
        put16(u, 4, u.length);
        System.arraycopy(payload, 0, u, 8, payload.length);
        return u;
    }

    /** Fills the transport checksum of a packet starting at byte 0 with the reference implementation. */
    static byte[] withRefChecksum(byte[] p) {
        int version = (p[0] & 0xff) >>> 4;
        int tOff = version == 4 ? (p[0] & 0x0f) * 4 : 40;
        int proto = version == 4 ? p[9] & 0xff : p[6] & 0xff;
        int field = switch (proto) { case 6 -> 16; case 17 -> 6; default -> 2; };
        put16(p, tOff + field, refTransportChecksum(p));
        return p;
    }

    static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (i * 31 + seed + (i >>> 8));
        return b;
    }
}
