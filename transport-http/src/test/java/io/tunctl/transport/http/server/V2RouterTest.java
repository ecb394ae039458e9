package io.tunctl.transport.http.server;

import io.tunctl.core.config.ConfigDocument;
import io.tunctl.core.config.ConfigProblems;
import io.tunctl.transport.http.config.ConfigCompiler;
import io.tunctl.transport.http.config.Endpoints;
import io.tunctl.transport.http.config.TapotunFile;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** v2 forwarding (spec §3.3) on the spec's hub example, and the ping penalty (§1.7). */
class V2RouterTest {
    final Set<String> offline = new HashSet<>();

    V2Router<String> router() throws Exception {
        Path f = Path.of(getClass().getResource("/tapotun/v2-server.json").toURI());
        ConfigDocument doc = ConfigDocument.read(f);
        var eps = ConfigCompiler.compile(TapotunFile.recognise(doc).orElseThrow(), new ConfigProblems(doc));
        Endpoints.Server s = (Endpoints.Server) eps.getFirst();
        return new V2Router<>(s.v2(), List.of("a", "b"), c -> !offline.contains(c));
    }

    static ForwardingTable.Decision<String> to(String c) { return new ForwardingTable.ToClient<>(c); }

    static int ip(String s) { return ForwardingTable.toInt(io.tunctl.core.packet.Cidr.parseAddress(s), 0); }

    @Test
    void hubAndSpokes() throws Exception {
        V2Router<String> r = router();
        assertEquals(to("b"), r.route4(ip("10.50.0.2"), ip("10.70.0.9"), "a"), "a reaches b's LAN (acl node/a -> lan)");
        assertEquals(to("b"), r.route4(ip("10.50.0.2"), ip("10.50.0.3"), "a"));
        assertInstanceOf(ForwardingTable.ToTun.class, r.route4(ip("10.50.0.2"), ip("10.50.0.1"), "a"));
        assertInstanceOf(ForwardingTable.ToTun.class, r.route4(ip("10.50.0.2"), ip("198.51.100.1"), "a"),
                "everything else exits via __self__");
        assertEquals(to("a"), r.route4(ip("10.50.0.1"), ip("10.50.0.2"), null), "from the TUN to a spoke");
        assertEquals(to("a"), r.route4(ip("10.50.0.3"), ip("10.50.0.2"), "b"), "return path exists (non-explicit peer)");
        assertEquals(to("b"), r.route4(ip("10.50.0.1"), ip("10.70.0.9"), null),
                "forwarding uses every peer, explicit or not: b is __self__'s (return-path) peer");
        assertInstanceOf(ForwardingTable.Drop.class, r.route4(ip("10.50.0.1"), ip("198.51.100.1"), null),
                "acl is also a whitelist: __self__ has no exit node");
    }

    @Test
    void offlineReceiverIsStillUsedWhenItIsTheOnlyMatch() throws Exception {
        V2Router<String> r = router();
        offline.add("b");
        assertEquals(to("b"), r.route4(ip("10.50.0.2"), ip("10.70.0.9"), "a"), "the last match when none is online");
    }

    @Test
    void unansweredPingsPenaliseAfterTheBestSixAreSlow() {
        Peer p = new Peer(new Endpoints.Peer(new byte[20], new byte[] {10, 0, 0, 2}, List.of(), List.of(), null));
        long t = 1_000_000;
        int pings = 0;
        while (p.online(t)) {
            while (!p.pingDue(t)) t += 1000;
            pings++;
            assertTrue(pings < 20);
        }
        assertEquals(7, pings, "6 unanswered samples (999 ms) make the best-6 mean >= 500 ms at the 7th ping");
        assertFalse(p.online(t + 1000), "the penalty lasts 10 minutes");
        assertTrue(p.online(t + Peer.PENALTY_MILLIS));
        Peer q = new Peer(new Endpoints.Peer(new byte[20], new byte[] {10, 0, 0, 3}, List.of(), List.of(), null));
        for (int i = 0; i < 20; i++) {
            while (!q.pingDue(t)) t += 1000;
            q.pong(t, t + 20);
        }
        assertTrue(q.online(t));
        assertEquals(20, q.lastRttMillis());
    }
}
