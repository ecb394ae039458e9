package io.tunctl.transport.p2p.dht.hyperdht;

import io.tunctl.transport.p2p.crypto.CryptoException;
import io.tunctl.transport.p2p.dht.messages.HolepunchMessage;
import io.tunctl.transport.p2p.dht.messages.HolepunchPayload;
import io.tunctl.transport.p2p.noise.NoisePayload;
import java.net.InetSocketAddress;
import java.security.MessageDigest;

/**
 * The server's answer to a client's PEER_HOLEPUNCH round (hyperdht {@code Server._onpeerholepunch},
 * hyperdht-wire.md §6.6), in two steps so the glue can wait for the NAT analysis in between:
 * <ol>
 *   <li>{@link #receive}: decrypt, count the NAT sample, adopt the client's view (its firewall, addresses, whether it
 *       punches; an address is verified when the client echoed our token for it through one of our relays);</li>
 *   <li>once the session's {@link NatAnalyzer#isSettled()}: {@link #respond}, which decides whether to fire the
 *       "fast open" probe, whether to start punching (and how), and encrypts the reply payload.</li>
 * </ol>
 * The reply goes out as {@link Router#serverHolepunchReply} from the puncher socket ({@link Answer#fromPuncher()}), or
 * from the DHT socket for an abort.
 */
public final class ServerHolepunch {
    private ServerHolepunch() {
    }

    /** The outcome of a holepunch request. */
    public sealed interface Result {
    }

    /** No reply (unknown session, bad payload). */
    public record NoReply(String reason) implements Result {
    }

    /**
     * Send {@code payload} (encrypted) back through the relay; from the puncher socket when {@code fromPuncher}.
     * {@code fastOpen}: first fire a probe from the puncher socket at this address. {@code plan}: start punching
     * ({@link Holepuncher.PunchPlan}), or null. {@code aborted}: the session's punching is over (destroy the puncher).
     */
    public record Answer(byte[] payload, boolean fromPuncher, InetSocketAddress fastOpen, Holepuncher.PunchPlan plan,
            boolean aborted) implements Result {
    }

    /** Step 1 went through: call {@link #respond} when the NAT analysis is settled. */
    public record Received(ServerHandshakes.Session session, HolepunchPayload remote, InetSocketAddress peerAddress,
            boolean fromServerRelay, byte[] token) implements Result {
    }

    /**
     * Step 1 for a PEER_HOLEPUNCH FROM_RELAY that the router handed to us.
     *
     * @param from            the relay that sent it
     * @param to              the request's {@code to} field (our address as the relay addressed us)
     * @param onPuncherSocket whether it arrived on the session's puncher socket (then it is a NAT sample)
     * @param fromServerRelay whether {@code from} is one of our announce relays ({@link Announcer#isRelay})
     */
    public static Result receive(ServerHandshakes sessions, HolepunchMessage msg, InetSocketAddress from,
            InetSocketAddress to, boolean onPuncherSocket, boolean fromServerRelay) {
        ServerHandshakes.Session s = sessions.session(msg.id());
        if (s == null) {
            return new NoReply("no handshake session " + msg.id());
        }
        if (msg.peerAddress() == null) {
            return new NoReply("no peerAddress");
        }
        SecurePayload sp = s.securePayload();
        if (sp == null) {
            return new NoReply("session " + msg.id() + " is not holepunching");
        }
        HolepunchPayload remote;
        try {
            remote = sp.decrypt(msg.payload());
        } catch (CryptoException e) {
            return new NoReply("holepunch payload: " + e.getMessage());
        }
        Holepuncher p = s.puncher();
        if (p == null || p.destroyed()) {
            return abort(s, NoisePayload.ERROR_ABORTED);
        }
        if (remote.error() != NoisePayload.ERROR_NONE) {
            if (remote.round() >= s.round) {
                s.round = remote.round();
            }
            return abort(s, NoisePayload.ERROR_ABORTED);
        }
        byte[] token = sp.token(msg.peerAddress());
        boolean echoed = fromServerRelay && remote.remoteToken() != null
                && MessageDigest.isEqual(token, remote.remoteToken());
        if (onPuncherSocket) {
            p.nat().add(to, from);
        }
        if (remote.round() >= s.round) {
            s.round = remote.round();
            p.updateRemote(remote.punching(), FirewallType.fromWire(remote.firewall()), remote.addresses(),
                    echoed ? msg.peerAddress().getAddress() : null);
        }
        return new Received(s, remote, msg.peerAddress(), fromServerRelay, token);
    }

    /**
     * Step 2. {@code punchAllowed} is the user's veto hook result (Node's {@code holepunch()} option).
     * Node may reopen the puncher socket up to 3 times while its NAT view is unstable; the glue may do the same
     * (with {@link Holepuncher#reset}) before calling this.
     */
    public static Answer respond(Received r, RandomPunchGate gate, boolean punchAllowed, long now) {
        ServerHandshakes.Session s = r.session();
        Holepuncher p = s.puncher();
        if (!p.remoteHolepunching() && p.unstable()) {
            return abort(s, NoisePayload.ERROR_ABORTED);
        }
        NatAnalyzer nat = p.nat();
        InetSocketAddress fastOpen = null;
        InetSocketAddress remoteAddress = r.remote().remoteAddress();
        if (nat.firewall().isConsistent() && remoteAddress != null && nat.addresses() != null
                && nat.addresses().contains(remoteAddress)) {
            fastOpen = r.peerAddress(); // the client opened a session to our NAT address: answer it at once
        }
        Holepuncher.PunchPlan plan = null;
        if (p.remoteHolepunching()) {
            if (!punchAllowed) {
                return abort(s, NoisePayload.ERROR_ABORTED);
            }
            boolean random = p.remoteFirewall().atLeastRandom() || nat.firewall().atLeastRandom();
            if (random && !gate.open(now)) {
                return abort(s, NoisePayload.ERROR_TRY_LATER); // no blind relay here to wait on
            }
            plan = p.punch();
            if (plan == null) {
                return abort(s, NoisePayload.ERROR_ABORTED);
            }
            if (random) {
                gate.begin();
            }
        }
        if (nat.firewall() != FirewallType.UNKNOWN) {
            nat.freeze(); // what we tell the client must stay true while it punches
        }
        byte[] payload = s.securePayload().encrypt(new HolepunchPayload(p.connected(), p.punching(),
                NoisePayload.ERROR_NONE, nat.firewall().wireValue(), s.round, nat.addresses(), null,
                r.fromServerRelay() ? r.token() : null, r.remote().token()));
        return new Answer(payload, true, fastOpen, plan, false);
    }

    /** Node's {@code _abort}: an encrypted error reply from the DHT socket; the puncher is destroyed. */
    static Answer abort(ServerHandshakes.Session s, int error) {
        if (s.puncher() != null) {
            s.puncher().destroy();
        }
        byte[] payload = s.securePayload().encrypt(new HolepunchPayload(false, false, error,
                FirewallType.UNKNOWN.wireValue(), s.round, null, null, null, null));
        return new Answer(payload, false, null, null, true);
    }
}
