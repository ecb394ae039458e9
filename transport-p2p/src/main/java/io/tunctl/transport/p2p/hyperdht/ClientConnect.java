package io.tunctl.transport.p2p.hyperdht;

import io.tunctl.transport.p2p.crypto.CryptoException;
import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import io.tunctl.transport.p2p.dht.hyperdht.ClientHandshake;
import io.tunctl.transport.p2p.dht.hyperdht.ClientHolepunch;
import io.tunctl.transport.p2p.dht.hyperdht.ConnectError;
import io.tunctl.transport.p2p.dht.hyperdht.FirewallType;
import io.tunctl.transport.p2p.dht.hyperdht.Ipv4;
import io.tunctl.transport.p2p.noise.NoisePayload;
import io.tunctl.transport.p2p.udx.UdxSocket;
import java.io.IOException;
import io.tunctl.transport.p2p.dht.messages.DhtCommands;
import io.tunctl.transport.p2p.dht.messages.DhtMessage;
import io.tunctl.transport.p2p.dht.rpc.DhtNode;
import io.tunctl.transport.p2p.dht.rpc.DhtReply;
import io.tunctl.transport.p2p.dht.rpc.Query;
import io.tunctl.transport.p2p.dht.rpc.QueryOptions;
import io.tunctl.transport.p2p.udx.UdxStream;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One {@link HyperDht#connect} (hyperdht {@code lib/connect.js}), on the event loop: a FIND_PEER walk for the server's
 * target; through each node that answers with the server's record (at most 2 at a time) the same PEER_HANDSHAKE
 * (Noise message 1, retried 3 times); the first valid reply decides how the UDX stream gets its remote
 * ({@link ClientHandshake.Plan}); then secret-stream starts. With the server's address and relays from the last
 * connect, the handshakes go there first (the relays after a grace if the server answered directly last time) and
 * the walk is their fallback: it starts once one of them ends without a connection, or after
 * {@link #WALK_DELAY_MILLIS}.
 */
final class ClientConnect {
    private static final int MAX_INFLIGHT = 2;
    /** With cached relays one more handshake may be in flight, as hyperdht's pre-connect. */
    private static final int MAX_INFLIGHT_PRECONNECT = 3;
    private static final int QUERY_RETRIES = 3;
    /** How long a punch waits for a LAN ping in flight (a LAN answers in well under this). */
    private static final long LAN_GRACE_MILLIS = 250;
    /**
     * How long handshakes to cached addresses have before the walk starts anyway (a reply takes one round trip).
     * Walking at once cost the critical path half of a warm connect: a dozen FIND_PEER replies (each closer node's
     * ID a BLAKE2b) were read on the event loop before the server's reply, which arrives after them.
     */
    private static final long WALK_DELAY_MILLIS = 250;
    /** The least time a server that answered directly before has alone before the relays join. */
    private static final long MIN_RELAY_GRACE_MILLIS = 10;

    private final HyperDht dht;
    private final DhtNode node;
    private final byte[] serverKey;
    private final CompletableFuture<HyperDhtConnection> result;
    private final Ed25519KeyPair keyPair;
    private final byte[] target;
    private ClientHandshake handshake;
    private final ArrayDeque<InetSocketAddress> candidates = new ArrayDeque<>();
    private final Set<InetSocketAddress> tried = new HashSet<>();
    private UdxStream udx;
    private ClientHandshake.Context context;
    private Query query;
    /** The walk not started yet (handshakes to cached addresses first), else null. */
    private QueryOptions pendingWalk;
    private io.netty.util.concurrent.ScheduledFuture<?> walkTimer;
    private io.netty.util.concurrent.ScheduledFuture<?> relayTimer;
    private boolean queryDone;
    private boolean found;
    private int inflight;
    private ClientHandshake.Connected connected;
    /** Where the server's first UDX packet came from, if it came before we knew what to do with it. */
    private InetSocketAddress earlyPacketFrom;
    private UdxSocket earlyPacketSocket;
    private Puncher puncher;
    private ClientHolepunch punch;
    private boolean lanPending;
    // phase timestamps (System.nanoTime) and counts, logged at DEBUG when the stream connects
    private long t0;
    private long tCalled;
    private long tMsg1;
    private long tFirstRecord;
    private long tReply;
    private long tRecv;
    private long tPacket;
    private long tSent;
    private long tStream;
    private long tOpen;
    private int findPeerReplies;
    private int handshakeSends;
    private Runnable lanGrace;
    private ConnectError deferredError;
    private String deferredMessage;
    private boolean awaitingServer;
    private boolean finished;
    private int maxInflight = MAX_INFLIGHT;
    private byte[] value;

    ClientConnect(HyperDht dht, Ed25519KeyPair keyPair, byte[] serverKey,
            CompletableFuture<HyperDhtConnection> result, long calledAt) {
        this.tCalled = calledAt;
        this.dht = dht;
        this.node = dht.node();
        this.serverKey = serverKey;
        this.result = result;
        this.keyPair = keyPair;
        this.target = io.tunctl.transport.p2p.crypto.Blake2b.hash256(serverKey);
    }

    void start() {
        t0 = System.nanoTime();
        try {
            udx = dht.newStream();
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return;
        }
        udx.firewall(this::onFirstPacket);
        // the server and the relays of the last connect to this key: handshake through them at once, walking the DHT
        // meanwhile
        HyperDht.CachedRoute route = dht.cachedRoute(target);
        List<InetSocketAddress> cached = route == null ? List.of() : route.addresses();
        QueryOptions o = QueryOptions.defaults().withRetries(QUERY_RETRIES).withOnReply(this::onFindPeerReply);
        if (!cached.isEmpty()) {
            maxInflight = MAX_INFLIGHT_PRECONNECT;
            o = o.withNodes(cached);
            for (InetSocketAddress r : cached) {
                if (tried.add(r)) {
                    candidates.add(r);
                }
            }
        }
        context = new ClientHandshake.Context(node.remoteAddress(), dht.localAddresses(),
                Integer.toUnsignedLong(udx.localId()), false, dht.features());
        if (!cached.isEmpty()) {
            // the handshakes through the cached relays are the critical path and the walk only their fallback: they
            // leave first (message 1 is usually prepared, PreparedHandshakes)
            if (!writeMessage1()) {
                return;
            }
            tMsg1 = System.nanoTime();
            if (route.directRttMillis() >= 0 && cached.size() > 1) {
                // the server answered itself last time: it alone first (each relay would hand it the same handshake
                // to answer again); the relays join if it has not answered within a few of its round trips
                maxInflight = 1;
                relayTimer = dht.loop().schedule(this::releaseRelays, Math.clamp(4 * route.directRttMillis(),
                        MIN_RELAY_GRACE_MILLIS, WALK_DELAY_MILLIS), TimeUnit.MILLISECONDS);
            }
            next();
            pendingWalk = o;
            walkTimer = dht.loop().schedule(this::walkIfPending, WALK_DELAY_MILLIS, TimeUnit.MILLISECONDS);
        } else {
            // the walk leaves first: Noise message 1 (an ephemeral key pair and two DH) is written while it is in
            // flight instead of before it (hyperdht writes it when the first record arrives, in the critical path)
            startWalk(o);
            if (!writeMessage1()) {
                return;
            }
            tMsg1 = System.nanoTime();
            next();
        }
    }

    /** The server has not answered directly (yet): the cached relays go too. */
    private void releaseRelays() {
        if (maxInflight == 1) {
            maxInflight = MAX_INFLIGHT_PRECONNECT;
            next();
        }
    }

    /** The cached addresses did not connect (yet): walk the DHT for the server's relays. */
    private void walkIfPending() {
        if (pendingWalk != null && !finished && connected == null) {
            QueryOptions o = pendingWalk;
            pendingWalk = null;
            startWalk(o);
        }
    }

    private void startWalk(QueryOptions o) {
        query = node.query(target, DhtCommands.FIND_PEER, null, o);
        query.finished().whenComplete((q, e) -> dht.loop().execute(() -> {
            queryDone = true;
            maybeGiveUp();
        }));
    }

    /** Makes the PEER_HANDSHAKE value; false (and the connect failed) if the server key is no curve point. */
    private boolean writeMessage1() {
        try {
            // after an earlier connect to this server, message 1 is ready but for its payload (PreparedHandshakes)
            handshake = new ClientHandshake(dht.handshakes().take(keyPair, serverKey), serverKey, dht.random());
            value = handshake.request(context);
            return true;
        } catch (CryptoException e) {
            // the only key-dependent step: DH with a server key that is not a curve point
            finished = true;
            stopWalk();
            udx.destroy();
            result.completeExceptionally(new IllegalArgumentException("not a valid Ed25519 public key: "
                    + e.getMessage()));
            return false;
        }
    }

    private void onFindPeerReply(DhtReply r) {
        findPeerReplies++;
        if (finished || connected != null || HyperDht.peerRecord(r, serverKey) == null) {
            return;
        }
        found = true;
        if (tFirstRecord == 0) {
            tFirstRecord = System.nanoTime();
        }
        if (tried.add(r.from())) {
            candidates.add(r.from());
            next();
        }
    }

    private void next() {
        while (value != null && !finished && connected == null && inflight < maxInflight
                && !candidates.isEmpty()) {
            InetSocketAddress relay = candidates.poll();
            inflight++;
            handshakeSends++;
            node.request(relay, null, false, DhtCommands.PEER_HANDSHAKE, target, value, 3)
                    // the reply completes on the node's thread, the event loop: handled there and then, not queued
                    // behind the rest of the read batch (the server's first UDX packet, the relays' replies)
                    .whenComplete((reply, e) -> dht.onLoop(() -> {
                        inflight--;
                        if (e == null) {
                            onHandshakeReply(reply, relay);
                        } else {
                            HyperDht.LOG.log(System.Logger.Level.DEBUG, () -> "no handshake reply via " + relay
                                    + ": " + e.getMessage());
                        }
                        releaseRelays();
                        walkIfPending();
                        next();
                        maybeGiveUp();
                    }));
            if (tSent == 0) {
                tSent = System.nanoTime(); // the first handshake is on the wire
            }
        }
    }

    private void onHandshakeReply(DhtReply r, InetSocketAddress relay) {
        if (finished || connected != null) {
            return;
        }
        DhtMessage.Response res = new DhtMessage.Response(r.tid(), r.to(), r.fromId(), r.token(), r.closerNodes(),
                r.error(), r.value());
        tReply = System.nanoTime();
        ClientHandshake.Outcome outcome = handshake.onResponse(res, r.from(), relay, HyperDht.now());
        tRecv = System.nanoTime();
        switch (outcome) {
            case ClientHandshake.Ignored i -> HyperDht.LOG.log(System.Logger.Level.DEBUG,
                    () -> "handshake reply via " + relay + " ignored: " + i.reason());
            case ClientHandshake.Failed f -> fail(f.error(), f.reason());
            case ClientHandshake.Connected c -> {
                connected = c;
                stopWalk();
                // next time, the server itself first: a hyperdht server answers a handshake sent straight to its node
                // (FROM_CLIENT, replied directly), one hop each way instead of two through a relay; the relays go
                // too in case it is not reachable so (a NAT), as hyperdht's pre-connect uses them: at once if it
                // answered through a relay now, else if it has not answered within a few of this round trip
                List<InetSocketAddress> next = new java.util.ArrayList<>(List.of(c.serverAddress()));
                List<InetSocketAddress> relays = c.payload().relayAddresses();
                for (InetSocketAddress a : relays != null && !relays.isEmpty() ? relays : List.of(relay)) {
                    if (!next.contains(a)) {
                        next.add(a);
                    }
                }
                dht.cacheRoute(target, new HyperDht.CachedRoute(next, c.relayed() ? -1 : r.rttMillis()));
                follow(c);
                // after the stream is on its way: with DEBUG on, this line cost the critical path half a millisecond
                HyperDht.LOG.log(System.Logger.Level.DEBUG, () -> "handshake with " + c.serverAddress() + " via "
                        + relay + (c.relayed() ? " (relayed)" : " (direct)") + ", server firewall "
                        + c.payload().firewall() + ": " + c.plan());
            }
        }
    }

    /** Carries out the plan of the handshake reply. */
    private void follow(ClientHandshake.Connected c) {
        if (earlyPacketSocket != null) {
            // the server's first packet beat its reply here: that is where it is (hyperdht does the same)
            connectStream(earlyPacketFrom, earlyPacketSocket, c.plan() instanceof ClientHandshake.AwaitServer
                    || c.plan() instanceof ClientHandshake.ConnectDirect ? HyperDhtConnection.Path.DIRECT
                    : pathOf(earlyPacketSocket, earlyPacketFrom));
            return;
        }
        switch (c.plan()) {
            case ClientHandshake.ConnectDirect d -> connectStream(d.address(), dht.currentSocket(),
                    HyperDhtConnection.Path.DIRECT);
            case ClientHandshake.AwaitServer w -> awaitServer(w.deadlineMillis());
            case ClientHandshake.LanOrHolepunch l -> {
                if (l.lanProbe() != null) {
                    InetSocketAddress lan = l.lanProbe();
                    lanPending = true;
                    node.ping(lan).whenComplete((pong, e) -> dht.loop().execute(() -> {
                        lanPending = false;
                        if (e == null) {
                            connectStream(lan, dht.socket(), HyperDhtConnection.Path.LAN);
                        } else if (lanGrace != null) {
                            lanGrace.run(); // the LAN is not it: punch now
                        } else if (deferredError != null) {
                            fail(deferredError, deferredMessage + "; the LAN address " + lan + " does not answer");
                        } else if (l.serverRelay() == null) {
                            fail(ConnectError.HOLEPUNCH_ABORTED, "the server's LAN address " + lan
                                    + " does not answer and it cannot holepunch");
                        }
                    }));
                }
                if (l.serverRelay() != null && lanPending) {
                    // A peer on our LAN answers the ping within milliseconds. Punching at once would race it, and
                    // a server whose NAT view is unusable aborts the punch by destroying the very stream the LAN
                    // path is about to reach (hyperdht's server onabort). So the punch waits a moment for the LAN.
                    Runnable go = new Runnable() {
                        private boolean ran;

                        @Override
                        public void run() {
                            if (!ran) {
                                ran = true;
                                lanGrace = null;
                                if (!finished) {
                                    holepunch(c, l);
                                }
                            }
                        }
                    };
                    lanGrace = go;
                    dht.loop().schedule(go, LAN_GRACE_MILLIS, TimeUnit.MILLISECONDS);
                } else if (l.serverRelay() != null) {
                    holepunch(c, l);
                } else if (l.lanProbe() == null) {
                    fail(ConnectError.CANNOT_HOLEPUNCH, "the server at " + c.serverAddress()
                            + " offers no holepunch relays");
                }
            }
            case ClientHandshake.Fail f -> fail(f.error(), "no way to reach the server at " + c.serverAddress());
        }
    }

    private void awaitServer(long deadline) {
        awaitingServer = true;
        dht.loop().schedule(() -> {
            if (!finished) {
                fail(ConnectError.HOLEPUNCH_ABORTED, "the server sent no packet within "
                        + ClientHandshake.PASSIVE_CONNECT_TIMEOUT_MILLIS / 1000 + " s");
            }
        }, Math.max(1, deadline - HyperDht.now()), TimeUnit.MILLISECONDS);
    }

    /**
     * UDX firewall hook: a packet from the server for our stream. After the handshake it connects the stream there
     * (hyperdht's {@code onsocket}); before, it is remembered and used when the reply comes.
     */
    private boolean onFirstPacket(UdxStream stream, UdxSocket socket, InetSocketAddress from) {
        if (finished) {
            return true;
        }
        if (tPacket == 0) {
            tPacket = System.nanoTime();
        }
        if (connected != null) {
            connectStream(from, socket, pathOf(socket, from));
        } else if (earlyPacketFrom == null) {
            earlyPacketFrom = from; // processed now, ACKed once we connect
            earlyPacketSocket = socket;
        }
        return false;
    }

    private HyperDhtConnection.Path pathOf(UdxSocket socket, InetSocketAddress from) {
        if (puncher != null && puncher.owns(socket)) {
            return HyperDhtConnection.Path.HOLEPUNCH;
        }
        return awaitingServer || !Ipv4.isPrivate(from.getAddress()) ? HyperDhtConnection.Path.DIRECT
                : HyperDhtConnection.Path.LAN;
    }

    // ---- holepunching (hyperdht connect.js holepunch/probeRound/roundPunch)

    private void holepunch(ClientHandshake.Connected c, ClientHandshake.LanOrHolepunch plan) {
        try {
            puncher = Puncher.open(dht, true, FirewallType.fromWire(c.payload().firewall()),
                    (sock, from) -> connectStream(from, sock, HyperDhtConnection.Path.HOLEPUNCH),
                    () -> fail(ConnectError.HOLEPUNCH_ABORTED, "punching to " + punch.serverAddress()
                            + " ran out of tries (" + puncher.state().nat().firewall() + " here, "
                            + puncher.state().remoteFirewall() + " there)"));
        } catch (IOException e) {
            fail(ConnectError.HOLEPUNCH_ABORTED, "no holepunch socket: " + e.getMessage());
            return;
        }
        punch = new ClientHolepunch(target, c, plan, puncher.state());
        probeRound(true);
    }

    private void probeRound(boolean retry) {
        if (finished) {
            return;
        }
        puncher.openSession(punch.serverAddress()); // our NAT now expects the server's fast-open answer
        NoisePayload.Relay relay = punch.serverRelay();
        sendHolepunch(punch.probeRequest(0), relay.peerAddress(), () -> afterProbeReply(retry));
    }

    private void afterProbeReply(boolean retry) {
        // a server that does not know its NAT yet gets a moment to find out (and to fast-open to us)
        long pause = puncher.state().remoteFirewall() == FirewallType.UNKNOWN ? 1000 : 0;
        later(pause, () -> puncher.analyze(false).thenAccept(stable -> onLoop(() -> {
            if (stable) {
                decideAfterProbe();
                return;
            }
            puncher.analyze(true).thenAccept(again -> onLoop(() -> {
                if (again && retry) {
                    probeRound(false); // a fresh socket: tell the server its new view
                } else {
                    decideAfterProbe();
                }
            }));
        })));
    }

    private void decideAfterProbe() {
        if (finished) {
            return;
        }
        switch (punch.afterProbe(0)) {
            case ClientHolepunch.ProbeAgain p -> probeRound(false);
            case ClientHolepunch.Abort a -> {
                DhtMessage.Request r = a.abortRequest();
                node.request(r.to(), null, false, DhtCommands.PEER_HOLEPUNCH, r.target(), r.value(), 0,
                        puncher.socket());
                fail(a.error(), "holepunch abandoned: " + puncher.state().nat().firewall() + " here, "
                        + puncher.state().remoteFirewall() + " at the server");
            }
            case ClientHolepunch.PunchNext n -> {
                if (n.openSession() != null) {
                    puncher.openSession(n.openSession());
                }
                punchRound();
            }
            case ClientHolepunch.Fail f -> fail(f.error(), "holepunch failed");
            case ClientHolepunch.Punch p -> throw new IllegalStateException("punch before the punch round");
        }
    }

    private void punchRound() {
        DhtMessage.Request r = punch.punchRequest(0, dht.randomPunches(), HyperDht.now());
        if (r == null) {
            fail(ConnectError.HOLEPUNCH_ABORTED, "a random punch ran less than 20 s ago (and no blind relay to wait"
                    + " on)");
            return;
        }
        sendHolepunch(r, punch.serverAddress(), () -> {
            switch (punch.afterPunch(dht.randomPunches())) {
                case ClientHolepunch.Punch p -> {
                    HyperDht.LOG.log(System.Logger.Level.DEBUG, () -> "punching " + punch.serverAddress() + ": "
                            + p.plan() + ", " + puncher.state().nat().firewall() + " here, "
                            + puncher.state().remoteFirewall() + " there");
                    puncher.start(p.plan());
                }
                case ClientHolepunch.Fail f -> fail(f.error(), "the server will not punch ("
                        + puncher.state().nat().firewall() + " here, " + puncher.state().remoteFirewall() + " there)");
                default -> throw new IllegalStateException("unexpected step after the punch round");
            }
        });
    }

    /** One PEER_HOLEPUNCH round trip from the puncher socket; {@code next} runs once the reply is taken in. */
    private void sendHolepunch(DhtMessage.Request r, InetSocketAddress namedPeer, Runnable next) {
        UdxSocket via = puncher.socket();
        node.request(r.to(), null, false, DhtCommands.PEER_HOLEPUNCH, r.target(), r.value(), 3, via)
                .whenComplete((reply, e) -> onLoop(() -> {
                    if (finished) {
                        return;
                    }
                    if (e != null) {
                        fail(ConnectError.HOLEPUNCH_PROBE_TIMEOUT, "no holepunch reply via " + r.to() + ": "
                                + e.getMessage());
                        return;
                    }
                    DhtMessage.Response res = new DhtMessage.Response(reply.tid(), reply.to(), reply.fromId(),
                            reply.token(), reply.closerNodes(), reply.error(), reply.value());
                    ClientHolepunch.Fail f = punch.onReply(res, reply.from(), r.to(), namedPeer);
                    puncher.checkSettled();
                    if (f != null) {
                        fail(f.error(), "holepunch reply via " + r.to());
                        return;
                    }
                    next.run();
                }));
    }

    private double ms(long t) {
        return t == 0 ? -1 : (t - t0) / 1e6;
    }

    private void later(long delayMillis, Runnable r) {
        if (delayMillis <= 0) {
            r.run();
        } else {
            dht.loop().schedule(() -> {
                if (!finished) {
                    r.run();
                }
            }, delayMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void onLoop(Runnable r) {
        dht.onLoop(r);
    }

    private void connectStream(InetSocketAddress address, UdxSocket via, HyperDhtConnection.Path path) {
        if (finished) {
            return;
        }
        finished = true;
        // the ACK owed for an early packet and the secret-stream header leave together once the caller has the
        // connection, as Node's stream opens before libudx sends what it wrote (two sendmsg were in the critical path)
        via.cork();
        HyperDhtConnection c;
        long tDone;
        try {
            udx.connect(via, (int) connected.remoteStreamId(), address);
            tStream = System.nanoTime();
            if (puncher != null) {
                puncher.adopt(via, udx);
                puncher.destroy(); // connected (the LAN may win the race): stop punching, close the other sockets
            }
            c = HyperDhtConnection.open(udx, connected.result(), address, path)
                    .withPunch(path == HyperDhtConnection.Path.HOLEPUNCH ? puncher : null)
                    .withRemoteFeatures(connected.payload().features());
            tOpen = System.nanoTime();
            if (!result.complete(c)) {
                c.destroy(); // the caller gave up (cancelled)
                return;
            }
            tDone = System.nanoTime();
        } finally {
            via.uncork();
        }
        // after the caller has its connection: logging and the next handshake's keys are off the critical path
        c.logOpened();
        dht.handshakes().prepare(keyPair, serverKey);
        HyperDht.LOG.log(System.Logger.Level.DEBUG, () -> String.format(java.util.Locale.ROOT,
                "connect phases (ms from start, %.2f after the call): msg1 %.2f, sent %.2f, first record %.2f,"
                + " handshake reply %.2f, msg2 read %.2f, server's first packet %.2f, udx connect %.2f, secret-stream"
                + " %.2f, done %.2f; %d FIND_PEER replies, %d handshakes sent, %s", (t0 - tCalled) / 1e6, ms(tMsg1),
                ms(tSent), ms(tFirstRecord), ms(tReply), ms(tRecv), ms(tPacket), ms(tStream), ms(tOpen), ms(tDone),
                findPeerReplies, handshakeSends, path));
    }

    private void stopWalk() {
        pendingWalk = null;
        if (walkTimer != null) {
            walkTimer.cancel(false);
        }
        if (relayTimer != null) {
            relayTimer.cancel(false);
        }
        if (query != null) {
            query.destroy();
        }
    }

    private void maybeGiveUp() {
        if (finished || connected != null || !queryDone || inflight > 0 || !candidates.isEmpty()) {
            return;
        }
        if (found) {
            fail(ConnectError.PEER_CONNECTION_FAILED, "the server's relays brought back no handshake reply (is "
                    + "our key allowed by its firewall?)");
        } else {
            fail(ConnectError.PEER_NOT_FOUND, "no DHT node holds an announce of that key");
        }
    }

    /** The node closes: give up at once. */
    void abort(String why) {
        if (finished) {
            return;
        }
        finished = true;
        stopWalk();
        if (puncher != null) {
            puncher.destroy();
        }
        if (udx != null) {
            udx.destroy();
        }
        result.completeExceptionally(new IllegalStateException(why));
    }

    private void fail(ConnectError error, String message) {
        if (finished) {
            return;
        }
        if (lanPending) {
            // the LAN ping races the punch: a punch that gives up first must not end a connect the LAN may make
            if (deferredError == null) {
                deferredError = error;
                deferredMessage = message;
                HyperDht.LOG.log(System.Logger.Level.DEBUG, () -> "holepunch gave up (" + error + ": " + message
                        + "), waiting for the LAN ping");
            }
            if (puncher != null) {
                puncher.destroy();
            }
            return;
        }
        finished = true;
        stopWalk();
        if (puncher != null) {
            puncher.destroy();
        }
        if (udx != null) {
            udx.destroy();
        }
        HyperDht.LOG.log(System.Logger.Level.DEBUG, () -> "connect failed: " + error + ": " + message);
        result.completeExceptionally(new HyperDhtException(error, message));
    }
}
