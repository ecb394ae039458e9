package io.tunctl.core.spi;

import io.tunctl.core.packet.Cidr;

import java.util.List;

/**
 * How a TUN interface should look. The {@code interface} section of a config file binds to it with the
 * component names as keys, except {@code offload} for {@code vnetHdr}.
 *
 * @param name       requested name ({@code tun%d} or null lets the kernel choose)
 * @param mtu        MTU in bytes (68..65535)
 * @param addresses  interface addresses with prefix, IPv4 and IPv6
 * @param routes     routes through the interface
 * @param rules      policy rules (selectors → table)
 * @param vnetHdr    open with IFF_VNET_HDR and TSO/USO offloads, so reads may return GSO super-packets
 * @param queues     number of queues (IFF_MULTI_QUEUE when > 1)
 * @param io         how the TUN moves packets on Linux: {@code poll}, {@code uring} or {@code auto}
 *                   ({@code io.tunctl.core.tun.TunIo}); null for the default ({@code -Dtunctl.tun.io}, else poll)
 */
public record InterfaceSpec(
        String name,
        Integer mtu,
        List<Cidr> addresses,
        List<RouteSpec> routes,
        List<RuleSpec> rules,
        Boolean vnetHdr,
        Integer queues,
        String io) {

    public static final int DEFAULT_MTU = 1420;

    public InterfaceSpec {
        addresses = addresses == null ? List.of() : List.copyOf(addresses);
        routes = routes == null ? List.of() : List.copyOf(routes);
        rules = rules == null ? List.of() : List.copyOf(rules);
        mtu = mtu == null ? DEFAULT_MTU : mtu;
        vnetHdr = vnetHdr != null && vnetHdr;
        queues = queues == null ? 1 : queues;
    }

    /** A spec with the default {@code io}. */
    public InterfaceSpec(String name, Integer mtu, List<Cidr> addresses, List<RouteSpec> routes, List<RuleSpec> rules,
                         Boolean vnetHdr, Integer queues) {
        this(name, mtu, addresses, routes, rules, vnetHdr, queues, null);
    }

    public static InterfaceSpec of(String name, int mtu, List<Cidr> addresses) {
        return new InterfaceSpec(name, mtu, addresses, List.of(), List.of(), false, 1);
    }

    public InterfaceSpec withRoutes(List<RouteSpec> r) {
        return new InterfaceSpec(name, mtu, addresses, r, rules, vnetHdr, queues, io);
    }

    public InterfaceSpec withRules(List<RuleSpec> r) {
        return new InterfaceSpec(name, mtu, addresses, routes, r, vnetHdr, queues, io);
    }

    public InterfaceSpec withQueues(int n) {
        return new InterfaceSpec(name, mtu, addresses, routes, rules, vnetHdr, n, io);
    }

    public InterfaceSpec withIo(String how) {
        return new InterfaceSpec(name, mtu, addresses, routes, rules, vnetHdr, queues, how);
    }

    public InterfaceSpec withOffload(boolean on) {
        return new InterfaceSpec(name, mtu, addresses, routes, rules, on, queues, io);
    }
}
