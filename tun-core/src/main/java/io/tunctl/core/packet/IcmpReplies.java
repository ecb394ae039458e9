package io.tunctl.core.packet;

import java.lang.foreign.MemorySegment;

/**
 * ICMP and ICMPv6 messages a user-space stack answers with: echo replies made in place from echo requests, and
 * error messages (destination unreachable, fragmentation needed, packet too big) quoting the packet that caused
 * them. Builders write into {@code (out, outOff)} with {@code cap} bytes of room and return the length written,
 * 0 when the rules forbid an answer ({@link #mayAnswerWithError}), or -1 when even the shortest allowed quote
 * does not fit. The offending packet may lie in the same segment as the output, overlapping it. Nothing is
 * allocated.
 *
 * <p>Errors carry TTL / hop limit {@value PacketBuilder#DEFAULT_TTL}; IPv4 errors have TOS 0xc0 (precedence
 * "internetwork control", as Linux sends them), identification 0 and DF clear.
 */
public final class IcmpReplies {
    private IcmpReplies() {}

    /** ICMPv4 destination-unreachable codes (RFC 792, RFC 1812 §5.2.7.1). */
    public static final int V4_NET_UNREACHABLE = 0, V4_HOST_UNREACHABLE = 1, V4_PROTOCOL_UNREACHABLE = 2,
            V4_PORT_UNREACHABLE = 3, V4_FRAGMENTATION_NEEDED = 4, V4_ADMIN_PROHIBITED = 13;
    /** ICMPv6 destination-unreachable codes (RFC 4443 §3.1). */
    public static final int V6_NO_ROUTE = 0, V6_ADMIN_PROHIBITED = 1, V6_ADDRESS_UNREACHABLE = 3,
            V6_PORT_UNREACHABLE = 4;
    /**
     * Largest ICMPv4 error: the 576 bytes every host must accept (RFC 1812 §4.3.2.3 asks to quote as much as
     * fits in them; Linux does the same).
     */
    public static final int MAX_ERROR4_LENGTH = 576;
    /** Largest ICMPv6 error: the IPv6 minimum MTU (RFC 4443 §2.4(c)). */
    public static final int MAX_ERROR6_LENGTH = 1280;
    /** Smallest next-hop MTU an IPv4 link may have (RFC 791) and the IPv6 minimum MTU (RFC 8200 §5). */
    public static final int MIN_MTU4 = 68, MIN_MTU6 = 1280;

    private static final int ERROR4_HEADERS = Ipv4.MIN_HEADER_LENGTH + Icmp.HEADER_LENGTH;
    private static final int ERROR6_HEADERS = Ipv6.HEADER_LENGTH + Icmp.HEADER_LENGTH;
    private static final int TOS_INTERNETWORK_CONTROL = 0xc0;

    // ---- echo ----

    /**
     * Turns the ICMPv4 or ICMPv6 echo request at {@code (seg, off, len)} into its echo reply in place: addresses
     * swapped, type changed, TTL / hop limit reset to {@value PacketBuilder#DEFAULT_TTL}, checksums updated
     * incrementally (RFC 1624; swapping the addresses leaves every sum as it was, the type change does not).
     * IPv4 options are kept as received. An IPv6 request must carry ICMPv6 right after the fixed header: with
     * extension headers (a routing header, say) a mirrored reply would be wrong.
     *
     * @return true if the packet now holds the reply; false, packet untouched, if it is not a well-formed echo
     *     request with right checksums (IPv4 header and ICMP), is a fragment, or was sent to (or from) a
     *     multicast, broadcast or unspecified address
     */
    public static boolean echoReplyInPlace(MemorySegment seg, long off, int len) {
        if (!IpPacket.validate(seg, off, len).isValid()) return false;
        int version = IpPacket.version(seg, off);
        if (version == 4) {
            if (Ipv4.protocol(seg, off) != IpPacket.PROTO_ICMP || Ipv4.isFragment(seg, off)) return false;
            if (!Checksum.verifyIpv4Header(seg, off)) return false;
            int src = Ipv4.source(seg, off), dst = Ipv4.destination(seg, off);
            if (!unicast4(src) || !unicast4(dst)) return false;
            long t = off + Ipv4.headerLength(seg, off);
            int tlen = (int) (off + Ipv4.totalLength(seg, off) - t);
            if (Icmp.type(seg, t) != Icmp.V4_ECHO_REQUEST || Checksum.sum(seg, t, tlen) != 0xffff) return false;
            Ipv4.setSource(seg, off, dst);
            Ipv4.setDestination(seg, off, src);
            int ttlWord = Bytes.u16(seg, off + Ipv4.OFF_TTL);
            int newTtlWord = PacketBuilder.DEFAULT_TTL << 8 | (ttlWord & 0xff);
            Ipv4.setTtl(seg, off, PacketBuilder.DEFAULT_TTL);
            Ipv4.setHeaderChecksum(seg, off, Checksum.update16(Ipv4.headerChecksum(seg, off), ttlWord, newTtlWord));
            setTypeKeepingChecksum(seg, t, Icmp.V4_ECHO_REPLY);
            return true;
        }
        if (Ipv6.nextHeader(seg, off) != IpPacket.PROTO_ICMPV6) return false;
        long srcHi = Ipv6.sourceHigh(seg, off), srcLo = Ipv6.sourceLow(seg, off);
        long dstHi = Ipv6.destinationHigh(seg, off), dstLo = Ipv6.destinationLow(seg, off);
        if (!unicast6(srcHi, srcLo) || !unicast6(dstHi, dstLo)) return false;
        long t = off + Ipv6.HEADER_LENGTH;
        int tlen = Ipv6.payloadLength(seg, off);
        if (Icmp.type(seg, t) != Icmp.V6_ECHO_REQUEST) return false;
        int pseudo = Checksum.pseudoHeaderV6(seg, off, IpPacket.PROTO_ICMPV6, tlen);
        if (Checksum.sum(seg, t, tlen, pseudo) != 0xffff) return false;
        Bytes.put64(seg, off + Ipv6.OFF_SRC, dstHi);
        Bytes.put64(seg, off + Ipv6.OFF_SRC + 8, dstLo);
        Bytes.put64(seg, off + Ipv6.OFF_DST, srcHi);
        Bytes.put64(seg, off + Ipv6.OFF_DST + 8, srcLo);
        Ipv6.setHopLimit(seg, off, PacketBuilder.DEFAULT_TTL);
        setTypeKeepingChecksum(seg, t, Icmp.V6_ECHO_REPLY);
        return true;
    }

    private static void setTypeKeepingChecksum(MemorySegment seg, long t, int type) {
        int old = Bytes.u16(seg, t);
        int now = type << 8 | (old & 0xff);
        Icmp.setType(seg, t, type);
        Icmp.setChecksum(seg, t, Checksum.update16(Icmp.checksum(seg, t), old, now));
    }

    // ---- the rules for errors ----

    /**
     * True if an ICMP error may answer the packet at {@code (seg, off, len)}: it is a well-formed IPv4 or IPv6
     * packet; not a non-first fragment; its source names a single host (not unspecified, multicast, broadcast,
     * class E or, for IPv4, loopback); its destination is not multicast or broadcast; and it is not itself an
     * ICMP error (nor an ICMPv6 redirect), so two stacks never answer each other's errors forever.
     * RFC 1812 §4.3.2.7, RFC 1122 §3.2.2, RFC 4443 §2.4(e).
     *
     * <p>A subnet's directed broadcast cannot be told from a host address here; the caller knows its subnets.
     */
    public static boolean mayAnswerWithError(MemorySegment seg, long off, int len) {
        return mayAnswer(seg, off, len, false);
    }

    /**
     * As {@link #mayAnswerWithError}, except that for IPv6 a multicast destination is allowed: Packet Too Big
     * must answer multicast too, or path MTU discovery for multicast breaks (RFC 4443 §2.4(e.3)).
     */
    private static boolean mayAnswer(MemorySegment seg, long off, int len, boolean multicastDestinationOk) {
        if (!IpPacket.validate(seg, off, len).isValid()) return false;
        int ipLen = IpPacket.length(seg, off);
        long tp = IpPacket.transport(seg, off, ipLen);
        if (tp < 0 || IpPacket.transportProtocol(tp) == IpPacket.PROTO_FRAGMENT) return false;
        long t = IpPacket.transportOffset(tp);
        boolean hasType = t < off + ipLen; // a first fragment may end before its transport header
        if (IpPacket.version(seg, off) == 4) {
            if (!unicast4(Ipv4.source(seg, off)) || (Ipv4.source(seg, off) >>> 24) == 127) return false;
            if (!unicast4(Ipv4.destination(seg, off))) return false;
            if (Ipv4.protocol(seg, off) != IpPacket.PROTO_ICMP) return true;
            return hasType && isIcmp4Query(Icmp.type(seg, t));
        }
        if (!unicast6(Ipv6.sourceHigh(seg, off), Ipv6.sourceLow(seg, off))) return false;
        if (!multicastDestinationOk && isMulticast6(Ipv6.destinationHigh(seg, off))) return false;
        if (IpPacket.transportProtocol(tp) != IpPacket.PROTO_ICMPV6) return true;
        if (!hasType) return false;
        int type = Icmp.type(seg, t);
        return type >= 128 && type != 137; // errors are types 0..127 (RFC 4443 §2.1); 137 is a redirect
    }

    /** ICMPv4 informational messages; the errors (3, 4, 5, 11, 12) and unknown types are never answered. */
    private static boolean isIcmp4Query(int type) {
        return switch (type) {
            case 0, 8, 9, 10, 13, 14, 15, 16, 17, 18 -> true;
            default -> false;
        };
    }

    /** Not 0.0.0.0/8, not multicast 224/4, not class E 240/4 (which holds the limited broadcast). */
    static boolean unicast4(int a) {
        int first = a >>> 24;
        return first != 0 && first < 224;
    }

    private static boolean isMulticast6(long hi) { return (hi >>> 56) == 0xff; }

    /** Not the unspecified address and not multicast. */
    static boolean unicast6(long hi, long lo) { return (hi | lo) != 0 && !isMulticast6(hi); }

    // ---- IPv4 errors ----

    /**
     * ICMPv4 destination unreachable (type 3) with {@code code} (for example {@link #V4_HOST_UNREACHABLE},
     * {@link #V4_PORT_UNREACHABLE}, {@link #V4_ADMIN_PROHIBITED}), from {@code sender} (the unreachable
     * destination itself for port unreachable, a gateway otherwise) to the offending packet's source, quoting
     * the offending IPv4 packet up to a {@value #MAX_ERROR4_LENGTH}-byte error. For code 4 use
     * {@link #fragmentationNeeded}, which carries the MTU.
     *
     * @return the error's length; 0 if {@link #mayAnswerWithError} forbids it; -1 if the IP header and 8 bytes
     *     of the offending packet do not fit in {@code cap}
     * @throws IllegalArgumentException if {@code code} is not 0..15 or the offending packet is IPv6
     */
    public static int destinationUnreachable(MemorySegment out, long outOff, int cap, int code,
                                             MemorySegment offending, long off, int len, int sender) {
        if (code < 0 || code > 15) throw new IllegalArgumentException("ICMPv4 unreachable code " + code + " not in 0..15");
        return error4(out, outOff, cap, code, 0, offending, off, len, sender);
    }

    /**
     * ICMPv4 "fragmentation needed and DF set" (type 3 code 4) carrying the next-hop MTU (RFC 1191 §4), for a
     * packet with DF set that is larger than {@code nextHopMtu}; otherwise as {@link #destinationUnreachable}.
     *
     * @throws IllegalArgumentException if {@code nextHopMtu} is not 68..65535 or the offending packet is IPv6
     */
    public static int fragmentationNeeded(MemorySegment out, long outOff, int cap, int nextHopMtu,
                                          MemorySegment offending, long off, int len, int sender) {
        if (nextHopMtu < MIN_MTU4 || nextHopMtu > 0xffff) {
            throw new IllegalArgumentException("next-hop MTU " + nextHopMtu + " not in " + MIN_MTU4 + "..65535");
        }
        return error4(out, outOff, cap, V4_FRAGMENTATION_NEEDED, nextHopMtu, offending, off, len, sender);
    }

    private static int error4(MemorySegment out, long outOff, int cap, int code, int rest,
                              MemorySegment offending, long off, int len, int sender) {
        if (len > 0 && IpPacket.version(offending, off) == 6) {
            throw new IllegalArgumentException("an ICMPv4 error needs an IPv4 offending packet");
        }
        if (!mayAnswer(offending, off, len, false)) return 0;
        int ipLen = IpPacket.length(offending, off);
        int minQuote = Math.min(ipLen, Ipv4.headerLength(offending, off) + 8);
        int quote = Math.min(ipLen, Math.min(MAX_ERROR4_LENGTH, cap) - ERROR4_HEADERS);
        if (quote < minQuote) return -1;
        int dst = Ipv4.source(offending, off);
        MemorySegment.copy(offending, off, out, outOff + ERROR4_HEADERS, quote);
        int total = ERROR4_HEADERS + quote;
        PacketBuilder.ipv4Header(out, outOff, TOS_INTERNETWORK_CONTROL, total, 0, 0, IpPacket.PROTO_ICMP,
                sender, dst);
        long t = outOff + Ipv4.MIN_HEADER_LENGTH;
        icmpHeader(out, t, Icmp.V4_DEST_UNREACHABLE, code, rest);
        Icmp.setChecksum(out, t, Checksum.checksum(out, t, Icmp.HEADER_LENGTH + quote));
        return total;
    }

    // ---- IPv6 errors ----

    /**
     * ICMPv6 destination unreachable (type 1) with {@code code} (for example {@link #V6_ADMIN_PROHIBITED},
     * {@link #V6_ADDRESS_UNREACHABLE}, {@link #V6_PORT_UNREACHABLE}), from {@code senderHi:senderLo} to the
     * offending packet's source, quoting as much of the offending packet as fits in a
     * {@value #MAX_ERROR6_LENGTH}-byte error (RFC 4443 §3.1).
     *
     * @return the error's length; 0 if {@link #mayAnswerWithError} forbids it; -1 if not even the first 48 bytes
     *     of the offending packet fit in {@code cap}
     * @throws IllegalArgumentException if {@code code} is not 0..8 or the offending packet is IPv4
     */
    public static int destinationUnreachable(MemorySegment out, long outOff, int cap, int code,
                                             MemorySegment offending, long off, int len, long senderHi, long senderLo) {
        if (code < 0 || code > 8) throw new IllegalArgumentException("ICMPv6 unreachable code " + code + " not in 0..8");
        return error6(out, outOff, cap, Icmp.V6_DEST_UNREACHABLE, code, 0, false, offending, off, len,
                senderHi, senderLo);
    }

    /**
     * ICMPv6 Packet Too Big (type 2, RFC 4443 §3.2) carrying {@code mtu}, for a packet larger than the next link
     * allows: IPv6 routers never fragment (RFC 8200 §5), they answer with this. Unlike the other errors it also
     * answers a packet sent to a multicast address.
     *
     * @throws IllegalArgumentException if {@code mtu} is below 1280 or the offending packet is IPv4
     */
    public static int packetTooBig6(MemorySegment out, long outOff, int cap, int mtu,
                                    MemorySegment offending, long off, int len, long senderHi, long senderLo) {
        if (mtu < MIN_MTU6) throw new IllegalArgumentException("IPv6 MTU " + mtu + " below " + MIN_MTU6);
        return error6(out, outOff, cap, Icmp.V6_PACKET_TOO_BIG, 0, mtu, true, offending, off, len,
                senderHi, senderLo);
    }

    private static int error6(MemorySegment out, long outOff, int cap, int type, int code, int rest,
                              boolean multicastDestinationOk, MemorySegment offending, long off, int len,
                              long senderHi, long senderLo) {
        if (len > 0 && IpPacket.version(offending, off) == 4) {
            throw new IllegalArgumentException("an ICMPv6 error needs an IPv6 offending packet");
        }
        if (!mayAnswer(offending, off, len, multicastDestinationOk)) return 0;
        int ipLen = IpPacket.length(offending, off);
        int minQuote = Math.min(ipLen, Ipv6.HEADER_LENGTH + 8);
        int quote = Math.min(ipLen, Math.min(MAX_ERROR6_LENGTH, cap) - ERROR6_HEADERS);
        if (quote < minQuote) return -1;
        long dstHi = Ipv6.sourceHigh(offending, off), dstLo = Ipv6.sourceLow(offending, off);
        MemorySegment.copy(offending, off, out, outOff + ERROR6_HEADERS, quote);
        int icmpLen = Icmp.HEADER_LENGTH + quote;
        PacketBuilder.ipv6Header(out, outOff, icmpLen, IpPacket.PROTO_ICMPV6, senderHi, senderLo, dstHi, dstLo);
        long t = outOff + Ipv6.HEADER_LENGTH;
        icmpHeader(out, t, type, code, rest);
        int pseudo = Checksum.pseudoHeaderV6(out, outOff, IpPacket.PROTO_ICMPV6, icmpLen);
        Icmp.setChecksum(out, t, ~Checksum.sum(out, t, icmpLen, pseudo) & 0xffff);
        return ERROR6_HEADERS + quote;
    }

    /** Type, code, zero checksum, and the 32-bit "rest of header" (unused, or the MTU). */
    private static void icmpHeader(MemorySegment s, long t, int type, int code, int rest) {
        Icmp.setType(s, t, type);
        Icmp.setCode(s, t, code);
        Icmp.setChecksum(s, t, 0);
        Bytes.put32(s, t + 4, rest);
    }
}
