package io.tunctl.transport.p2p.vpn;

import io.netty.util.concurrent.ScheduledFuture;
import io.tunctl.core.packet.Cidr;
import io.tunctl.core.peer.PeerTable;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.transport.p2p.config.P2pSettings;
import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import io.tunctl.transport.p2p.crypto.KeyEncoding;
import io.tunctl.transport.p2p.hyperdht.ConnectionFirewall;
import io.tunctl.transport.p2p.hyperdht.HyperDht;
import io.tunctl.transport.p2p.hyperdht.HyperDhtConnection;
import io.tunctl.transport.p2p.hyperdht.HyperDhtServer;
import io.tunctl.transport.p2p.stream.SecureStream;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A nospoon-compatible server (spec §4): announces its key on the DHT; in peers mode only listed keys get a
 * handshake answer (checked in the firewall step, before any stream exists); each client's packets are admitted by
 * source against its allowed prefixes and routed by destination through the core's {@link PeerTable}: to another
 * client directly (the server's TUN never sees client-to-client traffic), else to the server's TUN. In open mode a
 * client's address is learnt from its first packet.
 *
 * <p>Threads: every session event and every received packet runs on the DHT's event loop, the one writer of the
 * peer table; the bridge's pump reads the TUN and calls {@link Device#write}, which only reads the table.
 */
final class P2pServer {
    private static final System.Logger LOG = System.getLogger(P2pServer.class.getName());

    private final P2pSettings settings;
    private final NospoonLog log;
    private final HyperDht dht;
    private final Ed25519KeyPair keyPair;
    private final PeerTable<Session> table = new PeerTable<>();
    /** Live sessions by client key (hex); event loop only. */
    private final Map<String, Session> sessions = new HashMap<>();
    final Device device;
    private HyperDhtServer server;
    final LongAdder malformed = new LongAdder();
    final LongAdder learnRefused = new LongAdder();

    /** @param gso the TUN takes GSO super-packets */
    P2pServer(P2pSettings settings, HyperDht dht, Ed25519KeyPair keyPair, NospoonLog log, boolean gso) {
        this.settings = settings;
        this.dht = dht;
        this.keyPair = keyPair;
        this.log = log;
        this.device = new Device(settings.mtu(), gso);
    }

    PeerTable<Session> table() { return table; }

    /** Starts answering handshakes and announces the key; completes with the number of nodes holding the announce. */
    java.util.concurrent.CompletableFuture<Integer> listen() {
        ConnectionFirewall firewall = settings.authMode()
                ? (pk, from) -> settings.peers().containsKey(KeyEncoding.toHex(pk))
                : ConnectionFirewall.ALLOW_ALL;
        server = dht.createServer(keyPair, firewall, new HyperDhtServer.Listener() {
            @Override
            public void onConnection(HyperDhtConnection connection) {
                accepted(connection);
            }

            @Override
            public void onRejected(byte[] remotePublicKey, InetSocketAddress clientAddress) {
                log.firewalled(NospoonLog.shortKey(remotePublicKey));
            }
        });
        return server.listen();
    }

    /** Unannounces (bounded) and ends every session. */
    void close() {
        device.close();
        HyperDhtServer s = server;
        if (s != null) {
            try {
                s.close().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.log(System.Logger.Level.DEBUG, "unannounce: " + e);
            }
        }
        io.netty.channel.EventLoop l = loop;
        if (l == null) return; // no client ever came
        try {
            l.submit(() -> {
                for (Session x : List.copyOf(sessions.values())) x.connection.destroy();
            }).get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, "closing sessions: " + e); // the loop is gone: so are the streams
        }
    }

    /**
     * For {@code tunctl status}: every live session (read on the event loop, the sessions' one writer), then every
     * listed peer with none.
     */
    io.tunctl.core.spi.TunnelStatus status() {
        List<io.tunctl.core.spi.PeerStatus> rows = new ArrayList<>();
        io.netty.channel.EventLoop l = loop;
        if (l != null && !l.isShuttingDown()) {
            try {
                rows.addAll(l.submit(() -> sessions.values().stream().map(Session::row).toList()).get(2, TimeUnit.SECONDS));
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("the DHT's event loop did not answer: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            }
        }
        java.util.Set<String> live = new java.util.HashSet<>();
        rows.forEach(r -> live.add(r.id()));
        for (Map.Entry<String, P2pSettings.Peer> e : settings.peers().entrySet()) {
            if (!live.contains(e.getKey())) {
                rows.add(io.tunctl.core.spi.PeerStatus.builder(e.getKey()).allowedIps(e.getValue().prefixes())
                        .connected(false).build());
            }
        }
        Map<String, Long> counters = new java.util.TreeMap<>();
        counters.put("malformed", malformed.sum());
        counters.put("openModeAddressRefused", learnRefused.sum());
        counters.put("noRoute", table.drops().noRoute());
        counters.put("spoofedSource", table.drops().spoofedSource());
        device.counters(counters);
        return new io.tunctl.core.spi.TunnelStatus("server", rows, counters);
    }

    /** A one-slot batch for super-packets forwarded from client to client (event loop). */
    private PacketBatch forwardBatch;

    private PacketBatch forwardBatch() {
        if (forwardBatch == null) {
            forwardBatch = PacketBatch.allocateLazily(java.lang.foreign.Arena.ofAuto(), 1, NospoonFraming.MAX_PACKET);
        }
        return forwardBatch;
    }

    /** The DHT's event loop, known from the first session (HyperDht keeps it to itself). */
    private volatile io.netty.channel.EventLoop loop;

    // ---- sessions (event loop)

    private void accepted(HyperDhtConnection c) {
        loop = c.stream().eventLoop();
        String key = KeyEncoding.toHex(c.remotePublicKey());
        String shortKey = NospoonLog.shortKey(key);
        P2pSettings.Peer peer = settings.peers().get(key);
        if (device.isClosed() || (settings.authMode() && peer == null)) { // the firewall let it in: cannot happen
            c.destroy();
            return;
        }
        Session old = sessions.get(key);
        if (old != null) {
            // the same key again: the new session takes over its routes now; the old one's close, whenever it
            // comes, removes only what it still owns (nospoon's removes the new route)
            dropRoutes(old);
        }
        Session s = new Session(c, key, shortKey);
        sessions.put(key, s);
        log.clientConnected(shortKey, peer == null ? null : peer.written());
        if (peer != null) {
            table.addPeer(s, peer.prefixes(), peer.prefixes());
            s.routes.addAll(peer.prefixes());
            for (Cidr p : peer.prefixes()) log.routeAdded(text(p), shortKey);
        }
        if (settings.keepaliveSeconds() > 0) {
            long every = settings.keepaliveSeconds();
            s.keepAlive = c.stream().eventLoop().scheduleAtFixedRate(
                    () -> StreamDevice.send(c.stream(), StreamDevice.keepAlive()), every, every, TimeUnit.SECONDS);
        }
        c.handler(new SecureStream.Handler() {
            @Override
            public void onMessage(SecureStream stream, byte[] buf, int off, int len) {
                s.decoder.feed(buf, off, len, s);
            }

            @Override
            public void onClose(SecureStream stream, Throwable cause) {
                closed(s, cause);
            }
        });
    }

    private void closed(Session s, Throwable cause) {
        if (s.keepAlive != null) s.keepAlive.cancel(false);
        if (cause != null && !device.isClosed()) log.serverConnectionError(s.shortKey, message(cause));
        log.clientDisconnected(s.shortKey);
        sessions.remove(s.key, s);
        dropRoutes(s);
    }

    private void dropRoutes(Session s) {
        List<Cidr> owned = List.copyOf(s.routes);
        s.routes.clear();
        table.removePeer(s);
        for (Cidr p : owned) log.routeRemoved(text(p));
    }

    static String message(Throwable t) {
        Throwable c = t;
        while ((c instanceof java.util.concurrent.CompletionException
                || c instanceof java.util.concurrent.ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage() != null ? c.getMessage() : c.toString();
    }

    /** A peer's address as nospoon prints it: a host without its prefix length. */
    static String text(Cidr p) {
        return p.prefixLength() == p.addressLength() * 8 ? Cidr.addressString(p.addressBytes()) : p.toString();
    }

    /** One connected client. */
    final class Session implements NospoonFraming.Packets {
        final HyperDhtConnection connection;
        final SecureStream stream;
        final String key;
        final String shortKey;
        /** Super-packets go to and may come from this client whole (both announced it). */
        final boolean whole;
        final NospoonFraming.Decoder decoder;
        /** The header of the last whole super-packet received (event loop). */
        private final WholeGso.Offload offload = new WholeGso.Offload();
        /** Prefixes this session owns in the table (event loop). */
        final List<Cidr> routes = new ArrayList<>();
        ScheduledFuture<?> keepAlive;
        final LongAdder drops = new LongAdder();
        final java.time.Instant since = java.time.Instant.now();
        /** From this client: event loop only. */
        long rxPackets, rxBytes;
        /** To this client: the pump (TUN) and the event loop (other clients) both send. */
        final LongAdder txPackets = new LongAdder();
        final LongAdder txBytes = new LongAdder();

        Session(HyperDhtConnection connection, String key, String shortKey) {
            this.connection = connection;
            this.stream = connection.stream();
            this.key = key;
            this.shortKey = shortKey;
            this.whole = device.whole(connection.remoteFeatures());
            this.decoder = whole ? new NospoonFraming.Decoder(WholeGso.MAX_FRAME) : new NospoonFraming.Decoder();
        }

        /** Event loop: this session as a status row. */
        io.tunctl.core.spi.PeerStatus row() {
            return io.tunctl.core.spi.PeerStatus.builder(key).endpoint(connection.remoteAddress())
                    .allowedIps(List.copyOf(routes)).connected(!stream.isClosed()).lastHandshake(since)
                    .rtt(P2pTunnel.rtt(stream)).rx(rxPackets, rxBytes).tx(txPackets.sum(), txBytes.sum())
                    .drops(drops.sum()).info("path", connection.path()).info("gso", whole ? "whole" : "segmented")
                    .build();
        }

        /** Event loop: one frame from this client: a packet, or a super-packet whole when both announced it. */
        @Override
        public void packet(byte[] buf, int off, int len) {
            if (whole && WholeGso.is(buf, off, len)) {
                if (device.checkWhole(buf, off, len, offload)) route(buf, off, len, WholeGso.HEADER);
            } else {
                route(buf, off, len, 0);
            }
        }

        /**
         * One packet at {@code buf[off + header, off + len)}; {@code header} is {@link WholeGso#HEADER} for a checked
         * super-packet frame (its header in {@link #offload}), else 0.
         */
        private void route(byte[] buf, int frameOff, int frameLen, int header) {
            int off = frameOff + header;
            int len = frameLen - header;
            rxPackets++;
            rxBytes += len;
            int version = (buf[off] >>> 4) & 0xf;
            Session to;
            if (version == 4 && len >= 20) {
                int src = (int) INT.get(buf, off + 12);
                int dst = (int) INT.get(buf, off + 16);
                if (routes.isEmpty() && !settings.authMode() && !learn(src, 0, 0, false)) return;
                if (!table.sources().admitIpv4(this, src)) return; // spoofed: counted by the table
                to = table.routes().lookupIpv4Except(dst, this);
            } else if (version == 6 && len >= 40) {
                long srcHi = (long) LONG.get(buf, off + 8);
                long srcLo = (long) LONG.get(buf, off + 16);
                if (routes.isEmpty() && !settings.authMode() && !learn(0, srcHi, srcLo, true)) return;
                if (!table.sources().admitIpv6(this, srcHi, srcLo)) return;
                to = table.routes().lookupIpv6Except((long) LONG.get(buf, off + 24), (long) LONG.get(buf, off + 32),
                        this);
            } else {
                malformed.increment();
                return;
            }
            if (to != null) {
                if (header != 0 && !to.whole) {
                    forwardCut(to, buf, off, len); // to a peer that takes no super-packet (a Node nospoon)
                } else if (StreamDevice.send(to.stream, StreamDevice.frame(buf, frameOff, frameLen))) {
                    to.txPackets.increment();
                    to.txBytes.add(len);
                    if (header != 0) device.wholeTx.increment();
                } else {
                    to.drops.increment();
                }
                return;
            }
            if (header != 0) {
                device.toTun(stream, buf, off, len, offload);
            } else {
                device.toTun(stream, buf, off, len);
            }
        }

        /** Event loop: a checked super-packet from this client cut into plain packets for {@code to}. */
        private void forwardCut(Session to, byte[] buf, int off, int len) {
            PacketBatch one = forwardBatch();
            one.clear();
            offload.applyTo(one, one.add(buf, off, len));
            StreamDevice.Framer f = device.framer();
            f.begin(to.stream, false);
            if (!f.append(one, 0)) to.drops.increment();
            f.end();
            to.txPackets.add(f.sent);
            to.txBytes.add(f.sentBytes);
            to.drops.add(f.failed);
        }

        /**
         * Open mode: the first packet's source becomes this client's address, unless it is link-local (ignored
         * until a real one comes) or another live client owns it (dropped).
         */
        private boolean learn(int src4, long hi, long lo, boolean v6) {
            if (v6 && (hi >>> 48) == 0xfe80L) {
                learnRefused.increment();
                return false;
            }
            Session owner = v6 ? table.routes().lookupIpv6(hi, lo) : table.routes().lookupIpv4(src4);
            if (owner != null && owner != this) {
                learnRefused.increment();
                return false;
            }
            byte[] a = v6 ? java.nio.ByteBuffer.allocate(16).putLong(hi).putLong(lo).array()
                    : java.nio.ByteBuffer.allocate(4).putInt(src4).array();
            Cidr host = Cidr.parse(Cidr.addressString(a));
            table.addPeer(this, List.of(host), List.of(host));
            routes.add(host);
            log.routeAdded(text(host), shortKey);
            return true;
        }
    }

    private static final java.lang.invoke.VarHandle INT = java.lang.invoke.MethodHandles
            .byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final java.lang.invoke.VarHandle LONG = java.lang.invoke.MethodHandles
            .byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong BE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /**
     * The server's tunnel end: what the server's TUN read goes to the client that owns its destination (dropped and
     * counted when none does: other subnet hosts, broadcast, multicast), consecutive packets for one client gathered
     * into one message.
     */
    final class Device extends StreamDevice {
        Device(int mtu, boolean gso) {
            super(mtu, gso);
        }

        @Override
        public void write(PacketBatch batch) throws IOException {
            ensureOpen();
            Framer f = framer();
            Session current = null;
            for (int i = 0; i < batch.size(); i++) {
                int len = batch.length(i);
                MemorySegment mem = batch.memory(i);
                long o = batch.offset(i);
                Session to = null;
                if (len >= 20) {
                    int version = (mem.get(ValueLayout.JAVA_BYTE, o) >>> 4) & 0xf;
                    if (version == 4) {
                        to = table.routes().lookupIpv4(mem.get(BE32, o + 16));
                    } else if (version == 6 && len >= 40) {
                        to = table.routes().lookupIpv6(mem.get(BE64, o + 24), mem.get(BE64, o + 32));
                    }
                }
                if (to == null) {
                    table.drops().countNoRoute();
                    continue;
                }
                if (to != current) {
                    if (current != null) ended(current, f);
                    current = to;
                    f.begin(to.stream, to.whole);
                }
                if (!f.append(batch, i)) {
                    drops.increment();
                    to.drops.increment();
                }
            }
            if (current != null) ended(current, f);
        }

        /** Sends what {@code f} gathered for {@code to} and counts it. */
        private void ended(Session to, Framer f) {
            f.end();
            txPackets.add(f.sent);
            txBytes.add(f.sentBytes);
            to.txPackets.add(f.sent);
            to.txBytes.add(f.sentBytes);
            drops.add(f.failed);
            to.drops.add(f.failed);
        }

        @Override
        public String describe() { return "p2p-server " + KeyEncoding.toHex(keyPair.publicKey()).substring(0, 8); }
    }
}
