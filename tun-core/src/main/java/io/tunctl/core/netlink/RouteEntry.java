package io.tunctl.core.netlink;

import io.tunctl.core.packet.Cidr;

/**
 * A route as the kernel lists it ({@code ip route show table all}).
 *
 * @param destination prefix ({@code 0.0.0.0/0} for a default route)
 * @param gateway     gateway bytes, or null
 * @param oif         output interface index, 0 if none
 * @param priority    metric, or null when the kernel sent none
 */
public record RouteEntry(Cidr destination, byte[] gateway, int oif, int table, Integer priority, int protocol,
                         int scope, int type) {
    public String gatewayString() {
        return gateway == null ? null : Cidr.addressString(gateway);
    }

    @Override
    public String toString() {
        return destination + (gateway != null ? " via " + gatewayString() : "") + " oif " + oif + " table " + table
                + (priority != null ? " metric " + priority : "") + " proto " + protocol + " type " + type;
    }
}
