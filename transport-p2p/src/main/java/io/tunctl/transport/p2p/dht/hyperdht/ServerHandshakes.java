package io.tunctl.transport.p2p.dht.hyperdht;

import io.tunctl.transport.p2p.crypto.CryptoException;
import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import io.tunctl.transport.p2p.crypto.KeyEncoding;
import io.tunctl.transport.p2p.noise.HyperdhtHandshake;
import io.tunctl.transport.p2p.noise.HyperdhtHandshakeResult;
import io.tunctl.transport.p2p.noise.NoisePayload;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A listening server's handling of PEER_HANDSHAKE (hyperdht {@code Server._onpeerhandshake/_addHandshake},
 * hyperdht-wire.md §6.3) without I/O: Noise IK as responder, the {@link HandshakeFirewall}, the reply payload, and the
 * decision how the UDX stream will be connected ({@link Plan}).
 *
 * <p>Clients send the same message 1 through two relays and retransmit it, so sessions are keyed by the message
 * bytes: a repeat gets the identical message 2 (or the same silence). Each accepted session takes the lowest free
 * slot id, which is the {@code holepunch.id} PEER_HOLEPUNCH requests name. A session is forgotten 10 s after it is
 * {@link #complete completed} (connected, aborted, or answered with an error), like Node's {@code handshakeClearWait};
 * call {@link #expire} now and then.
 */
public final class ServerHandshakes {
    private static final System.Logger LOG = System.getLogger(ServerHandshakes.class.getName());
    public static final long CLEAR_WAIT_MILLIS = 10_000;
    /** How long the server waits for the client's first UDX packet or holepunch (HANDSHAKE_INITIAL_TIMEOUT). */
    public static final long INITIAL_TIMEOUT_MILLIS = 10_000;

    /**
     * What the server knows about itself when a handshake arrives.
     *
     * @param publicAddress   our address if the DHT is not firewalled (then we say OPEN and never holepunch), or null
     * @param localAddresses  LAN addresses of our socket to share (Node: only those validated by a self-ping), or
     *                        an empty list when local sharing is off
     * @param relays          the announcer's relays ({@link Announcer#relays()})
     * @param relayAddresses  the announcer's relay addresses ({@link Announcer#relayAddresses()})
     * @param holepunchAllowed false to never punch (Node's {@code holepunch: false}): wait passively instead
     * @param reusableSocket  the udx {@code reusableSocket} flag we advertise
     * @param features        tunctl's features announced in message 2 ({@link NoisePayload#features()})
     */
    public record Context(InetSocketAddress publicAddress, List<InetSocketAddress> localAddresses,
            List<NoisePayload.Relay> relays, List<InetSocketAddress> relayAddresses, boolean holepunchAllowed,
            boolean reusableSocket, long features) {
        public Context {
            localAddresses = List.copyOf(localAddresses);
            relays = List.copyOf(relays);
            relayAddresses = List.copyOf(relayAddresses);
        }

        /** A context that announces no tunctl features. */
        public Context(InetSocketAddress publicAddress, List<InetSocketAddress> localAddresses,
                List<NoisePayload.Relay> relays, List<InetSocketAddress> relayAddresses, boolean holepunchAllowed,
                boolean reusableSocket) {
            this(publicAddress, localAddresses, relays, relayAddresses, holepunchAllowed, reusableSocket, 0);
        }
    }

    /** How the server's UDX stream gets its remote. */
    public sealed interface Plan {
    }

    /** The payload carried an error: message 2 says so, and no stream is made. */
    public record ReplyOnly(int error) implements Plan {
    }

    /**
     * Connect the stream now to {@code address} (remote id = the client's udx id) and start secret-stream: the client
     * is OPEN, or reached us directly.
     *
     * @param onRequestSocket true: send from the socket the request arrived on (direct); false: the DHT socket
     */
    public record ConnectNow(InetSocketAddress address, boolean onRequestSocket) implements Plan {
    }

    /**
     * Wait until {@code deadlineMillis} for the client's first UDX packet to our stream id (from any socket), then
     * connect to its source. {@code lanPuncher}: also set up a holepuncher (with {@link Session#securePayload()})
     * because the client looks like it is on our LAN, but keep answering from the DHT socket.
     */
    public record AwaitClient(long deadlineMillis, boolean lanPuncher) implements Plan {
    }

    /**
     * Neither side is OPEN: make a holepuncher on a fresh socket, send message 2 <b>from that socket</b> (the relay
     * then reports its address to the client), and answer the client's PEER_HOLEPUNCH rounds with
     * {@link ServerHolepunch}; give up at {@code deadlineMillis}.
     */
    public record Holepunch(FirewallType remoteFirewall, long deadlineMillis) implements Plan {
    }

    /** The result of one PEER_HANDSHAKE. */
    public sealed interface Outcome {
    }

    /** No reply at all: message 1 did not authenticate, or the firewall said no. */
    public record Rejected(String reason) implements Outcome {
    }

    /** Reply with {@code session.reply()}; {@code duplicate} when this message 1 was seen before. */
    public record Accepted(Session session, boolean duplicate) implements Outcome {
    }

    /** One accepted handshake. */
    public static final class Session {
        private final int id;
        private final byte[] reply;
        private final NoisePayload remotePayload;
        private final HyperdhtHandshakeResult result;
        private final long localStreamId;
        private final InetSocketAddress clientAddress;
        private final Plan plan;
        private final SecurePayload securePayload;
        private long clearAt = Long.MAX_VALUE;
        /** Holepunch bookkeeping ({@link ServerHolepunch}): the highest round seen. */
        long round;
        private Holepuncher puncher;

        Session(int id, byte[] reply, NoisePayload remotePayload, HyperdhtHandshakeResult result, long localStreamId,
                InetSocketAddress clientAddress, Plan plan, SecurePayload securePayload) {
            this.id = id;
            this.reply = reply;
            this.remotePayload = remotePayload;
            this.result = result;
            this.localStreamId = localStreamId;
            this.clientAddress = clientAddress;
            this.plan = plan;
            this.securePayload = securePayload;
        }

        /** The slot id, announced as {@code holepunch.id}. */
        public int id() {
            return id;
        }

        /** Noise message 2, for {@link Router#serverHandshakeReply}. */
        public byte[] reply() {
            return reply.clone();
        }

        public NoisePayload remotePayload() {
            return remotePayload;
        }

        /** Keys, handshake hash, stream ids and holepunch secret for secret-stream. */
        public HyperdhtHandshakeResult result() {
            return result;
        }

        public byte[] remotePublicKey() {
            return result.remotePublicKey();
        }

        /** Our UDX stream's id (the one in our payload); the client's is {@code remotePayload().udx().id()}. */
        public long localStreamId() {
            return localStreamId;
        }

        /** The client's UDX stream id, the remote id to connect our stream with. */
        public long remoteStreamId() {
            return remotePayload.udx() == null ? 0 : remotePayload.udx().id();
        }

        /** {@code peerAddress} when relayed, else the request's source. */
        public InetSocketAddress clientAddress() {
            return clientAddress;
        }

        public Plan plan() {
            return plan;
        }

        /** Holepunch payload crypto, present for the {@link Holepunch} and LAN-puncher plans. */
        public SecurePayload securePayload() {
            return securePayload;
        }

        /** The glue made a puncher socket for this session (plans {@link Holepunch} and LAN {@link AwaitClient}). */
        public void attachPuncher(Holepuncher p) {
            this.puncher = p;
        }

        public Holepuncher puncher() {
            return puncher;
        }

        /** Whether the reply must leave from the puncher socket ({@link Holepunch} plan). */
        public boolean replyFromPuncher() {
            return plan instanceof Holepunch;
        }
    }

    private record Entry(Outcome outcome, long[] clearAt) {
    }

    private final Ed25519KeyPair keyPair;
    private final HandshakeFirewall firewall;
    private final SecureRandom random;
    private final Supplier<HyperdhtHandshake> handshakes;
    private final Map<String, Entry> byMessage = new HashMap<>();
    private final List<Session> slots = new ArrayList<>();

    public ServerHandshakes(Ed25519KeyPair keyPair, HandshakeFirewall firewall, SecureRandom random) {
        this(keyPair, firewall, random, () -> HyperdhtHandshake.responder(keyPair, random));
    }

    /** With a handshake factory, so tests can fix the ephemeral key. */
    public ServerHandshakes(Ed25519KeyPair keyPair, HandshakeFirewall firewall, SecureRandom random,
            Supplier<HyperdhtHandshake> handshakes) {
        this.keyPair = keyPair;
        this.firewall = firewall == null ? HandshakeFirewall.ACCEPT_ALL : firewall;
        this.random = random;
        this.handshakes = handshakes;
    }

    public byte[] publicKey() {
        return keyPair.publicKey();
    }

    /**
     * One PEER_HANDSHAKE for us (the router said {@link RpcAction.ToServer}).
     *
     * @param noise          Noise message 1
     * @param peerAddress    the client's address as the relay saw it, or null when the client came directly
     * @param from           the request's UDP source (the client when direct, else the relay)
     * @param serverAddress  the request's {@code to} field: our address as the sender addressed us
     * @param localStreamId  a fresh UDX stream id the UDX layer reserved for this handshake (used only if accepted)
     * @param now            clock in milliseconds (deadlines are on the same clock)
     */
    public Outcome onHandshake(byte[] noise, InetSocketAddress peerAddress, InetSocketAddress from,
            InetSocketAddress serverAddress, Context ctx, long localStreamId, long now) {
        String k = HexFormat.of().formatHex(noise);
        Entry seen = byMessage.get(k);
        if (seen != null) {
            return seen.outcome() instanceof Accepted a ? new Accepted(a.session(), true) : seen.outcome();
        }
        boolean direct = peerAddress == null;
        InetSocketAddress clientAddress = direct ? from : peerAddress;
        Outcome outcome = handshake(noise, clientAddress, direct, serverAddress, ctx, localStreamId, now);
        long[] clearAt = {Long.MAX_VALUE};
        if (outcome instanceof Rejected r) {
            clearAt[0] = now + CLEAR_WAIT_MILLIS; // remember the silence so retransmits stay silent
            LOG.log(System.Logger.Level.DEBUG, "handshake from {0} dropped: {1}", clientAddress, r.reason());
        } else if (outcome instanceof Accepted a && a.session().plan() instanceof ReplyOnly) {
            a.session().clearAt = now + CLEAR_WAIT_MILLIS;
        }
        byMessage.put(k, new Entry(outcome, clearAt));
        return outcome;
    }

    private Outcome handshake(byte[] noise, InetSocketAddress clientAddress, boolean direct,
            InetSocketAddress serverAddress, Context ctx, long localStreamId, long now) {
        HyperdhtHandshake hs = handshakes.get();
        NoisePayload remote;
        try {
            remote = hs.recv(noise);
        } catch (CryptoException | RuntimeException e) {
            return new Rejected("Noise message 1 does not authenticate: " + e.getMessage());
        }
        byte[] remoteKey = hs.remotePublicKey();
        HandshakeFirewall.Verdict verdict;
        try {
            verdict = firewall.check(remoteKey.clone(), remote, clientAddress);
        } catch (RuntimeException e) {
            verdict = HandshakeFirewall.Verdict.reject("firewall hook failed: " + e);
        }
        if (verdict == null || !verdict.accepted()) {
            String why = verdict == null ? "firewall hook returned nothing" : verdict.reason();
            LOG.log(System.Logger.Level.INFO, "rejected client {0} at {1}: {2}", KeyEncoding.toHex(remoteKey),
                    clientAddress, why);
            return new Rejected("firewall: " + why);
        }
        int error = remote.version() != 1 ? NoisePayload.ERROR_VERSION_MISMATCH
                : remote.udx() == null ? NoisePayload.ERROR_ABORTED : NoisePayload.ERROR_NONE;
        int id = freeSlot();
        boolean open = ctx.publicAddress() != null;
        List<InetSocketAddress> addresses = new ArrayList<>();
        if (open) {
            addresses.add(ctx.publicAddress());
        }
        addresses.addAll(ctx.localAddresses());
        boolean ok = error == NoisePayload.ERROR_NONE;
        NoisePayload payload = new NoisePayload(1, error,
                open ? NoisePayload.FIREWALL_OPEN : NoisePayload.FIREWALL_UNKNOWN,
                open ? null : new NoisePayload.Holepunch(id, ctx.relays()), addresses, List.of(),
                new NoisePayload.Udx(1, ctx.reusableSocket(), ok ? localStreamId : 0, 0), new NoisePayload.SecretStream(1),
                null, ctx.relayAddresses().isEmpty() ? null : ctx.relayAddresses(), ctx.features());
        byte[] reply;
        try {
            reply = hs.send(payload);
        } catch (CryptoException | RuntimeException e) {
            return new Rejected("cannot write Noise message 2: " + e.getMessage());
        }
        HyperdhtHandshakeResult result = hs.result();
        Plan plan;
        SecurePayload secure = null;
        FirewallType remoteFirewall = FirewallType.fromWire(remote.firewall());
        if (!ok) {
            plan = new ReplyOnly(error);
        } else if (remoteFirewall == FirewallType.OPEN || direct) {
            plan = new ConnectNow(clientAddress, direct);
        } else if (lanCandidate(remote, clientAddress, serverAddress, ctx)) {
            secure = new SecurePayload(result.holepunchSecret(), random);
            plan = new AwaitClient(now + INITIAL_TIMEOUT_MILLIS, true);
        } else if (open || !ctx.holepunchAllowed()) {
            plan = new AwaitClient(now + INITIAL_TIMEOUT_MILLIS, false);
        } else {
            secure = new SecurePayload(result.holepunchSecret(), random);
            plan = new Holepunch(remoteFirewall, now + INITIAL_TIMEOUT_MILLIS);
        }
        Session s = new Session(id, reply, remote, result, ok ? localStreamId : 0, clientAddress, plan, secure);
        slots.set(id, s);
        return new Accepted(s, false);
    }

    /** Same public host as seen by the relay, and the client offered a private address matching one of ours. */
    private static boolean lanCandidate(NoisePayload remote, InetSocketAddress clientAddress,
            InetSocketAddress serverAddress, Context ctx) {
        if (serverAddress == null || !Ipv4.sameHost(clientAddress, serverAddress) || ctx.localAddresses().isEmpty()) {
            return false;
        }
        List<InetSocketAddress> clientPrivate = remote.addresses4().stream()
                .filter(a -> Ipv4.isPrivate(a.getAddress())).toList();
        return !clientPrivate.isEmpty() && Ipv4.matchAddress(ctx.localAddresses(), clientPrivate) != null;
    }

    private int freeSlot() {
        int id = slots.indexOf(null);
        if (id == -1) {
            slots.add(null);
            id = slots.size() - 1;
        }
        return id;
    }

    /** The live session in slot {@code id} (a PEER_HOLEPUNCH's {@code id}), or null. */
    public Session session(long id) {
        return id >= 0 && id < slots.size() ? slots.get((int) id) : null;
    }

    /** The session is done (its stream connected, or it was aborted): forget it 10 s from {@code now}. */
    public void complete(Session s, long now) {
        if (s.clearAt == Long.MAX_VALUE) {
            s.clearAt = now + CLEAR_WAIT_MILLIS;
        }
    }

    /** Forgets completed sessions and remembered rejections whose 10 s are up; frees their slots. */
    public void expire(long now) {
        byMessage.values().removeIf(e -> {
            if (e.outcome() instanceof Accepted a) {
                Session s = a.session();
                if (s.clearAt <= now) {
                    if (s.id < slots.size() && slots.get(s.id) == s) {
                        slots.set(s.id, null);
                    }
                    return true;
                }
                return false;
            }
            return e.clearAt()[0] <= now;
        });
        while (!slots.isEmpty() && slots.get(slots.size() - 1) == null) {
            slots.remove(slots.size() - 1);
        }
    }

    /** Number of remembered message-1s (accepted and rejected). */
    public int size() {
        return byMessage.size();
    }
}
