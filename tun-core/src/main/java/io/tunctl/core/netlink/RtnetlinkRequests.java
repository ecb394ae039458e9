package io.tunctl.core.netlink;

import io.tunctl.core.natives.linux.fib_rule_hdr;
import io.tunctl.core.natives.linux.fib_rule_port_range;
import io.tunctl.core.natives.linux.fib_rule_uid_range;
import io.tunctl.core.natives.linux.ifaddrmsg;
import io.tunctl.core.natives.linux.if_tun_h;
import io.tunctl.core.natives.linux.ifinfomsg;
import io.tunctl.core.natives.linux.libc_h;
import io.tunctl.core.natives.linux.nlmsghdr;
import io.tunctl.core.natives.linux.rtmsg;
import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.RouteSpec;
import io.tunctl.core.spi.RuleSpec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;

import static io.tunctl.core.natives.linux.rtnetlink_h.*;

/**
 * Encodes the route netlink requests {@link Rtnetlink} sends, the way iproute2 encodes the same commands, and
 * decodes the rules the kernel lists. I/O-free: each request method fills a {@link NetlinkWriter} and returns the
 * message length.
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

    /**
     * {@code RTM_NEWRULE}/{@code RTM_DELRULE}: {@code [not] [from P] [to P] [fwmark M[/MASK]] [iif I] [oif O]
     * [uidrange A-B] [ipproto N] [sport A-B] [dport A-B] lookup T [suppress_prefixlength L] [priority P]}, with
     * the attributes iproute2 sends for the same words. Prefix lengths go in the header, the table in FRA_TABLE
     * (the header's byte only holds 0..255).
     */
    static int rule(NetlinkWriter w, int seq, boolean add, RuleSpec rule) {
        w.begin(add ? RTM_NEWRULE() : RTM_DELRULE(), add ? addFlags() : ackFlags(), seq);
        MemorySegment frh = w.struct(fib_rule_hdr.sizeof());
        int table = rule.table();
        fib_rule_hdr.family(frh, (byte) ruleFamily(rule));
        fib_rule_hdr.table(frh, (byte) (Integer.compareUnsigned(table, 256) < 0 ? table : RT_TABLE_UNSPEC()));
        fib_rule_hdr.action(frh, (byte) FR_ACT_TO_TBL());
        fib_rule_hdr.flags(frh, rule.invert() ? FIB_RULE_INVERT() : 0);
        if (rule.from() != null) {
            fib_rule_hdr.src_len(frh, (byte) rule.from().prefixLength());
            w.attr(FRA_SRC(), rule.from().addressBytes());
        }
        if (rule.to() != null) {
            fib_rule_hdr.dst_len(frh, (byte) rule.to().prefixLength());
            w.attr(FRA_DST(), rule.to().addressBytes());
        }
        if (rule.fwmark() != null) w.attrU32(FRA_FWMARK(), (int) (long) rule.fwmark());
        if (rule.mask() != null) w.attrU32(FRA_FWMASK(), (int) (long) rule.mask());
        if (rule.iif() != null) w.attrString(FRA_IIFNAME(), rule.iif());
        if (rule.oif() != null) w.attrString(FRA_OIFNAME(), rule.oif());
        if (rule.uidRange() != null) {
            MemorySegment r = w.attrStruct(FRA_UID_RANGE(), fib_rule_uid_range.sizeof());
            fib_rule_uid_range.start(r, (int) rule.uidRange().start());
            fib_rule_uid_range.end(r, (int) rule.uidRange().end());
        }
        if (rule.ipProto() != null) w.attrU8(FRA_IP_PROTO(), rule.ipProto());
        if (rule.sport() != null) portRange(w, FRA_SPORT_RANGE(), rule.sport());
        if (rule.dport() != null) portRange(w, FRA_DPORT_RANGE(), rule.dport());
        w.attrU32(FRA_TABLE(), table);
        if (rule.suppressPrefixLength() != null) w.attrU32(FRA_SUPPRESS_PREFIXLEN(), rule.suppressPrefixLength());
        if (rule.priority() != null) w.attrU32(FRA_PRIORITY(), rule.priority());
        return w.finish();
    }

    private static void portRange(NetlinkWriter w, int type, RuleSpec.PortRange range) {
        MemorySegment r = w.attrStruct(type, fib_rule_port_range.sizeof());
        fib_rule_port_range.start(r, (short) range.start());
        fib_rule_port_range.end(r, (short) range.end());
    }

    /**
     * Decodes one {@code RTM_NEWRULE} message of a rule dump: the kernel lists a rule with the same header and
     * attributes a request to add it carries.
     */
    static RuleEntry parseRule(MemorySegment msg) {
        MemorySegment frh = msg.asSlice(nlmsghdr.sizeof());
        int fam = fib_rule_hdr.family(frh) & 0xff;
        Map<Integer, MemorySegment> a = NetlinkReader.attributes(msg,
                NetlinkReader.attributesOffset(fib_rule_hdr.sizeof()));
        MemorySegment t = a.get(FRA_TABLE());
        MemorySegment ipProto = a.get(FRA_IP_PROTO());
        MemorySegment suppress = a.get(FRA_SUPPRESS_PREFIXLEN());
        MemorySegment uid = a.get(FRA_UID_RANGE());
        RuleSpec.UidRange uidRange = null;
        if (uid != null && uid.byteSize() >= fib_rule_uid_range.sizeof()) {
            uidRange = new RuleSpec.UidRange(fib_rule_uid_range.start(uid) & 0xffffffffL,
                    fib_rule_uid_range.end(uid) & 0xffffffffL);
        }
        return new RuleEntry(fam == libc_h.AF_INET6() ? 6 : fam == libc_h.AF_INET() ? 4 : fam,
                (int) u32(a.get(FRA_PRIORITY())),
                (fib_rule_hdr.flags(frh) & FIB_RULE_INVERT()) != 0,
                u32(a.get(FRA_FWMARK())), u32(a.get(FRA_FWMASK())),
                prefix(a.get(FRA_SRC()), fib_rule_hdr.src_len(frh) & 0xff),
                prefix(a.get(FRA_DST()), fib_rule_hdr.dst_len(frh) & 0xff),
                string(a.get(FRA_IIFNAME())), string(a.get(FRA_OIFNAME())),
                ipProto == null || (ipProto.get(ValueLayout.JAVA_BYTE, 0) & 0xff) == 0 ? null
                        : ipProto.get(ValueLayout.JAVA_BYTE, 0) & 0xff,
                portRange(a.get(FRA_SPORT_RANGE())), portRange(a.get(FRA_DPORT_RANGE())),
                uidRange,
                suppress == null || NetlinkReader.u32(suppress) == -1 ? null : NetlinkReader.u32(suppress), // -1: none
                t != null ? NetlinkReader.u32(t) : fib_rule_hdr.table(frh) & 0xff,
                fib_rule_hdr.action(frh) & 0xff);
    }

    private static long u32(MemorySegment attr) {
        return attr == null ? 0 : NetlinkReader.u32(attr) & 0xffffffffL;
    }

    private static String string(MemorySegment attr) {
        return attr == null ? null : NetlinkReader.string(attr);
    }

    private static Cidr prefix(MemorySegment attr, int length) {
        if (attr == null || length == 0) return null;
        try {
            return Cidr.of(InetAddress.getByAddress(NetlinkReader.bytes(attr)), length);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("kernel sent a rule prefix of " + attr.byteSize() + " bytes", e);
        }
    }

    private static RuleSpec.PortRange portRange(MemorySegment attr) {
        if (attr == null || attr.byteSize() < fib_rule_port_range.sizeof()) return null;
        return new RuleSpec.PortRange(fib_rule_port_range.start(attr) & 0xffff, fib_rule_port_range.end(attr) & 0xffff);
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
