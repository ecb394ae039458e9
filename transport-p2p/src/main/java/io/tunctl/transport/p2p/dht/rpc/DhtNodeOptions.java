package io.tunctl.transport.p2p.dht.rpc;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Settings of a {@link DhtNode}, named after dht-rpc's options. Immutable; each {@code withX} returns a copy.
 *
 * @param bootstrap          nodes to join through ({@link DhtNode#DEFAULT_BOOTSTRAP}: hyperdht's public nodes;
 *                           empty: none, the node is the first of its network)
 * @param ephemeral          null: adaptive (ephemeral until stable and reachable for ~20 min, then persistent);
 *                           false: persistent as soon as its public address is known (bootstrap nodes);
 *                           true: ephemeral for good
 * @param firewalled         whether to start believing others cannot reach us (dht-rpc's default: true)
 * @param publicHost         our public IPv4 address, seeding the NAT sampler (dht-rpc's {@code bootstrapper(port,
 *                           host)}), or null to learn it from others
 * @param bind               where {@link DhtNode#bind} binds the server socket (port 0: any)
 * @param clientSocket       whether {@link DhtNode#bind} also binds a client socket for requests while firewalled,
 *                           as dht-rpc does (needed for a meaningful firewall check behind a NAT)
 * @param concurrency        parallel requests of a query
 * @param maxWindow          congestion window: requests per 750 ms slot
 * @param requestTimeoutMillis time before a request is re-sent
 * @param quickFirewall      send one PING_NAT during bootstrap to test reachability early
 * @param downHintsPerTick   DOWN_HINTs a node may send per 5 s tick (-1: unlimited, 0: none)
 * @param maxPingDelayMillis the longest DELAYED_PING we honour
 * @param nodeFilter         nodes we never add to the table nor ask in a query (dht-rpc's {@code filterNode});
 *                           {@link #HYPERDHT_NODE_FILTER} is hyperdht's
 */
public record DhtNodeOptions(List<BootstrapNode> bootstrap, Boolean ephemeral, boolean firewalled, String publicHost,
        InetSocketAddress bind, boolean clientSocket, int concurrency, int maxWindow, long requestTimeoutMillis,
        boolean quickFirewall, int downHintsPerTick, long maxPingDelayMillis,
        Predicate<InetSocketAddress> nodeFilter) {

    /**
     * hyperdht 6.34's filter: a few public hosts that once joined the public DHT by mistake (old testnet nodes) are
     * never used. It only matters on the public network.
     */
    public static final Predicate<InetSocketAddress> HYPERDHT_NODE_FILTER = a -> {
        String h = a.getAddress().getHostAddress();
        int p = a.getPort();
        return !(p == 49738 && (h.equals("134.209.28.98") || h.equals("167.99.142.185")))
                && !(p == 9400 && h.equals("35.233.47.252"))
                && !h.equals("150.136.142.116");
    };

    public DhtNodeOptions {
        bootstrap = List.copyOf(Objects.requireNonNull(bootstrap, "bootstrap"));
        Objects.requireNonNull(bind, "bind");
        if (bind.isUnresolved() || !(bind.getAddress() instanceof java.net.Inet4Address)) {
            throw new IllegalArgumentException("bind must be an IPv4 address (dht-rpc is IPv4 only), got " + bind);
        }
        Objects.requireNonNull(nodeFilter, "nodeFilter (use a => true for none)");
        if (publicHost != null && !BootstrapNode.isIpv4Literal(publicHost)) {
            throw new IllegalArgumentException("publicHost must be an IPv4 address, got '" + publicHost + "'");
        }
        if (publicHost != null && publicHost.equals("0.0.0.0")) {
            throw new IllegalArgumentException("publicHost must be a concrete address, not 0.0.0.0");
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
        }
        if (maxWindow < 1) {
            throw new IllegalArgumentException("maxWindow must be at least 1, got " + maxWindow);
        }
        if (requestTimeoutMillis < 1) {
            throw new IllegalArgumentException("requestTimeoutMillis must be positive, got " + requestTimeoutMillis);
        }
    }

    /** dht-rpc's defaults with hyperdht's public bootstrap nodes and node filter: adaptive, firewalled, any port,
     * two sockets. */
    public static DhtNodeOptions defaults() {
        return new DhtNodeOptions(DhtNode.DEFAULT_BOOTSTRAP.stream().map(BootstrapNode::parse).toList(), null, true,
                null, new InetSocketAddress("0.0.0.0", 0), true, 10, 80, 1000, true, 50, 10_000, HYPERDHT_NODE_FILTER);
    }

    /**
     * A persistent node for others to bootstrap from ({@code DHT.bootstrapper}): not firewalled, not ephemeral, its
     * id derived from {@code publicHost} and the bound port, no bootstrap list unless one is added.
     */
    public static DhtNodeOptions bootstrapper(String publicHost, InetSocketAddress bind) {
        return defaults().withBootstrap(List.of()).withEphemeral(false).withFirewalled(false)
                .withPublicHost(Objects.requireNonNull(publicHost, "publicHost")).withBind(bind);
    }

    public DhtNodeOptions withBootstrap(List<BootstrapNode> b) {
        return new DhtNodeOptions(b, ephemeral, firewalled, publicHost, bind, clientSocket, concurrency, maxWindow,
                requestTimeoutMillis, quickFirewall, downHintsPerTick, maxPingDelayMillis, nodeFilter);
    }

    /** Bootstrap nodes in text form, {@code [suggested-ip@]host:port}. */
    public DhtNodeOptions withBootstrapText(List<String> b) {
        return withBootstrap(b.stream().map(BootstrapNode::parse).toList());
    }

    public DhtNodeOptions withEphemeral(Boolean e) {
        return new DhtNodeOptions(bootstrap, e, firewalled, publicHost, bind, clientSocket, concurrency, maxWindow,
                requestTimeoutMillis, quickFirewall, downHintsPerTick, maxPingDelayMillis, nodeFilter);
    }

    public DhtNodeOptions withFirewalled(boolean f) {
        return new DhtNodeOptions(bootstrap, ephemeral, f, publicHost, bind, clientSocket, concurrency, maxWindow,
                requestTimeoutMillis, quickFirewall, downHintsPerTick, maxPingDelayMillis, nodeFilter);
    }

    public DhtNodeOptions withPublicHost(String h) {
        return new DhtNodeOptions(bootstrap, ephemeral, firewalled, h, bind, clientSocket, concurrency, maxWindow,
                requestTimeoutMillis, quickFirewall, downHintsPerTick, maxPingDelayMillis, nodeFilter);
    }

    public DhtNodeOptions withBind(InetSocketAddress b) {
        return new DhtNodeOptions(bootstrap, ephemeral, firewalled, publicHost, b, clientSocket, concurrency,
                maxWindow, requestTimeoutMillis, quickFirewall, downHintsPerTick, maxPingDelayMillis, nodeFilter);
    }

    public DhtNodeOptions withClientSocket(boolean c) {
        return new DhtNodeOptions(bootstrap, ephemeral, firewalled, publicHost, bind, c, concurrency, maxWindow,
                requestTimeoutMillis, quickFirewall, downHintsPerTick, maxPingDelayMillis, nodeFilter);
    }

    public DhtNodeOptions withConcurrency(int c) {
        return new DhtNodeOptions(bootstrap, ephemeral, firewalled, publicHost, bind, clientSocket, c, maxWindow,
                requestTimeoutMillis, quickFirewall, downHintsPerTick, maxPingDelayMillis, nodeFilter);
    }

    public DhtNodeOptions withMaxWindow(int w) {
        return new DhtNodeOptions(bootstrap, ephemeral, firewalled, publicHost, bind, clientSocket, concurrency, w,
                requestTimeoutMillis, quickFirewall, downHintsPerTick, maxPingDelayMillis, nodeFilter);
    }

    public DhtNodeOptions withRequestTimeoutMillis(long t) {
        return new DhtNodeOptions(bootstrap, ephemeral, firewalled, publicHost, bind, clientSocket, concurrency,
                maxWindow, t, quickFirewall, downHintsPerTick, maxPingDelayMillis, nodeFilter);
    }

    public DhtNodeOptions withQuickFirewall(boolean q) {
        return new DhtNodeOptions(bootstrap, ephemeral, firewalled, publicHost, bind, clientSocket, concurrency,
                maxWindow, requestTimeoutMillis, q, downHintsPerTick, maxPingDelayMillis, nodeFilter);
    }

    public DhtNodeOptions withNodeFilter(Predicate<InetSocketAddress> f) {
        return new DhtNodeOptions(bootstrap, ephemeral, firewalled, publicHost, bind, clientSocket, concurrency,
                maxWindow, requestTimeoutMillis, quickFirewall, downHintsPerTick, maxPingDelayMillis, f);
    }

    public DhtNodeOptions withDownHintsPerTick(int d) {
        return new DhtNodeOptions(bootstrap, ephemeral, firewalled, publicHost, bind, clientSocket, concurrency,
                maxWindow, requestTimeoutMillis, quickFirewall, d, maxPingDelayMillis, nodeFilter);
    }
}
