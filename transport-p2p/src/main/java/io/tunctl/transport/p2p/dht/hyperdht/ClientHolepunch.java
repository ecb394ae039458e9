package io.tunctl.transport.p2p.dht.hyperdht;

import io.tunctl.transport.p2p.codec.CompactDecodeException;
import io.tunctl.transport.p2p.crypto.CryptoException;
import io.tunctl.transport.p2p.dht.messages.DhtCommands;
import io.tunctl.transport.p2p.dht.messages.DhtMessage;
import io.tunctl.transport.p2p.dht.messages.HolepunchMessage;
import io.tunctl.transport.p2p.dht.messages.HolepunchPayload;
import io.tunctl.transport.p2p.dht.messages.RelayMode;
import io.tunctl.transport.p2p.noise.NoisePayload;
import java.net.InetSocketAddress;
import java.security.MessageDigest;

/**
 * The client's holepunch rounds (hyperdht {@code connect.js probeRound/roundPunch}, hyperdht-wire.md §6.6) as a state
 * machine. All requests go from the puncher socket as PEER_HOLEPUNCH with target = the server's target.
 * <ol>
 *   <li>Send a TTL-5 {@link Holepuncher#PROBE} to {@link #serverAddress()} (opens our NAT), then
 *       {@link #probeRequest()}; feed the response to {@link #onReply}; sleep {@link Step#sleepMillis()} and make sure
 *       our NAT analysis is settled, then ask {@link #afterProbe()}: probe again (once), abort with the returned
 *       request, or go on;</li>
 *   <li>{@link #punchRequest}, its response to {@link #onReply}, then {@link #afterPunch}: the punch plan, or a
 *       failure.</li>
 * </ol>
 */
public final class ClientHolepunch {
    /** What to do next. */
    public sealed interface Step {
        default long sleepMillis() {
            return 0;
        }
    }

    /** Send {@link #probeRequest()} again, after {@code sleepMillis}. */
    public record ProbeAgain(long sleepMillis) implements Step {
    }

    /** Go on with {@link #punchRequest}; first send a TTL-5 probe to {@code openSession} if not null. */
    public record PunchNext(InetSocketAddress openSession) implements Step {
    }

    /** Give up: send {@code abortRequest} (best effort, encrypted error) and fail with {@code error}. */
    public record Abort(ConnectError error, DhtMessage.Request abortRequest) implements Step {
    }

    /** Punch with {@code plan} (see {@link Holepuncher}); a probe arriving on the puncher socket connects. */
    public record Punch(Holepuncher.PunchPlan plan, boolean random) implements Step {
    }

    /** Fail without telling the server. */
    public record Fail(ConnectError error) implements Step {
    }

    private final ClientHandshake.Connected handshake;
    private final byte[] target;
    private final Holepuncher puncher;
    private final SecurePayload payload;
    private final NoisePayload.Relay serverRelay;
    private InetSocketAddress serverAddress;
    private long round;
    private int probes;
    private byte[] remoteToken;
    private InetSocketAddress replyPeerAddress;
    private HolepunchPayload lastSent;

    /**
     * @param plan    the handshake's {@link ClientHandshake.LanOrHolepunch} (with a server relay)
     * @param puncher our puncher (initiator) for the puncher socket; its NAT analysis sampled from that socket
     */
    public ClientHolepunch(byte[] target, ClientHandshake.Connected handshake, ClientHandshake.LanOrHolepunch plan,
            Holepuncher puncher) {
        if (plan.serverRelay() == null) {
            throw new IllegalArgumentException("no server relay to holepunch through");
        }
        this.target = target.clone();
        this.handshake = handshake;
        this.puncher = puncher;
        this.payload = handshake.securePayload();
        this.serverRelay = plan.serverRelay();
        this.serverAddress = plan.serverAddress();
    }

    /** Where our punches and TTL-5 "open session" probes go. */
    public InetSocketAddress serverAddress() {
        return serverAddress;
    }

    public Holepuncher puncher() {
        return puncher;
    }

    /** Round 1 (and its retry): our NAT view, to the server's relay, naming the server's address there. */
    public DhtMessage.Request probeRequest(int tid) {
        probes++;
        HolepunchPayload p = new HolepunchPayload(false, false, NoisePayload.ERROR_NONE,
                puncher.nat().firewall().wireValue(), round++, puncher.nat().addresses(), serverAddress, null, null);
        return request(tid, serverRelay.relayAddress(), serverRelay.peerAddress(), p);
    }

    /**
     * A response to a holepunch request sent to {@code sentTo}. Also counts it as a NAT sample of the puncher socket.
     *
     * @return null if accepted (go on with {@link #afterProbe()} or {@link #afterPunch}), else the failure
     */
    public Fail onReply(DhtMessage.Response res, InetSocketAddress from, InetSocketAddress sentTo,
            InetSocketAddress namedPeer) {
        HolepunchMessage hp;
        try {
            hp = res.value() == null ? null : HolepunchMessage.decode(res.value());
        } catch (CompactDecodeException e) {
            hp = null;
        }
        if (hp == null || hp.mode() != RelayMode.REPLY || !sentTo.equals(from)) {
            return new Fail(ConnectError.BAD_HOLEPUNCH_REPLY);
        }
        HolepunchPayload remote;
        try {
            remote = payload.decrypt(hp.payload());
        } catch (CryptoException e) {
            return new Fail(ConnectError.HOLEPUNCH_INVALID);
        }
        if (remote.error() != NoisePayload.ERROR_NONE) {
            return new Fail(ConnectError.REMOTE_ABORTED);
        }
        boolean echoed = remote.remoteToken() != null && lastSent != null && lastSent.token() != null
                && MessageDigest.isEqual(remote.remoteToken(), lastSent.token());
        puncher.updateRemote(remote.punching(), FirewallType.fromWire(remote.firewall()), remote.addresses(),
                echoed ? namedPeer.getAddress() : null);
        puncher.nat().add(res.to(), from);
        remoteToken = remote.token();
        replyPeerAddress = hp.peerAddress() != null ? hp.peerAddress() : sentTo;
        return null;
    }

    /** The relay the probe went to (for {@link #onReply}'s {@code sentTo}) and the peer it named. */
    public NoisePayload.Relay serverRelay() {
        return serverRelay;
    }

    /** After a probe reply, once the NAT analysis is settled. */
    public Step afterProbe(int tid) {
        FirewallType remote = puncher.remoteFirewall();
        if ((remote == FirewallType.UNKNOWN || remoteToken == null) && probes < 2) {
            // the server may still be analysing its NAT: give it a moment, then ask again once
            return new ProbeAgain(remote == FirewallType.UNKNOWN ? 1000 : 0);
        }
        if (remote == FirewallType.UNKNOWN || puncher.nat().firewall() == FirewallType.UNKNOWN) {
            return new Abort(ConnectError.HOLEPUNCH_PROBE_TIMEOUT, abortRequest(tid));
        }
        if (remote.atLeastRandom() && puncher.nat().firewall().atLeastRandom()) {
            return new Abort(ConnectError.HOLEPUNCH_DOUBLE_RANDOMIZED_NATS, abortRequest(tid));
        }
        // the server answered from a different socket than the relay saw first: use that one
        InetSocketAddress open = null;
        if (serverRelay.relayAddress().equals(handshake.relayAddress()) && replyPeerAddress != null
                && !replyPeerAddress.equals(serverAddress)) {
            serverAddress = replyPeerAddress;
            open = serverAddress;
        }
        return new PunchNext(open);
    }

    /**
     * Round 2: we punch; carries our token for the server's address (echoed back, it verifies that address) and the
     * server's token. Sent through the relay our handshake used. Returns null (and the caller fails with
     * {@link ConnectError#HOLEPUNCH_ABORTED}) when a random punch is due but the gate is closed: without a blind
     * relay there is nothing to wait for.
     */
    public DhtMessage.Request punchRequest(int tid, RandomPunchGate gate, long now) {
        puncher.nat().freeze();
        if (random() && !gate.open(now)) {
            return null;
        }
        HolepunchPayload p = new HolepunchPayload(false, true, NoisePayload.ERROR_NONE,
                puncher.nat().firewall().wireValue(), round++, puncher.nat().addresses(), null,
                payload.token(serverAddress), remoteToken);
        return request(tid, handshake.relayAddress(), serverAddress, p);
    }

    /** After the punch reply: the plan (claim the gate for a random one), or why not. */
    public Step afterPunch(RandomPunchGate gate) {
        if (!puncher.remoteHolepunching()) {
            return new Fail(ConnectError.REMOTE_NOT_HOLEPUNCHING);
        }
        Holepuncher.PunchPlan plan = puncher.punch();
        if (plan == null) {
            return new Fail(ConnectError.REMOTE_NOT_HOLEPUNCHABLE);
        }
        boolean random = random();
        if (random) {
            gate.begin();
        }
        return new Punch(plan, random);
    }

    private boolean random() {
        return puncher.remoteFirewall().atLeastRandom() || puncher.nat().firewall().atLeastRandom();
    }

    /** Tells the server we give up (error ABORTED), through the server's relay. */
    public DhtMessage.Request abortRequest(int tid) {
        puncher.destroy();
        HolepunchPayload p = new HolepunchPayload(false, false, NoisePayload.ERROR_ABORTED,
                FirewallType.UNKNOWN.wireValue(), round++, null, null, null, null);
        return request(tid, serverRelay.relayAddress(), serverRelay.peerAddress(), p);
    }

    private DhtMessage.Request request(int tid, InetSocketAddress relay, InetSocketAddress peer, HolepunchPayload p) {
        lastSent = p;
        byte[] value = new HolepunchMessage(RelayMode.FROM_CLIENT, handshake.payload().holepunch().id(),
                payload.encrypt(p), peer).encode();
        return new DhtMessage.Request(tid, relay, null, null, false, DhtCommands.PEER_HOLEPUNCH, target, value);
    }
}
