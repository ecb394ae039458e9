package io.tunctl.transport.http.server;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.peer.AllowedSources;
import io.tunctl.core.peer.DropCounters;
import io.tunctl.core.peer.PeerRoutes;
import io.tunctl.transport.http.config.Endpoints;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * tapotun v2's forwarding (spec §3.3). The packet's router is the address of the sending node equal to its source
 * (else that node's first address); in that router's table, longest prefix first, the first matching entry whose
 * receiver is online wins, else the last match; with no match, the first online exit node, else the last one;
 * else the packet is dropped. The server TUN is always online; a client is online unless penalised for slow pings.
 *
 * <p>Each router's table is a core {@link PeerRoutes} whose owners are the table's rows, so "first online match,
 * else the last match" is one trie walk ({@code lookupIpv4Preferring}); rows stay distinct owners even when one
 * node announces a prefix twice, which keeps the "last match" exact.
 *
 * <p>Allowed sources (a tunctl addition, see {@link Router#admit}): a node may send from its addresses and their
 * {@code routes}; an exit node (a {@code via} of {@code exit_nodes}) forwards other hosts' traffic and may send
 * from any address.
 *
 * @param <T> what a client is; node {@code n > 0} is {@code clients.get(n - 1)}
 */
public final class V2Router<T> implements Router<T> {
    /** Node 0 is {@code __self__} (the server TUN, client null); node n > 0 is a client. */
    private final class Node {
        final int index;
        final T client;
        final ForwardingTable.Decision<T> to;
        int[] addresses = new int[0]; // indices into routers: this node's own addresses, in definition order

        Node(int index, T client) {
            this.index = index;
            this.client = client;
            this.to = client == null ? new ForwardingTable.ToTun<>() : new ForwardingTable.ToClient<>(client);
        }

        boolean online() { return index == 0 || online.test(client); }
    }

    /** One row of a router's table (a distinct owner per row). */
    private final class Row {
        final Node node;

        Row(Node node) { this.node = node; }
    }

    /** The router of one address. */
    private final class Address {
        final int ip;
        final PeerRoutes<Row> table = new PeerRoutes<>();
        final List<Node> gateways = new ArrayList<>();

        Address(int ip) { this.ip = ip; }
    }

    private final Predicate<T> online;
    private final List<Node> nodes = new ArrayList<>();
    private final Map<T, Node> nodeOf = new HashMap<>();
    private final List<Address> routers = new ArrayList<>();
    private final AllowedSources<T> sources;
    private final Predicate<Row> rowOnline = r -> r.node.online();
    private final ForwardingTable.Decision<T> drop = new ForwardingTable.Drop<>();

    public V2Router(Endpoints.V2Graph graph, List<T> clients, Predicate<T> online) {
        this(graph, clients, online, new DropCounters());
    }

    /** A router counting its drops into {@code drops} (the server keeps one across reloads). */
    public V2Router(Endpoints.V2Graph graph, List<T> clients, Predicate<T> online, DropCounters drops) {
        this.online = online;
        this.sources = new AllowedSources<>(drops);
        nodes.add(new Node(0, null));
        for (T c : clients) {
            Node n = new Node(nodes.size(), c);
            nodes.add(n);
            nodeOf.putIfAbsent(c, n);
        }
        for (Endpoints.V2Address a : graph.addresses()) {
            Node owner = node(a.node());
            int[] own = java.util.Arrays.copyOf(owner.addresses, owner.addresses.length + 1);
            own[own.length - 1] = routers.size();
            owner.addresses = own;
            Address x = new Address(a.ip());
            for (Endpoints.V2Route r : a.table()) x.table.add(r.prefix(), new Row(node(r.node())));
            for (int g : a.gateways()) {
                Node gw = node(g);
                x.gateways.add(gw);
                if (gw.client != null) sources.allowAny(gw.client);
            }
            routers.add(x);
            if (owner.client != null) {
                sources.allow(owner.client, Cidr.parse(Cidr.addressString(ipBytes(a.ip())) + "/32"));
                sources.allow(owner.client, a.routes());
            }
        }
    }

    private Node node(int index) {
        if (index < 0 || index >= nodes.size()) {
            throw new IllegalArgumentException("v2 graph names node " + index + " but there are " + (nodes.size() - 1) + " clients");
        }
        return nodes.get(index);
    }

    private static byte[] ipBytes(int ip) {
        return new byte[] {(byte) (ip >>> 24), (byte) (ip >>> 16), (byte) (ip >>> 8), (byte) ip};
    }

    @Override
    public ForwardingTable.Decision<T> route4(int src, int dst, T from) {
        Node n = from == null ? nodes.getFirst() : nodeOf.get(from);
        if (n == null || n.addresses.length == 0) return drop;
        Address x = routers.get(n.addresses[0]);
        for (int a : n.addresses) { // the node's own addresses, usually one
            if (routers.get(a).ip == src) {
                x = routers.get(a);
                break;
            }
        }
        Row r = x.table.lookupIpv4Preferring(dst, rowOnline);
        if (r != null) return to(r.node, n);
        if (x.gateways.isEmpty()) {
            drops().countNoRoute();
            return drop;
        }
        for (int i = 0; i < x.gateways.size(); i++) {
            Node g = x.gateways.get(i);
            if (g.online()) return to(g, n);
        }
        return to(x.gateways.getLast(), n);
    }

    /** Never the TUN back into the TUN. */
    private ForwardingTable.Decision<T> to(Node receiver, Node sender) {
        return receiver.index == 0 && sender.index == 0 ? drop : receiver.to;
    }

    /** tapotun carries IPv4 only; v2 topologies have no IPv6 addresses. */
    @Override
    public ForwardingTable.Decision<T> route6(long dstHi, long dstLo, T from) {
        drops().countNoRoute();
        return drop;
    }

    @Override
    public AllowedSources<T> sources() { return sources; }

    @Override
    public DropCounters drops() { return sources.drops(); }
}
