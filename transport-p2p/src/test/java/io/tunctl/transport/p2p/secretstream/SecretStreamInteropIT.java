package io.tunctl.transport.p2p.secretstream;

import static io.tunctl.transport.p2p.crypto.Hex.h;
import static io.tunctl.transport.p2p.crypto.Hex.seq;
import static io.tunctl.transport.p2p.crypto.NodeOracle.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tunctl.transport.p2p.crypto.CryptoException;
import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import io.tunctl.transport.p2p.crypto.NodeOracle;
import io.tunctl.transport.p2p.noise.HyperdhtHandshake;
import io.tunctl.transport.p2p.noise.HyperdhtHandshakeResult;
import io.tunctl.transport.p2p.noise.NoisePayload;
import java.io.ByteArrayOutputStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * secretstream Java against libsodium's crypto_secretstream_xchacha20poly1305 (sodium-native) and against a real
 * @hyperswarm/secret-stream NoiseSecretStream fed through an in-memory raw stream, after a real Java-Node Noise
 * handshake. hyperdht-wire.md §12.8 is recomputed from the packages.
 */
class SecretStreamInteropIT {
    static NodeOracle node;
    static final SecureRandom RANDOM = new SecureRandom();
    static final int[] TAGS = {SecretStreamCipher.TAG_MESSAGE, SecretStreamCipher.TAG_PUSH, SecretStreamCipher.TAG_REKEY};

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

    @ParameterizedTest
    @EnumSource(ChaChaBackend.class)
    void javaPushNodePull(ChaChaBackend backend) throws Exception {
        Random r = new Random(31);
        byte[] key = new byte[32];
        byte[] header = new byte[24];
        r.nextBytes(key);
        r.nextBytes(header);
        node.call("ssInit", "name", "pull", "key", key, "header", header);
        SecretStreamCipher push = SecretStreamCipher.initPush(key, header, backend);
        for (int i = 0; i < 60; i++) {
            byte[] m = new byte[i == 59 ? 65536 : r.nextInt(1500)];
            r.nextBytes(m);
            int tag = TAGS[i % 3 == 2 ? 2 : r.nextInt(2)];
            if (i == 30) {
                push.rekey();
                node.call("ssRekey", "name", "pull");
            }
            JsonNode got = node.call("ssPull", "name", "pull", "cipher", push.push(m, tag));
            assertEquals(h(m), got.get("hex").asText(), "message " + i);
            assertEquals(tag, got.get("tag").asInt());
        }
        JsonNode fin = node.call("ssPull", "name", "pull", "cipher",
                push.push(seq(1, 3), SecretStreamCipher.TAG_FINAL));
        assertEquals(SecretStreamCipher.TAG_FINAL, fin.get("tag").asInt());
    }

    @ParameterizedTest
    @EnumSource(ChaChaBackend.class)
    void nodePushJavaPull(ChaChaBackend backend) throws Exception {
        Random r = new Random(32);
        byte[] key = new byte[32];
        byte[] header = new byte[24];
        r.nextBytes(key);
        r.nextBytes(header);
        node.call("ssInit", "name", "push", "key", key, "header", header);
        SecretStreamCipher pull = SecretStreamCipher.initPull(key, header, backend);
        for (int i = 0; i < 60; i++) {
            byte[] m = new byte[r.nextInt(3000)];
            r.nextBytes(m);
            int tag = i == 59 ? SecretStreamCipher.TAG_FINAL : TAGS[r.nextInt(3)];
            if (i == 40) {
                pull.rekey();
                node.call("ssRekey", "name", "push");
            }
            byte[] c = bytes(node.call("ssPush", "name", "push", "msg", m, "tag", tag), "hex");
            SecretStreamCipher.Message got = pull.pull(c);
            assertArrayEquals(m, got.plaintext(), "message " + i);
            assertEquals(tag, got.tag());
        }
    }

    @Test
    void counterWrapRekeyMatchesLibsodium() throws Exception {
        byte[] key = seq(3, 32);
        byte[] header = seq(4, 24);
        node.call("ssInit", "name", "wrap", "key", key, "header", header);
        node.call("ssSetCounter", "name", "wrap", "counter", 0xfffffffeL);
        SecretStreamCipher push = SecretStreamCipher.initPush(key, header, ChaChaBackend.JDK);
        push.setCounterForTest(0xfffffffe);
        for (int i = 0; i < 4; i++) {
            JsonNode got = node.call("ssPull", "name", "wrap", "cipher", push.push(seq(i, 20), 0));
            assertEquals(h(seq(i, 20)), got.get("hex").asText(), "message " + i + " across the wrap");
        }
    }

    @Test
    void wireVectorsFromPackages() throws Exception {
        // §12.8: secretstream under the §12.7 client tx key with header 0x50..0x67
        byte[] tx = fixedHandshake().tx();
        node.call("ssInit", "name", "vec", "key", tx, "header", seq(0x50, 24));
        SecretStreamCipher push = SecretStreamCipher.initPush(tx, seq(0x50, 24), ChaChaBackend.JDK);
        for (String s : new String[] {"hello", "", "world!"}) {
            assertEquals(node.call("ssPush", "name", "vec", "msg", s.getBytes(), "tag", 0).get("hex").asText(),
                    h(push.push(s.getBytes(), 0)));
        }
    }

    /** The §12.7 handshake, run Java client against a Node server. */
    private static HyperdhtHandshakeResult fixedHandshake() throws Exception {
        byte[] serverSeed = io.tunctl.transport.p2p.crypto.Hex.fill(0x22, 32);
        node.call("noiseNew", "name", "vecS", "seed", serverSeed, "ephemeralSeed",
                io.tunctl.transport.p2p.crypto.Hex.fill(0x44, 32));
        HyperdhtHandshake c = HyperdhtHandshake.initiator(
                Ed25519KeyPair.fromSeed(io.tunctl.transport.p2p.crypto.Hex.fill(0x11, 32)),
                Ed25519KeyPair.fromSeed(serverSeed).publicKey(), RANDOM)
                .withEphemeral(Ed25519KeyPair.fromSeed(io.tunctl.transport.p2p.crypto.Hex.fill(0x33, 32)));
        node.call("noiseRecv", "name", "vecS", "message", c.send(NoisePayload.of(1, List.of(), 1)));
        c.recv(bytes(node.call("noiseSend", "name", "vecS", "payload", NoisePayload.of(1, List.of(), 2).encode()),
                "message"));
        node.call("noiseFinal", "name", "vecS");
        return c.result();
    }

    /** A real Java(initiator)-Node(responder) handshake; returns the Java result and leaves "srv" final in Node. */
    private static Handshaken handshake(boolean javaInitiator) throws Exception {
        Ed25519KeyPair javaKp = Ed25519KeyPair.generate(RANDOM);
        byte[] nodeSeed = new byte[32];
        RANDOM.nextBytes(nodeSeed);
        Ed25519KeyPair nodeKp = Ed25519KeyPair.fromSeed(nodeSeed);
        HyperdhtHandshakeResult mine;
        if (javaInitiator) {
            node.call("noiseNew", "name", "n", "seed", nodeSeed);
            HyperdhtHandshake c = HyperdhtHandshake.initiator(javaKp, nodeKp.publicKey(), RANDOM);
            node.call("noiseRecv", "name", "n", "message", c.send(NoisePayload.of(1, List.of(), 1)));
            c.recv(bytes(node.call("noiseSend", "name", "n", "payload", NoisePayload.of(1, List.of(), 2).encode()),
                    "message"));
            mine = c.result();
        } else {
            node.call("noiseNew", "name", "n", "seed", nodeSeed, "remotePublicKey", javaKp.publicKey());
            HyperdhtHandshake s = HyperdhtHandshake.responder(javaKp, RANDOM);
            s.recv(bytes(node.call("noiseSend", "name", "n", "payload", NoisePayload.of(1, List.of(), 1).encode()),
                    "message"));
            node.call("noiseRecv", "name", "n", "message", s.send(NoisePayload.of(1, List.of(), 2)));
            mine = s.result();
        }
        JsonNode f = node.call("noiseFinal", "name", "n");
        return new Handshaken(mine, f);
    }

    private record Handshaken(HyperdhtHandshakeResult java, JsonNode node) {
    }

    private static JsonNode nodeStream(String name, JsonNode f, int keepAlive) {
        return node.call("nssNew", "name", name, "isInitiator", f.get("isInitiator").asBoolean(),
                "tx", HexFormat.of().parseHex(f.get("tx").asText()), "rx", HexFormat.of().parseHex(f.get("rx").asText()),
                "hash", HexFormat.of().parseHex(f.get("hash").asText()),
                "publicKey", new byte[32], "remotePublicKey", HexFormat.of().parseHex(f.get("remotePublicKey").asText()),
                "keepAlive", keepAlive);
    }

    @ParameterizedTest
    @EnumSource(ChaChaBackend.class)
    void javaStreamAgainstNoiseSecretStream(ChaChaBackend backend) throws Exception {
        for (boolean javaInitiator : new boolean[] {true, false}) {
            Handshaken hs = handshake(javaInitiator);
            HyperdhtHandshakeResult r = hs.java();
            SecretStream mine = new SecretStream(r.initiator(), r.tx(), r.rx(), r.handshakeHash(),
                    SecretStreamCipher.newHeader(RANDOM), backend, true);
            // Node sends its 59-byte header as soon as it starts
            JsonNode started = nodeStream("s", hs.node(), 5000);
            byte[] nodeHeader = bytes(started, "out");
            assertEquals(59, nodeHeader.length);
            List<byte[]> received = new ArrayList<>();
            mine.receive(nodeHeader, 0, nodeHeader.length, received::add);
            assertTrue(mine.isRemoteHeaderReceived());

            // Java -> Node: header, messages (one of 64 KiB), a keep-alive, fed in random-sized chunks
            Random rnd = new Random(33);
            List<byte[]> sent = new ArrayList<>();
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            wire.writeBytes(mine.headerFrame());
            for (int i = 0; i < 20; i++) {
                byte[] m = new byte[i == 7 ? 65536 : 1 + rnd.nextInt(1400)];
                rnd.nextBytes(m);
                sent.add(m);
                wire.writeBytes(mine.seal(m));
                if (i == 3) {
                    wire.writeBytes(mine.keepAliveFrame());
                }
            }
            byte[] all = wire.toByteArray();
            List<String> nodeGot = new ArrayList<>();
            for (int off = 0; off < all.length;) {
                int n = Math.min(all.length - off, 1 + rnd.nextInt(3000));
                JsonNode fed = node.call("nssFeed", "name", "s", "data", java.util.Arrays.copyOfRange(all, off, off + n));
                assertTrue(fed.get("error").isNull(), () -> "Node stream error: " + fed.get("error"));
                fed.get("messages").forEach(x -> nodeGot.add(x.asText()));
                off += n;
            }
            assertEquals(sent.stream().map(io.tunctl.transport.p2p.crypto.Hex::h).toList(), nodeGot,
                    "Node decrypted every Java message in order and dropped the keep-alive");

            // Node -> Java: several writes and a keep-alive
            List<byte[]> nodeSent = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                byte[] m = new byte[1 + rnd.nextInt(2000)];
                rnd.nextBytes(m);
                nodeSent.add(m);
            }
            byte[] out = bytes(node.call("nssWrite", "name", "s", "msgs", nodeSent), "out");
            byte[] ka = bytes(node.call("nssKeepAlive", "name", "s"), "out");
            assertEquals(20, ka.length, "an empty keep-alive frame is 20 bytes");
            mine.receive(out, 0, out.length, received::add);
            mine.receive(ka, 0, ka.length, received::add);
            assertEquals(nodeSent.size(), received.size());
            for (int i = 0; i < nodeSent.size(); i++) {
                assertArrayEquals(nodeSent.get(i), received.get(i));
            }

            // end: Node's end() encrypts nothing and ends the raw stream
            JsonNode ended = node.call("nssEnd", "name", "s");
            assertEquals("", ended.get("out").asText());
            assertTrue(ended.get("rawEnded").asBoolean());
            JsonNode remoteEnd = node.call("nssRemoteEnd", "name", "s");
            assertTrue(remoteEnd.get("ended").asBoolean(), "Node sees end-of-stream when the raw stream ends");
            mine.end();
            assertFalse(mine.hasPartialFrame());
            node.call("nssDestroy", "name", "s");
        }
    }

    @Test
    void mismatchedStreamIdIsRejectedByBothSides() throws Exception {
        Handshaken hs = handshake(true);
        HyperdhtHandshakeResult r = hs.java();
        JsonNode started = nodeStream("bad", hs.node(), 0);
        // Java pretends to be the responder, so its header carries the wrong id
        SecretStream wrongRole = new SecretStream(!r.initiator(), r.tx(), r.rx(), r.handshakeHash(),
                SecretStreamCipher.newHeader(RANDOM), ChaChaBackend.JDK, true);
        JsonNode fed = node.call("nssFeed", "name", "bad", "data", wrongRole.headerFrame());
        assertEquals("Invalid header received", fed.get("error").asText());
        byte[] nodeHeader = bytes(started, "out");
        assertThrows(CryptoException.class, () -> wrongRole.receive(nodeHeader, 0, nodeHeader.length, m -> { }));
        node.call("nssDestroy", "name", "bad");
    }
}
