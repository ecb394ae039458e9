package io.tunctl.core.spi;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tunctl.core.packet.Cidr;

/**
 * A route through a tunnel interface.
 *
 * @param destination prefix ({@code 0.0.0.0/0} or {@code ::/0} for a default route)
 * @param via         gateway address, or null for a device route
 * @param metric      route priority (lower wins), or null for the kernel default
 * @param table       routing table id, or null for main (254)
 */
public record RouteSpec(
        @JsonProperty("to") Cidr destination,
        @JsonProperty("via") String via,
        @JsonProperty("metric") Integer metric,
        @JsonProperty("table") Integer table) {

    /** A bare string in a config is a device route to that prefix. */
    @JsonCreator
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
