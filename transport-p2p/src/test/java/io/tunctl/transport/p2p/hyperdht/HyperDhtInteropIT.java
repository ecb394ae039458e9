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
}
