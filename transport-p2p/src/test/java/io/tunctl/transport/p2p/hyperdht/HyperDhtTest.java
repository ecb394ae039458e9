package io.tunctl.transport.p2p.hyperdht;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import io.tunctl.transport.p2p.dht.hyperdht.ConnectError;
import io.tunctl.transport.p2p.dht.rpc.DhtNodeOptions;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HyperDHT in Java only, on 127.0.0.1: three persistent nodes (bootstrappers) store announces and relay handshakes
 * for ephemeral clients and servers. Node interop is {@link HyperDhtInteropIT}'s.
 */
class HyperDhtTest {
    private static final HexFormat HEX = HexFormat.of();
    private final List<HyperDht> dht = new ArrayList<>();
    private List<String> bootstrap;

    @BeforeEach
    void network() throws Exception {
        for (int i = 0; i < 3; i++) {
            HyperDht d = HyperDht.bind(DhtNodeOptions.bootstrapper("127.0.0.1", new InetSocketAddress("127.0.0.1", 0))
                    .withBootstrapText(i == 0 ? List.of() : bootstrap));
            dht.add(d);
            d.fullyBootstrapped().get(30, TimeUnit.SECONDS);
            if (i == 0) {
                bootstrap = List.of("127.0.0.1:" + d.localAddress().getPort());
            }
        }
    }

    @AfterEach
    void close() {
        for (HyperDht d : dht) {
            d.close();
        }
    }

    private HyperDht peer() throws Exception {
        HyperDht d = Peers.javaNode(bootstrap);
        dht.add(d);
        return d;
    }

    private static Ed25519KeyPair key(int b) {
        return Ed25519KeyPair.fromSeed(HEX.parseHex(String.format("%02x", b).repeat(32)));
    }

    @Test
    void aClientFindsAndConnectsToAServerThatUnannouncesOnClose() throws Exception {
        HyperDht server = peer();
        HyperDht client = peer();
        Ed25519KeyPair kp = key(1);
        HyperDhtServer s = server.createServer(kp, null, Peers::echo);
        assertEquals(3, s.listen().get(30, TimeUnit.SECONDS), "announced to the 3 storage nodes");
        assertEquals(3, client.lookup(kp.publicKey()).get(30, TimeUnit.SECONDS).size());

        HyperDhtConnection c = client.connect(kp.publicKey()).get(30, TimeUnit.SECONDS);
        assertArrayEquals(kp.publicKey(), c.remotePublicKey());
        assertArrayEquals(client.defaultKeyPair().publicKey(), c.publicKey());
        assertTrue(c.isInitiator());
        Peers.Collector got = new Peers.Collector(0);
        c.handler(got);
        byte[] big = new byte[300_000];
        new java.util.Random(1).nextBytes(big);
        c.write(big, 0, big.length);
        c.end();
        assertArrayEquals(big, got.done.get(20, TimeUnit.SECONDS), "echoed, then ended by the server");

        s.close().get(10, TimeUnit.SECONDS);
        assertTrue(client.lookup(kp.publicKey()).get(30, TimeUnit.SECONDS).isEmpty(), "unannounced everywhere");
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> client.connect(kp.publicKey()).get(60, TimeUnit.SECONDS));
        assertEquals(ConnectError.PEER_NOT_FOUND, assertInstanceOf(HyperDhtException.class, e.getCause()).error());
    }

    @Test
    void aConnectPreparesTheNextHandshakeWithThatServerWhichTheNextConnectUses() throws Exception {
        HyperDht server = peer();
        HyperDht client = peer();
        Ed25519KeyPair kp = key(7);
        Ed25519KeyPair me = client.defaultKeyPair();
        server.createServer(kp, null, Peers::echo).listen().get(30, TimeUnit.SECONDS);
        client.prepare(key(8).publicKey(), me); // a server we may dial later: made ahead on request
        awaitPrepared(client, me, key(8).publicKey());
        for (int i = 0; i < 3; i++) {
            HyperDhtConnection c = client.connect(kp.publicKey()).get(30, TimeUnit.SECONDS);
            awaitPrepared(client, me, kp.publicKey()); // each connect readies the next one's message 1
            Peers.Collector got = new Peers.Collector(2);
            c.handler(got);
            c.write(new byte[] {(byte) i, 9}, 0, 2);
            assertArrayEquals(new byte[] {(byte) i, 9}, got.done.get(20, TimeUnit.SECONDS));
            c.destroy();
        }
    }

    private static void awaitPrepared(HyperDht d, Ed25519KeyPair me, byte[] server) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!d.call(() -> d.handshakes().isReady(me, server))) {
            assertTrue(System.nanoTime() < deadline, "a handshake prepared within 30 s");
            Thread.sleep(5);
        }
    }

    @Test
    void theFirewallSilencesRejectedKeysAndLetsAllowedOnesIn() throws Exception {
        HyperDht server = peer();
        HyperDht client = peer();
        Ed25519KeyPair kp = key(2);
        Ed25519KeyPair friend = key(3);
        List<String> rejected = new CopyOnWriteArrayList<>();
        List<HyperDhtConnection> accepted = new CopyOnWriteArrayList<>();
        server.createServer(kp, ConnectionFirewall.allowOnly(List.of(friend.publicKey())),
                new HyperDhtServer.Listener() {
                    @Override
                    public void onConnection(HyperDhtConnection c) {
                        accepted.add(c);
                    }

                    @Override
                    public void onRejected(byte[] pk, InetSocketAddress from) {
                        rejected.add(HEX.formatHex(pk));
                    }
                }).listen().get(30, TimeUnit.SECONDS);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> client.connect(kp.publicKey()).get(60, TimeUnit.SECONDS));
        assertEquals(ConnectError.PEER_CONNECTION_FAILED,
                assertInstanceOf(HyperDhtException.class, e.getCause()).error());
        assertEquals(List.of(HEX.formatHex(client.defaultKeyPair().publicKey())), rejected.stream().distinct()
                .toList(), "rejected, once per message 1 (repeats through other relays are deduplicated)");
        assertTrue(accepted.isEmpty());
        assertEquals(0, server.socket().streamCount(), "no stream made for a rejected key");

        HyperDhtConnection c = client.connect(kp.publicKey(), friend).get(30, TimeUnit.SECONDS);
        assertFalse(c.isClosed());
        // the server accepts when its stream connects: at its reply, or at our first packet if it waits for one
        for (int i = 0; i < 200 && accepted.isEmpty(); i++) {
            Thread.sleep(10);
        }
        assertEquals(1, accepted.size());
        assertArrayEquals(friend.publicKey(), accepted.get(0).remotePublicKey());
        c.destroy();
    }

    @Test
    void aServerOnAStorageNodeIsReachedDirectly() throws Exception {
        HyperDht storage = dht.get(1);
        Ed25519KeyPair kp = key(4);
        List<HyperDhtConnection> accepted = new CopyOnWriteArrayList<>();
        storage.createServer(kp, null, c -> {
            accepted.add(c);
            Peers.echo(c);
        }).listen().get(30, TimeUnit.SECONDS);
        HyperDht client = peer();
        HyperDhtConnection c = client.connect(kp.publicKey()).get(30, TimeUnit.SECONDS);
        Peers.Collector got = new Peers.Collector(4);
        c.handler(got);
        c.write(new byte[] {1, 2, 3, 4}, 0, 4);
        assertArrayEquals(new byte[] {1, 2, 3, 4}, got.done.get(20, TimeUnit.SECONDS));
        assertEquals(1, accepted.size());
        c.destroy();
    }

    @Test
    void badKeysFailClearly() throws Exception {
        HyperDht client = peer();
        assertThrows(IllegalArgumentException.class, () -> client.connect(new byte[31]));
        byte[] notAPoint = new byte[32];
        java.util.Arrays.fill(notAPoint, (byte) 0xab);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> client.connect(notAPoint).get(30, TimeUnit.SECONDS));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        ExecutionException nf = assertThrows(ExecutionException.class,
                () -> client.connect(key(5).publicKey()).get(60, TimeUnit.SECONDS));
        assertEquals(ConnectError.PEER_NOT_FOUND, assertInstanceOf(HyperDhtException.class, nf.getCause()).error());
    }
    @Test
    void closingTheNodeEndsConnectsInProgress() throws Exception {
        HyperDht client = Peers.javaNode(bootstrap); // closed by the test, not by close()
        java.util.concurrent.CompletableFuture<HyperDhtConnection> f = client.connect(key(6).publicKey());
        client.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof IllegalStateException || e.getCause() instanceof HyperDhtException,
                e.getCause().toString());
        assertThrows(ExecutionException.class, () -> client.connect(key(6).publicKey()).get(5, TimeUnit.SECONDS));
    }
}
