package io.tunctl.transport.p2p.dht.hyperdht;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The punching state of one side (hyperdht {@code lib/holepuncher.js}, hyperdht-wire.md §6.6), without sockets: what
 * the remote said about its NAT, our {@link NatAnalyzer}, and which punch strategy the firewall pair calls for.
 *
 * <p>A punch is a 1-byte {@code 0x00} datagram ({@link #PROBE}). Strategies ({@link #punch()}), with OPEN counted as
 * CONSISTENT:
 * <ul>
 *   <li>CONSISTENT/CONSISTENT: {@link ConsistentProbe}: up to 10 rounds 1 s apart, each to the remote addresses of
 *       {@link #consistentTargets(int)}; the responder waits 1 s first (the initiator's "fast open" ping may
 *       already have opened the path);</li>
 *   <li>CONSISTENT local, RANDOM remote: {@link RandomProbes}: 1750 probes 20 ms apart to the remote's verified
 *       host on random ports 1000..65535 ({@link #randomPort});</li>
 *   <li>RANDOM local, CONSISTENT remote: {@link BirthdaySockets}: open up to 256 extra sockets, each sending a
 *       TTL-5 probe to the remote's verified address, then probe from them round-robin every 20 ms (1750 times; the
 *       first pass with TTL 5) - the "birthday paradox" approach;</li>
 *   <li>RANDOM/RANDOM, or a RANDOM side without a verified remote address: no punch.</li>
 * </ul>
 * A probe arriving on a puncher socket ({@link #onProbe}): the responder echoes it, the initiator is connected.
 */
public final class Holepuncher {
    /** The probe datagram. */
    public static final byte[] PROBE = {0};
    /** TTL of "open session" probes: opens our NAT's mapping without reaching (and angering) the peer's NAT. */
    public static final int LOW_TTL = 5;
    public static final int DEFAULT_TTL = 64;
    public static final int BIRTHDAY_SOCKETS = 256;
    public static final int CONSISTENT_TRIES = 10;
    public static final long CONSISTENT_INTERVAL_MILLIS = 1000;
    public static final int RANDOM_TRIES = 1750;
    public static final long RANDOM_INTERVAL_MILLIS = 20;

    /** A remote address; {@code verified} when the peer proved it (echoed our token through its own relay). */
    public record RemoteAddress(InetSocketAddress address, boolean verified) {
    }

    public sealed interface PunchPlan {
    }

    /** @param initialDelayMillis 1000 for the responder, 0 for the initiator */
    public record ConsistentProbe(long initialDelayMillis, int tries, long intervalMillis) implements PunchPlan {
    }

    public record RandomProbes(InetAddress host, int tries, long intervalMillis) implements PunchPlan {
    }

    /** Open {@code sockets} extra sockets probing {@code target} with TTL 5, then keep probing every 20 ms. */
    public record BirthdaySockets(InetSocketAddress target, int sockets, int tries, long intervalMillis)
            implements PunchPlan {
    }

    /** What to do with a probe datagram that arrived on a puncher socket. */
    public enum ProbeAction { ECHO, CONNECTED, IGNORE }

    private final boolean initiator;
    private NatAnalyzer nat;
    private FirewallType remoteFirewall;
    private List<RemoteAddress> remoteAddresses = List.of();
    private boolean remoteHolepunching;
    private boolean punching;
    private boolean connected;
    private boolean destroyed;

    public Holepuncher(boolean initiator, FirewallType remoteFirewall, NatAnalyzer nat) {
        this.initiator = initiator;
        this.remoteFirewall = remoteFirewall;
        this.nat = nat;
    }

    public boolean isInitiator() {
        return initiator;
    }

    public NatAnalyzer nat() {
        return nat;
    }

    /** The socket was replaced (Node reopens up to 3 times while the NAT view is unstable): start a fresh analysis. */
    public void reset(NatAnalyzer fresh) {
        this.nat = fresh;
    }

    public FirewallType remoteFirewall() {
        return remoteFirewall;
    }

    public List<RemoteAddress> remoteAddresses() {
        return remoteAddresses;
    }

    public boolean remoteHolepunching() {
        return remoteHolepunching;
    }

    public boolean punching() {
        return punching;
    }

    public boolean connected() {
        return connected;
    }

    /**
     * What the remote's latest payload said. An address is verified if its host is {@code verifiedHost}, or was
     * verified before.
     */
    public void updateRemote(boolean punching, FirewallType firewall, List<InetSocketAddress> addresses,
            InetAddress verifiedHost) {
        List<RemoteAddress> next = new ArrayList<>();
        if (addresses != null) {
            for (InetSocketAddress a : addresses) {
                boolean verified = a.getAddress().equals(verifiedHost) || wasVerified(a.getAddress());
                next.add(new RemoteAddress(a, verified));
            }
        }
        this.remoteFirewall = firewall;
        this.remoteAddresses = List.copyOf(next);
        this.remoteHolepunching = punching;
    }

    private boolean wasVerified(InetAddress host) {
        for (RemoteAddress r : remoteAddresses) {
            if (r.verified() && r.address().getAddress().equals(host)) {
                return true;
            }
        }
        return false;
    }

    /** Our view is useless for punching: UNKNOWN, or both sides RANDOM. */
    public boolean unstable() {
        FirewallType local = nat.firewall();
        return (remoteFirewall.atLeastRandom() && local.atLeastRandom()) || local == FirewallType.UNKNOWN;
    }

    /** Decides the strategy and marks us punching; null when these firewalls cannot be punched. */
    public PunchPlan punch() {
        if (destroyed || connected || remoteAddresses.isEmpty()) {
            return null;
        }
        FirewallType local = nat.firewall().coerced();
        FirewallType remote = remoteFirewall.coerced();
        RemoteAddress verified = remoteAddresses.stream().filter(RemoteAddress::verified).findFirst().orElse(null);
        PunchPlan plan = null;
        if (local == FirewallType.CONSISTENT && remote == FirewallType.CONSISTENT) {
            plan = new ConsistentProbe(initiator ? 0 : CONSISTENT_INTERVAL_MILLIS, CONSISTENT_TRIES,
                    CONSISTENT_INTERVAL_MILLIS);
        } else if (verified != null && local == FirewallType.CONSISTENT && remote == FirewallType.RANDOM) {
            plan = new RandomProbes(verified.address().getAddress(), RANDOM_TRIES, RANDOM_INTERVAL_MILLIS);
        } else if (verified != null && local == FirewallType.RANDOM && remote == FirewallType.CONSISTENT) {
            plan = new BirthdaySockets(verified.address(), BIRTHDAY_SOCKETS, RANDOM_TRIES, RANDOM_INTERVAL_MILLIS);
        }
        // Node sets punching before it knows whether a strategy exists; the caller aborts on null either way
        punching = true;
        return plan;
    }

    /** Addresses to probe in consistent round {@code tryNumber} (1-based): unverified ones only every 4th round. */
    public List<InetSocketAddress> consistentTargets(int tryNumber) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (RemoteAddress r : remoteAddresses) {
            if (r.verified() || (tryNumber & 3) == 0) {
                out.add(r.address());
            }
        }
        return out;
    }

    /** A random port for {@link RandomProbes}: 1000..65535. */
    public static int randomPort(RandomGenerator random) {
        return 1000 + random.nextInt(64536);
    }

    /** A probe arrived on a puncher socket from {@code from}. */
    public ProbeAction onProbe(InetSocketAddress from) {
        if (destroyed) {
            return ProbeAction.IGNORE;
        }
        if (!initiator) {
            return ProbeAction.ECHO;
        }
        if (connected) {
            return ProbeAction.IGNORE;
        }
        connected = true;
        punching = false;
        return ProbeAction.CONNECTED;
    }

    /** Punching stopped (ran out of tries, aborted, or connected elsewhere). */
    public void destroy() {
        destroyed = true;
        punching = false;
    }

    public boolean destroyed() {
        return destroyed;
    }
}
