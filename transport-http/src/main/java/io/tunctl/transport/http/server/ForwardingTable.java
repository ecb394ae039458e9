package io.tunctl.transport.http.server;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.packet.RouteTable;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * tapotun v1's forwarding decision (spec §3.4), immutable and swapped whole on reload. Entries are each client's
 * own address (/32, and /128 for its IPv6 address) followed by its {@code routes}, stably sorted longest prefix
 * first, so among equal prefixes the config order wins.
 *
 * <pre>
 * for e in table: skip entries of the sending client; first match → that client
 * if src is pinned to client C by {@code sources}:
 *     from a client and dst is a server address or inside a top-level route → fall through
 *     else → C
 * from a client → the server TUN; from the TUN → drop
 * </pre>
 *
 * @param <T> what a client is (the server uses its {@code Peer}; tests use strings)
 */
public final class ForwardingTable<T> implements Router<T> {

    /** Where a packet goes. */
    public sealed interface Decision<T> permits ToClient, ToTun, Drop {}

    public record ToClient<T>(T client) implements Decision<T> {}

    public record ToTun<T>() implements Decision<T> {}

    public record Drop<T>() implements Decision<T> {}

    private final int[] net4;
    private final int[] mask4;
    private final List<T> owner4;
    private final List<Cidr> net6;
    private final List<T> owner6;
    private final Map<Integer, T> sources;
    private final int[] localNet;
    private final int[] localMask;
    private final int[] serverIps;
    private final ToTun<T> toTun = new ToTun<>();
    private final Drop<T> drop = new Drop<>();
    private final Map<T, ToClient<T>> decisions = new java.util.IdentityHashMap<>();
    /** Longest match → the owners of that exact prefix in config order; the linear rows are the fallback. */
    private final RouteTable<List<T>> lpm = new RouteTable<>();

    /** One client's part of the table. */
    public record Entry<T>(T client, byte[] ip, Cidr ip6, List<Cidr> routes, List<byte[]> sources) {}

    public ForwardingTable(List<Entry<T>> clients, List<Cidr> serverAddresses, List<Cidr> localRoutes) {
        record Row<T>(Cidr prefix, T owner) {}
        List<Row<T>> rows = new ArrayList<>();
        Map<Integer, T> src = new HashMap<>();
        for (Entry<T> c : clients) {
            decisions.put(c.client(), new ToClient<>(c.client()));
            rows.add(new Row<>(Cidr.parse(Cidr.addressString(c.ip()) + "/32"), c.client()));
            if (c.ip6() != null) rows.add(new Row<>(Cidr.parse(Cidr.addressString(c.ip6().addressBytes()) + "/128"), c.client()));
            for (Cidr r : c.routes()) rows.add(new Row<>(r.network(), c.client()));
            for (byte[] s : c.sources()) src.putIfAbsent(toInt(s, 0), c.client());
        }
        rows.sort(Comparator.comparingInt((Row<T> r) -> r.prefix().prefixLength()).reversed()); // stable
        for (Row<T> r : rows) {
            List<T> owners = lpm.get(r.prefix());
            if (owners == null) lpm.put(r.prefix(), owners = new ArrayList<>(1));
            if (!owners.contains(r.owner())) owners.add(r.owner());
        }
        List<Row<T>> v4 = rows.stream().filter(r -> r.prefix().isIpv4()).toList();
        List<Row<T>> v6 = rows.stream().filter(r -> r.prefix().isIpv6()).toList();
        net4 = new int[v4.size()];
        mask4 = new int[v4.size()];
        owner4 = new ArrayList<>();
        for (int i = 0; i < v4.size(); i++) {
            net4[i] = toInt(v4.get(i).prefix().addressBytes(), 0);
            mask4[i] = mask(v4.get(i).prefix().prefixLength());
            owner4.add(v4.get(i).owner());
        }
        net6 = v6.stream().map(Row::prefix).toList();
        owner6 = v6.stream().map(Row::owner).toList();
        sources = src;
        List<Cidr> local4 = localRoutes.stream().filter(Cidr::isIpv4).toList();
        localNet = new int[local4.size()];
        localMask = new int[local4.size()];
        for (int i = 0; i < local4.size(); i++) {
            localNet[i] = toInt(local4.get(i).network().addressBytes(), 0);
            localMask[i] = mask(local4.get(i).prefixLength());
        }
        serverIps = serverAddresses.stream().filter(Cidr::isIpv4).mapToInt(c -> toInt(c.addressBytes(), 0)).toArray();
    }

    static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    static int toInt(byte[] a, int off) {
        return (a[off] & 0xff) << 24 | (a[off + 1] & 0xff) << 16 | (a[off + 2] & 0xff) << 8 | (a[off + 3] & 0xff);
    }

    /** Routes an IPv4 packet by its addresses (host-order ints); {@code from} is null for packets from the TUN. */
    @Override
    public Decision<T> route4(int src, int dst, T from) {
        List<T> owners = lpm.lookupIpv4(dst);
        if (owners != null) {
            T first = owners.getFirst();
            if (first != from) return decisions.get(first);
            if (owners.size() > 1) return decisions.get(owners.get(1));
            // the longest match is the sender's own: tapotun skips it and takes the next match
            for (int i = 0; i < net4.length; i++) {
                T o = owner4.get(i);
                if (o == from) continue;
                if ((dst & mask4[i]) == net4[i]) return decisions.get(o);
            }
        }
        return pinnedOrDefault(src, dst, from);
    }

    /** No client prefix matched: source pinning, then the TUN (from a client) or a drop (from the TUN). */
    private Decision<T> pinnedOrDefault(int src, int dst, T from) {
        T pinned = sources.isEmpty() ? null : sources.get(src);
        if (pinned != null) {
            boolean local = false;
            if (from != null) {
                for (int ip : serverIps) local |= ip == dst;
                for (int i = 0; i < localNet.length && !local; i++) local = (dst & localMask[i]) == localNet[i];
            }
            if (!local) return decisions.get(pinned);
        }
        return from != null ? toTun : drop;
    }

    /** Routes an IPv6 packet (tunctl extension; tapotun carries IPv4 only). No source pinning for IPv6. */
    @Override
    public Decision<T> route6(byte[] dst, T from) {
        for (int i = 0; i < net6.size(); i++) {
            T o = owner6.get(i);
            if (o == from) continue;
            if (net6.get(i).contains(dst)) return decisions.get(o);
        }
        return from != null ? toTun : drop;
    }

    /** Test and diagnostics helper: routes by dotted or IPv6 text. */
    public Decision<T> route(String src, String dst, T from) {
        byte[] d = Cidr.parseAddress(dst);
        if (d.length == 16) return route6(d, from);
        return route4(toInt(Cidr.parseAddress(src), 0), toInt(d, 0), from);
    }
}
