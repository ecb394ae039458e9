package io.tunctl.core.spi;

import io.tunctl.core.packet.Cidr;

/**
 * A route through a tunnel interface. In a config file: {@code {to: 203.0.113.0/24, via: 192.0.2.254, metric: 50,
 * table: 100}}, or just the prefix.
 *
 * @param destination prefix ({@code 0.0.0.0/0} or {@code ::/0} for a default route)
 * @param via         gateway address, or null for a device route
 * @param metric      route priority (lower wins), or null for the kernel default
 * @param table       routing table id, or null for main (254)
 */
public record RouteSpec(Cidr destination, String via, Integer metric, Integer table) {

    /** Host bits of the destination are dropped: the kernel keys a route by its network. */
    public RouteSpec {
        if (destination != null) destination = destination.network();
    }

    /** A device route to {@code destination} (a bare string in a config). */
    public static RouteSpec parse(String destination) {
        return new RouteSpec(Cidr.parse(destination).network(), null, null, null);
    }

    public static RouteSpec to(Cidr destination) {
        return new RouteSpec(destination.network(), null, null, null);
    }

    public RouteSpec inTable(int t) { return new RouteSpec(destination, via, metric, t); }

    @Override
    public String toString() {
        return destination + (via != null ? " via " + via : "") + (metric != null ? " metric " + metric : "")
                + (table != null ? " table " + table : "");
    }
}
