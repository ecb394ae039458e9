package io.tunctl.transport.p2p.vpn;

import io.netty.util.concurrent.ScheduledFuture;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.transport.p2p.config.P2pSettings;
import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import io.tunctl.transport.p2p.crypto.KeyEncoding;
import io.tunctl.transport.p2p.hyperdht.HyperDht;
import io.tunctl.transport.p2p.hyperdht.HyperDhtConnection;
import io.tunctl.transport.p2p.stream.SecureStream;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A nospoon-compatible client (spec §4, §5): connects to the server's key, hands what the TUN reads to the connection
 * as nospoon frames, writes what arrives into the TUN, sends a keep-alive frame every {@code keepalive} seconds, and
 * reconnects for ever with nospoon's backoff (1 s doubling to 30 s, plus up to 1 s of jitter) when the connection
 * fails or is lost. Packets read while there is no connection are dropped and counted (nospoon queues none either).
 */
final class P2pClient {
    private static final long FIRST_RETRY_MILLIS = 1000;
    private static final long MAX_RETRY_MILLIS = 30_000;
    /** A connect that neither opens nor fails within this long is abandoned and retried. */
    private static final long CONNECT_TIMEOUT_SECONDS = 60;

    private final P2pSettings settings;
    private final HyperDht dht;
    private final Ed25519KeyPair keyPair;
    private final NospoonLog log;
    private final SecureRandom random = new SecureRandom();
    final Device device;
    private volatile HyperDhtConnection current;
    /** When {@link #current} came up. */
    private volatile java.time.Instant connectedAt;
    private volatile boolean closing;
    // reconnect state, guarded by this
    private long retryDelay = FIRST_RETRY_MILLIS;
    private int failures;
    private CompletableFuture<HyperDhtConnection> attempt;

    /** @param gso the TUN takes GSO super-packets */
    P2pClient(P2pSettings settings, HyperDht dht, Ed25519KeyPair keyPair, NospoonLog log, boolean gso) {
        this.settings = settings;
        this.dht = dht;
        this.keyPair = keyPair;
        this.log = log;
        this.device = new Device(settings.mtu(), gso);
    }

    /** Told of each connection's remote endpoint as it opens (a full tunnel routes around it). */
    private volatile java.util.function.Consumer<java.net.InetSocketAddress> onOpen = a -> {};

    void onOpen(java.util.function.Consumer<java.net.InetSocketAddress> listener) {
        this.onOpen = listener;
    }

    /** The connection packets go to now, or null. */
    HyperDhtConnection current() { return current; }

    synchronized int failures() { return failures; }

    void start() {
        connect();
    }

    private void connect() {
        CompletableFuture<HyperDhtConnection> f;
        synchronized (this) {
            if (closing) return;
            f = attempt = dht.connect(settings.serverKey(), keyPair);
        }
        f.orTimeout(CONNECT_TIMEOUT_SECONDS, TimeUnit.SECONDS).whenComplete((c, e) -> {
            if (e != null) {
                if (!closing) log.clientConnectionError(P2pServer.message(e));
                retryLater();
            } else {
                opened(c);
            }
        });
    }

    private void opened(HyperDhtConnection c) {
        synchronized (this) {
            if (closing) {
                c.destroy();
                return;
            }
            retryDelay = FIRST_RETRY_MILLIS;
            failures = 0;
        }
        onOpen.accept(c.remoteAddress());
        log.connectedToServer();
        log.remoteReachable(remote());
        // super-packets may come whole from a tunctl server that announced it (and was told we take them)
        boolean whole = device.whole(c.remoteFeatures());
        NospoonFraming.Decoder decoder = whole ? new NospoonFraming.Decoder(WholeGso.MAX_FRAME)
                : new NospoonFraming.Decoder();
        WholeGso.Offload offload = new WholeGso.Offload();
        NospoonFraming.Packets toTun = whole ? (b, o, l) -> device.frameToTun(c.stream(), b, o, l, offload)
                : (b, o, l) -> device.toTun(c.stream(), b, o, l);
        SecureStream stream = c.stream();
        ScheduledFuture<?> keepAlive = settings.keepaliveSeconds() <= 0 ? null : stream.eventLoop().scheduleAtFixedRate(
                () -> StreamDevice.send(stream, StreamDevice.keepAlive()), settings.keepaliveSeconds(),
                settings.keepaliveSeconds(), TimeUnit.SECONDS);
        connectedAt = java.time.Instant.now();
        current = c;
        c.handler(new SecureStream.Handler() {
            @Override
            public void onMessage(SecureStream s, byte[] buf, int off, int len) {
                decoder.feed(buf, off, len, toTun);
            }

            @Override
            public void onClose(SecureStream s, Throwable cause) {
                if (keepAlive != null) keepAlive.cancel(false);
                if (current == c) current = null;
                if (closing) return;
                if (cause != null) log.clientConnectionError(P2pServer.message(cause));
                retryLater();
            }
        });
    }

    /**
     * For {@code tunctl status}: the server as the one peer, with what this client's TUN routes to it; the counters
     * are the tunnel end's, since everything goes to the server.
     */
    io.tunctl.core.spi.TunnelStatus status() {
        HyperDhtConnection c = current;
        io.tunctl.core.spi.DeviceStats d = device.stats();
        List<io.tunctl.core.packet.Cidr> routed = new java.util.ArrayList<>();
        settings.addresses().forEach(a -> routed.add(a.network()));
        if (settings.fullTunnel()) routed.add(io.tunctl.core.packet.Cidr.parse("0.0.0.0/0")); // and IPv6 is blocked
        var row = io.tunctl.core.spi.PeerStatus.builder(KeyEncoding.toHex(settings.serverKey()))
                .allowedIps(routed).connected(c != null && !c.isClosed()).rx(d.rxPackets(), d.rxBytes())
                .tx(d.txPackets(), d.txBytes()).drops(d.drops());
        if (c != null) {
            row.endpoint(c.remoteAddress()).lastHandshake(connectedAt).rtt(P2pTunnel.rtt(c.stream()))
                    .info("path", c.path());
        }
        if (c != null) row.info("gso", device.whole(c.remoteFeatures()) ? "whole" : "segmented");
        java.util.Map<String, Long> counters = new java.util.TreeMap<>();
        counters.put("failedConnects", (long) failures());
        device.counters(counters);
        return new io.tunctl.core.spi.TunnelStatus("client", List.of(row.build()), counters);
    }

    /** nospoon's "Remote reachable at": the client's IPv4 address with its last octet replaced by 1. */
    private String remote() {
        String ip = io.tunctl.core.packet.Cidr.addressString(settings.ip().addressBytes());
        return ip.substring(0, ip.lastIndexOf('.')) + ".1";
    }

    private void retryLater() {
        long delay;
        synchronized (this) {
            if (closing) return;
            failures++;
            delay = retryDelay + random.nextInt(1000);
            retryDelay = Math.min(retryDelay * 2, MAX_RETRY_MILLIS);
        }
        log.reconnecting(delay);
        CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS).execute(this::connect);
    }

    void close() {
        CompletableFuture<HyperDhtConnection> a;
        synchronized (this) {
            closing = true;
            a = attempt;
        }
        device.close();
        if (a != null) a.cancel(false);
        HyperDhtConnection c = current;
        current = null;
        if (c != null) c.destroy();
    }

    /** The client's tunnel end: everything the TUN reads goes to the server, whole frames gathered into messages. */
    final class Device extends StreamDevice {
        Device(int mtu, boolean gso) {
            super(mtu, gso);
        }

        @Override
        public void write(PacketBatch batch) throws IOException {
            ensureOpen();
            HyperDhtConnection c = current;
            int n = batch.size();
            if (c == null) {
                drops.add(n);
                return;
            }
            Framer f = framer();
            f.begin(c.stream(), whole(c.remoteFeatures()));
            for (int i = 0; i < n; i++) {
                if (!f.append(batch, i)) drops.increment();
            }
            f.end();
            txPackets.add(f.sent);
            txBytes.add(f.sentBytes);
            drops.add(f.failed);
        }

        @Override
        public String describe() {
            return "p2p-client to " + KeyEncoding.toHex(settings.serverKey()).substring(0, 8);
        }
    }
}
