package io.tunctl.core.packet;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071) over segments: the raw one's complement sum, IPv4 header checksums,
 * TCP/UDP/ICMP/ICMPv6 checksums with their pseudo-headers, and incremental updates (RFC 1624).
 *
 * <p>Vocabulary: a <em>sum</em> is the folded 16-bit one's complement sum, not inverted; a <em>checksum</em> is
 * the inverted sum as it is stored in a header. All values are 16-bit ints in network order
 * ({@code 0x1234} is stored as bytes {@code 12 34}).
 */
public final class Checksum {
    private Checksum() {}

    // The sum is byte-order independent (RFC 1071 §2(B)): add little-endian words, swap once at the end.
    private static final ValueLayout.OfLong LE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long LOW32 = 0xffffffffL;

    /**
     * One's complement sum of {@code len} bytes at {@code off}, added to {@code initial} (a previous sum, or 0).
     * An odd trailing byte is padded with a zero byte, as the checksum definition says.
     *
     * @return the folded 16-bit sum, not inverted
     */
    public static int sum(MemorySegment s, long off, long len, int initial) {
        long acc = 0;
        // 32-bit halves of each 64-bit read go into a 64-bit accumulator: no carries are lost below 2^31 words.
        // The loops are written as counted loops (0 .. end by a constant step), which lets C2 hoist the segment
        // bounds checks; "i + 32 <= len" as the condition measured 2.4x slower at 1400 bytes.
        long end = len & ~31L;
        long i = 0;
        for (; i < end; i += 32) {
            long a = s.get(LE64, off + i);
            long b = s.get(LE64, off + i + 8);
            long c = s.get(LE64, off + i + 16);
            long d = s.get(LE64, off + i + 24);
            acc += (a >>> 32) + (a & LOW32) + (b >>> 32) + (b & LOW32)
                    + (c >>> 32) + (c & LOW32) + (d >>> 32) + (d & LOW32);
        }
        // fewer than 32 bytes left: straight-line code, no second loop
        if ((len & 16) != 0) {
            long a = s.get(LE64, off + i);
            long b = s.get(LE64, off + i + 8);
            acc += (a >>> 32) + (a & LOW32) + (b >>> 32) + (b & LOW32);
            i += 16;
        }
        if ((len & 8) != 0) {
            long a = s.get(LE64, off + i);
            acc += (a >>> 32) + (a & LOW32);
            i += 8;
        }
        if (i + 4 <= len) {
            acc += s.get(LE32, off + i) & LOW32;
            i += 4;
        }
        if (i + 2 <= len) {
            acc += s.get(LE16, off + i) & 0xffff;
            i += 2;
        }
        if (i < len) acc += s.get(ValueLayout.JAVA_BYTE, off + i) & 0xff;
        int le = fold(acc);
        return add(((le & 0xff) << 8) | (le >>> 8), initial);
    }

    /** {@link #sum(MemorySegment, long, long, int)} starting from 0. */
    public static int sum(MemorySegment s, long off, long len) { return sum(s, off, len, 0); }

    /** The checksum (inverted sum) of {@code len} bytes at {@code off}. */
    public static int checksum(MemorySegment s, long off, long len) { return ~sum(s, off, len, 0) & 0xffff; }

    /** Folds a wide accumulator of 16-bit words to 16 bits with end-around carry. */
    public static int fold(long acc) {
        acc = (acc >>> 32) + (acc & LOW32);
        acc = (acc >>> 32) + (acc & LOW32);
        acc = (acc >>> 16) + (acc & 0xffff);
        acc = (acc >>> 16) + (acc & 0xffff);
        return (int) acc;
    }

    /** One's complement addition of two 16-bit sums. */
    public static int add(int a, int b) {
        int x = (a & 0xffff) + (b & 0xffff);
        return (x & 0xffff) + (x >>> 16);
    }

    /** Byte-at-a-time definition, for checking the fast path (and for byte arrays). */
    public static int sum(byte[] b, int off, int len, int initial) {
        long acc = initial & 0xffff;
        int i = 0;
        for (; i + 1 < len; i += 2) acc += ((b[off + i] & 0xff) << 8) | (b[off + i + 1] & 0xff);
        if (i < len) acc += (b[off + i] & 0xff) << 8;
        return fold(acc);
    }

    // ---- incremental update, RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') ----

    /** The checksum after one 16-bit word covered by it changed from {@code oldWord} to {@code newWord}. */
    public static int update16(int checksum, int oldWord, int newWord) {
        int x = (~checksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
        return ~fold(x) & 0xffff;
    }

    /** The checksum after a 32-bit field (an IPv4 address, a sequence number) changed. */
    public static int update32(int checksum, int oldValue, int newValue) {
        long x = (~checksum & 0xffff) + (~oldValue >>> 16 & 0xffff) + (~oldValue & 0xffff)
                + (newValue >>> 16 & 0xffff) + (newValue & 0xffff);
        return ~fold(x) & 0xffff;
    }

    /**
     * The checksum after {@code len} bytes (even) at {@code oldOff} were replaced by those at {@code newOff}
     * (for example a 16-byte IPv6 address); call before overwriting.
     */
    public static int update(int checksum, MemorySegment s, long oldOff, MemorySegment n, long newOff, int len) {
        int oldSum = sum(s, oldOff, len, 0);
        int newSum = sum(n, newOff, len, 0);
        return ~add(add(~checksum & 0xffff, ~oldSum & 0xffff), newSum) & 0xffff;
    }

    // ---- IPv4 header ----

    /** The header checksum the IPv4 header at {@code off} should carry (its checksum field taken as zero). */
    public static int ipv4Header(MemorySegment s, long off) {
        int ihl = Ipv4.headerLength(s, off);
        int field = Ipv4.headerChecksum(s, off);
        return ~add(sum(s, off, ihl, 0), ~field & 0xffff) & 0xffff;
    }

    public static boolean verifyIpv4Header(MemorySegment s, long off) {
        return sum(s, off, Ipv4.headerLength(s, off), 0) == 0xffff;
    }

    public static void fillIpv4Header(MemorySegment s, long off) {
        Ipv4.setHeaderChecksum(s, off, 0);
        Ipv4.setHeaderChecksum(s, off, checksum(s, off, Ipv4.headerLength(s, off)));
    }

    // ---- pseudo-headers ----

    /** Sum of the IPv4 pseudo-header (addresses of the header at {@code ipOff}, protocol, transport length). */
    public static int pseudoHeaderV4(MemorySegment s, long ipOff, int protocol, int transportLength) {
        long acc = Bytes.u16(s, ipOff + 12) + Bytes.u16(s, ipOff + 14) + Bytes.u16(s, ipOff + 16)
                + Bytes.u16(s, ipOff + 18) + protocol + transportLength;
        return fold(acc);
    }

    /** Sum of the IPv6 pseudo-header (RFC 8200 §8.1) for the header at {@code ipOff}. */
    public static int pseudoHeaderV6(MemorySegment s, long ipOff, int nextHeader, int transportLength) {
        long acc = sum(s, ipOff + Ipv6.OFF_SRC, 32, 0) + nextHeader + (transportLength >>> 16)
                + (transportLength & 0xffff);
        return fold(acc);
    }

    // ---- transport checksums ----

    /**
     * The checksum the TCP, UDP, ICMP or ICMPv6 header of the packet at {@code ipOff} should carry, computed
     * over the pseudo-header (none for ICMP) and the transport header and payload, with the checksum field taken
     * as zero. A UDP result of 0 is returned as {@code 0xffff} (RFC 768: 0 means "no checksum").
     *
     * @param len bytes available from {@code ipOff}; the IP length field decides how many are covered
     * @throws IllegalArgumentException if the packet is malformed, a non-first fragment, or another protocol
     */
    public static int transport(MemorySegment s, long ipOff, int len) {
        long tp = locate(s, ipOff, len);
        long t = IpPacket.transportOffset(tp);
        int proto = IpPacket.transportProtocol(tp);
        int tlen = (int) (ipOff + IpPacket.length(s, ipOff) - t);
        int fieldOff = checksumFieldOffset(proto);
        int field = Bytes.u16(s, t + fieldOff);
        int sum = add(add(pseudo(s, ipOff, proto, tlen), sum(s, t, tlen, 0)), ~field & 0xffff);
        int c = ~sum & 0xffff;
        return proto == IpPacket.PROTO_UDP && c == 0 ? 0xffff : c;
    }

    /** Computes and stores the transport checksum ({@link #transport}). */
    public static void fillTransport(MemorySegment s, long ipOff, int len) {
        long tp = locate(s, ipOff, len);
        long t = IpPacket.transportOffset(tp);
        Bytes.put16(s, t + checksumFieldOffset(IpPacket.transportProtocol(tp)), transport(s, ipOff, len));
    }

    /**
     * True if the transport checksum is right. A zero UDP checksum over IPv4 counts as right (not computed);
     * over IPv6 it is wrong (RFC 8200 §8.1).
     *
     * @throws IllegalArgumentException as {@link #transport}
     */
    public static boolean verifyTransport(MemorySegment s, long ipOff, int len) {
        long tp = locate(s, ipOff, len);
        long t = IpPacket.transportOffset(tp);
        int proto = IpPacket.transportProtocol(tp);
        if (proto == IpPacket.PROTO_UDP && Udp.checksum(s, t) == 0) return IpPacket.version(s, ipOff) == 4;
        int tlen = (int) (ipOff + IpPacket.length(s, ipOff) - t);
        return add(pseudo(s, ipOff, proto, tlen), sum(s, t, tlen, 0)) == 0xffff;
    }

    /**
     * Pseudo-header sum for the transport checksum of the packet at {@code ipOff}: IPv4 or IPv6 by version,
     * 0 for ICMPv4 (which has none).
     */
    static int pseudo(MemorySegment s, long ipOff, int proto, int tlen) {
        if (proto == IpPacket.PROTO_ICMP) return 0;
        return IpPacket.version(s, ipOff) == 4
                ? pseudoHeaderV4(s, ipOff, proto, tlen)
                : pseudoHeaderV6(s, ipOff, proto, tlen);
    }

    /** Offset of the checksum field inside the transport header of {@code protocol}. */
    public static int checksumFieldOffset(int protocol) {
        return switch (protocol) {
            case IpPacket.PROTO_TCP -> Tcp.OFF_CHECKSUM;
            case IpPacket.PROTO_UDP -> Udp.OFF_CHECKSUM;
            case IpPacket.PROTO_ICMP, IpPacket.PROTO_ICMPV6 -> Icmp.OFF_CHECKSUM;
            default -> throw new IllegalArgumentException("no transport checksum for IP protocol " + protocol);
        };
    }

    private static long locate(MemorySegment s, long ipOff, int len) {
        PacketValidity v = IpPacket.validate(s, ipOff, len);
        if (!v.isValid()) throw new IllegalArgumentException("cannot checksum malformed packet: " + v.description());
        long tp = IpPacket.transport(s, ipOff, len);
        int proto = IpPacket.transportProtocol(tp);
        if (proto == IpPacket.PROTO_FRAGMENT || IpPacket.version(s, ipOff) == 4 && Ipv4.isFragment(s, ipOff)
                || IpPacket.version(s, ipOff) == 6 && Ipv6.isFragment(s, ipOff, len)) {
            throw new IllegalArgumentException("cannot checksum a fragment: the checksum covers the whole datagram");
        }
        checksumFieldOffset(proto);
        return tp;
    }

    // ---- virtio partial checksums ----

    /**
     * Completes a partial checksum as virtio_net_hdr's {@code VIRTIO_NET_HDR_F_NEEDS_CSUM} describes it: the
     * 16-bit field at {@code csumStart + csumOffset} already holds the pseudo-header sum; the checksum of
     * everything from {@code csumStart} to the end of the packet is stored there (0 becomes 0xffff, as Linux
     * does).
     *
     * @param s       the packet, starting at byte 0, of {@code len} bytes
     * @throws IllegalArgumentException if the field lies outside the packet
     */
    public static void completePartial(MemorySegment s, int len, int csumStart, int csumOffset) {
        if (csumStart < 0 || csumOffset < 0 || (long) csumStart + csumOffset + 2 > len) {
            throw new IllegalArgumentException("checksum field at csumStart " + csumStart + " + csumOffset "
                    + csumOffset + " outside the " + len + "-byte packet");
        }
        int c = ~sum(s, csumStart, len - csumStart, 0) & 0xffff;
        Bytes.put16(s, csumStart + csumOffset, c == 0 ? 0xffff : c);
    }
}
