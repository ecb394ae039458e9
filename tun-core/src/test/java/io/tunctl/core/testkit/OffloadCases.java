package io.tunctl.core.testkit;

import io.tunctl.core.packet.Checksum;
import io.tunctl.core.packet.OffloadCheck;
import io.tunctl.core.spi.Offload;
import io.tunctl.core.spi.PacketBatch;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Packets with virtio_net_hdr metadata for tests of {@link OffloadCheck}: well-formed super-packets as Linux hands
 * them to a TUN reader (partial checksum holding the pseudo-header sum), and forged ones, each breaking exactly one
 * rule and tagged with the reason code the check must answer. Shared by the unit test, the TUN IT and the http
 * end-to-end IT so all three send the same forgeries.
 */
public final class OffloadCases {
    private OffloadCases() {}

    /** NOP NOP timestamps: the 12 option bytes Linux puts on every TCP segment of an established flow. */
    private static final byte[] TCP_TIMESTAMPS = {1, 1, 8, 10, 0, 1, (byte) 0xe2, 0x40, 0, 0, (byte) 0xab, (byte) 0xcd};

    /**
     * A packet and the six {@code struct virtio_net_hdr} fields that go with it.
     *
     * @param reason the {@link OffloadCheck} code expected ({@link OffloadCheck#OK} for a valid case)
     */
    public record Case(String what, int reason, byte[] packet, int flags, int gsoType, int hdrLen, int gsoSize,
                       int csumStart, int csumOffset) {
        public Case {
            packet = packet.clone();
        }

        @Override
        public byte[] packet() { return packet.clone(); }

        /** IP version nibble of the packet. */
        public int ipVersion() { return (packet[0] & 0xff) >>> 4; }

        /** Copies the packet into the next slot of {@code b} with its metadata. */
        public int addTo(PacketBatch b) {
            int i = b.add(packet, 0, packet.length);
            b.setOffload(i, flags, gsoType, hdrLen, gsoSize, csumStart, csumOffset);
            return i;
        }

        /** The same packet with other metadata. */
        Case with(String what, int reason, int flags, int gsoType, int hdrLen, int gsoSize, int csumStart,
                  int csumOffset) {
            return new Case(what, reason, packet, flags, gsoType, hdrLen, gsoSize, csumStart, csumOffset);
        }

        /** Other packet bytes, same metadata. */
        Case withPacket(String what, int reason, byte[] p) {
            return new Case(what, reason, p, flags, gsoType, hdrLen, gsoSize, csumStart, csumOffset);
        }

        /**
         * The tapotun wire frame of this case: {@code len:u16le | vnet header:12 (little-endian fields, num_buffers
         * 0) | packet}.
         */
        public byte[] frame() {
            ByteBuffer f = ByteBuffer.allocate(2 + 12 + packet.length).order(ByteOrder.LITTLE_ENDIAN);
            f.putShort((short) packet.length);
            f.put((byte) flags).put((byte) gsoType).putShort((short) hdrLen).putShort((short) gsoSize)
                    .putShort((short) csumStart).putShort((short) csumOffset).putShort((short) 0);
            f.put(packet);
            return f.array();
        }

        @Override
        public String toString() { return what + " -> " + OffloadCheck.name(reason); }
    }

    // ---------------------------------------------------------------------------------------------- builders

    /** A TCP GSO super-packet (ACK|PSH, timestamps) of {@code payload} bytes, as Linux's TSO output looks. */
    public static Case tcp(byte[] src, byte[] dst, int payload, int gsoSize) {
        return tcp(src, dst, payload, gsoSize, 6, new byte[0]);
    }

    /**
     * {@link #tcp} over IPv6 with {@code extensions} (their next header fields already chained, the last one
     * naming TCP) between the fixed header, whose next header is {@code firstExtension}, and TCP.
     */
    public static Case tcp(byte[] src, byte[] dst, int payload, int gsoSize, int firstExtension, byte[] extensions) {
        byte[] l4 = new byte[20 + TCP_TIMESTAMPS.length + payload];
        put16(l4, 0, 40000);
        put16(l4, 2, 5201);
        put32(l4, 4, 0x10203040L);
        put32(l4, 8, 0x50607080L);
        l4[12] = (byte) (((20 + TCP_TIMESTAMPS.length) / 4) << 4);
        l4[13] = 0x18; // ACK PSH
        put16(l4, 14, 500);
        System.arraycopy(TCP_TIMESTAMPS, 0, l4, 20, TCP_TIMESTAMPS.length);
        fill(l4, 20 + TCP_TIMESTAMPS.length, payload);
        byte[] p = ip(src, dst, extensions.length == 0 ? 6 : firstExtension, extensions, l4);
        int l3 = p.length - l4.length;
        put16(p, l3 + 16, pseudo(p, 6, l4.length));
        int gso = src.length == 4 ? Offload.GSO_TCPV4 : Offload.GSO_TCPV6;
        return new Case("TCPv" + (src.length == 4 ? 4 : 6) + " super-packet", OffloadCheck.OK, p,
                Offload.F_NEEDS_CSUM, gso, l3 + 20 + TCP_TIMESTAMPS.length, gsoSize, l3, 16);
    }

    /** A UDP GSO ({@code UDP_L4}) super-packet of {@code payload} bytes, as a {@code UDP_SEGMENT} send looks. */
    public static Case udp(byte[] src, byte[] dst, int port, int payload, int gsoSize) {
        byte[] l4 = new byte[8 + payload];
        put16(l4, 0, 40001);
        put16(l4, 2, port);
        put16(l4, 4, l4.length);
        fill(l4, 8, payload);
        byte[] p = ip(src, dst, 17, new byte[0], l4);
        int l3 = p.length - l4.length;
        put16(p, l3 + 6, pseudo(p, 17, l4.length));
        return new Case("UDPv" + (src.length == 4 ? 4 : 6) + " GSO super-packet", OffloadCheck.OK, p,
                Offload.F_NEEDS_CSUM, Offload.GSO_UDP_L4, l3 + 8, gsoSize, l3, 6);
    }

    /** A plain UDP datagram with a partial checksum ({@code NEEDS_CSUM}, no GSO). */
    public static Case udpPartial(byte[] src, byte[] dst, int port, int payload) {
        Case u = udp(src, dst, port, payload, 0);
        return u.with("UDP with a partial checksum", OffloadCheck.OK, Offload.F_NEEDS_CSUM, Offload.GSO_NONE, 0, 0,
                u.csumStart, 6);
    }

    /** IPv4 (IHL 5, DF) or IPv6 header by the length of {@code src}, then {@code extensions} and {@code l4}. */
    private static byte[] ip(byte[] src, byte[] dst, int next, byte[] extensions, byte[] l4) {
        byte[] p;
        if (src.length == 4) {
            p = new byte[20 + l4.length];
            p[0] = 0x45;
            put16(p, 2, p.length);
            put16(p, 4, 0x4d2);
            p[6] = 0x40;
            p[8] = 64;
            p[9] = (byte) next;
            System.arraycopy(src, 0, p, 12, 4);
            System.arraycopy(dst, 0, p, 16, 4);
            put16(p, 10, Checksum.checksum(MemorySegment.ofArray(p), 0, 20));
            System.arraycopy(l4, 0, p, 20, l4.length);
            return p;
        }
        int l3 = 40 + extensions.length;
        p = new byte[l3 + l4.length];
        p[0] = 0x60;
        put16(p, 4, p.length - 40);
        p[6] = (byte) next;
        p[7] = 64;
        System.arraycopy(src, 0, p, 8, 16);
        System.arraycopy(dst, 0, p, 24, 16);
        System.arraycopy(extensions, 0, p, 40, extensions.length);
        System.arraycopy(l4, 0, p, l3, l4.length);
        return p;
    }

    /** An 8-byte IPv6 Hop-by-Hop or Destination Options header (PadN) whose next header is {@code next}. */
    public static byte[] optionsHeader(int next) {
        return new byte[] {(byte) next, 0, 1, 4, 0, 0, 0, 0};
    }

    private static int pseudo(byte[] p, int proto, int l4Length) {
        MemorySegment s = MemorySegment.ofArray(p);
        return p[0] >>> 4 == 4 ? Checksum.pseudoHeaderV4(s, 0, proto, l4Length)
                : Checksum.pseudoHeaderV6(s, 0, proto, l4Length);
    }

    private static void fill(byte[] b, int off, int n) {
        for (int i = 0; i < n; i++) b[off + i] = (byte) (i * 7 + (i >>> 8));
    }

    static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    static void put32(byte[] b, int off, long v) {
        put16(b, off, (int) (v >>> 16));
        put16(b, off + 2, (int) v);
    }

    // ---------------------------------------------------------------------------------------------- catalogues

    /**
     * Packets Linux produces on a TUN read with TSO/USO/CSUM (and variations it may produce), for a device of
     * {@code mtu} (at least 1280): every one must pass.
     */
    public static List<Case> valid(byte[] src4, byte[] dst4, byte[] src6, byte[] dst6, int mtu) {
        List<Case> c = new ArrayList<>();
        int mss4 = mtu - 20 - 32;
        int mss6 = mtu - 40 - 32;
        Case t4 = tcp(src4, dst4, 40 * mss4 + 100, mss4);
        c.add(t4);
        c.add(t4.with("TCPv4 with hdr_len = the linear part (Linux's hint)", 0, t4.flags, t4.gsoType, 4096,
                t4.gsoSize, t4.csumStart, t4.csumOffset));
        c.add(t4.with("TCPv4 with hdr_len 0", 0, t4.flags, t4.gsoType, 0, t4.gsoSize, t4.csumStart, t4.csumOffset));
        c.add(t4.with("TCPv4 with ECN", 0, t4.flags, t4.gsoType | Offload.GSO_ECN, t4.hdrLen, t4.gsoSize,
                t4.csumStart, t4.csumOffset));
        c.add(t4.with("TCPv4 segment filling the MTU exactly", 0, t4.flags, t4.gsoType, t4.hdrLen, mss4,
                t4.csumStart, t4.csumOffset));
        c.add(t4.with("TCPv4 with a smaller gso_size", 0, t4.flags, t4.gsoType, t4.hdrLen, 536,
                t4.csumStart, t4.csumOffset));
        Case small = tcp(src4, dst4, 100, mss4);
        c.add(small.with("TCPv4 GSO no larger than one segment", 0, small.flags, small.gsoType, small.hdrLen,
                small.gsoSize, small.csumStart, small.csumOffset));
        c.add(tcp(src4, dst4, 64000, 1448 <= mss4 ? 1448 : mss4).with("TCPv4 64000-byte super-packet", 0,
                Offload.F_NEEDS_CSUM, Offload.GSO_TCPV4, 52, 1448 <= mss4 ? 1448 : mss4, 20, 16));
        Case t6 = tcp(src6, dst6, 30 * mss6, mss6);
        c.add(t6);
        c.add(t6.with("TCPv6 with ECN", 0, t6.flags, t6.gsoType | Offload.GSO_ECN, t6.hdrLen, t6.gsoSize,
                t6.csumStart, t6.csumOffset));
        // Hop-by-Hop (0) -> Destination Options (60) -> TCP (6)
        byte[] ext = concat(optionsHeader(60), optionsHeader(6));
        Case t6ext = tcp(src6, dst6, 20 * (mss6 - 16), mss6 - 16, 0, ext);
        c.add(t6ext.with("TCPv6 after Hop-by-Hop and Destination Options headers", 0, t6ext.flags, t6ext.gsoType,
                t6ext.hdrLen, t6ext.gsoSize, t6ext.csumStart, t6ext.csumOffset));
        c.add(udp(src4, dst4, 5300, 40 * 1200, 1200));
        c.add(udp(src6, dst6, 5300, 40 * 1200 - 7, 1200));
        c.add(udp(src4, dst4, 5300, UDP_MAX * 100, 100).with("UDPv4 GSO of exactly 128 datagrams", 0,
                Offload.F_NEEDS_CSUM, Offload.GSO_UDP_L4, 28, 100, 20, 6));
        c.add(udpPartial(src4, dst4, 53, 300));
        c.add(udpPartial(src6, dst6, 53, 300));
        Case synPartial = tcp(src4, dst4, 0, 0);
        c.add(synPartial.with("TCP without payload, partial checksum", 0, Offload.F_NEEDS_CSUM, Offload.GSO_NONE,
                0, 0, 20, 16));
        Case inner = udp(src4, dst4, 4789, 200, 0);
        c.add(inner.with("partial checksum of an inner header (UDP tunnel, NETIF_F_HW_CSUM)", 0,
                Offload.F_NEEDS_CSUM, Offload.GSO_NONE, 0, 0, 20 + 8 + 50, 16));
        c.add(inner.with("DATA_VALID on a plain packet", 0, Offload.F_DATA_VALID, Offload.GSO_NONE, 0, 0, 0, 0));
        c.add(inner.with("plain packet, zero header", 0, 0, 0, 0, 0, 0, 0));
        c.add(inner.with("plain packet, stale csum fields without NEEDS_CSUM", 0, 0, 0, 28, 0, 999, 999));
        return c;
    }

    private static final int UDP_MAX = OffloadCheck.UDP_MAX_SEGMENTS;

    /**
     * One forged case per {@link OffloadCheck} reason, for a device of {@code mtu} (at least 1280): each breaks
     * exactly that rule. IPv4 cases use {@code src4 -> dst4}, IPv6 ones {@code src6 -> dst6}.
     */
    public static List<Case> forged(byte[] src4, byte[] dst4, byte[] src6, byte[] dst6, int mtu) {
        List<Case> c = new ArrayList<>();
        int mss4 = mtu - 20 - 32;
        Case t4 = tcp(src4, dst4, 10 * mss4, mss4);
        Case u4 = udp(src4, dst4, 5300, 10 * 1000, 1000);
        Case u4p = udpPartial(src4, dst4, 5300, 200);
        int f = Offload.F_NEEDS_CSUM;
        c.add(t4.with("flag bit 4 (RSC_INFO) from a peer", OffloadCheck.UNKNOWN_FLAGS, f | 4, t4.gsoType, t4.hdrLen,
                t4.gsoSize, 20, 16));
        c.add(t4.with("GSO type 2", OffloadCheck.UNKNOWN_GSO_TYPE, f, 2, t4.hdrLen, t4.gsoSize, 20, 16));
        c.add(u4.with("GSO_UDP (UFO)", OffloadCheck.GSO_UFO, f, Offload.GSO_UDP, 28, 1000, 20, 6));
        c.add(u4.with("UDP_L4 with the ECN bit", OffloadCheck.ECN_WITHOUT_TCP, f, Offload.GSO_UDP_L4 | Offload.GSO_ECN,
                28, 1000, 20, 6));
        c.add(t4.with("hdr_len one past the packet", OffloadCheck.HDR_LEN_BEYOND_PACKET, f, t4.gsoType,
                t4.packet.length + 1, t4.gsoSize, 20, 16));
        c.add(t4.with("TCPV4 GSO without NEEDS_CSUM", OffloadCheck.GSO_WITHOUT_CSUM, 0, t4.gsoType, t4.hdrLen,
                t4.gsoSize, 0, 0));
        c.add(t4.with("gso_size 0", OffloadCheck.GSO_SIZE_ZERO, f, t4.gsoType, t4.hdrLen, 0, 20, 16));
        byte[] v5 = t4.packet();
        v5[0] = 0x55;
        c.add(t4.withPacket("IP version 5", OffloadCheck.BAD_IP_VERSION, v5));
        byte[] ihl4 = t4.packet();
        ihl4[0] = 0x44;
        c.add(t4.withPacket("IPv4 IHL 4", OffloadCheck.BAD_IP_HEADER, ihl4));
        byte[] total = t4.packet();
        put16(total, 2, total.length + 1);
        c.add(t4.withPacket("IPv4 total length one past the bytes", OffloadCheck.BAD_IP_LENGTH, total));
        byte[] longHbh = optionsHeader(6);
        longHbh[1] = (byte) 255; // 2048 bytes
        Case t6 = tcp(src6, dst6, 1000, 500, 0, longHbh);
        c.add(t6.with("IPv6 Hop-by-Hop header running past the packet", OffloadCheck.BAD_IPV6_EXTENSIONS, f,
                Offload.GSO_TCPV6, 100, 500, 48, 16));
        byte[] mf = t4.packet();
        mf[6] = 0x20; // MF, offset 0: a first fragment
        c.add(t4.withPacket("TCPV4 GSO on a first fragment", OffloadCheck.FRAGMENT, mf));
        c.add(u4p.with("csum_start inside the IPv4 header", OffloadCheck.CSUM_START_IN_IP_HEADER, f, 0, 0, 0, 12, 6));
        c.add(u4p.with("checksum field past the packet", OffloadCheck.CSUM_FIELD_OUTSIDE_PACKET, f, 0, 0, 0, 20,
                u4p.packet.length - 20 - 1));
        c.add(t4.with("TCPV6 on IPv4", OffloadCheck.GSO_WRONG_IP_VERSION, f, Offload.GSO_TCPV6, t4.hdrLen,
                t4.gsoSize, 20, 16));
        c.add(u4.with("TCPV4 on UDP", OffloadCheck.GSO_WRONG_PROTOCOL, f, Offload.GSO_TCPV4, 28, 1000, 20, 6));
        c.add(t4.with("GSO csum_start inside the TCP header", OffloadCheck.CSUM_START_NOT_TRANSPORT, f, t4.gsoType,
                t4.hdrLen, t4.gsoSize, 24, 12));
        c.add(t4.with("TCPV4 csum_offset 6", OffloadCheck.CSUM_OFFSET_MISMATCH, f, t4.gsoType, t4.hdrLen,
                t4.gsoSize, 20, 6));
        byte[] doff = t4.packet();
        doff[20 + 12] = 0x40; // data offset 4 words
        c.add(t4.withPacket("TCP data offset 4", OffloadCheck.BAD_TRANSPORT_HEADER, doff));
        c.add(t4.with("segment one byte above the MTU", OffloadCheck.GSO_SIZE_ABOVE_MTU, f, t4.gsoType, t4.hdrLen,
                mss4 + 1, 20, 16));
        Case many = udp(src4, dst4, 5300, UDP_MAX * 8 + 1, 8);
        c.add(many.with("UDP GSO of 129 datagrams", OffloadCheck.TOO_MANY_SEGMENTS, f, Offload.GSO_UDP_L4, 28, 8,
                20, 6));
        return c;
    }

    /** Fuzzer seeds: {@link #valid} and {@link #forged} cases between documentation addresses. */
    public static List<Case> seeds(int mtu) {
        byte[] a4 = {(byte) 192, 0, 2, 2}, b4 = {(byte) 192, 0, 2, 1};
        byte[] a6 = new byte[16], b6 = new byte[16];
        a6[0] = b6[0] = 0x20;
        a6[1] = b6[1] = 0x01;
        a6[2] = b6[2] = 0x0d;
        a6[3] = b6[3] = (byte) 0xb8;
        a6[15] = 2;
        b6[15] = 1;
        List<Case> s = new ArrayList<>(valid(a4, b4, a6, b6, mtu));
        s.addAll(forged(a4, b4, a6, b6, mtu));
        return s;
    }

    /**
     * For a fuzzer: a seed case with a few packet bytes changed (mostly in the headers), cut short or grown, or
     * random bytes; and its six header fields, each replaced now and then by a boundary or random value (often
     * another seed's). The reason of the result is -1: unknown.
     */
    public static Case fuzz(Random rnd, List<Case> seeds, int mtu) {
        Case c = seeds.get(rnd.nextInt(seeds.size()));
        byte[] p = c.packet();
        int kind = rnd.nextInt(10);
        if (kind == 0) {
            p = new byte[rnd.nextInt(200)];
            rnd.nextBytes(p);
            if (p.length > 0 && rnd.nextBoolean()) p[0] = (byte) (rnd.nextBoolean() ? 0x45 : 0x60);
        } else if (kind == 1 && p.length > 0) {
            p = java.util.Arrays.copyOf(p, rnd.nextInt(p.length));
        } else if (kind == 2) {
            p = java.util.Arrays.copyOf(p, Math.min(65535, p.length + 1 + rnd.nextInt(64)));
        } else if (kind >= 5) {
            int changes = 1 + rnd.nextInt(4);
            for (int i = 0; i < changes && p.length > 0; i++) {
                int at = rnd.nextInt(4) > 0 ? rnd.nextInt(Math.min(p.length, 100)) : rnd.nextInt(p.length);
                p[at] = (byte) (rnd.nextInt(3) == 0 ? rnd.nextInt(256) : p[at] ^ (1 << rnd.nextInt(8)));
            }
        }
        Case m = rnd.nextInt(4) == 0 ? seeds.get(rnd.nextInt(seeds.size())) : c;
        int[] f = {m.flags, m.gsoType, m.hdrLen, m.gsoSize, m.csumStart, m.csumOffset};
        int len = p.length;
        int[] interesting = {0, 1, 2, 6, 8, 16, 20, 40, 48, 52, 60, len - 2, len - 1, len, len + 1, mtu - 52, mtu,
                0x7fff, 0xfffe, 0xffff};
        int[] types = {0, 1, 2, 3, 4, 5, 6, 0x80, 0x81, 0x84, 0x85};
        int changes = rnd.nextInt(4);
        for (int i = 0; i < changes; i++) {
            int k = rnd.nextInt(6);
            int width = k < 2 ? 0xff : 0xffff;
            f[k] = switch (rnd.nextInt(3)) {
                case 0 -> rnd.nextInt(width + 1);
                case 1 -> k == 1 ? types[rnd.nextInt(types.length)] : interesting[rnd.nextInt(interesting.length)] & width;
                default -> (f[k] + rnd.nextInt(5) - 2) & width;
            };
        }
        return new Case("fuzz", -1, p, f[0], f[1], f[2], f[3], f[4], f[5]);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
