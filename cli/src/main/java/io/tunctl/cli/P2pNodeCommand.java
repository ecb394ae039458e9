package io.tunctl.cli;

import io.tunctl.transport.p2p.dht.rpc.BootstrapNode;
import io.tunctl.transport.p2p.dht.rpc.DhtNode;
import io.tunctl.transport.p2p.hyperdht.HyperDht;
import io.tunctl.transport.p2p.dht.rpc.DhtNodeOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code tunctl p2p node}: a persistent HyperDHT node others can bootstrap from (dht-rpc's {@code bootstrapper}), e.g.
 * a private HyperDHT bootstrap for a LAN. Its id is the hash of HOST:PORT, so HOST must be the address the other
 * nodes reach it at. Runs until SIGINT or SIGTERM.
 */
@Command(name = "node", description = {
        "Run a persistent DHT node (dht-rpc/HyperDHT-compatible) for others to bootstrap from.",
        "Joins the --bootstrap nodes (so several nodes form one network), prints its address and node id,",
        "and serves until SIGINT or SIGTERM."})
final class P2pNodeCommand implements Callable<Integer> {
    /** How long to wait for the first walk through the --bootstrap nodes before serving anyway. */
    private static final long BOOTSTRAP_WAIT_SECONDS = 30;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--port", paramLabel = "P", defaultValue = "" + DhtNode.DEFAULT_PORT,
            description = "UDP port (default ${DEFAULT-VALUE}; 0: any free port).")
    int port;

    @Option(names = "--host", paramLabel = "H",
            description = "This node's IPv4 address as the others reach it (default: the --bind address, or the "
                    + "first non-loopback IPv4 address of this host).")
    String host;

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "0.0.0.0",
            description = "Local IPv4 address to bind (default ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--bootstrap", paramLabel = "H:P",
            description = "A node to join through, [suggested-ip@]host:port; repeatable.")
    List<String> bootstrap = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        DhtNodeOptions options = options();
        HyperDht hyperdht = HyperDht.bind(options); // stores announces and relays handshakes once persistent
        DhtNode node = hyperdht.node();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            hyperdht.close();
            out.println("dht node stopped");
            out.flush();
            stopped.countDown();
        }, "tunctl-p2p-node-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            node.fullyBootstrapped().get(BOOTSTRAP_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            spec.commandLine().getErr().println("tunctl: bootstrap nodes did not answer within "
                    + BOOTSTRAP_WAIT_SECONDS + " s; serving anyway");
        }
        InetSocketAddress local = node.localAddress();
        byte[] id = node.id();
        out.println("dht node " + options.publicHost() + ":" + local.getPort() + " id "
                + (id == null ? "(none yet)" : HexFormat.of().formatHex(id)) + " (bound " + local.getAddress()
                .getHostAddress() + ":" + local.getPort() + ", nodes known: " + node.routingTable().size() + ")");
        out.println("stop with Ctrl-C or SIGTERM");
        out.flush();
        stopped.await(); // the shutdown hook closes the node; the JVM then exits with the signal's status
        return ExitCodes.OK;
    }

    DhtNodeOptions options() throws SocketException {
        if (port < 0 || port > 65535) {
            throw new ParameterException(spec.commandLine(), "--port must be 0-65535, got " + port);
        }
        InetAddress bindAddress = ipv4(bind, "--bind");
        String publicHost = host != null ? host : bindAddress.isAnyLocalAddress() ? firstLanAddress()
                : bindAddress.getHostAddress();
        InetAddress hostAddress = ipv4(publicHost, "--host");
        if (hostAddress.isAnyLocalAddress()) {
            throw new ParameterException(spec.commandLine(), "--host must be an address others reach this node at, "
                    + "not " + publicHost);
        }
        List<BootstrapNode> nodes = new ArrayList<>();
        for (String b : bootstrap) {
            try {
                nodes.add(BootstrapNode.parse(b));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--bootstrap: " + e.getMessage());
            }
        }
        return DhtNodeOptions.bootstrapper(hostAddress.getHostAddress(), new InetSocketAddress(bindAddress, port))
                .withBootstrap(nodes);
    }

    private InetAddress ipv4(String text, String option) {
        if (!isIpv4Literal(text)) {
            throw new ParameterException(spec.commandLine(), option + " must be an IPv4 address, got '" + text + "'");
        }
        try {
            return InetAddress.getByName(text); // a literal: no lookup
        } catch (java.net.UnknownHostException e) {
            throw new ParameterException(spec.commandLine(), option + ": " + e.getMessage());
        }
    }

    private static boolean isIpv4Literal(String s) {
        return s != null && s.matches("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    }

    /** As dht-rpc's {@code localIP()}: the first IPv4 address of an up, non-loopback interface, else 127.0.0.1. */
    private static String firstLanAddress() throws SocketException {
        for (NetworkInterface ni : NetworkInterface.networkInterfaces().toList()) {
            if (!ni.isUp() || ni.isLoopback()) {
                continue;
            }
            for (InetAddress a : ni.inetAddresses().toList()) {
                if (a instanceof Inet4Address) {
                    return a.getHostAddress();
                }
            }
        }
        return "127.0.0.1";
    }
}
