package io.tunctl.core.netlink;

import io.tunctl.core.natives.linux.Natives;
import io.tunctl.core.natives.linux.ifaddrmsg;
import io.tunctl.core.natives.linux.ifinfomsg;
import io.tunctl.core.natives.linux.libc_h;
import io.tunctl.core.natives.linux.nlmsghdr;
import io.tunctl.core.natives.linux.rtmsg;
import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.RouteSpec;
import io.tunctl.core.spi.RuleSpec;
import io.tunctl.core.tun.NativeException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static io.tunctl.core.natives.linux.rtnetlink_h.*;

/**
 * A {@code NETLINK_ROUTE} socket that configures interfaces, addresses, routes and policy rules as
 * {@code ip link/addr/route/rule} would, without running {@code ip}.
 *
 * <p>Every change is sent with {@code NLM_F_ACK} and waits for the kernel's answer; a refusal becomes a
 * {@link NativeException} naming the request, e.g.
 * {@code RTM_NEWADDR 192.0.2.1/24 dev tun0: EEXIST (File exists)}, with the kernel's extended-ACK text when it
 * gives one. The {@code add*}/{@code delete*} methods are idempotent: they return false instead of failing when
 * the object already exists (add) or is already gone (delete); a conflicting object is still an error.
 *
 * <p>The socket belongs to the network namespace of the thread that opened it (see
 * {@code io.tunctl.core.tun.NetworkNamespace}) and keeps acting there from any thread. Methods are synchronized.
 */
public final class Rtnetlink implements AutoCloseable {
    private static final int REQUEST_BUFFER = 4096;
    private static final int RECEIVE_BUFFER = 1 << 17;

    private final Arena arena;
    private final int fd;
    private final MemorySegment errno;
    private final MemorySegment rbuf;
    private final NetlinkWriter writer;
    private int seq = (int) (System.nanoTime() & 0x3fffffff);
    private boolean closed;

    private Rtnetlink(Arena arena, int fd, MemorySegment errno) {
        this.arena = arena;
        this.fd = fd;
        this.errno = errno;
        this.rbuf = arena.allocate(RECEIVE_BUFFER, 8);
        this.writer = new NetlinkWriter(arena.allocate(REQUEST_BUFFER, 8));
    }

    /** Opens a route netlink socket in the calling thread's network namespace. */
    public static Rtnetlink open() throws IOException {
        Natives.requireNativeAccess();
        Arena arena = Arena.ofShared();
        MemorySegment errno = Natives.allocateCapture(arena);
        int fd = libc_h.socket(errno, libc_h.AF_NETLINK(), libc_h.SOCK_RAW() | libc_h.SOCK_CLOEXEC(), NETLINK_ROUTE());
        if (fd < 0) {
            int e = Natives.errno(errno);
            arena.close();
            throw NativeException.syscall("socket", "AF_NETLINK, NETLINK_ROUTE", null, e);
        }
        try {
            MemorySegment one = arena.allocateFrom(ValueLayout.JAVA_INT, 1);
            // extended ACKs carry the kernel's reason text; capped ACKs do not echo our request back
            libc_h.setsockopt(errno, fd, libc_h.SOL_NETLINK(), NETLINK_EXT_ACK(), one, 4);
            libc_h.setsockopt(errno, fd, libc_h.SOL_NETLINK(), NETLINK_CAP_ACK(), one, 4);
            // no bind(2): the first request binds the socket to a port id of the kernel's choosing (one downcall
            // shape fewer to link at start)
            return new Rtnetlink(arena, fd, errno);
        } catch (RuntimeException e) {
            libc_h.close(errno, fd);
            arena.close();
            throw e;
        }
    }

    // ------------------------------------------------------------------------------------------ links

    /** The index of interface {@code name}; {@link NativeException} (ENODEV) when there is none. */
    public synchronized int linkIndex(String name) throws IOException {
        int[] index = {0};
        int len = RtnetlinkRequests.getLinkByName(writer, ++seq, name);
        transact(len, "RTM_GETLINK", () -> "dev " + name, m -> index[0] = ifinfomsg.ifi_index(m.asSlice(nlmsghdr.sizeof())));
        return index[0];
    }

    /** The index of {@code name}, or empty when no such interface exists. */
    public synchronized OptionalInt findLinkIndex(String name) throws IOException {
        try {
            return OptionalInt.of(linkIndex(name));
        } catch (NativeException e) {
            if (e.errno() == libc_h.ENODEV()) return OptionalInt.empty();
            throw e;
        }
    }

    /** The name of interface {@code ifindex}. */
    public synchronized String linkName(int ifindex) throws IOException {
        String[] name = {null};
        int len = RtnetlinkRequests.getLinkByIndex(writer, ++seq, ifindex);
        transact(len, "RTM_GETLINK", () -> "ifindex " + ifindex, m -> {
            MemorySegment n = NetlinkReader.attributes(m, NetlinkReader.attributesOffset(ifinfomsg.sizeof()))
                    .get(IFLA_IFNAME());
            if (n != null) name[0] = NetlinkReader.string(n);
        });
        return name[0];
    }

    /** Brings the interface up or down ({@code ip link set dev X up}). */
    public synchronized void setLinkUp(int ifindex, boolean up) throws IOException {
        int len = RtnetlinkRequests.setLinkUp(writer, ++seq, ifindex, up);
        transact(len, "RTM_NEWLINK", () -> dev(ifindex) + (up ? " up" : " down"), null);
    }

    /** Sets the interface MTU ({@code ip link set dev X mtu N}). */
    public synchronized void setMtu(int ifindex, int mtu) throws IOException {
        if (mtu < 68 || mtu > 65535) throw new IllegalArgumentException("MTU out of range [68, 65535]: " + mtu);
        int len = RtnetlinkRequests.setMtu(writer, ++seq, ifindex, mtu);
        transact(len, "RTM_NEWLINK", () -> dev(ifindex) + " mtu " + mtu, null);
    }

    // ------------------------------------------------------------------------------------------ addresses

    /** Adds an address with its prefix; false when the interface already has exactly this address. */
    public synchronized boolean addAddress(int ifindex, Cidr address) throws IOException {
        int len = RtnetlinkRequests.address(writer, ++seq, true, ifindex, address);
        try {
            transact(len, "RTM_NEWADDR", () -> address + " " + dev(ifindex), null);
            return true;
        } catch (NativeException e) {
            if (e.errno() == libc_h.EEXIST() && addressExists(ifindex, address)) return false;
            throw e;
        }
    }

    /** Removes an address; false when it was not there. */
    public synchronized boolean deleteAddress(int ifindex, Cidr address) throws IOException {
        int len = RtnetlinkRequests.address(writer, ++seq, false, ifindex, address);
        try {
            transact(len, "RTM_DELADDR", () -> address + " " + dev(ifindex), null);
            return true;
        } catch (NativeException e) {
            if (isGone(e)) return false;
            throw e;
        }
    }

    /** Addresses of interface {@code ifindex} (0: of every interface), IPv4 and IPv6. */
    public synchronized List<AddressEntry> addresses(int ifindex) throws IOException {
        List<AddressEntry> out = new ArrayList<>();
        int len = RtnetlinkRequests.dump(writer, ++seq, RTM_GETADDR(), libc_h.AF_UNSPEC());
        transact(len, "RTM_GETADDR", () -> "dump", m -> {
            if ((nlmsghdr.nlmsg_type(m) & 0xffff) != RTM_NEWADDR()) return;
            MemorySegment ifa = m.asSlice(nlmsghdr.sizeof());
            int index = ifaddrmsg.ifa_index(ifa);
            if (ifindex != 0 && index != ifindex) return;
            Map<Integer, MemorySegment> attrs = NetlinkReader.attributes(m,
                    NetlinkReader.attributesOffset(ifaddrmsg.sizeof()));
            MemorySegment a = attrs.getOrDefault(IFA_LOCAL(), attrs.get(IFA_ADDRESS()));
            if (a == null) return;
            Cidr c = Cidr.of(inet(NetlinkReader.bytes(a)), ifaddrmsg.ifa_prefixlen(ifa) & 0xff);
            out.add(new AddressEntry(index, c, ifaddrmsg.ifa_flags(ifa) & 0xff, ifaddrmsg.ifa_scope(ifa) & 0xff));
        });
        return out;
    }

    public synchronized boolean addressExists(int ifindex, Cidr address) throws IOException {
        return addresses(ifindex).stream().anyMatch(a -> a.address().equals(address));
    }

    // ------------------------------------------------------------------------------------------ routes

    /**
     * Adds a unicast route out of {@code ifindex}; false when the same route (destination, table, device,
     * gateway and, if given, metric) exists. A different route to the same destination is an EEXIST error.
     */
    public synchronized boolean addRoute(int ifindex, RouteSpec route) throws IOException {
        int len = RtnetlinkRequests.route(writer, ++seq, true, ifindex, route);
        try {
            transact(len, "RTM_NEWROUTE", () -> route + " " + dev(ifindex), null);
            return true;
        } catch (NativeException e) {
            if (e.errno() == libc_h.EEXIST() && routeExists(ifindex, route)) return false;
            throw e;
        }
    }

    /** Deletes a route; false when it was not there. */
    public synchronized boolean deleteRoute(int ifindex, RouteSpec route) throws IOException {
        int len = RtnetlinkRequests.route(writer, ++seq, false, ifindex, route);
        try {
            transact(len, "RTM_DELROUTE", () -> route + " " + dev(ifindex), null);
            return true;
        } catch (NativeException e) {
            if (isGone(e)) return false;
            throw e;
        }
    }

    /** Routes of {@code family} ({@code AF_INET}, {@code AF_INET6}, or {@code AF_UNSPEC} for both) in every table. */
    public synchronized List<RouteEntry> routes(int family) throws IOException {
        List<RouteEntry> out = new ArrayList<>();
        int len = RtnetlinkRequests.dump(writer, ++seq, RTM_GETROUTE(), family);
        transact(len, "RTM_GETROUTE", () -> "dump", m -> {
            if ((nlmsghdr.nlmsg_type(m) & 0xffff) != RTM_NEWROUTE()) return;
            MemorySegment rt = m.asSlice(nlmsghdr.sizeof());
            int fam = rtmsg.rtm_family(rt) & 0xff;
            if (fam != libc_h.AF_INET() && fam != libc_h.AF_INET6()) return;
            Map<Integer, MemorySegment> attrs = NetlinkReader.attributes(m,
                    NetlinkReader.attributesOffset(rtmsg.sizeof()));
            int dstLen = rtmsg.rtm_dst_len(rt) & 0xff;
            MemorySegment d = attrs.get(RTA_DST());
            byte[] dst = d != null ? NetlinkReader.bytes(d) : new byte[fam == libc_h.AF_INET() ? 4 : 16];
            MemorySegment t = attrs.get(RTA_TABLE());
            MemorySegment o = attrs.get(RTA_OIF());
            MemorySegment g = attrs.get(RTA_GATEWAY());
            MemorySegment p = attrs.get(RTA_PRIORITY());
            out.add(new RouteEntry(Cidr.of(inet(dst), dstLen), g == null ? null : NetlinkReader.bytes(g),
                    o == null ? 0 : NetlinkReader.u32(o),
                    t != null ? NetlinkReader.u32(t) : rtmsg.rtm_table(rt) & 0xff,
                    p == null ? null : NetlinkReader.u32(p),
                    rtmsg.rtm_protocol(rt) & 0xff, rtmsg.rtm_scope(rt) & 0xff, rtmsg.rtm_type(rt) & 0xff));
        });
        return out;
    }

    /** True when a route like {@code route} out of {@code ifindex} exists (metric compared only if given). */
    public synchronized boolean routeExists(int ifindex, RouteSpec route) throws IOException {
        Cidr dst = route.destination().network();
        byte[] gw = RtnetlinkRequests.gateway(route);
        int table = RtnetlinkRequests.table(route.table());
        return routes(dst.family()).stream().anyMatch(r -> r.destination().equals(dst) && r.table() == table
                && r.oif() == ifindex && Arrays.equals(r.gateway(), gw)
                && (route.metric() == null || (r.priority() == null ? 0 : r.priority()) == route.metric()));
    }

    // ------------------------------------------------------------------------------------------ rules

    /**
     * Adds a policy rule; false when an equal rule exists. The kernel would happily add a duplicate rule
     * when no priority is given, so existence is checked with a dump first.
     */
    public synchronized boolean addRule(RuleSpec rule) throws IOException {
        if (ruleExists(rule)) return false;
        int len = RtnetlinkRequests.rule(writer, ++seq, true, rule);
        try {
            transact(len, "RTM_NEWRULE", () -> rule.toString(), null);
            return true;
        } catch (NativeException e) {
            if (e.errno() == libc_h.EEXIST()) return false;
            throw e;
        }
    }

    /**
     * Deletes a policy rule; false when none matched. The kernel matches only the selectors the request names (and
     * takes the first such rule), so give the priority ({@link #findRule} has it) to hit exactly one rule.
     */
    public synchronized boolean deleteRule(RuleSpec rule) throws IOException {
        int len = RtnetlinkRequests.rule(writer, ++seq, false, rule);
        try {
            transact(len, "RTM_DELRULE", () -> rule.toString(), null);
            return true;
        } catch (NativeException e) {
            if (isGone(e)) return false;
            throw e;
        }
    }

    /** Policy rules of {@code family} ({@code AF_INET}, {@code AF_INET6}, or {@code AF_UNSPEC}). */
    public synchronized List<RuleEntry> rules(int family) throws IOException {
        List<RuleEntry> out = new ArrayList<>();
        int len = RtnetlinkRequests.dump(writer, ++seq, RTM_GETRULE(), family);
        transact(len, "RTM_GETRULE", () -> "dump", m -> {
            if ((nlmsghdr.nlmsg_type(m) & 0xffff) != RTM_NEWRULE()) return;
            out.add(RtnetlinkRequests.parseRule(m));
        });
        return out;
    }

    /** The rule {@code rule} describes, as the kernel has it (with the priority it chose), if it exists. */
    public synchronized Optional<RuleEntry> findRule(RuleSpec rule) throws IOException {
        int family = RtnetlinkRequests.ruleFamily(rule);
        return rules(family).stream().filter(r -> r.matches(rule)).findFirst();
    }

    /** True when a rule equal to {@code rule} exists (priority compared only if given). */
    public synchronized boolean ruleExists(RuleSpec rule) throws IOException {
        return findRule(rule).isPresent();
    }

    // ------------------------------------------------------------------------------------------ transport

    private static java.net.InetAddress inet(byte[] a) {
        try {
            return java.net.InetAddress.getByAddress(a);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("kernel sent an address of " + a.length + " bytes", e);
        }
    }

    /** "dev tun0" for messages, falling back to the index when the name cannot be had. */
    private String dev(int ifindex) {
        try {
            String n = linkName(ifindex);
            return n != null ? "dev " + n : "ifindex " + ifindex;
        } catch (IOException | RuntimeException e) {
            return "ifindex " + ifindex;
        }
    }

    private static boolean isGone(NativeException e) {
        int n = e.errno();
        return n == libc_h.ESRCH() || n == libc_h.ENOENT() || n == libc_h.EADDRNOTAVAIL() || n == libc_h.ENODEV();
    }

    /**
     * Sends the request in the writer and reads answers with its sequence number until the ACK (requests) or
     * {@code NLMSG_DONE} (dumps), handing every data message to {@code onMessage}.
     */
    private void transact(int len, String operation, Supplier<String> target, Consumer<MemorySegment> onMessage)
            throws IOException {
        if (closed) throw new ClosedChannelException();
        int mySeq = seq;
        boolean dump = (writer.message().get(ValueLayout.JAVA_SHORT, 6) & NLM_F_DUMP()) == NLM_F_DUMP();
        MemorySegment req = writer.message();
        while (true) {
            // write/read, not sendto/recv: an unconnected netlink socket sends to the kernel, and the TUN's data
            // path links write's and read's shape anyway (each new shape costs the start a stub, ≈5 ms)
            long n = libc_h.write(errno, fd, req, len);
            if (n >= 0) break;
            if (Natives.errno(errno) != libc_h.EINTR()) {
                throw NativeException.netlink(operation, target.get(), Natives.errno(errno), null);
            }
        }
        while (true) {
            long n = libc_h.read(errno, fd, rbuf, rbuf.byteSize());
            if (n < 0) {
                int e = Natives.errno(errno);
                if (e == libc_h.EINTR()) continue;
                throw NativeException.netlink(operation, target.get(), e, null);
            }
            long off = 0;
            while (off + nlmsghdr.sizeof() <= n) {
                MemorySegment h = rbuf.asSlice(off);
                int mlen = nlmsghdr.nlmsg_len(h);
                if (mlen < nlmsghdr.sizeof() || off + mlen > n) break;
                MemorySegment m = rbuf.asSlice(off, mlen);
                off += NLMSG_ALIGN(mlen);
                if (nlmsghdr.nlmsg_seq(m) != mySeq) continue; // a late answer to an earlier request
                int type = nlmsghdr.nlmsg_type(m) & 0xffff;
                if (type == NLMSG_ERROR()) {
                    int e = NetlinkReader.error(m);
                    if (e == 0) {
                        if (!dump) return;
                        continue;
                    }
                    String why = NetlinkReader.extAckMessage(m); // read before target.get() reuses rbuf
                    throw NativeException.netlink(operation, target.get(), e, why);
                }
                if (type == NLMSG_DONE()) {
                    int e = mlen >= nlmsghdr.sizeof() + 4 ? -m.get(ValueLayout.JAVA_INT, nlmsghdr.sizeof()) : 0;
                    if (e > 0) {
                        String why = NetlinkReader.extAckMessage(m);
                        throw NativeException.netlink(operation, target.get(), e, why);
                    }
                    return;
                }
                if (type == NLMSG_NOOP()) continue;
                if (onMessage != null) onMessage.accept(m);
            }
        }
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        libc_h.close(errno, fd);
        arena.close();
    }
}
