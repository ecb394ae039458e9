package io.tunctl.transport.p2p.vpn;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.Bridge;
import io.tunctl.core.spi.InterfaceHandle;
import io.tunctl.core.spi.InterfaceSpec;
import io.tunctl.core.spi.RouteSpec;
import io.tunctl.core.spi.Tunnel;
import io.tunctl.core.spi.TunnelContext;
import io.tunctl.transport.p2p.config.P2pSettings;
import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import io.tunctl.transport.p2p.crypto.KeyEncoding;
import io.tunctl.transport.p2p.dht.rpc.BootstrapNode;
import io.tunctl.transport.p2p.dht.rpc.DhtNode;
import io.tunctl.transport.p2p.dht.rpc.DhtNodeOptions;
import io.tunctl.transport.p2p.hyperdht.HyperDht;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A running p2p server or client: its TUN, its DHT node (one UDP socket for the DHT and every stream), and the bridge
 * between the TUN and the server's or client's push device.
 */
public final class P2pTunnel implements Tunnel {
    private static final System.Logger LOG = System.getLogger(P2pTunnel.class.getName());
    /** How long {@code open} waits for the DHT and the first announce before it goes on (announcing continues). */
    private static final long SERVER_READY_SECONDS = 30;
    /**
     * The TUN with offload (Linux): the kernel hands over 64 KiB TCP super-packets, which go whole to a tunctl peer
     * that announced it takes them and are cut to the MTU for any other (a nospoon peer takes nothing larger); received
     * TCP segments are merged into super-packets again before they are written (one write and one trip through the
     * kernel's stack per run).
     * {@code -Dtunctl.p2p.offload=false} turns it off.
     */
    static final boolean OFFLOAD = System.getProperty("os.name", "").startsWith("Linux")
            && !"false".equals(System.getProperty("tunctl.p2p.offload"));

    private final HyperDht dht;
    private final NospoonLog log;
    private final P2pServer server;
    private final P2pClient client;
    private Bridge bridge;
    /** nospoon's fullTunnel, or null; taken back after the streams and the DHT have stopped. */
    private FullTunnel fullTunnel;
    private volatile boolean closed;

    private P2pTunnel(HyperDht dht, NospoonLog log, P2pServer server, P2pClient client) {
        this.dht = dht;
        this.log = log;
        this.server = server;
        this.client = client;
    }

    /** Opens the TUN and the DHT node and starts serving or connecting; undoes what it made if it fails. */
    public static P2pTunnel open(P2pSettings s, TunnelContext ctx, NospoonLog log) throws IOException {
        InterfaceHandle tun = ctx.openInterface(interfaceSpec(s, ctx));
        log.line("TUN device " + tun.name() + " up with " + s.ip()
                + (s.ipv6() == null ? "" : " + " + s.ipv6()) + " (MTU " + s.mtu() + ")");
        HyperDht dht = HyperDht.bind(dhtOptions(s));
        P2pTunnel t;
        FullTunnel full = null;
        try {
            if (s.fullTunnel()) {
                full = s.mode() == P2pSettings.Mode.SERVER ? FullTunnel.server(s, tun, log) : FullTunnel.client(tun, dht);
            }
            if (s.mode() == P2pSettings.Mode.SERVER) {
                Ed25519KeyPair kp = s.seed() != null ? Ed25519KeyPair.fromSeed(s.seed())
                        : Ed25519KeyPair.generate(new SecureRandom());
                t = new P2pTunnel(dht, log, new P2pServer(s, dht, kp, log, tun.device().acceptsGso()), null);
                dht.announceFeatures(t.server.device.features());
                t.bridge = ctx.bridge(tun.device(), t.server.device);
                t.startServer(s, kp);
            } else {
                Ed25519KeyPair kp = s.seed() != null ? Ed25519KeyPair.fromSeed(s.seed()) : dht.defaultKeyPair();
                t = new P2pTunnel(dht, log, null, new P2pClient(s, dht, kp, log, tun.device().acceptsGso()));
                dht.announceFeatures(t.client.device.features());
                if (full != null) t.client.onOpen(full::opened);
                t.bridge = ctx.bridge(tun.device(), t.client.device);
                if (s.seed() != null) {
                    log.line("Client public key: " + KeyEncoding.toHex(kp.publicKey()));
                    log.line("(give this to the server operator for the peers config)");
                    log.line("");
                }
                // connect once the first walk through the bootstrap nodes is done (or has taken too long)
                dht.fullyBootstrapped().completeOnTimeout(null, 10, TimeUnit.SECONDS)
                        .whenComplete((x, e) -> t.client.start());
            }
        } catch (IOException | RuntimeException e) {
            dht.close();
            if (full != null) full.close();
            throw e;
        }
        t.fullTunnel = full;
        return t;
    }

    private void startServer(P2pSettings s, Ed25519KeyPair kp) throws IOException {
        try {
            dht.fullyBootstrapped().get(SERVER_READY_SECONDS, TimeUnit.SECONDS);
            int relays = server.listen().get(SERVER_READY_SECONDS, TimeUnit.SECONDS);
            if (relays == 0) {
                LOG.log(System.Logger.Level.WARNING, "no DHT node stored the announce yet; clients cannot find this "
                        + "server until one does (announcing goes on)");
            }
        } catch (TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "the DHT did not answer within " + SERVER_READY_SECONDS
                    + " s; announcing goes on in the background");
        } catch (ExecutionException e) {
            throw new IOException("announcing on the DHT failed: " + P2pServer.message(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while announcing", e);
        }
        log.line("");
        log.line("Server listening");
        log.line("TUN IP:      " + Cidr.addressString(s.ip().addressBytes()));
        log.line("Public key:  " + KeyEncoding.toHex(kp.publicKey()));
        if (s.authMode()) {
            log.line("Allowed peers: " + s.peers().size());
            for (P2pSettings.Peer p : s.peers().values()) {
                log.line("  " + NospoonLog.shortKey(p.key()) + " \u2192 " + p.written());
            }
        } else {
            log.line("Auth:        OPEN (no peers configured, any client can connect)");
        }
    }

    /**
     * The TUN: the config's addresses and MTU; name, routes and rules from a unified config's {@code interface}
     * section if it has one. A server routes every peer prefix its own subnets do not cover into the TUN.
     */
    static InterfaceSpec interfaceSpec(P2pSettings s, TunnelContext ctx) {
        InterfaceSpec base = ctx.interfaceSpec().orElse(null);
        List<RouteSpec> routes = new ArrayList<>(base == null ? List.of() : base.routes());
        List<Cidr> own = s.addresses().stream().map(Cidr::network).toList();
        for (P2pSettings.Peer p : s.peers().values()) {
            for (Cidr c : p.prefixes()) {
                if (own.stream().noneMatch(o -> o.contains(c))) routes.add(RouteSpec.to(c));
            }
        }
        return new InterfaceSpec(base == null ? null : base.name(), s.mtu(), s.addresses(), routes,
                base == null ? List.of() : base.rules(), OFFLOAD, 1);
    }

    static DhtNodeOptions dhtOptions(P2pSettings s) {
        List<BootstrapNode> boot = s.bootstrap().isEmpty()
                ? DhtNode.DEFAULT_BOOTSTRAP.stream().map(BootstrapNode::parse).toList() : s.bootstrap();
        return DhtNodeOptions.defaults().withBind(new InetSocketAddress("0.0.0.0", s.port())).withBootstrap(boot);
    }

    /** For tests: the server (null for a client). */
    P2pServer server() { return server; }

    P2pClient client() { return client; }

    @Override
    public io.tunctl.core.spi.TunnelStatus status() {
        return server != null ? server.status() : client.status();
    }

    /** The UDX stream's smoothed RTT under {@code stream}, or null before its first sample. */
    static java.time.Duration rtt(io.tunctl.transport.p2p.stream.SecureStream stream) {
        long ns = stream.udx().smoothedRttNanos();
        return ns > 0 ? java.time.Duration.ofNanos(ns) : null;
    }

    @Override
    public void await() throws IOException, InterruptedException {
        bridge.await();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        log.shuttingDown();
        if (server != null) server.close();
        if (client != null) client.close();
        dht.close();
        if (fullTunnel != null) fullTunnel.close();
        if (bridge != null) bridge.close();
    }
}
