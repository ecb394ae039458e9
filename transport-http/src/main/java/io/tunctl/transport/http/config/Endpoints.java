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
     * @param net        server TUN address with the tunnel prefix
     * @param extraIps   extra server addresses (each with the tunnel prefix)
     * @param localRoutes top-level {@code routes}: local networks for the source-pinning rule
     * @param net6       server IPv6 address and prefix, or null
     * @param admin      health/metrics listener, or null
     */
    public record Server(String name, int port, String listen, Cidr net, int mtu, List<Cidr> extraIps,
                         List<Cidr> localRoutes, List<Peer> clients, Cidr net6, InetSocketAddress admin,
                         boolean offload, Mark mark) implements Endpoint {
        public Server {
            extraIps = List.copyOf(extraIps);
            localRoutes = List.copyOf(localRoutes);
            clients = List.copyOf(clients);
        }
    }

    /**
     * One allowed client of a server.
     *
     * @param tokenDigest SHA-1 of the raw token (20 bytes)
     * @param ip          the client's IPv4 address in the tunnel
     * @param routes      networks forwarded to this client
     * @param sources     IPv4 sources pinned to this client
     * @param ip6         the client's IPv6 address (prefix = the server's net6 prefix), or null
     */
    public record Peer(byte[] tokenDigest, byte[] ip, List<Cidr> routes, List<byte[]> sources, Cidr ip6) {
        public Peer {
            routes = List.copyOf(routes);
            sources = List.copyOf(sources);
        }

        /** The token hash as the config writes it. */
        public String tokenHex() { return HexFormat.of().formatHex(tokenDigest); }

        public String ipString() { return Cidr.addressString(ip); }

        /** Same token, addresses, routes and sources: a reload keeps this client's streams. */
        public boolean sameAs(Peer o) {
            return java.util.Arrays.equals(tokenDigest, o.tokenDigest) && java.util.Arrays.equals(ip, o.ip)
                    && routes.equals(o.routes) && sources.size() == o.sources.size()
                    && java.util.stream.IntStream.range(0, sources.size())
                    .allMatch(i -> java.util.Arrays.equals(sources.get(i), o.sources.get(i)))
                    && java.util.Objects.equals(ip6, o.ip6);
        }
    }

    /** A client interface. */
    public record Client(String name, URI server, String token, Path ca, boolean offload, Mark mark)
            implements Endpoint {}
}
