package io.tunctl.transport.p2p.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tunctl.transport.p2p.nat.NatLab.Host;
import io.tunctl.transport.p2p.nat.NatLab.Nat;
import io.tunctl.transport.p2p.nat.NatLab.Router;
import java.io.IOException;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Node hyperdht server ↔ Node hyperdht client across the {@link NatLab}: each peer behind its own MASQUERADE router,
 * the DHT (a hyperdht testnet of 6 nodes) on the public side. Every case uses fresh routers, so no conntrack state
 * carries over. Each connection that comes up echoes 1 MiB with matching SHA-256; the results table is printed and
 * written to {@code target/natlab/results.md}.
 *
 * <p>What hyperdht 6.34.0 does, from its code, and what the cases assert:
 * <ul>
 * <li>CONSISTENT ↔ CONSISTENT: both sides learn their public address:port from the DHT nodes (lib/nat.js: the same
 *     mapping seen by ≥ 3 nodes); the client's first probe (a TTL-5 packet to the server's address) opens its
 *     NAT, and the server, consistent and told the client opened a session, pings straight back ("fast open" in
 *     lib/server.js). Must hole-punch, in well under a second.</li>
 * <li>CONSISTENT ↔ RANDOM (either side random): lib/holepuncher.js's birthday strategy. The random side opens 256
 *     sockets towards the consistent side's verified address (256 NAT mappings); the consistent side sends to random
 *     ports of the random side's public IP every 20 ms for ~35 s. Each probe hits one of the 256 ports with
 *     p ≈ 256/64512, so 1750 probes miss all of them with p ≈ 0.1 %: connects by punching, typically in seconds,
 *     up to ~35 s.</li>
 * <li>RANDOM ↔ RANDOM: lib/connect.js aborts (HOLEPUNCH_DOUBLE_RANDOMIZED_NATS, surfacing as HOLEPUNCH_ABORTED
 *     when the puncher is torn down): neither side has a stable port for the other to aim at, so no strategy can
 *     succeed. With {@code relayThrough} a blind relay on the public side carries the stream instead.</li>
 * <li>One side OPEN (a public host): no punching; the NATed side sends first and the open side answers
 *     ("direct").</li>
 * <li>Both behind the same router: same public IP, so hyperdht races the LAN shortcut (a ping of the peer's
 *     private address, which the server shares in its handshake) with punching; the shortcut wins.</li>
 * <li>A router that accepts unsolicited packets at its input hook (no firewall): CONSISTENT ↔ CONSISTENT fails,
 *     see {@link NatLab} for why (conntrack clash after the TTL-5 probe lands).</li>
 * </ul>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 180)
class NatHolepunchIT {
    private static final LabPeer.Launcher NODE = LabPeer.Launcher.NODE;
    private static final LabPeer.Launcher JAVA = JavaLabPeer.JAVA;
    private static final long BYTES = 1L << 20;
    /** What the Java cases carry each way through the punched path. */
    private static final long BIG = 100L << 20;
    private static final Duration LIMIT = Duration.ofSeconds(100);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final List<Row> TABLE = Collections.synchronizedList(new ArrayList<>());

    private static NatLab lab;
    private static LabPeer testnet;
    private static LabPeer relay;
    private static List<String> bootstrap;
    private static int cases;

    /** One line of the results table. */
    record Row(String name, String peers, String client, String server, boolean connected, String via, long ms,
            String clientFw,
            String serverFw, String detail) {
    }

    /** What one connection attempt produced. */
    record Outcome(Row row, Host clientHost, Host serverHost, JsonNode clientEnd, LabPeer client,
            LabPeer server) {
        boolean connected() {
            return row.connected;
        }
    }

    @BeforeAll
    static void lab() {
        lab = NatLab.create();
        testnet = LabPeer.testnet(lab.hub(), 6, 49737);
        bootstrap = testnet.bootstrap();
        assertEquals(List.of(NatLab.HUB_ADDRESS + ":49737"), bootstrap);
    }

    @AfterAll
    static void report() throws IOException {
        StringBuilder b = new StringBuilder();
        b.append("| case | peers | client | server | connected | via | ms | client fw | server fw | detail |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|\n");
        synchronized (TABLE) {
            for (Row r : TABLE) {
                b.append("| ").append(String.join(" | ", r.name, r.peers, r.client, r.server,
                        r.connected ? "yes" : "no",
                        r.via, Long.toString(r.ms), r.clientFw, r.serverFw, r.detail)).append(" |\n");
            }
        }
        System.out.println("NAT lab (peers: client -> server):\n" + b);
        if (lab != null) {
            Files.writeString(lab.logDir().resolve("results.md"), b.toString());
        }
        if (relay != null) {
            relay.close();
        }
        if (testnet != null) {
            testnet.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    @Order(1)
    void consistentToConsistentHolepunches() {
        Outcome o = run("consistent <-> consistent", Nat.CONSISTENT, Nat.CONSISTENT, true, null);
        assertHolepunched(o);
        assertFirewalls(o, "CONSISTENT", "CONSISTENT");
        // both DHTs found their port closed to unsolicited packets, and a stable mapping
        for (LabPeer p : List.of(o.client, o.server)) {
            assertTrue(p.dht().path("firewalled").asBoolean(), p + " " + p.dht());
            assertFalse(p.dht().path("randomized").asBoolean(), p + " " + p.dht());
        }
        assertTrue(o.row.ms < 5_000, "fast open takes one round trip: " + o.row);
        // and the routers did turn unsolicited packets away (the DHT's NAT probes at least)
        assertTrue(o.serverHost.router().unsolicitedDropped() > 0, o.serverHost.router().ruleset());
        assertTrue(o.clientHost.router().unsolicitedDropped() > 0, o.clientHost.router().ruleset());
    }

    @Test
    @Order(2)
    void consistentClientToRandomServerHolepunchesByBirthdayProbing() {
        Outcome o = run("consistent -> random", Nat.CONSISTENT, Nat.RANDOM, true, null);
        assertHolepunched(o);
        assertEquals("random", o.clientEnd.path("strategy").asText(), o.row.toString());
        assertFirewalls(o, "CONSISTENT", "RANDOM");
        assertTrue(o.server.dht().path("randomized").asBoolean(), "random NAT seen by the DHT: " + o.server.dht());
    }

    @Test
    @Order(3)
    void randomClientToConsistentServerHolepunchesByBirthdayProbing() {
        Outcome o = run("random -> consistent", Nat.RANDOM, Nat.CONSISTENT, true, null);
        assertHolepunched(o);
        assertEquals("random", o.clientEnd.path("strategy").asText(), o.row.toString());
        assertFirewalls(o, "RANDOM", "CONSISTENT");
    }

    @Test
    @Order(4)
    void fullyRandomClientToConsistentServerHolepunches() {
        Outcome o = run("fully-random -> consistent", Nat.FULLY_RANDOM, Nat.CONSISTENT, true, null);
        assertHolepunched(o);
        assertFirewalls(o, "RANDOM", "CONSISTENT");
    }

    @Test
    @Order(5)
    void randomToRandomIsAbandoned() {
        Outcome o = run("random <-> random", Nat.RANDOM, Nat.RANDOM, true, null);
        assertFalse(o.connected(), o.row.toString());
        assertEquals("HOLEPUNCH_ABORTED", o.clientEnd.path("code").asText(), o.row.toString());
        assertEquals("RANDOM", o.row.clientFw, o.row.toString());
        assertEquals("RANDOM", o.row.serverFw, o.row.toString());
        assertTrue(o.server.events("connection").isEmpty(), "no stream on the server: " + o.server.events());
    }

    @Test
    @Order(6)
    void fullyRandomToFullyRandomIsAbandoned() {
        Outcome o = run("fully-random <-> fully-random", Nat.FULLY_RANDOM, Nat.FULLY_RANDOM, true, null);
        assertFalse(o.connected(), o.row.toString());
        assertEquals("HOLEPUNCH_ABORTED", o.clientEnd.path("code").asText(), o.row.toString());
    }

    @Test
    @Order(7)
    void randomToRandomGoesThroughTheRelay() {
        Host relayHost = lab.openHost("relay");
        relay = LabPeer.relay(relayHost, bootstrap, seed());
        assertFalse(relay.dht().path("firewalled").asBoolean(), relay.dht().toString());
        Outcome o = run("random <-> random, relayThrough", Nat.RANDOM, Nat.RANDOM, true, relay);
        assertTrue(o.connected(), o.row.toString());
        assertEquals("relay", o.row.via, o.row.toString());
        assertEquals(relay.publicAddress(), o.clientEnd.path("remote").asText());
        JsonNode conn = o.server.last("connection");
        assertEquals(relay.publicAddress(), conn.path("remote").asText(), "the server's stream is to the relay too");
        assertEquals(1, conn.path("punches").path("relaying").path("successes").asInt(), conn.toString());
    }

    @Test
    @Order(8)
    void openServerIsReachedDirectly() {
        Outcome o = run("consistent -> open", Nat.CONSISTENT, null, true, null);
        assertTrue(o.connected(), o.row.toString());
        assertEquals("direct", o.row.via, o.row.toString());
        assertEquals(o.serverHost.address(), host(o.clientEnd.path("remote").asText()));
    }

    @Test
    @Order(9)
    void serverBehindNatDialsAnOpenClient() {
        Outcome o = run("open -> consistent", null, Nat.CONSISTENT, true, null);
        assertTrue(o.connected(), o.row.toString());
        assertEquals("direct", o.row.via, o.row.toString());
        JsonNode conn = o.server.last("connection");
        assertEquals("direct", conn.path("via").asText(), conn.toString());
        assertEquals(o.clientHost.address(), host(conn.path("remote").asText()));
    }

    @Test
    @Order(10)
    void sameRouterTakesTheLanShortcut() {
        Router r = lab.router("same", Nat.CONSISTENT);
        int n = ++cases;
        Outcome o = run("same router (consistent)", r.host("c" + n), r.host("s" + n), null);
        assertTrue(o.connected(), o.row.toString());
        // both show the router's WAN address, so the client pings the server's private address (the router does
        // no hairpin NAT, so a punch to the WAN address could not work here)
        assertEquals("lan", o.row.via, o.row.toString());
        assertEquals(o.serverHost.address(), host(o.clientEnd.path("remote").asText()), o.row.toString());
        assertEquals("lan", o.server.last("connection").path("via").asText());
    }

    @Test
    @Order(11)
    void consistentToConsistentFailsWhenRoutersAcceptUnsolicitedPackets() {
        Outcome o = run("consistent <-> consistent, no input firewall", Nat.CONSISTENT, Nat.CONSISTENT, false, null);
        assertFalse(o.connected(), "the TTL-5 probe lands and the mapping clashes: " + o.row);
        assertEquals("CONSISTENT", o.row.clientFw, o.row.toString());
    }

    @Test
    @Order(20)
    void javaClientHolepunchesToANodeServerAndCarries100MiB() {
        Outcome o = run("consistent <-> consistent", JAVA, NODE, Nat.CONSISTENT, Nat.CONSISTENT, true, null, BIG);
        assertHolepunched(o);
        assertFirewalls(o, "CONSISTENT", "CONSISTENT");
        assertSaysHolepunched(o.client);
    }

    @Test
    @Order(21)
    void nodeClientHolepunchesToAJavaServerAndCarries100MiB() {
        Outcome o = run("consistent <-> consistent", NODE, JAVA, Nat.CONSISTENT, Nat.CONSISTENT, true, null, BIG);
        assertHolepunched(o);
        assertFirewalls(o, "CONSISTENT", "CONSISTENT");
        assertSaysHolepunched(o.server);
    }

    @Test
    @Order(22)
    void javaToJavaHolepunchesAndCarries100MiB() {
        Outcome o = run("consistent <-> consistent", JAVA, JAVA, Nat.CONSISTENT, Nat.CONSISTENT, true, null, BIG);
        assertHolepunched(o);
        assertFirewalls(o, "CONSISTENT", "CONSISTENT");
        assertSaysHolepunched(o.client);
        assertSaysHolepunched(o.server);
    }

    @Test
    @Order(23)
    void javaRandomClientHolepunchesToANodeConsistentServerWithBirthdaySockets() {
        Outcome o = run("random -> consistent", JAVA, NODE, Nat.RANDOM, Nat.CONSISTENT, true, null, BYTES);
        assertHolepunched(o);
        // the first round's probes sometimes get through already (the server's reply finds the mapping the
        // client's probe just opened): hyperdht calls that fast-open and skips the birthday sockets
        String strategy = o.clientEnd.path("strategy").asText();
        assertTrue(strategy.equals("random") || strategy.equals("fast-open"), o.row.toString());
        if (strategy.equals("random")) assertEquals("birthday", o.clientEnd.path("javaStrategy").asText(), o.row.toString());
        assertFirewalls(o, "RANDOM", "CONSISTENT");
    }

    @Test
    @Order(24)
    void nodeRandomClientHolepunchesToAJavaConsistentServerByRandomProbes() {
        Outcome o = run("random -> consistent", NODE, JAVA, Nat.RANDOM, Nat.CONSISTENT, true, null, BYTES);
        assertHolepunched(o);
        assertEquals("random", o.server.last("connection").path("javaStrategy").asText(), o.row.toString());
        assertFirewalls(o, "RANDOM", "CONSISTENT");
    }

    @Test
    @Order(25)
    void javaRandomToNodeRandomIsAbandoned() {
        Outcome o = run("random <-> random", JAVA, NODE, Nat.RANDOM, Nat.RANDOM, true, null, BYTES);
        assertFalse(o.connected(), o.row.toString());
        assertEquals("HOLEPUNCH_DOUBLE_RANDOMIZED_NATS", o.clientEnd.path("code").asText(), o.row.toString());
        assertTrue(o.server.events("connection").isEmpty(), "no stream on the server: " + o.server.events());
    }

    /** The Java peer's log has HyperDhtConnection's INFO line naming the path. */
    private static void assertSaysHolepunched(LabPeer javaPeer) {
        String log = javaPeer.log();
        assertTrue(log.contains("by hole punching"), javaPeer + " does not log the hole punch:\n" + log);
    }

    private static void assertHolepunched(Outcome o) {
        assertTrue(o.connected(), o.row.toString());
        assertEquals("holepunch", o.row.via, o.row.toString());
        // the stream runs straight between the two routers' WAN addresses: no hub, no relay in between
        assertEquals(o.serverHost.publicAddress(), host(o.clientEnd.path("remote").asText()), o.row.toString());
        JsonNode conn = o.server.last("connection");
        assertEquals("holepunch", conn.path("via").asText(), conn.toString());
        assertEquals(o.clientHost.publicAddress(), host(conn.path("remote").asText()), conn.toString());
    }

    private static void assertFirewalls(Outcome o, String client, String server) {
        assertEquals(client, o.row.clientFw, "client firewall type: " + o.row);
        assertEquals(server, o.row.serverFw, "server firewall type: " + o.row);
    }

    private static String host(String hostPort) {
        return hostPort.substring(0, hostPort.lastIndexOf(':'));
    }

    private static byte[] seed() {
        byte[] s = new byte[32];
        RANDOM.nextBytes(s);
        return s;
    }

    /** Runs one Node↔Node case with fresh routers (null NAT: a host on the public side). */
    private static Outcome run(String name, Nat clientNat, Nat serverNat, boolean firewall, LabPeer via) {
        return run(name, NODE, NODE, clientNat, serverNat, firewall, via, BYTES);
    }

    private static Outcome run(String name, LabPeer.Launcher clients, LabPeer.Launcher servers, Nat clientNat,
            Nat serverNat, boolean firewall, LabPeer via, long bytes) {
        int n = ++cases;
        Host c = clientNat == null ? lab.openHost("c" + n) : lab.router("c" + n, clientNat, firewall).host("c" + n);
        Host s = serverNat == null ? lab.openHost("s" + n) : lab.router("s" + n, serverNat, firewall).host("s" + n);
        return run(name, clients, servers, c, s, via, bytes);
    }

    private static Outcome run(String name, Host clientHost, Host serverHost, LabPeer via) {
        return run(name, NODE, NODE, clientHost, serverHost, via, BYTES);
    }

    private static Outcome run(String name, LabPeer.Launcher clients, LabPeer.Launcher servers, Host clientHost,
            Host serverHost, LabPeer via, long bytes) {
        LabPeer server = servers.server(serverHost, bootstrap, seed(), via == null ? null : via.publicKey(), LIMIT);
        LabPeer client = clients.client(clientHost, bootstrap, server.publicKey(), bytes, via, LIMIT);
        try {
            JsonNode end = client.awaitAny(LIMIT, "echoed", "error");
            boolean connected = "echoed".equals(end.path("event").asText());
            String detail;
            long ms;
            if (connected) {
                JsonNode got = client.events("received").get(0);
                assertEquals(bytes, got.path("bytes").asLong(), got.toString());
                assertEquals(got.path("sha256Sent").asText(), got.path("sha256Received").asText(), "echo hash");
                JsonNode closed = server.await("closed", Duration.ofSeconds(30));
                assertEquals(bytes, closed.path("bytes").asLong(), "bytes the server echoed");
                ms = end.path("openMs").asLong();
                detail = (bytes >> 20) + " MiB echo (SHA-256 ok) in " + got.path("ms").asLong() + " ms, stream to "
                        + end.path("remote").asText()
                        + (end.has("strategy") ? ", punch " + end.path("strategy").asText() : "");
            } else {
                ms = end.path("ms").asLong();
                detail = end.path("code").asText();
            }
            Row row = new Row(name, clients + " -> " + servers, describe(clientHost), describe(serverHost), connected,
                    connected ? end.path("via").asText() : "-", ms, firewallOf(client, server),
                    firewallOf(server, client), detail);
            TABLE.add(row);
            System.out.println("natlab: " + row);
            return new Outcome(row, clientHost, serverHost, end, client, server);
        } finally {
            client.close();
            server.close();
        }
    }

    private static String describe(Host h) {
        return h.router() == null ? "open " + h.address() : h.router().nat() + " " + h.router().wanAddress();
    }

    /**
     * The firewall type {@code self} ended up with: its own last NAT analysis, else the last one its peer made of
     * it (a side that connected on its first probe never analysed), else what its DHT concluded (not firewalled:
     * OPEN; a port that differs per DHT node: RANDOM; else CONSISTENT).
     */
    private static String firewallOf(LabPeer self, LabPeer peer) {
        List<JsonNode> own = self.events("nat");
        if (!own.isEmpty()) {
            return own.get(own.size() - 1).path("local").asText();
        }
        List<JsonNode> seen = peer.events("nat");
        for (int i = seen.size() - 1; i >= 0; i--) {
            String remote = seen.get(i).path("remote").asText();
            if (!remote.equals("UNKNOWN")) {
                return remote;
            }
        }
        JsonNode dht = self.dht();
        return !dht.path("firewalled").asBoolean() ? "OPEN"
                : dht.path("randomized").asBoolean() ? "RANDOM" : "CONSISTENT";
    }
}
