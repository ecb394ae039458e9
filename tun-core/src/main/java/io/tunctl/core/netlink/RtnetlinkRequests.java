package io.tunctl.core.netlink;

import io.tunctl.core.natives.linux.fib_rule_hdr;
import io.tunctl.core.natives.linux.ifaddrmsg;
import io.tunctl.core.natives.linux.if_tun_h;
import io.tunctl.core.natives.linux.ifinfomsg;
import io.tunctl.core.natives.linux.libc_h;
import io.tunctl.core.natives.linux.rtmsg;
import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.RouteSpec;
import io.tunctl.core.spi.RuleSpec;

import java.lang.foreign.MemorySegment;

import static io.tunctl.core.natives.linux.rtnetlink_h.*;

/**
 * Encodes the route netlink requests {@link Rtnetlink} sends, the way iproute2 encodes the same commands.
 * I/O-free: each method fills a {@link NetlinkWriter} and returns the message length.
 */
final class RtnetlinkRequests {
    private RtnetlinkRequests() {}

    static final int MAIN_TABLE = 254;

    private static int addFlags() {
        return NLM_F_REQUEST() | NLM_F_ACK() | NLM_F_CREATE() | NLM_F_EXCL();
    }

    private static int ackFlags() {
        return NLM_F_REQUEST() | NLM_F_ACK();
    }

    /** {@code RTM_GETLINK} for one interface by name ({@code ip link show dev NAME}). */
    static int getLinkByName(NetlinkWriter w, int seq, String name) {
        w.begin(RTM_GETLINK(), ackFlags(), seq);
        MemorySegment ifi = w.struct(ifinfomsg.sizeof());
        ifinfomsg.ifi_family(ifi, (byte) libc_h.AF_UNSPEC());
        w.attrString(IFLA_IFNAME(), name);
        return w.finish();
    }

    /** {@code RTM_GETLINK} for one interface by index. */
    static int getLinkByIndex(NetlinkWriter w, int seq, int ifindex) {
        w.begin(RTM_GETLINK(), ackFlags(), seq);
        MemorySegment ifi = w.struct(ifinfomsg.sizeof());
        ifinfomsg.ifi_index(ifi, ifindex);
        return w.finish();
    }

    /** {@code RTM_NEWLINK} changing only IFF_UP ({@code ip link set dev X up|down}). */
    static int setLinkUp(NetlinkWriter w, int seq, int ifindex, boolean up) {
        w.begin(RTM_NEWLINK(), ackFlags(), seq);
        MemorySegment ifi = w.struct(ifinfomsg.sizeof());
        ifinfomsg.ifi_index(ifi, ifindex);
        ifinfomsg.ifi_flags(ifi, up ? if_tun_h.IFF_UP() : 0);
        ifinfomsg.ifi_change(ifi, if_tun_h.IFF_UP());
        return w.finish();
    }

    /** {@code RTM_NEWLINK} with {@code IFLA_MTU} ({@code ip link set dev X mtu N}). */
    static int setMtu(NetlinkWriter w, int seq, int ifindex, int mtu) {
        w.begin(RTM_NEWLINK(), ackFlags(), seq);
        MemorySegment ifi = w.struct(ifinfomsg.sizeof());
        ifinfomsg.ifi_index(ifi, ifindex);
        w.attrU32(IFLA_MTU(), mtu);
        return w.finish();
    }

    /** {@code RTM_NEWADDR}/{@code RTM_DELADDR} with IFA_LOCAL and IFA_ADDRESS both the address. */
    static int address(NetlinkWriter w, int seq, boolean add, int ifindex, Cidr address) {
        w.begin(add ? RTM_NEWADDR() : RTM_DELADDR(), add ? addFlags() : ackFlags(), seq);
        MemorySegment ifa = w.struct(ifaddrmsg.sizeof());
        ifaddrmsg.ifa_family(ifa, (byte) address.family());
        ifaddrmsg.ifa_prefixlen(ifa, (byte) address.prefixLength());
        ifaddrmsg.ifa_scope(ifa, (byte) RT_SCOPE_UNIVERSE());
        ifaddrmsg.ifa_index(ifa, ifindex);
        byte[] a = address.addressBytes();
        w.attr(IFA_LOCAL(), a);
        w.attr(IFA_ADDRESS(), a);
        return w.finish();
    }

    /** Table id a spec means (main when unset). */
    static int table(Integer t) {
        return t == null ? MAIN_TABLE : t;
    }

    /**
     * {@code RTM_NEWROUTE}/{@code RTM_DELROUTE}: unicast route to {@code route.destination()} out of
     * {@code ifindex}, optionally via a gateway, with a metric and a table (> 255 only in RTA_TABLE).
     */
    static int route(NetlinkWriter w, int seq, boolean add, int ifindex, RouteSpec route) {
        Cidr dst = route.destination().network();
        byte[] gw = gateway(route);
        w.begin(add ? RTM_NEWROUTE() : RTM_DELROUTE(), add ? addFlags() : ackFlags(), seq);
        MemorySegment rt = w.struct(rtmsg.sizeof());
        int table = table(route.table());
        rtmsg.rtm_family(rt, (byte) dst.family());
        rtmsg.rtm_dst_len(rt, (byte) dst.prefixLength());
        rtmsg.rtm_table(rt, (byte) (table < 256 ? table : RT_TABLE_UNSPEC()));
        if (add) {
            rtmsg.rtm_protocol(rt, (byte) RTPROT_BOOT());
            rtmsg.rtm_scope(rt, (byte) (dst.isIpv4() && gw == null ? RT_SCOPE_LINK() : RT_SCOPE_UNIVERSE()));
            rtmsg.rtm_type(rt, (byte) RTN_UNICAST());
        } else {
            // as iproute2 deletes: any protocol, and for IPv4 any scope
            rtmsg.rtm_scope(rt, (byte) (dst.isIpv4() ? RT_SCOPE_NOWHERE() : RT_SCOPE_UNIVERSE()));
        }
        w.attrU32(RTA_TABLE(), table);
        if (dst.prefixLength() > 0) w.attr(RTA_DST(), dst.addressBytes());
        if (gw != null) w.attr(RTA_GATEWAY(), gw);
        w.attrU32(RTA_OIF(), ifindex);
        if (route.metric() != null) w.attrU32(RTA_PRIORITY(), route.metric());
        return w.finish();
    }

    /** The gateway bytes of a route, checked against the destination's family; null for a device route. */
    static byte[] gateway(RouteSpec route) {
        if (route.via() == null || route.via().isBlank()) return null;
        byte[] gw = Cidr.parseAddress(route.via().strip());
        if (gw.length != route.destination().addressLength()) {
            throw new IllegalArgumentException("route " + route + ": gateway family differs from destination");
        }
        return gw;
    }

    /** {@code RTM_NEWRULE}/{@code RTM_DELRULE}: {@code [not] fwmark M[/MASK] lookup T [priority P]}. */
    static int rule(NetlinkWriter w, int seq, boolean add, RuleSpec rule) {
        w.begin(add ? RTM_NEWRULE() : RTM_DELRULE(), add ? addFlags() : ackFlags(), seq);
        MemorySegment frh = w.struct(fib_rule_hdr.sizeof());
        fib_rule_hdr.family(frh, (byte) ruleFamily(rule));
        fib_rule_hdr.table(frh, (byte) (rule.table() < 256 ? rule.table() : RT_TABLE_UNSPEC()));
        fib_rule_hdr.action(frh, (byte) FR_ACT_TO_TBL());
        fib_rule_hdr.flags(frh, rule.invert() ? FIB_RULE_INVERT() : 0);
        w.attrU32(FRA_FWMARK(), (int) rule.fwmark());
        if (rule.mask() != null) w.attrU32(FRA_FWMASK(), (int) (long) rule.mask());
        w.attrU32(FRA_TABLE(), rule.table());
        if (rule.priority() != null) w.attrU32(FRA_PRIORITY(), rule.priority());
        return w.finish();
    }

    static int ruleFamily(RuleSpec rule) {
        return switch (rule.family()) {
            case 4 -> libc_h.AF_INET();
            case 6 -> libc_h.AF_INET6();
            default -> throw new IllegalArgumentException("rule family must be 4 or 6: " + rule);
        };
    }

    /** A dump request ({@code NLM_F_DUMP}) of addresses, routes or rules of {@code family} (AF_UNSPEC: all). */
    static int dump(NetlinkWriter w, int seq, int type, int family) {
        w.begin(type, NLM_F_REQUEST() | NLM_F_DUMP(), seq);
        if (type == RTM_GETADDR()) {
            ifaddrmsg.ifa_family(w.struct(ifaddrmsg.sizeof()), (byte) family);
        } else if (type == RTM_GETROUTE()) {
            rtmsg.rtm_family(w.struct(rtmsg.sizeof()), (byte) family);
        } else if (type == RTM_GETRULE()) {
            fib_rule_hdr.family(w.struct(fib_rule_hdr.sizeof()), (byte) family);
        } else if (type == RTM_GETLINK()) {
            ifinfomsg.ifi_family(w.struct(ifinfomsg.sizeof()), (byte) family);
        } else {
            throw new IllegalArgumentException("no dump for message type " + type);
        }
        return w.finish();
    }
}
