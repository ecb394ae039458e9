package io.tunctl.transport.p2p.hyperdht;

import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.ScheduledFuture;
import io.tunctl.transport.p2p.dht.hyperdht.FirewallType;
import io.tunctl.transport.p2p.dht.hyperdht.Holepuncher;
import io.tunctl.transport.p2p.dht.hyperdht.NatAnalyzer;
import io.tunctl.transport.p2p.dht.messages.DhtCommands;
import io.tunctl.transport.p2p.udx.UdxSocket;
import io.tunctl.transport.p2p.udx.UdxStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The sockets and timers of one side's hole punch (hyperdht {@code lib/holepuncher.js} and {@code lib/nat.js} with
 * their socket pool); the decisions are {@link Holepuncher}'s and {@link NatAnalyzer}'s. Event loop only.
 *
 * <p>A puncher owns a fresh UDP socket, a sibling of the DHT's sockets (so the connection's UDX stream can move onto
 * it) {@linkplain io.tunctl.transport.p2p.dht.rpc.DhtNode#attach attached} to the DHT node (so holepunch rounds and
 * NAT-sampling pings travel through it). It samples its NAT by pinging a few DHT nodes from that socket, runs the
 * punch strategy the firewall pair calls for, and answers 1-byte probes: the responder echoes them, the initiator is
 * connected by the first one. The socket that connected is kept (the stream now runs on it) and closed with the
 * stream; every other socket closes when the puncher is destroyed.
 */
final class Puncher {
    private static final int MAX_REOPENS = 3;
    /** The pings that follow the birthday burst start after this pause (hyperdht's). */
    private static final long BIRTHDAY_PAUSE_MILLIS = 100;

    private final HyperDht dht;
    private final Holepuncher state;
    private final List<UdxSocket> sockets = new ArrayList<>();
    private final BiConsumer<UdxSocket, InetSocketAddress> onConnect;
    private final Runnable onAbort;
    private UdxSocket socket;
    private CompletableFuture<Void> analyzing;
    private CompletableFuture<Boolean> reopening;
    private ScheduledFuture<?> task;
    private UdxSocket kept;
    private boolean randomized;
    private boolean destroyed;
    private String strategy = "none";

    private Puncher(HyperDht dht, boolean initiator, FirewallType remoteFirewall,
            BiConsumer<UdxSocket, InetSocketAddress> onConnect, Runnable onAbort) {
        this.dht = dht;
        this.onConnect = onConnect;
        this.onAbort = onAbort;
        this.state = new Holepuncher(initiator, remoteFirewall, new NatAnalyzer(dht.node().isFirewalled()));
    }

    /**
     * A puncher with its first socket, sampling its NAT at once. {@code onConnect}: the initiator received a probe
     * (punched through) on that socket from that address; {@code onAbort}: punching ended without a connection.
     */
    static Puncher open(HyperDht dht, boolean initiator, FirewallType remoteFirewall,
            BiConsumer<UdxSocket, InetSocketAddress> onConnect, Runnable onAbort) throws IOException {
        Puncher p = new Puncher(dht, initiator, remoteFirewall, onConnect, onAbort);
        p.socket = p.newSocket();
        p.autoSample();
        return p;
    }

    /** The pure punching state (remote view, our NAT, the strategy choice). */
    Holepuncher state() {
        return state;
    }

    /** The socket the holepunch rounds go through (changes when a NAT view is reopened). */
    UdxSocket socket() {
        return socket;
    }

    boolean owns(UdxSocket s) {
        return sockets.contains(s);
    }

    boolean destroyed() {
        return destroyed;
    }

    /** Which strategy ran: none, consistent, random (probing random ports) or birthday (256 sockets). */
    String strategy() {
        return strategy;
    }

    // ---- NAT analysis

    private void autoSample() {
        analyzing = new CompletableFuture<>();
        sample(state.nat(), socket, new HashSet<>(), true, analyzing);
    }

    /** hyperdht's {@code Nat.autoSample}: PING (no retry) a few recent nodes from {@code s}; once more if short. */
    private void sample(NatAnalyzer nat, UdxSocket s, Set<String> asked, boolean retry, CompletableFuture<Void> done) {
        List<InetSocketAddress> pick = nat.pickSampleNodes(dht.node().recentNodes(Integer.MAX_VALUE), asked);
        int[] pending = {pick.size() + 1};
        Runnable skip = () -> {
            if (--pending[0] == 0 && nat.sampled() < NatAnalyzer.MIN_SAMPLES && !done.isDone()) {
                if (retry && !destroyed) {
                    sample(nat, s, asked, false, done);
                } else {
                    nat.giveUp();
                    done.complete(null);
                }
            }
        };
        for (InetSocketAddress n : pick) {
            dht.node().request(n, null, true, DhtCommands.PING, null, null, 0, s).whenComplete((r, e) -> {
                if (e == null && nat == state.nat()) {
                    nat.add(r.to(), r.from());
                    checkSettled();
                }
                skip.run();
            });
        }
        skip.run();
    }

    /** A NAT sample came in elsewhere (a holepunch reply): wake whoever waits for the analysis if it settled. */
    void checkSettled() {
        if (state.nat().isSettled() && !analyzing.isDone()) {
            analyzing.complete(null);
        }
    }

    /**
     * hyperdht's {@code analyze}: waits for the NAT analysis; true if the view is usable (not UNKNOWN, not both
     * sides RANDOM). With {@code allowReopen} an unusable view is retried on fresh sockets, up to 3 times (mobile
     * NATs sometimes settle on a second socket); then true only if we came out CONSISTENT.
     */
    CompletableFuture<Boolean> analyze(boolean allowReopen) {
        return analyzing.thenCompose(x -> {
            if (!state.unstable()) {
                return CompletableFuture.completedFuture(true);
            }
            if (!allowReopen || destroyed) {
                return CompletableFuture.completedFuture(false);
            }
            if (reopening == null) {
                reopening = reopen(0);
            }
            return reopening;
        });
    }

    private CompletableFuture<Boolean> reopen(int round) {
        if (state.unstable() && round < MAX_REOPENS && !destroyed && !state.connected() && !state.punching()) {
            UdxSocket old = socket;
            try {
                socket = newSocket();
            } catch (IOException e) {
                HyperDht.LOG.log(System.Logger.Level.DEBUG, () -> "holepunch socket reopen failed: " + e);
                return CompletableFuture.completedFuture(false);
            }
            closeLater(old);
            state.reset(new NatAnalyzer(dht.node().isFirewalled()));
            autoSample();
            return analyzing.thenCompose(x -> reopen(round + 1));
        }
        return CompletableFuture.completedFuture(state.nat().firewall().coerced() == FirewallType.CONSISTENT);
    }

    // ---- probes

    /** A probe with TTL 5 from the puncher socket: opens our NAT's mapping towards {@code to}. */
    void openSession(InetSocketAddress to) {
        probe(socket, to, Holepuncher.LOW_TTL);
    }

    /** A probe with the normal TTL from the puncher socket (the server's "fast open"). */
    void ping(InetSocketAddress to) {
        probe(socket, to, Holepuncher.DEFAULT_TTL);
    }

    private void probe(UdxSocket s, InetSocketAddress to, int ttl) {
        if (to.getPort() == 0 || to.isUnresolved()) {
            return;
        }
        s.sendWithTtl(Unpooled.wrappedBuffer(Holepuncher.PROBE), to, ttl);
    }

    private void onMessage(UdxSocket s, io.netty.buffer.ByteBuf buf, InetSocketAddress from) {
        if (buf.readableBytes() > 1 || !sockets.contains(s)) {
            return; // a UDX packet for a stream that is gone, or a socket being closed
        }
        switch (state.onProbe(from)) {
            case ECHO -> probe(s, from, Holepuncher.DEFAULT_TTL);
            case CONNECTED -> {
                cancelTask();
                kept = s;
                for (UdxSocket o : List.copyOf(sockets)) {
                    if (o != s) {
                        close(o);
                    }
                }
                endRandom();
                HyperDht.LOG.log(System.Logger.Level.DEBUG, () -> "punched through to " + from + " on "
                        + s.localAddress() + " (" + strategy + ")");
                onConnect.accept(s, from);
            }
            case IGNORE -> { }
        }
    }

    // ---- strategies

    /**
     * Starts {@code plan} in the background (hyperdht's {@code punch}); when its tries run out without a probe
     * from the peer, the puncher destroys itself and {@code onAbort} runs.
     */
    void start(Holepuncher.PunchPlan plan) {
        if (destroyed) {
            return;
        }
        switch (plan) {
            case Holepuncher.ConsistentProbe c -> {
                strategy = "consistent";
                task = schedule(() -> consistentRound(c, 1), c.initialDelayMillis());
            }
            case Holepuncher.RandomProbes r -> {
                strategy = "random";
                randomized = true;
                randomRound(r, r.tries());
            }
            case Holepuncher.BirthdaySockets b -> {
                strategy = "birthday";
                randomized = true;
                openBirthdaySockets(b);
            }
        }
    }

    private void consistentRound(Holepuncher.ConsistentProbe c, int tryNumber) {
        if (!state.punching() || destroyed) {
            return;
        }
        for (InetSocketAddress a : state.consistentTargets(tryNumber)) {
            probe(socket, a, Holepuncher.DEFAULT_TTL);
        }
        task = schedule(tryNumber < c.tries() ? () -> consistentRound(c, tryNumber + 1) : this::autoDestroy,
                c.intervalMillis());
    }

    private void randomRound(Holepuncher.RandomProbes r, int left) {
        if (!state.punching() || destroyed) {
            return;
        }
        if (left <= 0) {
            autoDestroy();
            return;
        }
        probe(socket, new InetSocketAddress(r.host(), Holepuncher.randomPort(ThreadLocalRandom.current())),
                Holepuncher.DEFAULT_TTL);
        task = schedule(() -> randomRound(r, left - 1), r.intervalMillis());
    }

    /** 256 sockets each open a mapping towards the peer (TTL 5), then all keep probing it in turn. */
    private void openBirthdaySockets(Holepuncher.BirthdaySockets b) {
        while (state.punching() && !destroyed && sockets.size() < b.sockets()) {
            UdxSocket s;
            try {
                s = newSocket();
            } catch (IOException e) {
                HyperDht.LOG.log(System.Logger.Level.DEBUG, () -> "birthday socket " + sockets.size() + ": " + e);
                break; // out of descriptors: punch with what we have
            }
            probe(s, b.target(), Holepuncher.LOW_TTL);
        }
        int[] at = {0};
        int[] lowTtlRounds = {1};
        task = schedule(() -> keepAliveRandom(b, b.tries(), at, lowTtlRounds), BIRTHDAY_PAUSE_MILLIS);
    }

    private void keepAliveRandom(Holepuncher.BirthdaySockets b, int left, int[] at, int[] lowTtlRounds) {
        if (!state.punching() || destroyed) {
            return;
        }
        if (left <= 0 || sockets.isEmpty()) {
            autoDestroy();
            return;
        }
        if (at[0] >= sockets.size()) {
            at[0] = 0;
            if (lowTtlRounds[0] > 0) {
                lowTtlRounds[0]--;
            }
        }
        probe(sockets.get(at[0]++), b.target(), lowTtlRounds[0] > 0 ? Holepuncher.LOW_TTL : Holepuncher.DEFAULT_TTL);
        task = schedule(() -> keepAliveRandom(b, left - 1, at, lowTtlRounds), b.intervalMillis());
    }

    private void autoDestroy() {
        if (!state.connected()) {
            destroy();
        }
    }

    // ---- lifetime

    /**
     * The stream now runs on {@code s}: keep that socket open until the stream closes, whatever happens to the
     * puncher.
     */
    void adopt(UdxSocket s, UdxStream stream) {
        if (!sockets.contains(s)) {
            return;
        }
        kept = s;
        stream.closeFuture().whenComplete((x, e) -> dht.onLoop(() -> closeLater(s)));
    }

    /**
     * Stops punching and closes every socket but an {@linkplain #adopt adopted} one. {@code onAbort} runs if it
     * never connected. Idempotent.
     */
    void destroy() {
        if (destroyed) {
            return;
        }
        destroyed = true;
        state.destroy();
        cancelTask();
        if (!analyzing.isDone()) {
            analyzing.complete(null);
        }
        for (UdxSocket s : List.copyOf(sockets)) {
            if (s != kept) {
                close(s);
            }
        }
        boolean connected = state.connected();
        endRandom();
        if (!connected) {
            onAbort.run();
        }
    }

    private void endRandom() {
        if (randomized) {
            randomized = false;
            dht.randomPunches().end(HyperDht.now());
        }
    }

    private UdxSocket newSocket() throws IOException {
        UdxSocket s = dht.newSiblingSocket();
        dht.node().attach(s, this::onMessage);
        sockets.add(s);
        return s;
    }

    private void close(UdxSocket s) {
        sockets.remove(s);
        closeLater(s);
    }

    /** Closed from a later task: the caller may be inside that socket's own read callback. */
    private void closeLater(UdxSocket s) {
        sockets.remove(s);
        dht.node().detach(s);
        dht.later(() -> dht.closeSiblingSocket(s));
    }

    private void cancelTask() {
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    private ScheduledFuture<?> schedule(Runnable r, long delayMillis) {
        return dht.loop().schedule(r, Math.max(0, delayMillis), TimeUnit.MILLISECONDS);
    }
}
