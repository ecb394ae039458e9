package io.tunctl.core.tun;

import java.nio.ByteBuffer;

/** Builds and inspects the few IPv4 packets the TUN tests need. */
final class TestPackets {
    private TestPackets() {}

    static final int PROTO_ICMP = 1;
    static final int PROTO_TCP = 6;
    static final int PROTO_UDP = 17;

    /** An IPv4 ICMP echo request {@code src -> dst} with {@code id}, {@code seq} and a small payload. */
    static byte[] icmpEcho(byte[] src, byte[] dst, int id, int seq) {
        byte[] payload = "tunctl-echo-payload".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int len = 20 + 8 + payload.length;
        ByteBuffer b = ByteBuffer.allocate(len);
        b.put((byte) 0x45).put((byte) 0).putShort((short) len).putShort((short) 0x1234).putShort((short) 0x4000)
                .put((byte) 64).put((byte) PROTO_ICMP).putShort((short) 0).put(src).put(dst);
        b.put((byte) 8).put((byte) 0).putShort((short) 0).putShort((short) id).putShort((short) seq).put(payload);
        byte[] p = b.array();
        putShort(p, 10, checksum(p, 0, 20));
        putShort(p, 22, checksum(p, 20, len - 20));
        return p;
    }

    static int version(byte[] p) { return (p[0] & 0xff) >>> 4; }

    static int protocol(byte[] p) { return p[9] & 0xff; }

    static byte[] src(byte[] p) { return java.util.Arrays.copyOfRange(p, 12, 16); }

    static byte[] dst(byte[] p) { return java.util.Arrays.copyOfRange(p, 16, 20); }

    static int ihl(byte[] p) { return (p[0] & 0x0f) * 4; }

    static int u16(byte[] p, int off) { return ((p[off] & 0xff) << 8) | (p[off + 1] & 0xff); }

    /** The internet checksum of {@code p[off, off+len)}. */
    static int checksum(byte[] p, int off, int len) {
        long sum = 0;
        for (int i = 0; i + 1 < len; i += 2) sum += u16(p, off + i);
        if ((len & 1) != 0) sum += (p[off + len - 1] & 0xff) << 8;
        while ((sum >>> 16) != 0) sum = (sum & 0xffff) + (sum >>> 16);
        return (int) (~sum & 0xffff);
    }

    private static void putShort(byte[] p, int off, int v) {
        p[off] = (byte) (v >>> 8);
        p[off + 1] = (byte) v;
    }
}
