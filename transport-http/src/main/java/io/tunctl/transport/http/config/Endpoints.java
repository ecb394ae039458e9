package io.tunctl.transport.http.config;

import io.tunctl.core.packet.Cidr;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

/** Checked, parsed forms of {@link InterfaceConfig}: what the server and client run from. */
public final class Endpoints {
    private Endpoints() {}

    /** A server or a client interface. */
    public sealed interface Endpoint permits Server, Client {
        String name();
    }

    /** fwmark policy routing; {@link #enabled()} only when the value is not 0, as tapotun. */
    public record Mark(long value, long table) {
        public boolean enabled() { return value != 0; }
    }

    /**
     * A server interface.
     *
     * @param net         server TUN address with the tunnel prefix
     * @param extraIps    extra server addresses (each with the tunnel prefix)
     * @param localRoutes top-level {@code routes}: local networks for the source-pinning rule (v1)
     * @param net6        server IPv6 address and prefix, or null
     * @param admin       health/metrics listener, or null
     * @param kernelRoutes routes the server installs through its TUN (v1: every client's routes; v2: the routes of
     *                    the explicit peers of the server's own addresses)
     * @param v2          the v2 routing graph, or null for a v1 server
     */
    public record Server(String name, int port, String listen, Cidr net, int mtu, List<Cidr> extraIps,
                         List<Cidr> localRoutes, List<Peer> clients, Cidr net6, InetSocketAddress admin,
                         boolean offload, Mark mark, List<Cidr> kernelRoutes, V2Graph v2) implements Endpoint {
        public Server {
            extraIps = List.copyOf(extraIps);
            localRoutes = List.copyOf(localRoutes);
            clients = List.copyOf(clients);
            kernelRoutes = List.copyOf(kernelRoutes);
        }

        /** A v1 server: kernel routes are the clients' routes. */
        public Server(String name, int port, String listen, Cidr net, int mtu, List<Cidr> extraIps,
                      List<Cidr> localRoutes, List<Peer> clients, Cidr net6, InetSocketAddress admin,
                      boolean offload, Mark mark) {
            this(name, port, listen, net, mtu, extraIps, localRoutes, clients, net6, admin, offload, mark,
                    clients.stream().flatMap(c -> c.routes().stream()).map(Cidr::network).distinct().toList(), null);
        }

        public int generation() { return v2 == null ? 1 : 2; }
    }

    /**
     * One allowed client of a server.
     *
     * @param tokenDigest SHA-1 of the raw token (20 bytes)
     * @param ip          the client's IPv4 address in the tunnel (v2: its first address)
     * @param routes      networks forwarded to this client (v1)
     * @param sources     IPv4 sources pinned to this client (v1)
     * @param ip6         the client's IPv6 address (prefix = the server's net6 prefix), or null
     * @param extraIps    v2: the node's further addresses, handed over in x-tun-conf
     * @param pushed      v2: the routes handed over in x-tun-conf
     * @param name        v2: the node name (v1: null)
     */
    public record Peer(byte[] tokenDigest, byte[] ip, List<Cidr> routes, List<byte[]> sources, Cidr ip6,
                       List<byte[]> extraIps, List<Cidr> pushed, String name) {
        public Peer {
            routes = List.copyOf(routes);
            sources = List.copyOf(sources);
            extraIps = List.copyOf(extraIps);
            pushed = List.copyOf(pushed);
        }

        public Peer(byte[] tokenDigest, byte[] ip, List<Cidr> routes, List<byte[]> sources, Cidr ip6) {
            this(tokenDigest, ip, routes, sources, ip6, List.of(), List.of(), null);
        }

        /** The token hash as the config writes it. */
        public String tokenHex() { return HexFormat.of().formatHex(tokenDigest); }

        public String ipString() { return Cidr.addressString(ip); }

        /** Same token, addresses, routes and sources: a reload keeps this client's streams. */
        public boolean sameAs(Peer o) {
            return java.util.Arrays.equals(tokenDigest, o.tokenDigest) && java.util.Arrays.equals(ip, o.ip)
                    && routes.equals(o.routes) && sameBytes(sources, o.sources) && sameBytes(extraIps, o.extraIps)
                    && pushed.equals(o.pushed) && java.util.Objects.equals(ip6, o.ip6);
        }

        private static boolean sameBytes(List<byte[]> a, List<byte[]> b) {
            return a.size() == b.size()
                    && java.util.stream.IntStream.range(0, a.size()).allMatch(i -> java.util.Arrays.equals(a.get(i), b.get(i)));
        }
    }

    /**
     * tapotun v2's routing graph (spec §3.3), compiled from nodes, tags, acl and exit_nodes. Node 0 is
     * {@code __self__} (the server TUN); node {@code n > 0} is {@code clients().get(n - 1)}.
     *
     * @param addresses every address of every node, in definition order
     */
    public record V2Graph(List<V2Address> addresses) {
        public V2Graph {
            addresses = List.copyOf(addresses);
        }
    }

    /**
     * One address of a v2 node and its router.
     *
     * @param node     the owning node (0 = __self__)
     * @param ip       the address (host order)
     * @param routes   the networks behind this address (its own or its node's {@code routes})
     * @param table    (prefix, receiving node) rows, longest prefix first, ties in peer order
     * @param gateways receiving nodes of the exit nodes, in priority order
     */
    public record V2Address(int node, int ip, List<Cidr> routes, List<V2Route> table, List<Integer> gateways) {
        public V2Address {
            routes = List.copyOf(routes);
            table = List.copyOf(table);
            gateways = List.copyOf(gateways);
        }
    }

    /** A row of a v2 router: packets to {@code prefix} go to {@code node}. */
    public record V2Route(Cidr prefix, int node) {}

    /** A client interface. */
    public record Client(String name, URI server, String token, Path ca, boolean offload, Mark mark)
            implements Endpoint {}
}
