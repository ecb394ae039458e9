package io.tunctl.transport.p2p.hyperdht;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import io.tunctl.transport.p2p.dht.hyperdht.ConnectError;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Random;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Java HyperDHT peers against hyperdht 6.34.0 on a Node {@code hyperdht/testnet} (127.0.0.1): a Java client
 * connects by key to a Node server and to a Java server, a Node client to a Java server, all echoing; the server's
 * firewall hook rejects keys silently.
 */
class HyperDhtInteropIT {
    private static final HexFormat HEX = HexFormat.of();
    private static NodeHyperDht nodejs;
    private static List<String> bootstrap;
    private static int nodeClient;

    @BeforeAll
    static void testnet() throws Exception {
        nodejs = NodeHyperDht.start();
        JsonNode t = nodejs.call("testnet", "size", 3);
        bootstrap = new ArrayList<>();
        t.path("bootstrap").forEach(b -> bootstrap.add(b.asText()));
        nodeClient = nodejs.call("node", "bootstrap", bootstrap).path("node").asInt();
    }

    @AfterAll
    static void stop() {
        if (nodejs != null) {
            nodejs.close();
        }
    }

    private static String seed(int b) {
        return String.format("%02x", b).repeat(32);
    }

    @Test
    void javaClientEchoesThroughANodeServer() throws Exception {
        int serverNode = nodejs.call("node", "bootstrap", bootstrap).path("node").asInt();
        JsonNode srv = nodejs.call("server", "node", serverNode, "seed", seed(0x31), "mode", "echo");
        byte[] pk = HEX.parseHex(srv.path("publicKey").asText());
        try (HyperDht java = Peers.javaNode(bootstrap)) {
            List<FoundPeer> found = java.lookup(pk).get(30, TimeUnit.SECONDS);
            assertFalse(found.isEmpty(), "the Node server's announce is found");
            HyperDhtConnection c = java.connect(pk).get(30, TimeUnit.SECONDS);
            assertArrayEquals(pk, c.remotePublicKey());
            Peers.Collector got = new Peers.Collector(11);
            c.handler(got);
            byte[] msg = "hello world".getBytes(StandardCharsets.UTF_8);
            c.write(msg, 0, msg.length);
            assertArrayEquals(msg, got.done.get(20, TimeUnit.SECONDS));
            c.destroy();
        }
    }

    @Test
    void nodeClientEchoesThroughAJavaServerAndJavaToJava() throws Exception {
        try (HyperDht java = Peers.javaNode(bootstrap); HyperDht javaClient = Peers.javaNode(bootstrap)) {
            Ed25519KeyPair kp = Ed25519KeyPair.fromSeed(HEX.parseHex(seed(0x41)));
            List<HyperDhtConnection> conns = new CopyOnWriteArrayList<>();
            HyperDhtServer server = java.createServer(kp, null, c -> {
                conns.add(c);
                Peers.echo(c);
            });
            int relays = server.listen().get(30, TimeUnit.SECONDS);
            assertTrue(relays > 0, "announced to at least one testnet node");

            JsonNode r = nodejs.call("echo", "node", nodeClient, "publicKey", HEX.formatHex(kp.publicKey()),
                    "data", HEX.formatHex("from node".getBytes(StandardCharsets.UTF_8)));
            assertEquals("from node", new String(HEX.parseHex(r.path("data").asText()), StandardCharsets.UTF_8));
            assertEquals(1, conns.size());

            HyperDhtConnection c = javaClient.connect(kp.publicKey()).get(30, TimeUnit.SECONDS);
            Peers.Collector got = new Peers.Collector(9);
            c.handler(got);
            c.write("from java".getBytes(StandardCharsets.UTF_8), 0, 9);
            assertEquals("from java", new String(got.done.get(20, TimeUnit.SECONDS), StandardCharsets.UTF_8));
            assertArrayEquals(javaClient.defaultKeyPair().publicKey(), conns.get(1).remotePublicKey());
            server.close().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aKeyTheFirewallRejectsGetsNoReplyAndNoStream() throws Exception {
        try (HyperDht java = Peers.javaNode(bootstrap); HyperDht javaClient = Peers.javaNode(bootstrap)) {
            Ed25519KeyPair kp = Ed25519KeyPair.fromSeed(HEX.parseHex(seed(0x51)));
            byte[] allowed = Ed25519KeyPair.fromSeed(HEX.parseHex(seed(0x52))).publicKey();
            List<String> rejected = new CopyOnWriteArrayList<>();
            List<HyperDhtConnection> conns = new CopyOnWriteArrayList<>();
            HyperDhtServer server = java.createServer(kp, ConnectionFirewall.allowOnly(List.of(allowed)),
                    new HyperDhtServer.Listener() {
                        @Override
                        public void onConnection(HyperDhtConnection c) {
                            conns.add(c);
                        }

                        @Override
                        public void onRejected(byte[] pk, java.net.InetSocketAddress from) {
                            rejected.add(HEX.formatHex(pk));
                        }
                    });
            server.listen().get(30, TimeUnit.SECONDS);
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> javaClient.connect(kp.publicKey()).get(60, TimeUnit.SECONDS));
            HyperDhtException he = assertInstanceOf(HyperDhtException.class, e.getCause());
            assertEquals(ConnectError.PEER_CONNECTION_FAILED, he.error());
            assertTrue(rejected.contains(HEX.formatHex(javaClient.defaultKeyPair().publicKey())), rejected::toString);
            assertThrows(NodeHyperDht.NodeError.class, () -> nodejs.call("echo", "node", nodeClient,
                    "publicKey", HEX.formatHex(kp.publicKey()), "data", "00"));
            assertEquals(0, conns.size(), "no stream for rejected keys");
            assertEquals(0, java.socket().streamCount(), "no UDX stream allocated");
            // the allowed key gets in
            HyperDhtConnection c = javaClient.connect(kp.publicKey(),
                    Ed25519KeyPair.fromSeed(HEX.parseHex(seed(0x52)))).get(30, TimeUnit.SECONDS);
            assertArrayEquals(kp.publicKey(), c.remotePublicKey());
            c.destroy();
        }
    }
    @Test
    void aRedialWithTheSameKeyReplacesTheServersOldStream() throws Exception {
        try (HyperDht java = Peers.javaNode(bootstrap); HyperDht javaClient = Peers.javaNode(bootstrap)) {
            Ed25519KeyPair kp = Ed25519KeyPair.fromSeed(HEX.parseHex(seed(0x61)));
            List<HyperDhtConnection> conns = new CopyOnWriteArrayList<>();
            HyperDhtServer server = java.createServer(kp, null, c -> {
                conns.add(c);
                Peers.echo(c);
            });
            server.listen().get(30, TimeUnit.SECONDS);
            HyperDhtConnection first = javaClient.connect(kp.publicKey()).get(30, TimeUnit.SECONDS);
            first.handler(new Peers.Collector(0));
            HyperDhtConnection second = javaClient.connect(kp.publicKey()).get(30, TimeUnit.SECONDS);
            Peers.Collector got = new Peers.Collector(5);
            second.handler(got);
            second.write("again".getBytes(StandardCharsets.UTF_8), 0, 5);
            assertEquals("again", new String(got.done.get(20, TimeUnit.SECONDS), StandardCharsets.UTF_8));
            assertEquals(2, conns.size());
            conns.get(0).closeFuture().handle((x, e) -> null).get(10, TimeUnit.SECONDS);
            assertTrue(conns.get(0).isClosed(), "the server destroyed the old stream of that key");
            first.closeFuture().handle((x, e) -> null).get(20, TimeUnit.SECONDS);
            assertTrue(first.isClosed(), "the client sees its old stream reset");
            assertFalse(second.isClosed());
            second.destroy();
        }
    }

    @Test
    void hundredMebibytesJavaToNodeKeepTheirSha256() throws Exception {
        int serverNode = nodejs.call("node", "bootstrap", bootstrap).path("node").asInt();
        JsonNode srv = nodejs.call("server", "node", serverNode, "seed", seed(0x71), "mode", "hash");
        byte[] pk = HEX.parseHex(srv.path("publicKey").asText());
        try (HyperDht java = Peers.javaNode(bootstrap)) {
            HyperDhtConnection c = java.connect(pk).get(30, TimeUnit.SECONDS);
            Peers.Collector got = new Peers.Collector(0);
            c.handler(got);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            Random rnd = new Random(7);
            byte[] chunk = new byte[60_000];
            long total = 100L << 20;
            long sent = 0;
            long t0 = System.nanoTime();
            long deadline = t0 + TimeUnit.SECONDS.toNanos(120);
            while (sent < total) {
                assertTrue(System.nanoTime() < deadline, "100 MiB not sent within 120 s");
                if (!c.stream().isWritable()) {
                    Thread.sleep(1);
                    continue;
                }
                int n = (int) Math.min(chunk.length, total - sent);
                rnd.nextBytes(chunk);
                sha.update(chunk, 0, n);
                c.write(chunk, 0, n);
                sent += n;
            }
            c.end();
            String digest = new String(got.done.get(120, TimeUnit.SECONDS), StandardCharsets.US_ASCII);
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("100 MiB Java client -> Node server over the testnet: %.1f s (%.0f Mbit/s)%n", secs,
                    total * 8 / secs / 1e6);
            assertEquals(HEX.formatHex(sha.digest()), digest);
        }
    }

    /**
     * Connect-by-key time to a Node server (open = the UDX stream is connected and secret-stream may start, what
     * Node's {@code open} event means), 20 sequential connects per client, on a testnet of its own: 8 Node nodes
     * (on 3, the server's NAT sampling has too few nodes and it aborts the punch that races the LAN ping), the
     * server, its node and the testnet in one Node process. The fair comparison is a Node client in a process of
     * its own, as the Java client is, so every hop of either crosses processes; the Node client inside the server's
     * process (no process hop at all) is printed too. All samples are printed; the first Java connect includes
     * class loading and JIT, so connects 2-20 (a warm JVM, as a daemon's) are the Java figure compared. The clients
     * take turns, one connect each. Java's time runs from the {@code connect} call to the future's completion on the
     * event loop (the moment Node's {@code open} listener runs); the time until the waiting caller's thread wakes up
     * is printed too. What a connect reuses from the ones before it to the same key is the same kind for both: the
     * addresses the last one learnt (Node's relay cache: the server's relays; Java's: those and the server's own
     * address, which it tries first), no Noise work made ahead and no checked key kept (Java's {@code
     * PreparedHandshakes} is turned off here), in a process warmed up by the connects before (and for Java by the
     * crypto warm-up every JVM runs once when its first node starts).
     */
    @Test
    void connectTimeMedianOf20JavaAndNodeClients() throws Exception {
        try (NodeHyperDht serverSide = NodeHyperDht.start(); NodeHyperDht clientSide = NodeHyperDht.start()) {
            List<String> net = new ArrayList<>();
            serverSide.call("testnet", "size", 8).path("bootstrap").forEach(b -> net.add(b.asText()));
            int serverNode = serverSide.call("node", "bootstrap", net).path("node").asInt();
            int sameProcessClient = serverSide.call("node", "bootstrap", net).path("node").asInt();
            JsonNode srv = serverSide.call("server", "node", serverNode, "seed", seed(0x81), "mode", "echo");
            String pkHex = srv.path("publicKey").asText();
            byte[] pk = HEX.parseHex(pkHex);
            int ownProcessClient = clientSide.call("node", "bootstrap", net).path("node").asInt();

            // the three clients take turns, so a change in the (shared) machine's load hits them alike
            List<Double> javaMs = new ArrayList<>();
            List<Double> javaCallerMs = new ArrayList<>();
            List<Double> nodeMs = new ArrayList<>();
            List<Double> sameProcessMs = new ArrayList<>();
            // the tests run with PARANOID leak detection (a stack trace recorded at every buffer access); the
            // connects are timed at Netty's default level, the one tunctl runs with
            io.netty.util.ResourceLeakDetector.Level leakLevel = io.netty.util.ResourceLeakDetector.getLevel();
            io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.SIMPLE);
            try (HyperDht java = Peers.javaNode(net)) {
                // what a connect reuses from the last one to that key must be what Node's reuses: the addresses it
                // learnt (Node: the server's relays; Java: those and the server's own), no Noise work made ahead
                java.call(() -> {
                    java.handshakes().ahead(false);
                    return null;
                });
                for (int i = 0; i < 20; i++) {
                    long t0 = System.nanoTime();
                    java.util.concurrent.CompletableFuture<HyperDhtConnection> f = java.connect(pk);
                    // open: taken on the event loop as the future completes, as Node's "open" listener takes it;
                    // the caller's figure adds the wake-up of the thread waiting in get()
                    java.util.concurrent.CompletableFuture<Long> opened = f.thenApply(x -> System.nanoTime());
                    HyperDhtConnection c = f.get(30, TimeUnit.SECONDS);
                    long t1 = System.nanoTime();
                    javaMs.add((opened.get(30, TimeUnit.SECONDS) - t0) / 1e6);
                    javaCallerMs.add((t1 - t0) / 1e6);
                    c.destroy();
                    // Java's work after a connect (the stream's teardown, queued on the loop before this call) must
                    // not overlap the Node clients' turns
                    java.call(() -> true);
                    clientSide.call("connectTimes", "node", ownProcessClient, "publicKey", pkHex, "count", 1)
                            .path("ms").forEach(n -> nodeMs.add(n.asDouble()));
                    serverSide.call("connectTimes", "node", sameProcessClient, "publicKey", pkHex, "count", 1)
                            .path("ms").forEach(n -> sameProcessMs.add(n.asDouble()));
                }
            } finally {
                io.netty.util.ResourceLeakDetector.setLevel(leakLevel);
            }
            List<Double> warmJava = javaMs.subList(1, 20);
            System.out.println("connect-by-key to a Node server on an 8-node local testnet, 20 connects each, taking"
                    + " turns (min / median / max ms; the first connect has no cached relays):");
            System.out.println("  Java client, own JVM:                 " + stats(javaMs) + "; connects 2-20: "
                    + stats(warmJava));
            System.out.println("    the same until the caller's thread has it: " + stats(javaCallerMs)
                    + "; connects 2-20: " + stats(javaCallerMs.subList(1, 20)));
            System.out.println("  Node client, own process (fair):      " + stats(nodeMs) + "; connects 2-20: "
                    + stats(nodeMs.subList(1, 20)));
            System.out.println("  Node client, in the server's process: " + stats(sameProcessMs) + "; connects 2-20: "
                    + stats(sameProcessMs.subList(1, 20)));
            System.out.println("  Java ms: " + format(javaMs));
            System.out.println("  Java ms (caller's thread): " + format(javaCallerMs));
            System.out.println("  Node ms (own process): " + format(nodeMs));
            System.out.println("  Node ms (server's process): " + format(sameProcessMs));
            assertEquals(20, nodeMs.size());
            assertEquals(20, sameProcessMs.size());
            // the box is shared and loaded: a bound that catches a lost round trip (a relay timeout is 1000 ms) or a
            // timer on the path (the 250 ms LAN grace), not scheduling noise
            assertTrue(median(warmJava) <= median(nodeMs.subList(1, 20)) + 100, "Java median " + median(warmJava)
                    + " ms against Node's " + median(nodeMs.subList(1, 20)) + " ms");
        }
    }

    private static List<String> format(List<Double> v) {
        return v.stream().map(d -> String.format("%.1f", d)).toList();
    }

    private static String stats(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        java.util.Collections.sort(s);
        return String.format("%.1f / %.1f / %.1f", s.get(0), median(v), s.get(s.size() - 1));
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        java.util.Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    @Test
    void aDhtOfJavaNodesOnlyServesNodeAndJavaPeers() throws Exception {
        List<HyperDht> dht = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                dht.add(HyperDht.bind(io.tunctl.transport.p2p.dht.rpc.DhtNodeOptions.bootstrapper("127.0.0.1",
                        new java.net.InetSocketAddress("127.0.0.1", 0)).withBootstrapText(i == 0 ? List.of()
                        : List.of("127.0.0.1:" + dht.get(0).localAddress().getPort()))));
                dht.get(i).fullyBootstrapped().get(30, TimeUnit.SECONDS);
                assertFalse(dht.get(i).node().isEphemeral(), "a bootstrapper is persistent");
            }
            List<String> javaBootstrap = List.of("127.0.0.1:" + dht.get(0).localAddress().getPort());
            int serverNode = nodejs.call("node", "bootstrap", javaBootstrap).path("node").asInt();
            int client = nodejs.call("node", "bootstrap", javaBootstrap).path("node").asInt();
            JsonNode srv = nodejs.call("server", "node", serverNode, "seed", seed(0x91), "mode", "echo");
            String pkHex = srv.path("publicKey").asText();
            JsonNode r = nodejs.call("echo", "node", client, "publicKey", pkHex, "data", "abcdef");
            assertEquals("abcdef", r.path("data").asText(), "Node to Node through Java storage nodes");
            try (HyperDht java = Peers.javaNode(javaBootstrap)) {
                HyperDhtConnection c = java.connect(HEX.parseHex(pkHex)).get(30, TimeUnit.SECONDS);
                Peers.Collector got = new Peers.Collector(3);
                c.handler(got);
                c.write(new byte[] {1, 2, 3}, 0, 3);
                assertArrayEquals(new byte[] {1, 2, 3}, got.done.get(20, TimeUnit.SECONDS));
                c.destroy();
            }
        } finally {
            for (HyperDht d : dht) {
                d.close();
            }
        }
    }
    @Test
    void firewalledJavaPeersConnectThroughTheLanShortcut() throws Exception {
        int serverNode = nodejs.call("node", "bootstrap", bootstrap).path("node").asInt();
        JsonNode srv = nodejs.call("server", "node", serverNode, "seed", seed(0xa1), "mode", "echo");
        byte[] nodeServerKey = HEX.parseHex(srv.path("publicKey").asText());
        try (HyperDht server = Peers.firewalledJavaNode(bootstrap);
                HyperDht client = Peers.firewalledJavaNode(bootstrap)) {
            assertTrue(server.node().isFirewalled() && client.node().isFirewalled());
            assertEquals(null, client.node().remoteAddress(), "cannot claim OPEN");
            // firewalled Java client -> Node server (UNKNOWN too): both meet on the server's LAN address
            HyperDhtConnection c = client.connect(nodeServerKey).get(30, TimeUnit.SECONDS);
            Peers.Collector got = new Peers.Collector(3);
            c.handler(got);
            c.write(new byte[] {7, 8, 9}, 0, 3);
            assertArrayEquals(new byte[] {7, 8, 9}, got.done.get(20, TimeUnit.SECONDS));
            c.destroy();

            Ed25519KeyPair kp = Ed25519KeyPair.fromSeed(HEX.parseHex(seed(0xa2)));
            HyperDhtServer s = server.createServer(kp, null, Peers::echo);
            s.listen().get(30, TimeUnit.SECONDS);
            // Node client -> firewalled Java server
            JsonNode r = nodejs.call("echo", "node", nodeClient, "publicKey", HEX.formatHex(kp.publicKey()),
                    "data", "0a0b0c");
            assertEquals("0a0b0c", r.path("data").asText());
            // firewalled Java -> firewalled Java
            HyperDhtConnection j = client.connect(kp.publicKey()).get(30, TimeUnit.SECONDS);
            Peers.Collector got2 = new Peers.Collector(2);
            j.handler(got2);
            j.write(new byte[] {4, 2}, 0, 2);
            assertArrayEquals(new byte[] {4, 2}, got2.done.get(20, TimeUnit.SECONDS));
            j.destroy();
        }
    }

    @Test
    void javaNodesOnTheTestnetClaimOpen() throws Exception {
        // Two sockets as dht-rpc: the quick PING_NAT goes to the server socket and races the bootstrap walk (on 3
        // nodes it may lose, as Node's does); told it is reachable, a node claims OPEN with its server socket
        try (HyperDht java = HyperDht.bind(io.tunctl.transport.p2p.dht.rpc.DhtNodeOptions.defaults()
                .withBind(new java.net.InetSocketAddress("127.0.0.1", 0)).withBootstrapText(bootstrap)
                .withFirewalled(false))) {
            java.fullyBootstrapped().get(30, TimeUnit.SECONDS);
            assertFalse(java.node().isFirewalled());
            assertEquals(java.localAddress(), java.node().remoteAddress());
        }
        try (HyperDht java = Peers.javaNode(bootstrap)) {
            if (java.node().isFirewalled()) {
                assertEquals(null, java.node().remoteAddress(), "firewalled: nothing to claim OPEN with");
                assertFalse(java.node().requestAddress().equals(java.localAddress()),
                        "requests leave from the client socket while firewalled");
            } else {
                assertEquals(java.localAddress(), java.node().remoteAddress());
            }
        }
    }
    @Test
    void hundredMebibytesNodeToJavaKeepTheirSha256() throws Exception {
        try (HyperDht java = Peers.javaNode(bootstrap)) {
            Ed25519KeyPair kp = Ed25519KeyPair.fromSeed(HEX.parseHex(seed(0xb1)));
            java.util.concurrent.CompletableFuture<String> digest = new java.util.concurrent.CompletableFuture<>();
            long[] received = {0};
            HyperDhtServer server = java.createServer(kp, null, c -> {
                MessageDigest sha;
                try {
                    sha = MessageDigest.getInstance("SHA-256");
                } catch (java.security.NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
                c.handler(new io.tunctl.transport.p2p.stream.SecureStream.Handler() {
                    @Override
                    public void onMessage(io.tunctl.transport.p2p.stream.SecureStream s, byte[] buf, int off,
                            int len) {
                        sha.update(buf, off, len);
                        received[0] += len;
                    }

                    @Override
                    public void onEnd(io.tunctl.transport.p2p.stream.SecureStream s) {
                        digest.complete(HEX.formatHex(sha.digest()));
                        s.end();
                    }
                });
            });
            server.listen().get(30, TimeUnit.SECONDS);
            long size = 100L << 20;
            JsonNode r = nodejs.call("sendHash", "node", nodeClient, "publicKey", HEX.formatHex(kp.publicKey()),
                    "size", size);
            assertEquals(r.path("sha256").asText(), digest.get(30, TimeUnit.SECONDS));
            assertEquals(size, received[0]);
            System.out.printf("100 MiB Node client -> Java server over the testnet: %.1f s%n",
                    r.path("ms").asLong() / 1000.0);
        }
    }
}
