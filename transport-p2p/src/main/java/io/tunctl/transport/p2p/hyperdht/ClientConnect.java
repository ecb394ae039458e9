package io.tunctl.transport.p2p.hyperdht;

import io.tunctl.transport.p2p.crypto.CryptoException;
import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import io.tunctl.transport.p2p.dht.hyperdht.ClientHandshake;
import io.tunctl.transport.p2p.dht.hyperdht.ConnectError;
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
 * ({@link ClientHandshake.Plan}); then secret-stream starts.
 */
final class ClientConnect {
    private static final int MAX_INFLIGHT = 2;
    /** With cached relays one more handshake may be in flight, as hyperdht's pre-connect. */
    private static final int MAX_INFLIGHT_PRECONNECT = 3;
    private static final int QUERY_RETRIES = 3;

    private final HyperDht dht;
    private final DhtNode node;
    private final byte[] serverKey;
    private final CompletableFuture<HyperDhtConnection> result;
    private final ClientHandshake handshake;
    private final ArrayDeque<InetSocketAddress> candidates = new ArrayDeque<>();
    private final Set<InetSocketAddress> tried = new HashSet<>();
    private UdxStream udx;
    private ClientHandshake.Context context;
    private Query query;
    private boolean queryDone;
    private boolean found;
    private int inflight;
    private ClientHandshake.Connected connected;
    /** Where the server's first UDX packet came from, if it came before we knew what to do with it. */
    private InetSocketAddress earlyPacketFrom;
    private boolean awaitingServer;
    private boolean finished;
    private int maxInflight = MAX_INFLIGHT;
    private byte[] value;

    ClientConnect(HyperDht dht, Ed25519KeyPair keyPair, byte[] serverKey,
            CompletableFuture<HyperDhtConnection> result) {
        this.dht = dht;
        this.node = dht.node();
        this.serverKey = serverKey;
        this.result = result;
        this.handshake = new ClientHandshake(keyPair, serverKey, dht.random());
    }

    void start() {
        try {
            udx = dht.newStream();
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return;
        }
        udx.firewall(this::onFirstPacket);
        context = new ClientHandshake.Context(node.remoteAddress(), dht.localAddresses(),
                Integer.toUnsignedLong(udx.localId()), false);
        byte[] value;
        try {
            value = handshake.request(context);
        } catch (CryptoException e) {
            // the only key-dependent step: DH with a server key that is not a curve point
            finished = true;
            udx.destroy();
            result.completeExceptionally(new IllegalArgumentException("not a valid Ed25519 public key: "
                    + e.getMessage()));
            return;
        }
        this.value = value;
        // relays of the last connect to this key: handshake through them at once, walking the DHT meanwhile
        List<InetSocketAddress> cached = dht.cachedRelays(handshake.target());
        QueryOptions o = QueryOptions.defaults().withRetries(QUERY_RETRIES).withOnReply(this::onFindPeerReply);
        if (!cached.isEmpty()) {
            maxInflight = MAX_INFLIGHT_PRECONNECT;
            o = o.withNodes(cached);
            for (InetSocketAddress r : cached) {
                if (tried.add(r)) {
                    candidates.add(r);
                }
            }
            next();
        }
        query = node.query(handshake.target(), DhtCommands.FIND_PEER, null, o);
        query.finished().whenComplete((q, e) -> dht.loop().execute(() -> {
            queryDone = true;
            maybeGiveUp();
        }));
    }

    private void onFindPeerReply(DhtReply r) {
        if (finished || connected != null || HyperDht.peerRecord(r, serverKey) == null) {
            return;
        }
        found = true;
        if (tried.add(r.from())) {
            candidates.add(r.from());
            next();
        }
    }

    private void next() {
        while (!finished && connected == null && inflight < maxInflight && !candidates.isEmpty()) {
            InetSocketAddress relay = candidates.poll();
            inflight++;
            node.request(relay, null, false, DhtCommands.PEER_HANDSHAKE, handshake.target(), value, 3)
                    .whenComplete((reply, e) -> dht.loop().execute(() -> {
                        inflight--;
                        if (e == null) {
                            onHandshakeReply(reply, relay);
                        } else {
                            HyperDht.LOG.log(System.Logger.Level.DEBUG, () -> "no handshake reply via " + relay
                                    + ": " + e.getMessage());
                        }
                        next();
                        maybeGiveUp();
                    }));
        }
    }

    private void onHandshakeReply(DhtReply r, InetSocketAddress relay) {
        if (finished || connected != null) {
            return;
        }
        DhtMessage.Response res = new DhtMessage.Response(r.tid(), r.to(), r.fromId(), r.token(), r.closerNodes(),
                r.error(), r.value());
        switch (handshake.onResponse(res, r.from(), relay, HyperDht.now())) {
            case ClientHandshake.Ignored i -> HyperDht.LOG.log(System.Logger.Level.DEBUG,
                    () -> "handshake reply via " + relay + " ignored: " + i.reason());
            case ClientHandshake.Failed f -> fail(f.error(), f.reason());
            case ClientHandshake.Connected c -> {
                connected = c;
                query.destroy();
                List<InetSocketAddress> relays = c.payload().relayAddresses();
                dht.cacheRelays(handshake.target(), relays != null && !relays.isEmpty() ? relays : List.of(relay));
                HyperDht.LOG.log(System.Logger.Level.DEBUG, () -> "handshake with " + c.serverAddress() + " via "
                        + relay + (c.relayed() ? " (relayed)" : " (direct)") + ", server firewall "
                        + c.payload().firewall() + ": " + c.plan());
                follow(c);
            }
        }
    }

    /** Carries out the plan of the handshake reply. */
    private void follow(ClientHandshake.Connected c) {
        switch (c.plan()) {
            case ClientHandshake.ConnectDirect d -> connectStream(d.address());
            case ClientHandshake.AwaitServer w -> awaitServer(w.deadlineMillis());
            case ClientHandshake.LanOrHolepunch l -> {
                if (earlyPacketFrom != null) {
                    connectStream(earlyPacketFrom);
                    return;
                }
                awaitServer(HyperDht.now() + ClientHandshake.PASSIVE_CONNECT_TIMEOUT_MILLIS);
                if (l.lanProbe() == null) {
                    fail(ConnectError.CANNOT_HOLEPUNCH, "neither side is reachable (both firewalled) and holepunching "
                            + "is not implemented yet; server at " + c.serverAddress());
                    return;
                }
                InetSocketAddress lan = l.lanProbe();
                node.ping(lan).whenComplete((pong, e) -> dht.loop().execute(() -> {
                    if (e == null) {
                        connectStream(lan);
                    } else if (!finished) {
                        fail(ConnectError.HOLEPUNCH_ABORTED, "the server's LAN address " + lan + " does not answer "
                                + "and holepunching is not implemented yet");
                    }
                }));
            }
            case ClientHandshake.Fail f -> fail(f.error(), "no way to reach the server at " + c.serverAddress());
        }
    }

    private void awaitServer(long deadline) {
        if (earlyPacketFrom != null) {
            connectStream(earlyPacketFrom);
            return;
        }
        awaitingServer = true;
        dht.loop().schedule(() -> {
            if (!finished) {
                fail(ConnectError.HOLEPUNCH_ABORTED, "the server sent no packet within "
                        + ClientHandshake.PASSIVE_CONNECT_TIMEOUT_MILLIS / 1000 + " s");
            }
        }, Math.max(1, deadline - HyperDht.now()), TimeUnit.MILLISECONDS);
    }

    /** UDX firewall hook: the server's first packet, possibly before its handshake reply reached us. */
    private boolean onFirstPacket(UdxStream stream, InetSocketAddress from) {
        if (finished) {
            return true;
        }
        if (connected != null && awaitingServer) {
            connectStream(from);
        } else if (earlyPacketFrom == null) {
            earlyPacketFrom = from; // processed now, ACKed once we connect
        }
        return false;
    }

    private void connectStream(InetSocketAddress address) {
        if (finished) {
            return;
        }
        finished = true;
        udx.connect((int) connected.remoteStreamId(), address);
        HyperDhtConnection c = HyperDhtConnection.open(udx, connected.result(), address);
        if (!result.complete(c)) {
            c.destroy(); // the caller gave up (cancelled)
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
        if (query != null) {
            query.destroy();
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
        finished = true;
        if (query != null) {
            query.destroy();
        }
        if (udx != null) {
            udx.destroy();
        }
        result.completeExceptionally(new HyperDhtException(error, message));
    }
}
