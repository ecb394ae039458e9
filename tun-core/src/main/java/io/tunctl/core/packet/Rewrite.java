package io.tunctl.core.packet;

import java.lang.foreign.MemorySegment;

/**
 * In-place address and port rewrites (NAT, fake-IP mapping) that keep every checksum right by incremental
 * update (RFC 1624) instead of recomputing over the payload: the IPv4 header checksum, and the TCP, UDP or ICMPv6
 * checksum whose pseudo-header covers the addresses. A UDP-over-IPv4 checksum of 0 ("none") stays 0, and a UDP
 * result of 0 is stored as 0xffff.
 *
 * <p>All methods take the packet at {@code off} with {@code len} bytes and expect it to be valid
 * ({@link IpPacket#validate}); for a non-first fragment only the IP header is touched, since the transport header
 * (and its checksum) travels in the first fragment. Nothing is allocated.
 */
public final class Rewrite {
    private Rewrite() {}

    /** Sets the IPv4 source address. */
    public static void ipv4Source(MemorySegment s, long off, int len, int address) {
        ipv4Address(s, off, len, Ipv4.OFF_SRC, address);
    }

    /** Sets the IPv4 destination address. */
    public static void ipv4Destination(MemorySegment s, long off, int len, int address) {
        ipv4Address(s, off, len, Ipv4.OFF_DST, address);
    }

    /** Sets the IPv6 source address to the 16 bytes {@code hi:lo}. */
    public static void ipv6Source(MemorySegment s, long off, int len, long hi, long lo) {
        ipv6Address(s, off, len, Ipv6.OFF_SRC, hi, lo);
    }

    /** Sets the IPv6 destination address to the 16 bytes {@code hi:lo}. */
    public static void ipv6Destination(MemorySegment s, long off, int len, long hi, long lo) {
        ipv6Address(s, off, len, Ipv6.OFF_DST, hi, lo);
    }

    /** Sets the TCP or UDP source port; does nothing for other protocols and non-first fragments. */
    public static void sourcePort(MemorySegment s, long off, int len, int port) { port(s, off, len, 0, port); }

    /** Sets the TCP or UDP destination port; does nothing for other protocols and non-first fragments. */
    public static void destinationPort(MemorySegment s, long off, int len, int port) { port(s, off, len, 2, port); }

    private static void ipv4Address(MemorySegment s, long off, int len, int field, int address) {
        int old = Bytes.i32(s, off + field);
        if (old == address) return;
        Bytes.put32(s, off + field, address);
        Ipv4.setHeaderChecksum(s, off, Checksum.update32(Ipv4.headerChecksum(s, off), old, address));
        long tp = IpPacket.transport(s, off, len);
        if (tp < 0) return;
        long t = IpPacket.transportOffset(tp);
        switch (IpPacket.transportProtocol(tp)) {
            case IpPacket.PROTO_TCP -> Tcp.setChecksum(s, t, Checksum.update32(Tcp.checksum(s, t), old, address));
            case IpPacket.PROTO_UDP -> {
                int c = Udp.checksum(s, t);
                if (c != 0) Udp.setChecksum(s, t, udpNonZero(Checksum.update32(c, old, address)));
            }
            default -> { } // ICMPv4 has no pseudo-header
        }
    }

    private static void ipv6Address(MemorySegment s, long off, int len, int field, long hi, long lo) {
        long oldHi = Bytes.i64(s, off + field);
        long oldLo = Bytes.i64(s, off + field + 8);
        if (oldHi == hi && oldLo == lo) return;
        Bytes.put64(s, off + field, hi);
        Bytes.put64(s, off + field + 8, lo);
        long tp = IpPacket.transport(s, off, len);
        if (tp < 0) return;
        long t = IpPacket.transportOffset(tp);
        int proto = IpPacket.transportProtocol(tp);
        int fieldOff;
        switch (proto) {
            case IpPacket.PROTO_TCP -> fieldOff = Tcp.OFF_CHECKSUM;
            case IpPacket.PROTO_UDP -> fieldOff = Udp.OFF_CHECKSUM;
            case IpPacket.PROTO_ICMPV6 -> fieldOff = Icmp.OFF_CHECKSUM;
            default -> { return; }
        }
        int c = Bytes.u16(s, t + fieldOff);
        c = update64(c, oldHi, hi);
        c = update64(c, oldLo, lo);
        Bytes.put16(s, t + fieldOff, proto == IpPacket.PROTO_UDP ? udpNonZero(c) : c);
    }

    private static void port(MemorySegment s, long off, int len, int field, int port) {
        long tp = IpPacket.transport(s, off, len);
        if (tp < 0) return;
        long t = IpPacket.transportOffset(tp);
        int proto = IpPacket.transportProtocol(tp);
        if (proto != IpPacket.PROTO_TCP && proto != IpPacket.PROTO_UDP) return;
        int old = Bytes.u16(s, t + field);
        if (old == port) return;
        Bytes.put16(s, t + field, port);
        if (proto == IpPacket.PROTO_TCP) {
            Tcp.setChecksum(s, t, Checksum.update16(Tcp.checksum(s, t), old, port));
        } else {
            int c = Udp.checksum(s, t);
            if (c != 0 || IpPacket.version(s, off) == 6) Udp.setChecksum(s, t, udpNonZero(Checksum.update16(c, old, port)));
        }
    }

    private static int update64(int checksum, long old, long now) {
        int c = Checksum.update32(checksum, (int) (old >>> 32), (int) (now >>> 32));
        return Checksum.update32(c, (int) old, (int) now);
    }

    private static int udpNonZero(int c) { return c == 0 ? 0xffff : c; }
}
