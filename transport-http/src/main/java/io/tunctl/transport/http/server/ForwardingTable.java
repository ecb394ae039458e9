package io.tunctl.transport.http.server;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.packet.RouteTable;
import io.tunctl.core.peer.AllowedSources;
import io.tunctl.core.peer.DropCounters;
import io.tunctl.core.peer.PeerTable;
import io.tunctl.core.peer.PrefixSet;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * tapotun v1's forwarding decision (spec §3.4), immutable and swapped whole on reload. Each client owns its own
 * address (/32, and /128 for its IPv6 address) and its {@code routes}; among clients owning the same prefix
 * the config order wins. In tapotun's words (a table sorted longest prefix first, stably):
 *
 * <pre>
 * for e in table: skip entries of the sending client; first match → that client
 * if src is pinned to client C by {@code sources}:
 *     from a client and dst is a server address or inside a top-level route → fall through
 *     else → C
 * from a client → the server TUN; from the TUN → drop
 * </pre>
 *
 * Here the table is the core's {@link io.tunctl.core.peer.PeerRoutes}: "skip the sender, first match" is one
 * trie walk ({@code lookupIpv4Except}), with no scan over the clients.
 *
 * <p>Allowed sources (a tunctl addition, see {@link Router#admit}): a client may send from its own addresses
 * and its {@code routes}; a client with {@code sources} is the exit for those hosts, whose traffic comes back
 * through it from anywhere, so it may send from any address.
 *
 * @param <T> what a client is (the server uses its {@code Peer}; tests use strings)
 */
public final class ForwardingTable<T> implements Router<T> {

    /** Where a packet goes. */
    public sealed interface Decision<T> permits ToClient, ToTun, Drop {}

    public record ToClient<T>(T client) implements Decision<T> {}

    public record ToTun<T>() implements Decision<T> {}

    public record Drop<T>() implements Decision<T> {}

    /** One client's part of the table. */
    public record Entry<T>(T client, byte[] ip, Cidr ip6, List<Cidr> routes, List<byte[]> sources) {}

    private final PeerTable<T> peers;
    /** v1 {@code sources}: IPv4 hosts pinned to the first client (in config order) that lists them. */
    private final RouteTable<T> pinned = new RouteTable<>();
    /** The server's IPv4 addresses and top-level {@code routes}: pinning does not apply to them from a client. */
    private final PrefixSet local = new PrefixSet();
    private final Map<T, ToClient<T>> decisions = new IdentityHashMap<>();
    private final ToTun<T> toTun = new ToTun<>();
    private final Drop<T> drop = new Drop<>();

    public ForwardingTable(List<Entry<T>> clients, List<Cidr> serverAddresses, List<Cidr> localRoutes) {
        this(clients, serverAddresses, localRoutes, new DropCounters());
    }

    /** A table counting its drops into {@code drops} (the server keeps one across reloads). */
    public ForwardingTable(List<Entry<T>> clients, List<Cidr> serverAddresses, List<Cidr> localRoutes,
                           DropCounters drops) {
        peers = new PeerTable<>(drops);
        for (Entry<T> c : clients) {
            decisions.put(c.client(), new ToClient<>(c.client()));
            // owners of one prefix keep the order they are added in: config order, as tapotun's stable sort
            Cidr own = host(c.ip());
            peers.routes().add(own, c.client());
            peers.sources().allow(c.client(), own);
            if (c.ip6() != null) {
                Cidr own6 = host(c.ip6().addressBytes());
                peers.routes().add(own6, c.client());
                peers.sources().allow(c.client(), own6);
            }
            peers.routes().add(c.routes(), c.client());
            peers.sources().allow(c.client(), c.routes());
            if (!c.sources().isEmpty()) peers.sources().allowAny(c.client());
            for (byte[] s : c.sources()) pinned.putIfAbsent(host(s), c.client());
        }
        for (Cidr a : serverAddresses) if (a.isIpv4()) local.add(host(a.addressBytes()));
        for (Cidr r : localRoutes) if (r.isIpv4()) local.add(r);
    }

    private static Cidr host(byte[] address) {
        return Cidr.parse(Cidr.addressString(address) + "/" + address.length * 8);
    }

    static int toInt(byte[] a, int off) {
        return (a[off] & 0xff) << 24 | (a[off + 1] & 0xff) << 16 | (a[off + 2] & 0xff) << 8 | (a[off + 3] & 0xff);
    }

    @Override
    public Decision<T> route4(int src, int dst, T from) {
        T to = peers.routes().lookupIpv4Except(dst, from);
        if (to != null) return decisions.get(to);
        T pin = pinned.lookupIpv4(src);
        if (pin != null && (from == null || !local.containsIpv4(dst))) return decisions.get(pin);
        return fallThrough(from);
    }

    /** IPv6 (a tunctl extension; tapotun carries IPv4 only): the same table, no source pinning. */
    @Override
    public Decision<T> route6(long dstHi, long dstLo, T from) {
        T to = peers.routes().lookupIpv6Except(dstHi, dstLo, from);
        return to != null ? decisions.get(to) : fallThrough(from);
    }

    /** No client took it: from a client to the server TUN; from the TUN a drop. */
    private Decision<T> fallThrough(T from) {
        if (from != null) return toTun;
        peers.drops().countNoRoute();
        return drop;
    }

    @Override
    public AllowedSources<T> sources() { return peers.sources(); }

    @Override
    public DropCounters drops() { return peers.drops(); }

    /** Test and diagnostics helper: routes by dotted or IPv6 text. */
    public Decision<T> route(String src, String dst, T from) {
        byte[] d = Cidr.parseAddress(dst);
        if (d.length == 16) return route6(toLong(d, 0), toLong(d, 8), from);
        return route4(toInt(Cidr.parseAddress(src), 0), toInt(d, 0), from);
    }

    /** Test and diagnostics helper: {@link #admit} by source text, without counting. */
    public boolean allowedSource(T from, String src) {
        byte[] s = Cidr.parseAddress(src);
        return s.length == 4 ? sources().allowedSourceIpv4(from, toInt(s, 0))
                : sources().allowedSourceIpv6(from, toLong(s, 0), toLong(s, 8));
    }

    static long toLong(byte[] a, int off) {
        return (long) toInt(a, off) << 32 | toInt(a, off + 4) & 0xffffffffL;
    }
}
