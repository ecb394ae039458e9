package io.tunctl.core.tun.darwin;

import io.tunctl.core.natives.darwin.route_h;
import io.tunctl.core.natives.darwin.rt_msghdr;
import io.tunctl.core.natives.darwin.sockaddr_dl;
import io.tunctl.core.packet.Cidr;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

/**
 * Encodes the {@code PF_ROUTE} message that adds or deletes a route on macOS (route(4)): a {@code rt_msghdr}
 * followed by the destination, the gateway and, for a network route, the netmask, each a sockaddr padded to a
 * multiple of 4 bytes (XNU's {@code ROUNDUP32}; other BSDs pad to {@code sizeof(long)}). A route with a
 * next hop names it ({@code RTF_GATEWAY}); a route straight into the tunnel names the interface by index with a
 * {@code sockaddr_dl}, as {@code route add -net ... -interface utunN} does. A /32 or /128 is a host route
 * ({@code RTF_HOST}, no netmask). I/O-free.
 */
public final class RouteMessage {
    private RouteMessage() {}

    /** Rounds a sockaddr length up as Darwin's routing socket expects. */
    static int roundup32(int len) {
        return len > 0 ? 1 + ((len - 1) | 3) : 4;
    }

    /**
     * Encodes one message.
     *
     * @param type        {@code RTM_ADD} or {@code RTM_DELETE}
     * @param seq         sequence number (the kernel echoes it)
     * @param pid         this process's id (the kernel echoes it)
     * @param ifIndex     the utun interface's index
     * @param destination the prefix (host bits must be clear)
     * @param gateway     next-hop address of the destination's family, or null for a route into the interface
     * @return a segment of exactly {@code rtm_msglen} bytes, allocated from {@code allocator}
     */
    public static MemorySegment encode(SegmentAllocator allocator, int type, int seq, int pid, int ifIndex,
                                       Cidr destination, byte[] gateway) {
        if (type != route_h.RTM_ADD() && type != route_h.RTM_DELETE()) {
            throw new IllegalArgumentException("not RTM_ADD or RTM_DELETE: " + type);
        }
        if (!destination.isNetwork()) throw new IllegalArgumentException(destination + " has host bits set");
        int alen = destination.addressLength();
        if (gateway != null && gateway.length != alen) {
            throw new IllegalArgumentException("gateway " + Cidr.addressString(gateway) + " is not of the family of "
                    + destination);
        }
        boolean host = destination.prefixLength() == alen * 8;
        int sa = roundup32(Sockaddrs.size(alen));
        int gw = gateway != null ? sa : roundup32((int) sockaddr_dl.sizeof());
        int hdr = (int) rt_msghdr.sizeof();
        int len = hdr + sa + gw + (host ? 0 : sa);
        MemorySegment m = allocator.allocate(len, 4);
        m.fill((byte) 0);

        int flags = route_h.RTF_UP() | route_h.RTF_STATIC();
        if (gateway != null) flags |= route_h.RTF_GATEWAY();
        if (host) flags |= route_h.RTF_HOST();
        int addrs = route_h.RTA_DST() | route_h.RTA_GATEWAY() | (host ? 0 : route_h.RTA_NETMASK());
        rt_msghdr.rtm_msglen(m, (short) len);
        rt_msghdr.rtm_version(m, (byte) route_h.RTM_VERSION());
        rt_msghdr.rtm_type(m, (byte) type);
        rt_msghdr.rtm_index(m, (short) ifIndex);
        rt_msghdr.rtm_flags(m, flags);
        rt_msghdr.rtm_addrs(m, addrs);
        rt_msghdr.rtm_pid(m, pid);
        rt_msghdr.rtm_seq(m, seq);

        // sockaddrs follow in RTA_* bit order: DST, GATEWAY, NETMASK
        int at = hdr;
        Sockaddrs.address(m.asSlice(at), destination.addressBytes());
        at += sa;
        if (gateway != null) Sockaddrs.address(m.asSlice(at), gateway);
        else Sockaddrs.link(m.asSlice(at), ifIndex);
        at += gw;
        if (!host) Sockaddrs.address(m.asSlice(at), Sockaddrs.mask(alen, destination.prefixLength()));
        return m;
    }
}
