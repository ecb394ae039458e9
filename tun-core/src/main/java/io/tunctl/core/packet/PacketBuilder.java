package io.tunctl.core.packet;

import java.lang.foreign.MemorySegment;

/**
 * Writes complete, checksummed packets that a user-space stack sends into the TUN: UDP datagrams over IPv4 and
 * IPv6, and the TCP reset that refuses a segment. Every builder writes at {@code off} of a caller's segment,
 * returns the length written, and returns {@code -1} (writing nothing) if the packet does not fit in {@code cap}
 * bytes. Addresses are passed as the engine keeps them: IPv4 as a big-endian {@code int}, IPv6 as two
 * {@code long}s (upper and lower 64 bits, as {@link Ipv6#sourceHigh}). Nothing is allocated.
 *
 * <p>Packets carry TTL / hop limit {@value #DEFAULT_TTL}, traffic class 0 and flow label 0.
 */
public final class PacketBuilder {
    private PacketBuilder() {}

    /** TTL and hop limit of built packets: what Linux uses by default (net.ipv4.ip_default_ttl). */
    public static final int DEFAULT_TTL = 64;
    /** Bytes in front of the UDP payload: IPv4 header (no options) and UDP header. */
    public static final int UDP4_HEADERS = Ipv4.MIN_HEADER_LENGTH + Udp.HEADER_LENGTH;
    /** Bytes in front of the UDP payload: IPv6 header (no extension headers) and UDP header. */
    public static final int UDP6_HEADERS = Ipv6.HEADER_LENGTH + Udp.HEADER_LENGTH;
    /** Length of a reset built by {@link #tcpReset} over IPv4 and over IPv6. */
    public static final int TCP4_RESET_LENGTH = Ipv4.MIN_HEADER_LENGTH + Tcp.MIN_HEADER_LENGTH,
            TCP6_RESET_LENGTH = Ipv6.HEADER_LENGTH + Tcp.MIN_HEADER_LENGTH;

    // ---- UDP ----

    /**
     * A UDP/IPv4 datagram carrying {@code pLen} bytes of {@code payload} from {@code pOff}. The payload may
     * overlap the destination (it is moved as if through a temporary copy); if it already lies at
     * {@code off + }{@value #UDP4_HEADERS}, {@link #udp4Headers} avoids the move.
     *
     * @param ipId the IPv4 identification; DF is clear, so a router towards a smaller MTU may fragment it
     * @return the packet length, or -1 if it exceeds {@code cap} or 65535
     */
    public static int udp4(MemorySegment seg, long off, int cap, int src, int srcPort, int dst, int dstPort,
                           MemorySegment payload, long pOff, int pLen, int ipId) {
        if (!fits(UDP4_HEADERS, pLen, cap)) return -1;
        MemorySegment.copy(payload, pOff, seg, off + UDP4_HEADERS, pLen);
        return udp4Headers(seg, off, cap, src, srcPort, dst, dstPort, pLen, ipId);
    }

    /**
     * Writes the IPv4 and UDP headers in front of a payload of {@code payloadLen} bytes that already lies at
     * {@code off + }{@value #UDP4_HEADERS}, and the UDP checksum over it in place.
     *
     * @return the packet length, or -1 if it exceeds {@code cap} or 65535
     */
    public static int udp4Headers(MemorySegment seg, long off, int cap, int src, int srcPort, int dst, int dstPort,
                                  int payloadLen, int ipId) {
        if (!fits(UDP4_HEADERS, payloadLen, cap)) return -1;
        int total = UDP4_HEADERS + payloadLen;
        ipv4Header(seg, off, total, ipId, 0, IpPacket.PROTO_UDP, src, dst);
        long t = off + Ipv4.MIN_HEADER_LENGTH;
        udpHeader(seg, t, srcPort, dstPort, Udp.HEADER_LENGTH + payloadLen);
        int pseudo = Checksum.pseudoHeaderV4(seg, off, IpPacket.PROTO_UDP, Udp.HEADER_LENGTH + payloadLen);
        Udp.setChecksum(seg, t, udpChecksum(pseudo, seg, t, Udp.HEADER_LENGTH + payloadLen));
        return total;
    }

    /**
     * A UDP/IPv6 datagram carrying {@code pLen} bytes of {@code payload} from {@code pOff} (which may overlap
     * the destination; see {@link #udp6Headers} for a payload already in place).
     *
     * @return the packet length, or -1 if it exceeds {@code cap} or the 65535-byte payload limit
     */
    public static int udp6(MemorySegment seg, long off, int cap, long srcHi, long srcLo, int srcPort,
                           long dstHi, long dstLo, int dstPort, MemorySegment payload, long pOff, int pLen) {
        if (!fits6(pLen, cap)) return -1;
        MemorySegment.copy(payload, pOff, seg, off + UDP6_HEADERS, pLen);
        return udp6Headers(seg, off, cap, srcHi, srcLo, srcPort, dstHi, dstLo, dstPort, pLen);
    }

    /**
     * Writes the IPv6 and UDP headers in front of a payload of {@code payloadLen} bytes that already lies at
     * {@code off + }{@value #UDP6_HEADERS}, with the (mandatory, RFC 8200 §8.1) UDP checksum.
     *
     * @return the packet length, or -1 if it exceeds {@code cap} or the 65535-byte payload limit
     */
    public static int udp6Headers(MemorySegment seg, long off, int cap, long srcHi, long srcLo, int srcPort,
                                  long dstHi, long dstLo, int dstPort, int payloadLen) {
        if (!fits6(payloadLen, cap)) return -1;
        int ulen = Udp.HEADER_LENGTH + payloadLen;
        ipv6Header(seg, off, ulen, IpPacket.PROTO_UDP, srcHi, srcLo, dstHi, dstLo);
        long t = off + Ipv6.HEADER_LENGTH;
        udpHeader(seg, t, srcPort, dstPort, ulen);
        int pseudo = Checksum.pseudoHeaderV6(seg, off, IpPacket.PROTO_UDP, ulen);
        Udp.setChecksum(seg, t, udpChecksum(pseudo, seg, t, ulen));
        return Ipv6.HEADER_LENGTH + ulen;
    }

    private static boolean fits(int headers, int payloadLen, int cap) {
        return payloadLen >= 0 && headers + payloadLen <= Math.min(cap, 0xffff);
    }

    private static boolean fits6(int payloadLen, int cap) {
        return payloadLen >= 0 && Udp.HEADER_LENGTH + payloadLen <= 0xffff && UDP6_HEADERS + payloadLen <= cap;
    }

    private static void udpHeader(MemorySegment seg, long t, int srcPort, int dstPort, int ulen) {
        Udp.setSourcePort(seg, t, srcPort);
        Udp.setDestinationPort(seg, t, dstPort);
        Udp.setLength(seg, t, ulen);
        Udp.setChecksum(seg, t, 0);
    }

    /** RFC 768: a computed checksum of 0 is sent as 0xffff, since 0 means "none". */
    private static int udpChecksum(int pseudo, MemorySegment seg, long t, int ulen) {
        int c = ~Checksum.sum(seg, t, ulen, pseudo) & 0xffff;
        return c == 0 ? 0xffff : c;
    }

    // ---- TCP reset ----

    /**
     * The reset that refuses the TCP segment at {@code (seg, off, len)} (a SYN to a closed port, a segment of an
     * unknown connection), per RFC 9293 §3.10.7.1 (RFC 793 "Reset Generation"): sent from the segment's
     * destination to its source; if the segment carries ACK, the reset takes its sequence number from that
     * acknowledgment and carries no ACK; otherwise its sequence number is 0 and it acknowledges
     * {@code SEG.SEQ + SEG.LEN} (payload plus one each for SYN and FIN), with flags RST+ACK. Window 0, no
     * options. An IPv4 reset has DF set and identification 0, like the Linux kernel's.
     *
     * @return the reset's length ({@value #TCP4_RESET_LENGTH} or {@value #TCP6_RESET_LENGTH}); 0 if no reset
     *     is due (the segment is itself a reset, is not a well-formed TCP segment, is a fragment, or has a
     *     multicast, broadcast or unspecified address); -1 if it
     *     does not fit in {@code cap}
     */
    public static int tcpReset(MemorySegment seg, long off, int len, MemorySegment out, long outOff, int cap) {
        if (!IpPacket.validate(seg, off, len).isValid()) return 0;
        long tp = IpPacket.transport(seg, off, len);
        if (IpPacket.transportProtocol(tp) != IpPacket.PROTO_TCP) return 0;
        int version = IpPacket.version(seg, off);
        if (version == 4 ? Ipv4.isFragment(seg, off) : Ipv6.isFragment(seg, off, len)) return 0;
        long t = IpPacket.transportOffset(tp);
        int flags = Tcp.flags(seg, t);
        if ((flags & Tcp.RST) != 0) return 0; // RFC 9293: a reset is never answered
        boolean unicast = version == 4
                ? IcmpReplies.unicast4(Ipv4.source(seg, off)) && IcmpReplies.unicast4(Ipv4.destination(seg, off))
                : IcmpReplies.unicast6(Ipv6.sourceHigh(seg, off), Ipv6.sourceLow(seg, off))
                        && IcmpReplies.unicast6(Ipv6.destinationHigh(seg, off), Ipv6.destinationLow(seg, off));
        if (!unicast) return 0; // as Linux: no reset to or for a multicast, broadcast or unspecified address
        int ipLen = IpPacket.length(seg, off);
        int segLen = (int) (off + ipLen - t) - Tcp.headerLength(seg, t)
                + ((flags & Tcp.SYN) != 0 ? 1 : 0) + ((flags & Tcp.FIN) != 0 ? 1 : 0);
        long seq, ack;
        int outFlags;
        if ((flags & Tcp.ACK) != 0) {
            seq = Tcp.acknowledgment(seg, t);
            ack = 0;
            outFlags = Tcp.RST;
        } else {
            seq = 0;
            ack = (Tcp.sequence(seg, t) + segLen) & 0xffffffffL;
            outFlags = Tcp.RST | Tcp.ACK;
        }
        int sport = Tcp.destinationPort(seg, t), dport = Tcp.sourcePort(seg, t);
        long o;
        int total;
        int pseudo;
        if (version == 4) {
            total = TCP4_RESET_LENGTH;
            if (cap < total) return -1;
            // read both addresses before writing: out may be the offending packet's own buffer
            int src = Ipv4.destination(seg, off), dst = Ipv4.source(seg, off);
            ipv4Header(out, outOff, total, 0, Ipv4.FLAG_DF, IpPacket.PROTO_TCP, src, dst);
            o = outOff + Ipv4.MIN_HEADER_LENGTH;
            pseudo = Checksum.pseudoHeaderV4(out, outOff, IpPacket.PROTO_TCP, Tcp.MIN_HEADER_LENGTH);
        } else {
            total = TCP6_RESET_LENGTH;
            if (cap < total) return -1;
            long srcHi = Ipv6.destinationHigh(seg, off), srcLo = Ipv6.destinationLow(seg, off);
            long dstHi = Ipv6.sourceHigh(seg, off), dstLo = Ipv6.sourceLow(seg, off);
            ipv6Header(out, outOff, Tcp.MIN_HEADER_LENGTH, IpPacket.PROTO_TCP, srcHi, srcLo, dstHi, dstLo);
            o = outOff + Ipv6.HEADER_LENGTH;
            pseudo = Checksum.pseudoHeaderV6(out, outOff, IpPacket.PROTO_TCP, Tcp.MIN_HEADER_LENGTH);
        }
        Tcp.setSourcePort(out, o, sport);
        Tcp.setDestinationPort(out, o, dport);
        Tcp.setSequence(out, o, seq);
        Tcp.setAcknowledgment(out, o, ack);
        Bytes.put8(out, o + Tcp.OFF_DATA_OFFSET, (Tcp.MIN_HEADER_LENGTH / 4) << 4);
        Tcp.setFlags(out, o, outFlags);
        Tcp.setWindow(out, o, 0);
        Tcp.setChecksum(out, o, 0);
        Tcp.setUrgentPointer(out, o, 0);
        Tcp.setChecksum(out, o, ~Checksum.sum(out, o, Tcp.MIN_HEADER_LENGTH, pseudo) & 0xffff);
        return total;
    }

    // ---- IP headers, shared with IcmpReplies ----

    /** A 20-byte IPv4 header (no options) with a fresh header checksum; {@code flags} as {@link Ipv4#flags}. */
    static void ipv4Header(MemorySegment s, long off, int totalLength, int id, int flags, int protocol,
                           int src, int dst) {
        ipv4Header(s, off, 0, totalLength, id, flags, protocol, src, dst);
    }

    static void ipv4Header(MemorySegment s, long off, int tos, int totalLength, int id, int flags, int protocol,
                           int src, int dst) {
        Bytes.put8(s, off, 0x45);
        Bytes.put8(s, off + 1, tos);
        Ipv4.setTotalLength(s, off, totalLength);
        Ipv4.setIdentification(s, off, id);
        Bytes.put16(s, off + Ipv4.OFF_FRAG, flags << 13);
        Ipv4.setTtl(s, off, DEFAULT_TTL);
        Ipv4.setProtocol(s, off, protocol);
        Ipv4.setSource(s, off, src);
        Ipv4.setDestination(s, off, dst);
        Ipv4.setHeaderChecksum(s, off, 0);
        Ipv4.setHeaderChecksum(s, off, Checksum.checksum(s, off, Ipv4.MIN_HEADER_LENGTH));
    }

    /** A 40-byte IPv6 header, traffic class and flow label 0. */
    static void ipv6Header(MemorySegment s, long off, int payloadLength, int nextHeader,
                           long srcHi, long srcLo, long dstHi, long dstLo) {
        Bytes.put32(s, off, 6 << 28);
        Ipv6.setPayloadLength(s, off, payloadLength);
        Ipv6.setNextHeader(s, off, nextHeader);
        Ipv6.setHopLimit(s, off, DEFAULT_TTL);
        Bytes.put64(s, off + Ipv6.OFF_SRC, srcHi);
        Bytes.put64(s, off + Ipv6.OFF_SRC + 8, srcLo);
        Bytes.put64(s, off + Ipv6.OFF_DST, dstHi);
        Bytes.put64(s, off + Ipv6.OFF_DST + 8, dstLo);
    }
}
