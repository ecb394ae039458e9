package io.tunctl.transport.p2p.dht.hyperdht;

import io.tunctl.transport.p2p.codec.CompactDecodeException;
import io.tunctl.transport.p2p.crypto.Blake2b;
import io.tunctl.transport.p2p.crypto.CryptoException;
import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import io.tunctl.transport.p2p.dht.messages.DhtCommands;
import io.tunctl.transport.p2p.dht.messages.DhtMessage;
import io.tunctl.transport.p2p.dht.messages.HandshakeMessage;
import io.tunctl.transport.p2p.dht.messages.RelayMode;
import io.tunctl.transport.p2p.noise.HyperdhtHandshake;
import io.tunctl.transport.p2p.noise.HyperdhtHandshakeResult;
import io.tunctl.transport.p2p.noise.NoisePayload;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * The client side of a hyperdht connect up to the moment the stream's path is known (hyperdht
 * {@code lib/connect.js connectThroughNode/holepunch}, hyperdht-wire.md §6.4), without I/O.
 *
 * <p>Message 1 is made once ({@link #request}) and sent, as the value of a PEER_HANDSHAKE request with target
 * {@link #target()}, to every node whose FIND_PEER reply carried the server's record (at most 2 in flight). The first
 * response accepted by {@link #onResponse} wins; it yields the keys and a {@link Plan} for connecting the UDX stream.
 */
public final class ClientHandshake {
    /** How long a client that claimed OPEN waits for the server's first UDX packet. */
    public static final long PASSIVE_CONNECT_TIMEOUT_MILLIS = 10_000;

    /**
     * What the client knows about itself.
     *
     * @param publicAddress  our address if the DHT is not firewalled (then we claim OPEN), or null
     * @param localAddresses our LAN addresses to offer (empty to disable LAN connects)
     * @param localStreamId  the id of the UDX stream the UDX layer reserved for this connect
     * @param reusableSocket the udx {@code reusableSocket} flag
     * @param features       tunctl's features announced in message 1 ({@link NoisePayload#features()})
     */
    public record Context(InetSocketAddress publicAddress, List<InetSocketAddress> localAddresses, long localStreamId,
            boolean reusableSocket, long features) {
        public Context {
            localAddresses = List.copyOf(localAddresses);
        }

        /** A context that announces no tunctl features. */
        public Context(InetSocketAddress publicAddress, List<InetSocketAddress> localAddresses, long localStreamId,
                boolean reusableSocket) {
            this(publicAddress, localAddresses, localStreamId, reusableSocket, 0);
        }
    }

    /** How to connect the client's UDX stream (remote id = the server's udx id). */
    public sealed interface Plan {
    }

    /**
     * Connect now to {@code address}. {@code onRequestSocket}: from the socket the handshake went out on (the server
     * answered directly, not relayed); else from the DHT socket.
     */
    public record ConnectDirect(InetSocketAddress address, boolean onRequestSocket) implements Plan {
    }

    /** We claimed OPEN: wait until {@code deadlineMillis} for the server's first UDX packet, then connect to its source. */
    public record AwaitServer(long deadlineMillis) implements Plan {
    }

    /**
     * Try the LAN and/or holepunching. {@code lanProbe}: PING this address (dht-rpc PING from the server socket) and
     * on a reply connect to it; null if there is no LAN candidate. {@code serverRelay}: the relay and server address
     * to run {@link ClientHolepunch} through; null when only the LAN probe is possible (its failure is
     * {@link ConnectError#HOLEPUNCH_ABORTED}).
     */
    public record LanOrHolepunch(InetSocketAddress lanProbe, NoisePayload.Relay serverRelay,
            InetSocketAddress serverAddress, long holepunchId) implements Plan {
    }

    /** No way to connect. */
    public record Fail(ConnectError error) implements Plan {
    }

    /** The result of one PEER_HANDSHAKE response. */
    public sealed interface Outcome {
    }

    /** Not a valid answer from that relay (wrong source, mode, bad Noise): wait for another relay's. */
    public record Ignored(ConnectError error, String reason) implements Outcome {
    }

    /** The server answered but refuses: the connect fails. */
    public record Failed(ConnectError error, String reason) implements Outcome {
    }

    /**
     * The handshake is done.
     *
     * @param serverAddress the server as the relay saw it ({@code peerAddress}), or the node contacted
     * @param clientAddress our address as the relay saw us (the response's {@code to})
     * @param relayAddress  the node the handshake went through
     * @param securePayload holepunch crypto under this handshake's secret
     */
    public record Connected(HyperdhtHandshakeResult result, NoisePayload payload, InetSocketAddress serverAddress,
            InetSocketAddress clientAddress, InetSocketAddress relayAddress, boolean relayed, Plan plan,
            SecurePayload securePayload) implements Outcome {
        public long remoteStreamId() {
            return payload.udx().id();
        }
    }

    private final HyperdhtHandshake handshake;
    private final byte[] target;
    private final SecureRandom random;
    private Context context;
    private byte[] message1;
    private boolean done;

    public ClientHandshake(Ed25519KeyPair keyPair, byte[] serverPublicKey, SecureRandom random) {
        this(HyperdhtHandshake.initiator(keyPair, serverPublicKey, random), serverPublicKey, random);
    }

    /** With a prepared handshake, so tests can fix the ephemeral key. */
    public ClientHandshake(HyperdhtHandshake handshake, byte[] serverPublicKey, SecureRandom random) {
        if (!handshake.isInitiator()) {
            throw new IllegalArgumentException("the client is the Noise initiator");
        }
        this.handshake = handshake;
        this.target = Blake2b.hash256(serverPublicKey);
        this.random = random;
    }

    /** {@code BLAKE2b-256(serverPublicKey)}: the FIND_PEER and PEER_HANDSHAKE target. */
    public byte[] target() {
        return target.clone();
    }

    /** The PEER_HANDSHAKE value {@code {FROM_CLIENT, msg1}}; message 1 is written on the first call and reused. */
    public byte[] request(Context ctx) throws CryptoException {
        if (message1 == null) {
            context = ctx;
            List<InetSocketAddress> addresses = new ArrayList<>();
            if (ctx.publicAddress() != null) {
                addresses.add(ctx.publicAddress());
            }
            addresses.addAll(ctx.localAddresses());
            NoisePayload p = new NoisePayload(1, NoisePayload.ERROR_NONE,
                    ctx.publicAddress() != null ? NoisePayload.FIREWALL_OPEN : NoisePayload.FIREWALL_UNKNOWN, null,
                    addresses, List.of(), new NoisePayload.Udx(1, ctx.reusableSocket(), ctx.localStreamId(), 0),
                    new NoisePayload.SecretStream(1), null, null, ctx.features());
            message1 = handshake.send(p);
        }
        return new HandshakeMessage(RelayMode.FROM_CLIENT, message1, null, null).encode();
    }

    /** The PEER_HANDSHAKE request to {@code relay}. */
    public DhtMessage.Request requestTo(InetSocketAddress relay, int tid, Context ctx) throws CryptoException {
        return new DhtMessage.Request(tid, relay, null, null, false, DhtCommands.PEER_HANDSHAKE, target(), request(ctx));
    }

    /**
     * A response to our PEER_HANDSHAKE sent to {@code contacted}.
     *
     * @param from the response's UDP source (must be {@code contacted})
     * @param now  clock in milliseconds, for deadlines
     */
    public Outcome onResponse(DhtMessage.Response res, InetSocketAddress from, InetSocketAddress contacted, long now) {
        if (message1 == null) {
            throw new IllegalStateException("onResponse before request");
        }
        if (done) {
            return new Ignored(ConnectError.BAD_HANDSHAKE_REPLY, "already connected through another relay");
        }
        HandshakeMessage hs;
        try {
            hs = res.value() == null ? null : HandshakeMessage.decode(res.value());
        } catch (CompactDecodeException e) {
            hs = null;
        }
        if (hs == null || hs.mode() != RelayMode.REPLY || !contacted.equals(from) || hs.noise().length == 0) {
            return new Ignored(ConnectError.BAD_HANDSHAKE_REPLY, "not a handshake reply from " + contacted);
        }
        NoisePayload payload;
        try {
            payload = handshake.recv(hs.noise());
        } catch (CryptoException e) {
            return new Ignored(ConnectError.BAD_HANDSHAKE_REPLY, "Noise message 2: " + e.getMessage());
        }
        done = true;
        if (payload.version() != 1) {
            return new Failed(ConnectError.SERVER_INCOMPATIBLE, "payload version " + payload.version());
        }
        if (payload.error() != NoisePayload.ERROR_NONE) {
            return new Failed(ConnectError.SERVER_ERROR, "server error " + payload.error());
        }
        if (payload.udx() == null) {
            return new Failed(ConnectError.SERVER_ERROR, "Server did not send UDX data");
        }
        HyperdhtHandshakeResult result = handshake.result();
        boolean relayed = hs.peerAddress() != null;
        InetSocketAddress serverAddress = relayed ? hs.peerAddress() : contacted;
        InetSocketAddress clientAddress = res.to();
        Plan plan = plan(payload, relayed, serverAddress, clientAddress, contacted, now);
        return new Connected(result, payload, serverAddress, clientAddress, contacted, relayed, plan,
                new SecurePayload(result.holepunchSecret(), random));
    }

    private Plan plan(NoisePayload payload, boolean relayed, InetSocketAddress serverAddress,
            InetSocketAddress clientAddress, InetSocketAddress relayAddress, long now) {
        if (!relayed) {
            return new ConnectDirect(relayAddress, true);
        }
        boolean holepunchable = payload.holepunch() != null && !payload.holepunch().relays().isEmpty();
        if (payload.firewall() == NoisePayload.FIREWALL_OPEN || !holepunchable) {
            // Node skips loopback and private addresses here, so on a LAN it uses the address the relay saw
            InetSocketAddress addr = serverAddress;
            for (InetSocketAddress a : payload.addresses4()) {
                if (!Ipv4.isBogon(a.getAddress())) {
                    addr = a;
                    break;
                }
            }
            return new ConnectDirect(addr, false);
        }
        if (context.publicAddress() != null) {
            return new AwaitServer(now + PASSIVE_CONNECT_TIMEOUT_MILLIS);
        }
        InetSocketAddress lan = null;
        if (!context.localAddresses().isEmpty() && Ipv4.sameHost(clientAddress, serverAddress)) {
            List<InetSocketAddress> candidates = payload.addresses4().stream()
                    .filter(a -> !Ipv4.isReserved(a.getAddress())).toList();
            if (!candidates.isEmpty()) {
                lan = Ipv4.matchAddress(context.localAddresses(), candidates);
                if (lan == null) {
                    lan = candidates.get(0);
                }
            }
        }
        return new LanOrHolepunch(lan, pickServerRelay(payload.holepunch().relays(), relayAddress), serverAddress,
                payload.holepunch().id());
    }

    /** The server-listed relay that is the one we used, else the first. */
    static NoisePayload.Relay pickServerRelay(List<NoisePayload.Relay> relays, InetSocketAddress used) {
        for (NoisePayload.Relay r : relays) {
            if (r.relayAddress().equals(used)) {
                return r;
            }
        }
        return relays.get(0);
    }
}
