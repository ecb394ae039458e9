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

    static Endpoints.V2Route row(String prefix, int node) { return new Endpoints.V2Route(io.tunctl.core.packet.Cidr.parse(prefix), node); }

    @Test
    void sourcesAreTheNodesAddressesAndRoutesAndExitNodesSendAnything() throws Exception {
        V2Router<String> r = router();
        var drops = r.drops();
        assertTrue(r.sources().allowedSourceIpv4("a", ip("10.50.0.2")));
        assertFalse(r.sources().allowedSourceIpv4("a", ip("10.50.0.3")));
        assertFalse(r.sources().allowedSourceIpv4("a", ip("10.70.0.9")), "b's LAN is not a's");
        assertTrue(r.sources().allowedSourceIpv4("b", ip("10.70.0.9")), "b's address routes");
        assertTrue(r.sources().allowedSourceIpv4("b", ip("10.50.0.3")));
        assertFalse(r.sources().allowedSourceIpv4("b", ip("198.51.100.1")), "the spec example's only exit is __self__");
        assertFalse(r.sources().admitIpv6("a", 0x20010db800000000L, 2), "v2 has no IPv6 addresses");
        assertEquals(1, drops.spoofedSource());
    }

    /**
     * A hand-built graph: x's router lists one prefix with rows [n1, n2, n1] (n1 announced it twice through two
     * addresses, n2 in between); n2 is x's exit node.
     */
    @Test
    void lastMatchCountsEveryRowAndExitNodesMaySendFromAnywhere() {
        int x = ip("10.50.0.9");
        var graph = new Endpoints.V2Graph(List.of(
                new Endpoints.V2Address(0, ip("10.50.0.1"), List.of(), List.of(), List.of()),
                new Endpoints.V2Address(1, ip("10.50.0.2"), List.of(io.tunctl.core.packet.Cidr.parse("10.80.0.0/24")), List.of(), List.of()),
                new Endpoints.V2Address(1, ip("10.50.0.12"), List.of(io.tunctl.core.packet.Cidr.parse("10.80.0.0/24")), List.of(), List.of()),
                new Endpoints.V2Address(2, ip("10.50.0.3"), List.of(), List.of(), List.of()),
                new Endpoints.V2Address(3, x, List.of(),
                        List.of(row("10.80.0.0/24", 1), row("10.80.0.0/24", 2), row("10.80.0.0/24", 1), row("10.0.0.0/8", 2)),
                        List.of(2))));
        V2Router<String> r = new V2Router<>(graph, List.of("n1", "n2", "x"), c -> !offline.contains(c));
        int dst = ip("10.80.0.5");
        assertEquals(to("n1"), r.route4(x, dst, "x"));
        offline.add("n1");
        assertEquals(to("n2"), r.route4(x, dst, "x"));
        offline.add("n2");
        assertEquals(to("n2"), r.route4(x, dst, "x"), "none online: the last match, n2's 10.0.0.0/8");
        assertEquals(to("n2"), r.route4(x, ip("198.51.100.1"), "x"), "no match: the exit node, offline but the last one");
        assertTrue(r.sources().allowedSourceIpv4("n1", ip("10.50.0.12")), "every address of n1");
        assertTrue(r.sources().allowedSourceIpv4("n1", ip("10.80.0.77")));
        assertFalse(r.sources().allowedSourceIpv4("n1", ip("203.0.113.1")));
        assertTrue(r.sources().allowedSourceIpv4("n2", ip("203.0.113.1")), "n2 is an exit node");
        assertTrue(r.sources().allowedSourceIpv6("n2", -1, -1));
        assertFalse(r.sources().allowedSourceIpv4("x", ip("10.50.0.2")));
    }

    @Test
    void lastOfEqualRowsWhenAllAreOffline() {
        int x = ip("10.50.0.9");
        var graph = new Endpoints.V2Graph(List.of(
                new Endpoints.V2Address(0, ip("10.50.0.1"), List.of(), List.of(), List.of()),
                new Endpoints.V2Address(1, ip("10.50.0.2"), List.of(), List.of(), List.of()),
                new Endpoints.V2Address(2, ip("10.50.0.3"), List.of(), List.of(), List.of()),
                new Endpoints.V2Address(3, x, List.of(),
                        List.of(row("10.80.0.0/24", 1), row("10.80.0.0/24", 2), row("10.80.0.0/24", 1)), List.of())));
        V2Router<String> r = new V2Router<>(graph, List.of("n1", "n2", "x"), c -> !offline.contains(c));
        offline.addAll(List.of("n1", "n2"));
        assertEquals(to("n1"), r.route4(x, ip("10.80.0.5"), "x"), "tapotun's last row is n1's second one");
        assertInstanceOf(ForwardingTable.Drop.class, r.route4(x, ip("10.81.0.5"), "x"), "no match and no exit node");
        assertEquals(1, r.drops().noRoute());
    }
}
