package io.tunctl.transport.p2p.hyperdht;

import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import io.tunctl.transport.p2p.dht.hyperdht.Announcer;
import io.tunctl.transport.p2p.dht.hyperdht.FirewallType;
import io.tunctl.transport.p2p.dht.hyperdht.Ipv4;
import io.tunctl.transport.p2p.dht.hyperdht.ServerHolepunch;
import io.tunctl.transport.p2p.dht.messages.HolepunchMessage;
import io.tunctl.transport.p2p.dht.rpc.DhtRequest;
import io.tunctl.transport.p2p.udx.UdxSocket;
import java.io.IOException;
import io.tunctl.transport.p2p.dht.hyperdht.HandshakeFirewall;
import io.tunctl.transport.p2p.dht.hyperdht.Router;
import io.tunctl.transport.p2p.dht.hyperdht.ServerHandshakes;
import io.tunctl.transport.p2p.dht.messages.DhtCommands;
import io.tunctl.transport.p2p.dht.messages.HandshakeMessage;
import io.tunctl.transport.p2p.dht.rpc.DhtNode;
import io.tunctl.transport.p2p.dht.rpc.DhtReply;
import io.tunctl.transport.p2p.dht.rpc.Query;
import io.tunctl.transport.p2p.dht.rpc.QueryOptions;
import io.tunctl.transport.p2p.udx.UdxStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A HyperDHT server on one key pair (hyperdht {@code lib/server.js}): {@link #listen()} announces it to the DHT and
 * keeps the announce alive ({@link Announcer}: ping the relays every 3 s, re-announce when they go or every ~5 min);
 * handshakes for it are answered by {@link ServerHandshakes} after the {@link ConnectionFirewall}, and each accepted
 * client's stream is handed to the {@link Listener}. A client that connects again with the same key replaces its
 * previous connection, which is destroyed. {@link #close()} unannounces.
 */
public final class HyperDhtServer {
    private static final System.Logger LOG = System.getLogger(HyperDhtServer.class.getName());

    /** Server events, on the DHT's event loop (do not block). */
    public interface Listener {
        /** A client connected; install its handler with {@link HyperDhtConnection#handler}. */
        void onConnection(HyperDhtConnection connection);

        /** The firewall rejected a client: it got no answer. */
        default void onRejected(byte[] remotePublicKey, InetSocketAddress clientAddress) {
        }
    }

    private final HyperDht dht;
    private final DhtNode node;
    private final Ed25519KeyPair keyPair;
    private final Listener listener;
    private final Announcer announcer;
    private final ServerHandshakes handshakes;
    private final byte[] target;
    private final Map<String, HyperDhtConnection> byClient = new HashMap<>();
    private final Map<ServerHandshakes.Session, Pending> pending = new java.util.IdentityHashMap<>();
    private final CompletableFuture<Void> listening = new CompletableFuture<>();
    private boolean started;
    private boolean closed;
    private boolean updating;
    private io.netty.util.concurrent.ScheduledFuture<?> timer;

    HyperDhtServer(HyperDht dht, Ed25519KeyPair keyPair, ConnectionFirewall firewall, Listener listener) {
        this.dht = dht;
        this.node = dht.node();
        this.keyPair = Objects.requireNonNull(keyPair, "keyPair");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.announcer = new Announcer(keyPair);
        this.target = announcer.target();
        ConnectionFirewall fw = firewall == null ? ConnectionFirewall.ALLOW_ALL : firewall;
        HandshakeFirewall hook = (pk, payload, address) -> {
            if (fw.allow(pk.clone(), address)) {
                return HandshakeFirewall.Verdict.allow();
            }
            try {
                listener.onRejected(pk.clone(), address);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "onRejected failed", e);
            }
            return HandshakeFirewall.Verdict.reject("key not allowed");
        };
        this.handshakes = new ServerHandshakes(keyPair, hook, dht.random());
    }

    public byte[] publicKey() {
        return keyPair.publicKey();
    }

    /**
     * Starts serving handshakes for our key and announces it; completes after the first announce round, with the
     * number of nodes that stored it (0 on a DHT without persistent nodes: only direct handshakes then reach us).
     */
    public CompletableFuture<Integer> listen() {
        dht.loop().execute(() -> {
            if (started || closed) {
                return;
            }
            started = true;
            dht.forwards().putLocal(target, announcer.record());
            dht.register(target, this);
            step();
        });
        return listening.thenApply(x -> announcer.relays().size());
    }

    /** The nodes currently holding our announce. */
    public List<InetSocketAddress> relays() {
        return dht.call(announcer::pingTargets);
    }

    /** Stops listening and unannounces from every relay (each needs a fresh token: FIND_PEER, then UNANNOUNCE). */
    public CompletableFuture<Void> close() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        dht.loop().execute(() -> {
            if (closed) {
                done.complete(null);
                return;
            }
            closed = true;
            if (timer != null) {
                timer.cancel(false);
            }
            dht.unregister(target, this);
            listening.completeExceptionally(new IllegalStateException("server closed"));
            List<CompletableFuture<?>> all = new ArrayList<>();
            for (InetSocketAddress relay : announcer.currentRelays()) {
                all.add(unannounce(relay));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).whenComplete((x, e) -> done.complete(null));
        });
        return done;
    }

    // ---- announcing (event loop)

    private void step() {
        if (closed || updating) {
            return;
        }
        long now = HyperDht.now();
        Announcer.Step s = announcer.nextStep(now);
        switch (s.kind()) {
            case UPDATE -> update();
            case PING -> ping();
            case WAIT -> schedule(s.atMillis() - now);
        }
    }

    private void schedule(long delayMillis) {
        if (!closed) {
            timer = dht.loop().schedule(this::step, Math.max(1, delayMillis), TimeUnit.MILLISECONDS);
        }
    }

    private void update() {
        updating = true;
        announcer.beginUpdate();
        List<InetSocketAddress> start = announcer.queryStartNodes();
        QueryOptions o = QueryOptions.defaults();
        if (!start.isEmpty()) {
            o = o.withNodes(start);
        }
        Query q = node.query(target, DhtCommands.FIND_PEER, null, o);
        q.finished().whenComplete((x, err) -> dht.loop().execute(() -> {
            if (closed) {
                return;
            }
            List<Announcer.QueryReply> replies = new ArrayList<>();
            for (DhtReply r : q.closestReplies()) {
                replies.add(new Announcer.QueryReply(r.from(), r.fromId(), r.token(), r.to()));
            }
            List<CompletableFuture<?>> sent = new ArrayList<>();
            for (Announcer.AnnounceRequest a : announcer.commit(replies, node.remoteAddress())) {
                sent.add(node.request(DhtCommands.ANNOUNCE, a.target(), a.value(), a.token(), a.to())
                        .handle((reply, e) -> {
                            if (e == null) {
                                announcer.onAnnounceResponse(a, reply.error());
                            }
                            return null;
                        }));
            }
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).whenComplete((y, e) -> dht.loop()
                    .execute(() -> {
                        updating = false;
                        if (closed) {
                            return;
                        }
                        List<InetSocketAddress> gone = announcer.finishUpdate(q.closestNodes(), HyperDht.now());
                        for (InetSocketAddress r : gone) {
                            unannounce(r);
                        }
                        LOG.log(System.Logger.Level.DEBUG, () -> "announced " + HexFormat.of().formatHex(keyPair
                                .publicKey()) + " to " + announcer.pingTargets());
                        listening.complete(null);
                        step();
                    }));
        }));
    }

    private void ping() {
        List<InetSocketAddress> targets = announcer.pingTargets();
        List<CompletableFuture<Boolean>> pings = new ArrayList<>();
        for (InetSocketAddress t : targets) {
            pings.add(node.ping(t).handle((r, e) -> e == null));
        }
        updating = true; // one ping round at a time
        CompletableFuture.allOf(pings.toArray(CompletableFuture[]::new)).whenComplete((x, e) -> dht.loop().execute(
                () -> {
                    updating = false;
                    int answered = (int) pings.stream().filter(p -> p.getNow(false)).count();
                    announcer.onPingRound(answered, HyperDht.now());
                    step();
                }));
    }

    private CompletableFuture<?> unannounce(InetSocketAddress relay) {
        return node.request(DhtCommands.FIND_PEER, target, null, null, relay).thenCompose(r -> {
            if (r.token() == null || r.fromId() == null) {
                return CompletableFuture.completedFuture(null);
            }
            return node.request(DhtCommands.UNANNOUNCE, target, announcer.unannounceValue(r.fromId(), r.token()),
                    r.token(), relay);
        }).handle((r, e) -> null);
    }

    // ---- handshakes (event loop)

    /** A handshake whose stream waits for the client: its puncher (if any) and the timer that gives up. */
    private static final class Pending {
        final UdxStream udx;
        Puncher puncher;
        io.netty.util.concurrent.ScheduledFuture<?> timer;
        boolean done;

        Pending(UdxStream udx) {
            this.udx = udx;
        }
    }

    void onHandshake(DhtRequest req, HandshakeMessage hs) {
        if (closed) {
            return;
        }
        long now = HyperDht.now();
        InetSocketAddress open = node.remoteAddress();
        ServerHandshakes.Context ctx = new ServerHandshakes.Context(open, dht.localAddresses(), announcer.relays(),
                announcer.relayAddresses(), true, false, dht.features());
        UdxStream udx = null;
        long streamId = Integer.toUnsignedLong(dht.random().nextInt());
        ServerHandshakes.Outcome o = handshakes.onHandshake(hs.noise(), hs.peerAddress(), req.from(), req.to(), ctx,
                streamId, now);
        if (!(o instanceof ServerHandshakes.Accepted a)) {
            return; // rejected: no reply at all (ServerHandshakes logged why)
        }
        ServerHandshakes.Session s = a.session();
        if (!a.duplicate() && !(s.plan() instanceof ServerHandshakes.ReplyOnly)) {
            try {
                udx = dht.socket().createStream((int) s.localStreamId());
            } catch (IllegalStateException e) {
                // our random id clashed with a live stream (1 in 2^32 per stream): stay silent, the client retries
                LOG.log(System.Logger.Level.WARNING, "handshake dropped: " + e.getMessage());
                handshakes.complete(s, now);
                return;
            }
        }
        Pending p = pending.get(s);
        if (!a.duplicate() && udx != null && needsPuncher(s.plan())) {
            p = new Pending(udx);
            pending.put(s, p);
            Pending pp = p;
            try {
                FirewallType remote = FirewallType.fromWire(s.remotePayload().firewall());
                // the server never connects by probe (it only echoes them); its stream connects on the client's
                // first UDX packet, on whichever socket it arrives
                p.puncher = Puncher.open(dht, false, remote, (sock, from) -> { }, () -> abandon(s, pp));
                s.attachPuncher(p.puncher.state());
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> "no holepunch socket: " + e);
            }
        }
        // a punching server answers from its puncher socket: the relay then names that socket's public address
        UdxSocket via = s.replyFromPuncher() && p != null && p.puncher != null ? p.puncher.socket() : null;
        HyperDht.act(req, Router.serverHandshakeReply(hs, req.from(), s.reply()), via);
        if (a.duplicate()) {
            return;
        }
        switch (s.plan()) {
            case ServerHandshakes.ReplyOnly r -> handshakes.complete(s, now);
            case ServerHandshakes.ConnectNow c -> {
                UdxSocket sock = c.onRequestSocket() && req.socket() != null ? req.socket() : dht.currentSocket();
                udx.connect(sock, (int) s.remoteStreamId(), c.address());
                accepted(s, udx, c.address(), HyperDhtConnection.Path.DIRECT, null);
            }
            case ServerHandshakes.AwaitClient w -> await(s, p != null ? p : new Pending(udx), w.deadlineMillis());
            case ServerHandshakes.Holepunch h -> await(s, p, h.deadlineMillis());
        }
    }

    private static boolean needsPuncher(ServerHandshakes.Plan plan) {
        return plan instanceof ServerHandshakes.Holepunch
                || (plan instanceof ServerHandshakes.AwaitClient w && w.lanPuncher());
    }

    /**
     * Waits for the client's first UDX packet to our stream (on any of our sockets) and connects to where it came
     * from; gives up at {@code deadline} unless the client starts punching first (then the puncher's own end
     * decides).
     */
    private void await(ServerHandshakes.Session s, Pending p, long deadline) {
        p.udx.firewall((stream, sock, from) -> {
            if (!p.done) {
                p.done = true;
                pending.remove(s);
                if (p.timer != null) {
                    p.timer.cancel(false);
                }
                stream.connect(sock, (int) s.remoteStreamId(), from);
                HyperDhtConnection.Path path = p.puncher != null && p.puncher.owns(sock)
                        ? HyperDhtConnection.Path.HOLEPUNCH
                        : s.plan() instanceof ServerHandshakes.AwaitClient w && w.lanPuncher()
                                || Ipv4.isPrivate(from.getAddress()) && !(s.plan() instanceof
                                        ServerHandshakes.AwaitClient)
                                ? HyperDhtConnection.Path.LAN : HyperDhtConnection.Path.DIRECT;
                if (p.puncher != null) {
                    p.puncher.adopt(sock, stream);
                    p.puncher.destroy();
                }
                accepted(s, stream, from, path, path == HyperDhtConnection.Path.HOLEPUNCH ? p.puncher : null);
            }
            return false;
        });
        p.timer = dht.loop().schedule(() -> {
            if (p.done) {
                return;
            }
            LOG.log(System.Logger.Level.DEBUG, () -> "no packet from client " + s.clientAddress()
                    + " within 10 s: handshake aborted");
            if (p.puncher != null) {
                p.puncher.destroy(); // calls abandon
            } else {
                abandon(s, p);
            }
        }, Math.max(1, deadline - HyperDht.now()), TimeUnit.MILLISECONDS);
    }

    /** hyperdht's server {@code onabort}: the punch (or the wait) ended without the client's packet. */
    private void abandon(ServerHandshakes.Session s, Pending p) {
        if (p.done) {
            return;
        }
        p.done = true;
        pending.remove(s);
        if (p.timer != null) {
            p.timer.cancel(false);
        }
        p.udx.destroy();
        handshakes.complete(s, HyperDht.now());
    }

    /** A PEER_HOLEPUNCH round of a client for one of our handshakes (hyperdht {@code _onpeerholepunch}). */
    void onHolepunch(DhtRequest req, HolepunchMessage msg) {
        if (closed) {
            return;
        }
        ServerHandshakes.Session session = handshakes.session(msg.id());
        Pending p = session == null ? null : pending.get(session);
        Puncher puncher = p == null ? null : p.puncher;
        boolean onPuncher = puncher != null && req.socket() == puncher.socket();
        ServerHolepunch.Result r = ServerHolepunch.receive(handshakes, msg, req.from(), req.to(), onPuncher,
                announcer.isRelay(req.from()));
        switch (r) {
            case ServerHolepunch.NoReply n -> LOG.log(System.Logger.Level.DEBUG, () -> "holepunch round dropped: "
                    + n.reason());
            case ServerHolepunch.Answer a -> reply(req, msg, a, puncher);
            case ServerHolepunch.Received rec -> {
                puncher.checkSettled();
                puncher.analyze(false).thenCompose(stable -> !stable && !puncher.state().remoteHolepunching()
                        ? puncher.analyze(true) : java.util.concurrent.CompletableFuture.completedFuture(stable))
                        .thenAccept(stable -> dht.onLoop(() -> respond(req, msg, rec, p)));
            }
        }
    }

    private void respond(DhtRequest req, HolepunchMessage msg, ServerHolepunch.Received rec, Pending p) {
        Puncher puncher = p.puncher;
        if (closed || puncher.destroyed()) {
            return;
        }
        ServerHolepunch.Answer a = ServerHolepunch.respond(rec, dht.randomPunches(), true, HyperDht.now());
        if (a.fastOpen() != null) {
            puncher.ping(a.fastOpen()); // the client opened its NAT towards our address: answer at once
        }
        if (a.plan() != null) {
            if (p.timer != null) {
                p.timer.cancel(false); // punching now: the puncher's tries decide when to give up
                p.timer = null;
            }
            LOG.log(System.Logger.Level.DEBUG, () -> "punching " + rec.peerAddress() + ": " + a.plan() + ", "
                    + puncher.state().nat().firewall() + " here, " + puncher.state().remoteFirewall() + " there");
            puncher.start(a.plan());
        }
        reply(req, msg, a, puncher);
    }

    private void reply(DhtRequest req, HolepunchMessage msg, ServerHolepunch.Answer a, Puncher puncher) {
        UdxSocket via = a.fromPuncher() && puncher != null && !puncher.destroyed() ? puncher.socket() : null;
        HyperDht.act(req, Router.serverHolepunchReply(msg, req.from(), a.payload()), via);
        if (a.aborted() && puncher != null) {
            puncher.destroy();
        }
    }

    private void accepted(ServerHandshakes.Session s, UdxStream udx, InetSocketAddress remote,
            HyperDhtConnection.Path path, Puncher puncher) {
        handshakes.complete(s, HyperDht.now());
        HyperDhtConnection c = HyperDhtConnection.open(udx, s.result(), remote, path).withPunch(puncher)
                .withRemoteFeatures(s.remotePayload().features());
        c.logOpened();
        String key = HexFormat.of().formatHex(s.remotePublicKey());
        HyperDhtConnection old = byClient.put(key, c);
        if (old != null && !old.isClosed()) {
            LOG.log(System.Logger.Level.DEBUG, () -> "client " + key + " reconnected: old stream destroyed");
            old.destroy();
        }
        c.closeFuture().whenComplete((x, e) -> dht.loop().execute(() -> byClient.remove(key, c)));
        if (closed) {
            c.destroy();
            return;
        }
        try {
            listener.onConnection(c);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "connection listener failed", e);
            c.destroy();
        }
    }

    void expire(long now) {
        handshakes.expire(now);
    }
}
