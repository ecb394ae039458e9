package io.tunctl.transport.p2p.noise;

import static io.tunctl.transport.p2p.crypto.Hex.fill;
import static io.tunctl.transport.p2p.crypto.Hex.h;
import static io.tunctl.transport.p2p.crypto.NodeOracle.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.tunctl.transport.p2p.crypto.CryptoException;
import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import io.tunctl.transport.p2p.crypto.NodeOracle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Noise IK Java against hyperdht's NoiseWrap (noise-handshake + noise-curve-ed + sodium) in both roles: with the fixed
 * keys of hyperdht-wire.md §12.7 (messages, symmetric-state transcripts, split keys and derived values compared) and
 * with random keys and rich payloads.
 */
class NoiseInteropIT {
    static NodeOracle node;
    static final SecureRandom RANDOM = new SecureRandom();
    static final byte[] CLIENT_SEED = fill(0x11, 32);
    static final byte[] SERVER_SEED = fill(0x22, 32);
    static final byte[] CLIENT_E_SEED = fill(0x33, 32);
    static final byte[] SERVER_E_SEED = fill(0x44, 32);

    @BeforeAll
    static void start() {
        node = NodeOracle.start();
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    static InetSocketAddress a(String host, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static InetSocketAddress mapped(String v4, int port) {
        try {
            byte[] ip = new byte[16];
            ip[10] = (byte) 0xff;
            ip[11] = (byte) 0xff;
            System.arraycopy(InetAddress.getByName(v4).getAddress(), 0, ip, 12, 4);
            return new InetSocketAddress(java.net.Inet6Address.getByAddress(null, ip, -1), port);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static NoisePayload clientPayload() {
        return NoisePayload.of(NoisePayload.FIREWALL_OPEN, List.of(a("127.0.0.1", 40000)), 0x11223344L);
    }

    static NoisePayload serverPayload() {
        return new NoisePayload(1, 0, 1, null, List.of(a("127.0.0.1", 40001)), null,
                new NoisePayload.Udx(1, false, 0x55667788L, 0), new NoisePayload.SecretStream(1), null,
                List.of(a("127.0.0.1", 49738)));
    }

    static NoisePayload richPayload(Random r) {
        byte[] pk = new byte[32];
        byte[] token = new byte[32];
        r.nextBytes(pk);
        r.nextBytes(token);
        return new NoisePayload(1, r.nextInt(4), r.nextInt(4),
                new NoisePayload.Holepunch(r.nextInt(1 << 20), List.of(
                        new NoisePayload.Relay(a("198.51.100.7", 49737), a("203.0.113.9", r.nextInt(65536))))),
                List.of(a("192.0.2.1", r.nextInt(65536)), a("192.0.2.2", 1)),
                List.of(a("2001:db8::1", 443), mapped("192.0.2.3", 7)),
                new NoisePayload.Udx(1, r.nextBoolean(), r.nextLong() >>> 32, 0),
                new NoisePayload.SecretStream(1), new NoisePayload.RelayThrough(1, pk, token),
                r.nextBoolean() ? List.of() : List.of(a("198.51.100.1", 9)));
    }

    static List<String> nodeTrace(JsonNode reply) {
        List<String> t = new ArrayList<>();
        reply.get("trace").forEach(x -> t.add(x.get(0).asText() + " " + x.get(1).asText()));
        return t;
    }

    static void assertFinalsEqual(JsonNode nodeFinal, HyperdhtHandshakeResult mine) {
        assertEquals(nodeFinal.get("hash").asText(), h(mine.handshakeHash()), "handshake hash");
        assertEquals(nodeFinal.get("tx").asText(), h(mine.tx()), "tx");
        assertEquals(nodeFinal.get("rx").asText(), h(mine.rx()), "rx");
        assertEquals(nodeFinal.get("remotePublicKey").asText(), h(mine.remotePublicKey()), "remote public key");
        assertEquals(nodeFinal.get("streamId").asText(), h(mine.streamId()), "stream id");
        assertEquals(nodeFinal.get("remoteId").asText(), h(mine.remoteStreamId()), "remote stream id");
        assertEquals(nodeFinal.get("holepunchSecret").asText(), h(mine.holepunchSecret()), "holepunch secret");
    }

    @Test
    void fixedKeysBothRolesMatchNodeTranscripts() throws Exception {
        Ed25519KeyPair server = Ed25519KeyPair.fromSeed(SERVER_SEED);
        // reference run: Node client <-> Node server
        node.call("noiseNew", "name", "nc", "seed", CLIENT_SEED, "remotePublicKey", server.publicKey(),
                "ephemeralSeed", CLIENT_E_SEED);
        node.call("noiseNew", "name", "ns", "seed", SERVER_SEED, "ephemeralSeed", SERVER_E_SEED);
        JsonNode c1 = node.call("noiseSend", "name", "nc", "payload", clientPayload().encode());
        JsonNode s1 = node.call("noiseRecv", "name", "ns", "message", bytes(c1, "message"));
        JsonNode s2 = node.call("noiseSend", "name", "ns", "payload", serverPayload().encode());
        JsonNode c2 = node.call("noiseRecv", "name", "nc", "message", bytes(s2, "message"));
        JsonNode clientFinal = node.call("noiseFinal", "name", "nc");
        JsonNode serverFinal = node.call("noiseFinal", "name", "ns");
        List<String> nodeClientTrace = new ArrayList<>(nodeTrace(c1));
        nodeClientTrace.addAll(nodeTrace(c2));
        List<String> nodeServerTrace = new ArrayList<>(nodeTrace(s1));
        nodeServerTrace.addAll(nodeTrace(s2));
        assertEquals(h(clientPayload().encode()), s1.get("payload").asText());
        assertEquals(h(serverPayload().encode()), c2.get("payload").asText());

        // Java client against the Node server's messages
        List<String> javaClientTrace = new ArrayList<>();
        HyperdhtHandshake jc = HyperdhtHandshake.initiator(Ed25519KeyPair.fromSeed(CLIENT_SEED), server.publicKey(),
                RANDOM).withEphemeral(Ed25519KeyPair.fromSeed(CLIENT_E_SEED))
                .withTrace((s, v) -> javaClientTrace.add(s + " " + h(v)));
        assertEquals(c1.get("message").asText(), h(jc.send(clientPayload())), "message 1");
        assertEquals(serverPayload(), jc.recv(bytes(s2, "message")));
        assertEquals(nodeClientTrace, javaClientTrace, "client symmetric-state transcript");
        assertFinalsEqual(clientFinal, jc.result());

        // Java server against the Node client's message
        List<String> javaServerTrace = new ArrayList<>();
        HyperdhtHandshake js = HyperdhtHandshake.responder(server, RANDOM)
                .withEphemeral(Ed25519KeyPair.fromSeed(SERVER_E_SEED))
                .withTrace((s, v) -> javaServerTrace.add(s + " " + h(v)));
        assertEquals(clientPayload(), js.recv(bytes(c1, "message")));
        assertEquals(s2.get("message").asText(), h(js.send(serverPayload())), "message 2");
        assertEquals(nodeServerTrace, javaServerTrace, "server symmetric-state transcript");
        assertFinalsEqual(serverFinal, js.result());
    }

    @Test
    void randomKeysRichPayloadsJavaInitiator() throws Exception {
        Random r = new Random(21);
        for (int i = 0; i < 8; i++) {
            Ed25519KeyPair client = Ed25519KeyPair.generate(RANDOM);
            byte[] serverSeed = new byte[32];
            r.nextBytes(serverSeed);
            Ed25519KeyPair server = Ed25519KeyPair.fromSeed(serverSeed);
            node.call("noiseNew", "name", "s", "seed", serverSeed);
            HyperdhtHandshake jc = HyperdhtHandshake.initiator(client, server.publicKey(), RANDOM);
            NoisePayload p1 = richPayload(r);
            JsonNode got = node.call("noiseRecv", "name", "s", "message", jc.send(p1));
            assertEquals(h(p1.encode()), got.get("payload").asText());
            NoisePayload p2 = richPayload(r);
            JsonNode m2 = node.call("noiseSend", "name", "s", "payload", p2.encode());
            assertEquals(p2, jc.recv(bytes(m2, "message")));
            assertFinalsEqual(node.call("noiseFinal", "name", "s"), swap(jc.result()));
        }
    }

    @Test
    void randomKeysRichPayloadsJavaResponder() throws Exception {
        Random r = new Random(22);
        for (int i = 0; i < 8; i++) {
            byte[] clientSeed = new byte[32];
            r.nextBytes(clientSeed);
            Ed25519KeyPair server = Ed25519KeyPair.generate(RANDOM);
            node.call("noiseNew", "name", "c", "seed", clientSeed, "remotePublicKey", server.publicKey());
            HyperdhtHandshake js = HyperdhtHandshake.responder(server, RANDOM);
            NoisePayload p1 = richPayload(r);
            JsonNode m1 = node.call("noiseSend", "name", "c", "payload", p1.encode());
            assertEquals(p1, js.recv(bytes(m1, "message")));
            assertArrayEquals(Ed25519KeyPair.fromSeed(clientSeed).publicKey(), js.remotePublicKey());
            NoisePayload p2 = richPayload(r);
            JsonNode got = node.call("noiseRecv", "name", "c", "message", js.send(p2));
            assertEquals(h(p2.encode()), got.get("payload").asText());
            assertFinalsEqual(node.call("noiseFinal", "name", "c"), swap(js.result()));
        }
    }

    @Test
    void tamperingIsDetectedBothWays() throws Exception {
        Ed25519KeyPair server = Ed25519KeyPair.generate(RANDOM);
        byte[] clientSeed = new byte[32];
        RANDOM.nextBytes(clientSeed);
        node.call("noiseNew", "name", "t", "seed", clientSeed, "remotePublicKey", server.publicKey());
        byte[] m1 = bytes(node.call("noiseSend", "name", "t", "payload", clientPayload().encode()), "message");
        m1[40] ^= 1;
        assertThrows(CryptoException.class, () -> HyperdhtHandshake.responder(server, RANDOM).recv(m1));

        byte[] serverSeed = new byte[32];
        RANDOM.nextBytes(serverSeed);
        node.call("noiseNew", "name", "t2", "seed", serverSeed);
        byte[] m = HyperdhtHandshake.initiator(Ed25519KeyPair.generate(RANDOM),
                Ed25519KeyPair.fromSeed(serverSeed).publicKey(), RANDOM).send(clientPayload());
        m[m.length - 1] ^= 1;
        assertThrows(NodeOracle.OracleError.class, () -> node.call("noiseRecv", "name", "t2", "message", m));
    }

    @Test
    void hkdfMatchesNoiseHandshake() {
        Random r = new Random(23);
        for (int i = 0; i < 20; i++) {
            byte[] salt = new byte[64];
            byte[] ikm = new byte[i % 3 == 0 ? 0 : 32 + r.nextInt(100)];
            r.nextBytes(salt);
            r.nextBytes(ikm);
            JsonNode got = node.call("hkdf", "salt", salt, "ikm", ikm);
            byte[][] mine = Hkdf.hkdf(salt, ikm);
            assertEquals(got.get("out").get(0).asText(), h(mine[0]));
            assertEquals(got.get("out").get(1).asText(), h(mine[1]));
        }
        // §12.10
        JsonNode v = node.call("hkdf", "salt", fill(1, 64), "ikm", fill(2, 32));
        assertEquals(v.get("out").get(0).asText(), h(Hkdf.hkdf(fill(1, 64), fill(2, 32))[0]));
    }

    /** The Node side's final() seen from the other role: tx/rx and ids swap, the hash and secret stay. */
    private static HyperdhtHandshakeResult swap(HyperdhtHandshakeResult r) {
        return new HyperdhtHandshakeResult(!r.initiator(), r.remotePublicKey(), r.publicKey(), r.handshakeHash(),
                r.rx(), r.tx(), r.remoteStreamId(), r.streamId(), r.holepunchSecret());
    }
}
