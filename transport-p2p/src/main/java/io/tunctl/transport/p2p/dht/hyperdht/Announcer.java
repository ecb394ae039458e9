package io.tunctl.transport.p2p.dht.hyperdht;

import io.tunctl.transport.p2p.crypto.Blake2b;
import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import io.tunctl.transport.p2p.dht.messages.AnnounceMessage;
import io.tunctl.transport.p2p.dht.messages.DhtCommands;
import io.tunctl.transport.p2p.dht.messages.DhtMessage;
import io.tunctl.transport.p2p.dht.messages.PeerRecord;
import io.tunctl.transport.p2p.noise.NoisePayload;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * A listening server's announce state (hyperdht {@code lib/announcer.js}, hyperdht-wire.md §5.2) without I/O. The glue
 * runs this loop, asking {@link #nextStep} what is due:
 * <ol>
 *   <li><b>update</b>: {@link #beginUpdate()}, then a FIND_PEER query for {@link #target()} starting at
 *       {@link #queryStartNodes()} (bootstrap nodes when empty); the query's closest replies that carry a token and a
 *       node id go to {@link #commit}, which returns the (at most 3) signed ANNOUNCE requests to send; each answer
 *       goes to {@link #onAnnounceResponse}; then {@link #finishUpdate} publishes the new relays and returns the
 *       relays of the previous update that dropped out, to UNANNOUNCE ({@link #unannounceValue}, after a fresh
 *       FIND_PEER to that node for a token);</li>
 *   <li><b>ping</b>: every 3 s PING each {@link #pingTargets()} and report how many answered with
 *       {@link #onPingRound}; fewer than {@code min(relays, 3)} answers, or 100 rounds (about 5 minutes), make the
 *       next step an update. Storage nodes drop records after 20 minutes, so this refreshes well before.</li>
 * </ol>
 * Like Node, it remembers the relays of the last three updates so a holepunch through a relay of an older update is
 * still recognised ({@link #isRelay}).
 */
public final class Announcer {
    public static final int MAX_RELAYS = 3;
    public static final long PING_INTERVAL_MILLIS = 3000;
    public static final int PING_ROUNDS_PER_UPDATE = 100;

    /** One closest reply of the FIND_PEER query: who answered, its node id, its token and our address as it saw us. */
    public record QueryReply(InetSocketAddress from, byte[] nodeId, byte[] token, InetSocketAddress to) {
    }

    /** An ANNOUNCE to send as a direct request (a fresh tid): token, target and the signed value. */
    public record AnnounceRequest(QueryReply node, byte[] token, byte[] target, byte[] value) {
        public InetSocketAddress to() {
            return node.from();
        }

        /** @param nodeId our id if persistent and sending from the server socket, else null */
        public DhtMessage.Request toRequest(int tid, byte[] nodeId) {
            return new DhtMessage.Request(tid, node.from(), nodeId, token, false, DhtCommands.ANNOUNCE, target, value);
        }
    }

    public enum StepKind { UPDATE, PING, WAIT }

    /** What is due: an update now, a ping round now, or nothing until {@code atMillis}. */
    public record Step(StepKind kind, long atMillis) {
    }

    private final Ed25519KeyPair keyPair;
    private final byte[] target;
    private final byte[] record;
    /** relays by "host:port", three generations: [2] is the current update's. */
    private final List<LinkedHashMap<String, InetSocketAddress>> generations = new ArrayList<>(List.of(
            new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>()));
    private List<InetSocketAddress> closestNodes = List.of();
    private List<NoisePayload.Relay> relays = List.of();
    private List<InetSocketAddress> relayAddresses = List.of();
    private List<NoisePayload.Relay> pendingRelays;
    private List<InetSocketAddress> pendingAddresses;
    private boolean refreshRequested = true; // the first step is an update
    private int pingRounds;
    private long nextPingAt;

    public Announcer(Ed25519KeyPair keyPair) {
        this.keyPair = keyPair;
        this.target = Blake2b.hash256(keyPair.publicKey());
        this.record = new PeerRecord(keyPair.publicKey(), List.of()).encode();
    }

    /** {@code BLAKE2b-256(publicKey)}: the FIND_PEER/ANNOUNCE target and the key of the router's local entry. */
    public byte[] target() {
        return target.clone();
    }

    /** The encoded peer record (public key, no relays) the router's local entry answers FIND_PEER with. */
    public byte[] record() {
        return record.clone();
    }

    public Step nextStep(long now) {
        if (refreshRequested || pingRounds >= PING_ROUNDS_PER_UPDATE) {
            return new Step(StepKind.UPDATE, now);
        }
        return now >= nextPingAt ? new Step(StepKind.PING, now) : new Step(StepKind.WAIT, nextPingAt);
    }

    /** Asks for an update at the next step (hyperdht {@code refresh()}, e.g. after a network change). */
    public void refresh() {
        refreshRequested = true;
    }

    /** Where the FIND_PEER query starts: the previous query's closest nodes; empty means the bootstrap nodes. */
    public List<InetSocketAddress> queryStartNodes() {
        return closestNodes;
    }

    /** Starts an update: the relay generations shift, so relays not re-announced age out. */
    public void beginUpdate() {
        LinkedHashMap<String, InetSocketAddress> oldest = generations.remove(0);
        oldest.clear();
        generations.add(oldest);
        pendingRelays = new ArrayList<>();
        pendingAddresses = new ArrayList<>();
    }

    /**
     * The ANNOUNCE requests for the best 3 of the query's closest replies (closest first), each signed for that node's
     * id and token.
     *
     * @param ownPublicAddress our address if the DHT is not firewalled (listed first among the relay addresses), or
     *                         null
     */
    public List<AnnounceRequest> commit(List<QueryReply> closestReplies, InetSocketAddress ownPublicAddress) {
        if (pendingRelays == null) {
            throw new IllegalStateException("commit before beginUpdate");
        }
        if (ownPublicAddress != null) {
            pendingAddresses.add(ownPublicAddress);
        }
        List<AnnounceRequest> out = new ArrayList<>();
        for (QueryReply r : closestReplies) {
            if (out.size() == MAX_RELAYS) {
                break;
            }
            if (r.token() == null || r.nodeId() == null) {
                continue; // only persistent nodes that handed us a token can store the record
            }
            AnnounceMessage ann = AnnounceSignatures.announce(keyPair, target, r.nodeId(), r.token(), List.of(), 0);
            out.add(new AnnounceRequest(r, r.token(), target.clone(), ann.encode()));
        }
        return out;
    }

    /** The answer to one ANNOUNCE: with error 0 that node is now a relay (a timeout is simply not reported). */
    public void onAnnounceResponse(AnnounceRequest request, long error) {
        if (pendingRelays == null || error != 0) {
            return;
        }
        QueryReply n = request.node();
        if (pendingAddresses.size() < MAX_RELAYS) {
            pendingAddresses.add(n.from());
        }
        pendingRelays.add(new NoisePayload.Relay(n.from(), n.to()));
        generations.get(2).put(Ipv4.key(n.from()), n.from());
    }

    /**
     * Ends an update: publishes the relays, remembers the query's closest nodes for the next one, and returns the
     * relays of the previous update that are not relays any more (to UNANNOUNCE).
     */
    public List<InetSocketAddress> finishUpdate(List<InetSocketAddress> queryClosestNodes, long now) {
        if (pendingRelays == null) {
            throw new IllegalStateException("finishUpdate before beginUpdate");
        }
        relays = List.copyOf(pendingRelays);
        relayAddresses = List.copyOf(pendingAddresses);
        pendingRelays = null;
        pendingAddresses = null;
        if (queryClosestNodes != null && !queryClosestNodes.isEmpty()) {
            closestNodes = List.copyOf(queryClosestNodes);
        }
        refreshRequested = false;
        pingRounds = 0;
        nextPingAt = now;
        List<InetSocketAddress> removed = new ArrayList<>();
        generations.get(1).forEach((k, v) -> {
            if (!generations.get(2).containsKey(k)) {
                removed.add(v);
            }
        });
        return removed;
    }

    /** The current relays to PING in a ping round. */
    public List<InetSocketAddress> pingTargets() {
        return List.copyOf(generations.get(2).values());
    }

    /** A ping round ended: {@code answered} of {@link #pingTargets()} replied. */
    public void onPingRound(int answered, long now) {
        int asked = generations.get(2).size();
        if (answered < Math.min(asked, MAX_RELAYS)) {
            refreshRequested = true; // lost too many relays: announce again at once
        }
        pingRounds++;
        nextPingAt = now + PING_INTERVAL_MILLIS;
    }

    /** Relays for the Noise payload's {@code holepunch.relays}: relay address and our address as it sees us. */
    public List<NoisePayload.Relay> relays() {
        return relays;
    }

    /** Up to 3 addresses for the Noise payload's {@code relayAddresses} (our own first when not firewalled). */
    public List<InetSocketAddress> relayAddresses() {
        return relayAddresses;
    }

    /** Whether {@code address} was a relay in one of the last three updates. */
    public boolean isRelay(InetSocketAddress address) {
        String k = Ipv4.key(address);
        return generations.get(0).containsKey(k) || generations.get(1).containsKey(k) || generations.get(2).containsKey(k);
    }

    /** All current relays, to UNANNOUNCE from when the server closes. */
    public List<InetSocketAddress> currentRelays() {
        return pingTargets();
    }

    /** The UNANNOUNCE value for a node that just answered FIND_PEER with {@code nodeId} and {@code token}. */
    public byte[] unannounceValue(byte[] nodeId, byte[] token) {
        return AnnounceSignatures.unannounce(keyPair, target, nodeId, token).encode();
    }
}
