package io.tunctl.transport.http.server;

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
 * @param <T> what a client is; node {@code n > 0} is {@code clients.get(n - 1)}
 */
public final class V2Router<T> implements Router<T> {
    private final List<T> clients;
    private final Predicate<T> online;
    private final Map<Integer, int[]> addressesOfNode = new HashMap<>();
    private final Router4[] routers;
    private final ForwardingTable.Decision<T> toTun = new ForwardingTable.ToTun<>();
    private final ForwardingTable.Decision<T> drop = new ForwardingTable.Drop<>();
    private final List<ForwardingTable.Decision<T>> toClient = new ArrayList<>();

    private record Router4(int ip, int[] net, int[] mask, int[] node, int[] gateways) {}

    public V2Router(Endpoints.V2Graph graph, List<T> clients, Predicate<T> online) {
        this.clients = List.copyOf(clients);
        this.online = online;
        for (T c : clients) toClient.add(new ForwardingTable.ToClient<>(c));
        routers = new Router4[graph.addresses().size()];
        Map<Integer, List<Integer>> byNode = new HashMap<>();
        for (int i = 0; i < routers.length; i++) {
            Endpoints.V2Address a = graph.addresses().get(i);
            int n = a.table().size();
            int[] net = new int[n], mask = new int[n], node = new int[n];
            for (int j = 0; j < n; j++) {
                Endpoints.V2Route r = a.table().get(j);
                mask[j] = ForwardingTable.mask(r.prefix().prefixLength());
                net[j] = ForwardingTable.toInt(r.prefix().network().addressBytes(), 0);
                node[j] = r.node();
            }
            routers[i] = new Router4(a.ip(), net, mask, node, a.gateways().stream().mapToInt(Integer::intValue).toArray());
            byNode.computeIfAbsent(a.node(), k -> new ArrayList<>()).add(i);
        }
        byNode.forEach((k, v) -> addressesOfNode.put(k, v.stream().mapToInt(Integer::intValue).toArray()));
    }

    private int nodeOf(T client) {
        if (client == null) return 0;
        int i = clients.indexOf(client);
        return i < 0 ? -1 : i + 1;
    }

    private boolean isOnline(int node) {
        return node == 0 || online.test(clients.get(node - 1));
    }

    private ForwardingTable.Decision<T> to(int node) {
        return node == 0 ? toTun : toClient.get(node - 1);
    }

    @Override
    public ForwardingTable.Decision<T> route4(int src, int dst, T from) {
        int n = nodeOf(from);
        int[] own = n < 0 ? null : addressesOfNode.get(n);
        if (own == null) return drop;
        Router4 x = routers[own[0]];
        for (int a : own) {
            if (routers[a].ip() == src) {
                x = routers[a];
                break;
            }
        }
        int chosen = -1;
        for (int j = 0; j < x.net().length; j++) {
            if ((dst & x.mask()[j]) != x.net()[j]) continue;
            chosen = x.node()[j];
            if (isOnline(chosen)) break;
        }
        if (chosen >= 0) return chosen == 0 && n == 0 ? drop : to(chosen); // never TUN back into the TUN
        int[] gw = x.gateways();
        if (gw.length == 0) return drop;
        for (int g : gw) if (isOnline(g)) return g == 0 && n == 0 ? drop : to(g);
        int last = gw[gw.length - 1];
        return last == 0 && n == 0 ? drop : to(last);
    }

    /** tapotun carries IPv4 only; v2 topologies have no IPv6 addresses. */
    @Override
    public ForwardingTable.Decision<T> route6(byte[] dst, T from) {
        return drop;
    }
}
