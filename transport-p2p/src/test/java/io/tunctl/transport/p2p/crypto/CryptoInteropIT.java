package io.tunctl.transport.p2p.crypto;

import static io.tunctl.transport.p2p.crypto.Hex.b;
import static io.tunctl.transport.p2p.crypto.Hex.fill;
import static io.tunctl.transport.p2p.crypto.Hex.h;
import static io.tunctl.transport.p2p.crypto.Hex.seq;
import static io.tunctl.transport.p2p.crypto.NodeOracle.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tunctl.transport.p2p.codec.CompactEncoder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * hyperdht-wire.md §12.1-12.4, 12.6, 12.9 recomputed from the npm packages at test time, plus differential tests of
 * keys, signatures, BLAKE2b and the noise-curve-ed DH against libsodium on random and hostile inputs.
 */
class CryptoInteropIT {
    static NodeOracle node;

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

    @Test
    void namespaces() {
        JsonNode ns = node.call("namespaces");
        assertEquals(ns.get("base").asText(), h(Blake2b.hash256("hyperswarm/dht".getBytes(StandardCharsets.UTF_8))));
        Map<String, byte[]> mine = Map.of("ANNOUNCE", Namespaces.announce(), "UNANNOUNCE", Namespaces.unannounce(),
                "MUTABLE_PUT", Namespaces.mutablePut(), "PEER_HANDSHAKE", Namespaces.peerHandshake(),
                "PEER_HOLEPUNCH", Namespaces.peerHolepunch(), "PLUGIN", Namespaces.plugin(),
                "NS_INITIATOR", Namespaces.secretStreamInitiator(), "NS_RESPONDER", Namespaces.secretStreamResponder(),
                "NS_SEND", Namespaces.secretStreamSend());
        mine.forEach((k, v) -> assertEquals(ns.get(k).asText(), h(v), k));
    }

    @Test
    void compactEncodingSamples() throws Exception {
        for (JsonNode s : node.call("compactSamples").get("samples")) {
            String type = s.get(0).asText();
            JsonNode v = s.get(1);
            CompactEncoder e = new CompactEncoder();
            switch (type) {
                case "uint" -> e.uint(v.asLong());
                case "uint16" -> e.uint16(v.asInt());
                case "uint24" -> e.uint24(v.asInt());
                case "uint32" -> e.uint32(v.asLong());
                case "buffer" -> e.buffer(b(v.asText()));
                case "optionalBuffer" -> e.optionalBuffer(null);
                case "string" -> e.string(v.asText());
                case "ipv4Address", "ipv6Address" -> {
                    String t = v.asText();
                    int colon = t.lastIndexOf(':');
                    InetSocketAddress a = new InetSocketAddress(InetAddress.getByName(
                            t.substring(0, colon).replace("[", "").replace("]", "")),
                            Integer.parseInt(t.substring(colon + 1)));
                    if (type.equals("ipv4Address")) {
                        e.ipv4Address(a);
                    } else {
                        e.ipv6Address(a);
                    }
                }
                default -> throw new AssertionError("unknown sample type " + type);
            }
            assertEquals(s.get(2).asText(), h(e.toByteArray()), type + " " + v);
        }
    }

    @Test
    void nodeIds() throws Exception {
        for (String[] a : new String[][] {{"127.0.0.1", "49737"}, {"88.99.3.86", "49737"}, {"10.1.2.3", "1"}}) {
            CompactEncoder e = new CompactEncoder().ipv4Address(
                    new InetSocketAddress(InetAddress.getByName(a[0]), Integer.parseInt(a[1])));
            assertEquals(node.call("nodeId", "host", a[0], "port", Integer.parseInt(a[1])).get("hex").asText(),
                    h(Blake2b.hash256(e.toByteArray())));
        }
    }

    @Test
    void keyPairsZ32AndTargets() {
        Random r = new Random(1);
        List<byte[]> seeds = new java.util.ArrayList<>(List.of(seq(0, 32), fill(7, 32)));
        for (int i = 0; i < 30; i++) {
            byte[] s = new byte[32];
            r.nextBytes(s);
            seeds.add(s);
        }
        for (byte[] seed : seeds) {
            JsonNode kp = node.call("keyPair", "seed", seed);
            Ed25519KeyPair mine = Ed25519KeyPair.fromSeed(seed);
            assertEquals(kp.get("publicKey").asText(), h(mine.publicKey()));
            assertEquals(kp.get("secretKey").asText(), h(mine.secretKey()));
            assertEquals(kp.get("z32").asText(), KeyEncoding.toZ32(mine.publicKey()));
            assertEquals(kp.get("target").asText(), h(Blake2b.hash256(mine.publicKey())));
            String z = KeyEncoding.toZ32(mine.publicKey());
            assertEquals(node.call("idDecode", "text", z).get("hex").asText(), h(KeyEncoding.parsePublicKey(z)));
            String pear = "pear://" + z + "/x";
            assertEquals(node.call("idDecode", "text", pear).get("hex").asText(), h(KeyEncoding.parsePublicKey(pear)));
        }
    }

    @Test
    void signaturesBothWays() {
        Random r = new Random(2);
        for (int i = 0; i < 30; i++) {
            byte[] seed = new byte[32];
            r.nextBytes(seed);
            byte[] msg = new byte[r.nextInt(300)];
            r.nextBytes(msg);
            Ed25519KeyPair kp = Ed25519KeyPair.fromSeed(seed);
            byte[] sig = kp.sign(msg);
            assertEquals(node.call("sign", "secretKey", kp.secretKey(), "msg", msg).get("hex").asText(), h(sig));
            assertTrue(node.call("verify", "publicKey", kp.publicKey(), "msg", msg, "sig", sig).get("valid")
                    .asBoolean());
            sig[r.nextInt(64)] ^= (byte) (1 << r.nextInt(8));
            boolean nodeValid = node.call("verify", "publicKey", kp.publicKey(), "msg", msg, "sig", sig).get("valid")
                    .asBoolean();
            assertEquals(nodeValid, Ed25519KeyPair.verify(kp.publicKey(), msg, sig));
        }
    }

    @Test
    void blake2bKeyedAndUnkeyed() {
        Random r = new Random(3);
        for (int i = 0; i < 40; i++) {
            int outLen = i % 2 == 0 ? 32 : 64;
            byte[] key = i % 3 == 0 ? null : new byte[1 + r.nextInt(64)];
            if (key != null) {
                r.nextBytes(key);
            }
            byte[] a = new byte[r.nextInt(200)];
            byte[] c = new byte[r.nextInt(300)];
            r.nextBytes(a);
            r.nextBytes(c);
            JsonNode got = node.call("hash", "out", outLen, "key", key, "parts", List.of(a, c));
            assertEquals(got.get("hex").asText(), h(Blake2b.hash(outLen, key, a, c)));
        }
    }

    @Test
    void ed25519DhMatchesNoiseCurveEd() throws Exception {
        // §12.7 DH lines, then random pairs
        String[][] fixed = {{"22", "33"}, {"22", "11"}, {"44", "33"}, {"11", "44"}};
        for (String[] f : fixed) {
            byte[] remote = Ed25519KeyPair.fromSeed(fill(Integer.parseInt(f[0], 16), 32)).publicKey();
            byte[] localSeed = fill(Integer.parseInt(f[1], 16), 32);
            assertEquals(node.call("dh", "publicKey", remote, "seed", localSeed).get("hex").asText(),
                    h(Ed25519Dh.dh(remote, Ed25519KeyPair.fromSeed(localSeed))));
        }
        Random r = new Random(4);
        for (int i = 0; i < 100; i++) {
            byte[] s1 = new byte[32];
            byte[] s2 = new byte[32];
            r.nextBytes(s1);
            r.nextBytes(s2);
            byte[] remote = Ed25519KeyPair.fromSeed(s1).publicKey();
            assertEquals(node.call("dh", "publicKey", remote, "seed", s2).get("hex").asText(),
                    h(Ed25519Dh.dh(remote, Ed25519KeyPair.fromSeed(s2))));
        }
    }

    @Test
    void scalarMultNoClampAcceptsAndRejectsExactlyLikeLibsodium() {
        Random r = new Random(5);
        List<byte[]> points = new java.util.ArrayList<>();
        // libsodium's small-order blacklist and relatives, non-canonical and "negative zero" encodings
        for (String s : new String[] {
            "0000000000000000000000000000000000000000000000000000000000000000",
            "0100000000000000000000000000000000000000000000000000000000000000",
            "0100000000000000000000000000000000000000000000000000000000000080",
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
            "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
            "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
            "0000000000000000000000000000000000000000000000000000000000000080",
            "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        }) {
            points.add(b(s));
        }
        for (int i = 0; i < 200; i++) {
            byte[] p = new byte[32];
            r.nextBytes(p); // mostly off-curve or outside the prime-order subgroup
            points.add(p);
        }
        for (int i = 0; i < 20; i++) {
            byte[] s = new byte[32];
            r.nextBytes(s);
            points.add(Ed25519KeyPair.fromSeed(s).publicKey());
        }
        int accepted = 0;
        for (byte[] p : points) {
            byte[] n = new byte[32];
            r.nextBytes(n);
            String nodeOut;
            try {
                nodeOut = node.call("scalarMultNoClamp", "n", n, "p", p).get("hex").asText();
            } catch (NodeOracle.OracleError e) {
                nodeOut = null;
            }
            if (nodeOut == null) {
                assertThrows(CryptoException.class, () -> Ed25519Dh.scalarMultNoClamp(n, p), h(p));
            } else {
                accepted++;
                String mine;
                try {
                    mine = h(Ed25519Dh.scalarMultNoClamp(n, p));
                } catch (CryptoException e) {
                    throw new AssertionError("libsodium accepted " + h(p) + " but Java rejected it: " + e.getMessage());
                }
                assertEquals(nodeOut, mine, h(p));
            }
        }
        assertTrue(accepted >= 20, "the 20 real public keys must be accepted, got " + accepted);
    }

    @Test
    void secretBoxBothWays() throws Exception {
        // §12.9: key = the holepunch secret of the §12.7 handshake, nonce 00..17
        Random r = new Random(6);
        for (int i = 0; i < 10; i++) {
            byte[] key = new byte[32];
            byte[] nonce = new byte[24];
            byte[] msg = new byte[r.nextInt(500)];
            r.nextBytes(key);
            r.nextBytes(nonce);
            r.nextBytes(msg);
            byte[] box = SecretBox.seal(msg, nonce, key);
            assertEquals(node.call("secretbox", "msg", msg, "nonce", nonce, "key", key).get("hex").asText(), h(box));
            assertArrayEquals(msg, bytes(node.call("secretboxOpen", "box", box, "nonce", nonce, "key", key), "hex"));
        }
    }

    @Test
    void announceSignatures() throws Exception {
        // §12.6: server seed 07*32, relay node 127.0.0.1:49738, token cc*32
        Ed25519KeyPair server = Ed25519KeyPair.fromSeed(fill(7, 32));
        byte[] target = Blake2b.hash256(server.publicKey());
        byte[] id = Blake2b.hash256(new CompactEncoder().ipv4Address(
                new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 49738)).toByteArray());
        byte[] token = fill(0xcc, 32);
        for (boolean unannounce : new boolean[] {false, true}) {
            JsonNode got = node.call("signAnnounce", "seed", fill(7, 32), "target", target, "token", token, "id", id,
                    "unannounce", unannounce);
            byte[] peer = new CompactEncoder().fixed(server.publicKey(), 32)
                    .array(List.<InetSocketAddress>of(), CompactEncoder::ipv4Address).toByteArray();
            assertEquals(got.get("peer").asText(), h(peer));
            byte[] inner = Blake2b.hash256(target, id, token, peer);
            byte[] ns = unannounce ? Namespaces.unannounce() : Namespaces.announce();
            byte[] signable = java.util.Arrays.copyOf(ns, 64);
            System.arraycopy(inner, 0, signable, 32, 32);
            assertEquals(got.get("hex").asText(), h(server.sign(signable)));
        }
    }
}
