package io.tunctl.core.packet;

import java.lang.foreign.MemorySegment;

/**
 * Recognises the ICMPv6 control traffic a host's stack sends into a point-to-point TUN on its own (router
 * solicitations, MLD listener reports when it joins a group), so a user-space stack can drop it quietly instead
 * of answering with an error. MLD messages travel behind a hop-by-hop header with the Router Alert option
 * (RFC 2711), which the walk passes. Every method is safe on arbitrary bytes: it returns false (or -1) rather
 * than reading past {@code len}.
 */
public final class Icmp6Control {
    private Icmp6Control() {}

    /** ICMPv6 types: MLD (RFC 2710, RFC 3810 §5) and neighbour discovery (RFC 4861 §4). */
    public static final int MLD_QUERY = 130, MLD_REPORT = 131, MLD_DONE = 132, ROUTER_SOLICITATION = 133,
            ROUTER_ADVERTISEMENT = 134, MLD2_REPORT = 143;

    /**
     * The ICMPv6 type of the IPv6 packet at {@code (seg, off, len)}, after any extension headers; -1 if it is not
     * IPv6, not ICMPv6, malformed, or a non-first fragment.
     */
    public static int icmpType(MemorySegment seg, long off, int len) {
        if (len < Ipv6.HEADER_LENGTH || IpPacket.version(seg, off) != 6) return -1;
        int ipLen = Math.min(len, Ipv6.HEADER_LENGTH + Ipv6.payloadLength(seg, off));
        long tp = Ipv6.transport(seg, off, ipLen);
        if (tp < 0 || IpPacket.transportProtocol(tp) != IpPacket.PROTO_ICMPV6) return -1;
        long t = IpPacket.transportOffset(tp);
        return t < off + ipLen ? Icmp.type(seg, t) : -1;
    }

    /** True for an ICMPv6 router solicitation (type 133). */
    public static boolean isRouterSolicitation(MemorySegment seg, long off, int len) {
        return icmpType(seg, off, len) == ROUTER_SOLICITATION;
    }

    /** True for an MLDv1 report (131) or done (132), or an MLDv2 report (143): a host announcing its groups. */
    public static boolean isMldReport(MemorySegment seg, long off, int len) {
        int type = icmpType(seg, off, len);
        return type == MLD_REPORT || type == MLD_DONE || type == MLD2_REPORT;
    }
}
