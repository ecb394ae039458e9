package io.tunctl.cli;

import io.tunctl.transport.p2p.dht.rpc.BootstrapNode;
import io.tunctl.transport.p2p.dht.rpc.DhtNode;
import io.tunctl.transport.p2p.dht.rpc.DhtNodeOptions;
import io.tunctl.transport.p2p.hyperdht.HyperDht;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The DHT flags shared by {@code tunctl p2p listen|connect|lookup}, and joining the DHT with them. */
final class P2pDhtOptions {
    private static final long BOOTSTRAP_WAIT_SECONDS = 30;

    @Option(names = "--bootstrap", paramLabel = "H:P",
            description = "A DHT node to join through, [suggested-ip@]host:port; repeatable (default: HyperDHT's "
                    + "public bootstrap nodes).")
    List<String> bootstrap = new ArrayList<>();

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "0.0.0.0",
            description = "Local IPv4 address of the UDP socket (default ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--port", paramLabel = "P", defaultValue = "0",
            description = "Local UDP port (default ${DEFAULT-VALUE}: any).")
    int port;

    /** Checks the flags; usage errors are {@link ParameterException}s. */
    DhtNodeOptions options(CommandSpec spec) {
        if (port < 0 || port > 65535) {
            throw new ParameterException(spec.commandLine(), "--port must be 0-65535, got " + port);
        }
        if (!bind.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            throw new ParameterException(spec.commandLine(), "--bind must be an IPv4 address, got '" + bind + "'");
        }
        InetAddress a;
        try {
            a = InetAddress.getByName(bind); // a literal: no lookup
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), "--bind: " + e.getMessage());
        }
        List<BootstrapNode> nodes = new ArrayList<>();
        for (String b : bootstrap.isEmpty() ? DhtNode.DEFAULT_BOOTSTRAP : bootstrap) {
            try {
                nodes.add(BootstrapNode.parse(b));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--bootstrap: " + e.getMessage());
            }
        }
        try {
            return DhtNodeOptions.defaults().withBind(new InetSocketAddress(a, port)).withBootstrap(nodes);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--bind: " + e.getMessage());
        }
    }

    /**
     * Binds and joins the DHT. Fails (exit 1) when no bootstrap node answers: an empty routing table after the walk
     * and no answer to a PING of any of them.
     */
    HyperDht join(CommandSpec spec) throws IOException, InterruptedException {
        DhtNodeOptions o = options(spec);
        HyperDht dht = HyperDht.bind(o);
        try {
            dht.fullyBootstrapped().get(BOOTSTRAP_WAIT_SECONDS, TimeUnit.SECONDS);
            if (dht.node().routingTable().isEmpty() && !anyAnswers(dht, o.bootstrap())) {
                throw new IOException("no bootstrap node answered (" + String.join(", ",
                        o.bootstrap().stream().map(Object::toString).toList()) + ")");
            }
            return dht;
        } catch (ExecutionException | TimeoutException e) {
            dht.close();
            throw new IOException("joining the DHT failed: " + e.getMessage(), e);
        } catch (IOException | RuntimeException | InterruptedException e) {
            dht.close();
            throw e;
        }
    }

    private static boolean anyAnswers(HyperDht dht, List<BootstrapNode> nodes) throws InterruptedException {
        for (BootstrapNode b : nodes) {
            try {
                InetSocketAddress a = new InetSocketAddress(b.suggestedIp() != null ? b.suggestedIp() : b.host(),
                        b.port());
                if (a.isUnresolved() || !(a.getAddress() instanceof java.net.Inet4Address)) {
                    continue;
                }
                dht.node().ping(a).get(10, TimeUnit.SECONDS);
                return true;
            } catch (ExecutionException | TimeoutException | IllegalArgumentException e) {
                // this one does not answer; try the next
            }
        }
        return false;
    }
}
