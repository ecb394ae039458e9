package io.tunctl.transport.p2p.dht.messages;

import static io.tunctl.transport.p2p.crypto.Hex.b;
import static io.tunctl.transport.p2p.crypto.Hex.fill;
import static io.tunctl.transport.p2p.crypto.Hex.h;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tunctl.transport.p2p.codec.CompactDecodeException;
import io.tunctl.transport.p2p.codec.CompactEncoder;
import io.tunctl.transport.p2p.crypto.Blake2b;
import io.tunctl.transport.p2p.crypto.NodeOracle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * hyperdht-wire.md §12.5 and the message encodings of §12.6 and §12.9 recomputed by the real dht-rpc {@code Request}
 * class and hyperdht {@code lib/messages} at test time, plus random messages encoded on one side and decoded on the
 * other, both ways. Node's encoding of the same fields must equal Java's byte for byte.
 */
class DhtMessagesInteropIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int RANDOM_ROUNDS = 40;
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

    // ---- the spec's vectors, from Node ----

    String nodeEncode(String kind, Map<String, Object> msg) {
        return node.call("dhtEncode", "kind", kind, "msg", msg).get("hex").asText();
    }

    @Test
    void section5RequestsAndResponses() {
        InetSocketAddress to = DhtMessagesTest.addr("127.0.0.1", 49737);
        InetSocketAddress res = DhtMessagesTest.addr("127.0.0.1", 50000);
        // the vector's token is dht-rpc's BLAKE2b-256("127.0.0.1"; key = secret1 = 22*32)
        byte[] token = Blake2b.keyed256(fill(0x22, 32), "127.0.0.1".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals("adbc55b1f8292697e70c852f66f2c9cc22a0acf90d8e0ea2b399cc0b1d88e922", h(token));
        List<DhtMessage> msgs = List.of(
                new DhtMessage.Request(0x1234, to, null, null, false, DhtCommands.FIND_PEER, DhtMessagesTest.TARGET,
                        null),
                new DhtMessage.Request(0x1235, to, null, null, true, DhtCommands.PING, null, null),
                new DhtMessage.Request(0x1236, to, DhtMessagesTest.NODE_ID, fill(0xbb, 32), false,
                        DhtCommands.ANNOUNCE, DhtMessagesTest.TARGET, b("010203")),
                new DhtMessage.Response(0x1234, res, DhtMessagesTest.NODE_ID, token, DhtMessagesTest.CLOSER, 0,
                        "value".getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
                new DhtMessage.Response(0x1234, res, DhtMessagesTest.NODE_ID, null, DhtMessagesTest.CLOSER,
                        DhtCommands.ERROR_UNKNOWN_COMMAND, null),
                new DhtMessage.Response(0x1234, res, DhtMessagesTest.NODE_ID, null, List.of(), 0, null));
        List<String> spec = List.of(
                "030834127f00000149c202404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f",
                "030435127f00000149c200",
                "031b36127f00000149c2a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
                        + "bb".repeat(32) + "04404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f03010203",
                "131734127f00000150c3a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
                        + h(token) + "020a000001e8030a000002d0070576616c7565",
                "130d34127f00000150c3a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
                        + "020a000001e8030a000002d00701",
                "130134127f00000150c3a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf");
        for (int i = 0; i < msgs.size(); i++) {
            DhtMessage m = msgs.get(i);
            String kind = m instanceof DhtMessage.Request ? "request" : "response";
            String fromNode = nodeEncode(kind, toJson(m));
            assertEquals(spec.get(i), fromNode, "spec vs node " + m);
            assertEquals(fromNode, h(m.encode()), "node vs java " + m);
        }
    }

    @Test
    void section6AnnouncePeerLookup() throws Exception {
        byte[] target = b("8d2d1c260127c74476b27136c5e38c003b66b889f5c80032fb81ebc3f44f45a3");
        byte[] relayId = Blake2b.hash256(new CompactEncoder()
                .ipv4Address(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 49738)).toByteArray());
        JsonNode signed = node.call("signAnnounce", "seed", fill(7, 32), "target", target, "token", fill(0xcc, 32),
                "id", relayId);
        byte[] signature = NodeOracle.bytes(signed, "hex");
        assertEquals(h(DhtMessagesTest.SIGNATURE), h(signature));

        PeerRecord peer = new PeerRecord(DhtMessagesTest.SERVER_PK, List.of());
        assertEquals(signed.get("peer").asText(), h(peer.encode()));
        assertEquals(nodeEncode("peer", toJson(peer)), h(peer.encode()));

        AnnounceMessage ann = new AnnounceMessage(peer, null, signature, 0);
        String nodeAnn = nodeEncode("announce", toJson(ann));
        assertEquals("05" + h(DhtMessagesTest.SERVER_PK) + "00" + h(signature), nodeAnn);
        assertEquals(nodeAnn, h(ann.encode()));

        PeerRecord relayed = new PeerRecord(DhtMessagesTest.SERVER_PK,
                List.of(DhtMessagesTest.addr("127.0.0.1", 49738)));
        String nodePeer = nodeEncode("peer", toJson(relayed));
        assertEquals(h(DhtMessagesTest.SERVER_PK) + "017f0000014ac2", nodePeer);
        assertEquals(nodePeer, h(relayed.encode()));

        LookupReply lookup = new LookupReply(List.of(relayed), 0);
        String nodeLookup = nodeEncode("lookup", toJson(lookup));
        assertEquals("01" + h(DhtMessagesTest.SERVER_PK) + "017f0000014ac200", nodeLookup);
        assertEquals(nodeLookup, h(lookup.encode()));
    }

    @Test
    void section9HolepunchAndHandshake() {
        InetSocketAddress a = DhtMessagesTest.addr("1.2.3.4", 5);
        Map<Object, String> cases = new LinkedHashMap<>();
        cases.put(new HolepunchPayload(false, false, 0, 2, 0, List.of(DhtMessagesTest.addr("1.2.3.4", 5000)), null,
                null, null), "0400020001010203048813");
        cases.put(new HolepunchMessage(RelayMode.FROM_CLIENT, 0, b("aa"), a), "01000001aa010203040500");
        cases.put(new HandshakeMessage(RelayMode.FROM_CLIENT, b("bb"), null, null), "000001bb");
        cases.put(new HandshakeMessage(RelayMode.FROM_RELAY, b("bb"), a, null), "010201bb010203040500");
        cases.forEach((m, spec) -> {
            String fromNode = nodeEncode(kind(m), toJson(m));
            assertEquals(spec, fromNode, "spec vs node " + m);
            assertEquals(fromNode, h(encode(m)), "node vs java " + m);
        });
    }

    // ---- random messages, both directions ----

    @Test
    void randomRequestsAndResponses() {
        Random rnd = new Random(0x7e57_0005L);
        for (int i = 0; i < RANDOM_ROUNDS; i++) {
            // an id is kept by dht-rpc only if it is the id of the datagram's source, so derive it from one
            InetSocketAddress from = randomSource(rnd);
            byte[] id = rnd.nextBoolean() ? nodeId(from) : null;
            DhtMessage.Request q = new DhtMessage.Request(rnd.nextInt(0x10000), randomAddress(rnd), id,
                    maybe(rnd, 32), rnd.nextBoolean(), rnd.nextInt(4) == 0 ? rnd.nextInt(100_000) : rnd.nextInt(11),
                    maybe(rnd, 32), rnd.nextBoolean() ? bytes(rnd, rnd.nextInt(300)) : null);
            checkBothWays("request", q, from, DhtMessage::decode);

            from = randomSource(rnd);
            id = rnd.nextBoolean() ? nodeId(from) : null;
            long[] errors = {0, 0, 1, 2, 16, 17, 300};
            DhtMessage.Response r = new DhtMessage.Response(rnd.nextInt(0x10000), randomAddress(rnd), id,
                    maybe(rnd, 32), randomAddresses(rnd, rnd.nextInt(4) == 0 ? 20 : rnd.nextInt(4)),
                    errors[rnd.nextInt(errors.length)], rnd.nextBoolean() ? bytes(rnd, rnd.nextInt(300)) : null);
            checkBothWays("response", r, from, DhtMessage::decode);
        }
    }

    @Test
    void randomHyperdhtMessages() {
        Random rnd = new Random(0x7e57_0006L);
        RelayMode[] modes = RelayMode.values();
        for (int i = 0; i < RANDOM_ROUNDS; i++) {
            Supplier<PeerRecord> peer = () -> new PeerRecord(bytes(rnd, 32), randomAddresses(rnd, rnd.nextInt(4)));
            PeerRecord p = peer.get();
            checkBothWays("peer", p, null, PeerRecord::decode);
            AnnounceMessage ann = new AnnounceMessage(rnd.nextBoolean() ? peer.get() : null, maybe(rnd, 32),
                    maybe(rnd, 64), rnd.nextBoolean() ? 0 : rnd.nextInt(1 << 20));
            checkBothWays("announce", ann, null, AnnounceMessage::decode);
            List<PeerRecord> peers = new ArrayList<>();
            for (int n = rnd.nextInt(5); n > 0; n--) {
                peers.add(peer.get());
            }
            LookupReply lookup = new LookupReply(peers, rnd.nextBoolean() ? 0 : rnd.nextInt(1 << 20));
            checkBothWays("lookup", lookup, null, LookupReply::decode);
            HandshakeMessage hs = new HandshakeMessage(modes[rnd.nextInt(modes.length)], bytes(rnd, rnd.nextInt(200)),
                    rnd.nextBoolean() ? randomAddress(rnd) : null, rnd.nextBoolean() ? randomAddress(rnd) : null);
            checkBothWays("handshake", hs, null, HandshakeMessage::decode);
            HolepunchMessage hp = new HolepunchMessage(modes[rnd.nextInt(modes.length)],
                    rnd.nextBoolean() ? rnd.nextInt(300) : Integer.toUnsignedLong(rnd.nextInt()),
                    bytes(rnd, rnd.nextInt(120)), rnd.nextBoolean() ? randomAddress(rnd) : null);
            checkBothWays("holepunch", hp, null, HolepunchMessage::decode);
            HolepunchPayload pl = new HolepunchPayload(rnd.nextBoolean(), rnd.nextBoolean(), rnd.nextInt(4),
                    rnd.nextInt(4), rnd.nextInt(0xfd), rnd.nextBoolean() ? randomAddresses(rnd, rnd.nextInt(4)) : null,
                    rnd.nextBoolean() ? randomAddress(rnd) : null, maybe(rnd, 32), maybe(rnd, 32));
            checkBothWays("holepunchPayload", pl, null, HolepunchPayload::decode);
        }
    }

    /**
     * hyperdht 6.34.0's holepunchPayload preencode counts flags, error, firewall and round as one byte each, so Node
     * cuts the encoding short when one of them is 0xfd or more (a multi-byte varint). Java writes the full encoding,
     * which Node decodes correctly; Java never relies on Node encoding such values.
     */
    @Test
    void holepunchPayloadWithMultiByteRoundNodeEncodesShortButDecodes() {
        HolepunchPayload pl = new HolepunchPayload(true, false, 0, 2, 266, null,
                DhtMessagesTest.addr("198.51.100.7", 41877), null, null);
        String nodeHex = nodeEncode("holepunchPayload", toJson(pl));
        assertEquals(h(pl.encode()).substring(0, nodeHex.length()), nodeHex);
        assertEquals(pl.encode().length - 2, nodeHex.length() / 2, "Node's known short encoding");
        JsonNode decoded = node.call("dhtDecode", "kind", "holepunchPayload", "hex", pl.encode()).get("msg");
        assertEquals(normalise(toJson(pl)), decoded);
    }

    @Test
    void truncatedMessagesAreRefusedByBoth() {
        DhtMessage.Response r = new DhtMessage.Response(7, DhtMessagesTest.addr("192.0.2.1", 49737),
                DhtMessagesTest.NODE_ID, fill(1, 32), DhtMessagesTest.CLOSER, 0, b("0102"));
        byte[] full = r.encode();
        for (int cut = 1; cut < full.length; cut++) {
            byte[] part = java.util.Arrays.copyOf(full, cut);
            assertThrows(CompactDecodeException.class, () -> DhtMessage.decode(part));
            assertThrows(NodeOracle.OracleError.class,
                    () -> node.call("dhtDecode", "kind", "response", "hex", h(part)), "node accepted " + cut);
        }
        byte[] hp = new HolepunchPayload(true, false, 0, 1, 0, DhtMessagesTest.CLOSER, null, fill(2, 32), null)
                .encode();
        for (int cut = 0; cut < hp.length; cut++) {
            byte[] part = java.util.Arrays.copyOf(hp, cut);
            assertThrows(CompactDecodeException.class, () -> HolepunchPayload.decode(part));
            assertThrows(NodeOracle.OracleError.class,
                    () -> node.call("dhtDecode", "kind", "holepunchPayload", "hex", h(part)), "node accepted " + cut);
        }
    }

    /** Node and Java encode the same fields identically; each decodes the other's bytes back to those fields. */
    <T> void checkBothWays(String kind, T msg, InetSocketAddress from, Function<byte[], ?> javaDecode) {
        Map<String, Object> json = toJson(msg);
        String nodeHex = nodeEncode(kind, json);
        byte[] javaBytes = encode(msg);
        assertEquals(nodeHex, h(javaBytes), kind + " encodings differ for " + msg);
        assertEquals(msg, javaDecode.apply(b(nodeHex)), kind + ": java decode of node bytes");
        JsonNode decoded = node.call("dhtDecode", "kind", kind, "hex", javaBytes, "from",
                from == null ? null : address(from)).get("msg");
        assertEquals(normalise(json), decoded, kind + ": node decode of java bytes");
    }

    // ---- JSON shapes the oracle speaks ----

    static String kind(Object m) {
        return switch (m) {
            case DhtMessage.Request q -> "request";
            case DhtMessage.Response r -> "response";
            case HolepunchPayload p -> "holepunchPayload";
            case HolepunchMessage p -> "holepunch";
            case HandshakeMessage p -> "handshake";
            default -> throw new IllegalArgumentException(m.toString());
        };
    }

    static byte[] encode(Object m) {
        return switch (m) {
            case DhtMessage d -> d.encode();
            case PeerRecord p -> p.encode();
            case AnnounceMessage a -> a.encode();
            case LookupReply l -> l.encode();
            case HandshakeMessage hs -> hs.encode();
            case HolepunchMessage hp -> hp.encode();
            case HolepunchPayload pl -> pl.encode();
            default -> throw new IllegalArgumentException(m.toString());
        };
    }

    static Map<String, Object> toJson(Object m) {
        Map<String, Object> o = new LinkedHashMap<>();
        switch (m) {
            case DhtMessage.Request q -> {
                o.put("tid", q.tid());
                o.put("to", address(q.to()));
                o.put("id", hex(q.id()));
                o.put("token", hex(q.token()));
                o.put("internal", q.internal());
                o.put("command", q.command());
                o.put("target", hex(q.target()));
                o.put("value", hex(q.value()));
            }
            case DhtMessage.Response r -> {
                o.put("tid", r.tid());
                o.put("to", address(r.to()));
                o.put("id", hex(r.id()));
                o.put("token", hex(r.token()));
                o.put("closerNodes", r.closerNodes().isEmpty() ? null : addresses(r.closerNodes()));
                o.put("error", r.error());
                o.put("value", hex(r.value()));
            }
            case PeerRecord p -> {
                o.put("publicKey", hex(p.publicKey()));
                o.put("relayAddresses", addresses(p.relayAddresses()));
            }
            case AnnounceMessage a -> {
                o.put("peer", a.peer() == null ? null : toJson(a.peer()));
                o.put("refresh", hex(a.refresh()));
                o.put("signature", hex(a.signature()));
                o.put("bump", a.bump());
            }
            case LookupReply l -> {
                o.put("peers", l.peers().stream().map(DhtMessagesInteropIT::toJson).toList());
                o.put("bump", l.bump());
            }
            case HandshakeMessage hs -> {
                o.put("mode", hs.mode().wireValue());
                o.put("noise", hex(hs.noise()));
                o.put("peerAddress", address(hs.peerAddress()));
                o.put("relayAddress", address(hs.relayAddress()));
            }
            case HolepunchMessage hp -> {
                o.put("mode", hp.mode().wireValue());
                o.put("id", hp.id());
                o.put("payload", hex(hp.payload()));
                o.put("peerAddress", address(hp.peerAddress()));
            }
            case HolepunchPayload pl -> {
                o.put("connected", pl.connected());
                o.put("punching", pl.punching());
                o.put("error", pl.error());
                o.put("firewall", pl.firewall());
                o.put("round", pl.round());
                o.put("addresses", pl.addresses() == null ? null : addresses(pl.addresses()));
                o.put("remoteAddress", address(pl.remoteAddress()));
                o.put("token", hex(pl.token()));
                o.put("remoteToken", hex(pl.remoteToken()));
            }
            default -> throw new IllegalArgumentException(m.toString());
        }
        return o;
    }

    /** Through text, so numbers get the same node types as in a parsed reply. */
    static JsonNode normalise(Map<String, Object> json) {
        try {
            return JSON.readTree(JSON.writeValueAsString(json));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String hex(byte[] b) {
        return b == null ? null : h(b);
    }

    static Map<String, Object> address(InetSocketAddress a) {
        if (a == null) {
            return null;
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("host", a.getAddress().getHostAddress());
        o.put("port", a.getPort());
        return o;
    }

    static List<Map<String, Object>> addresses(List<InetSocketAddress> l) {
        return l.stream().map(DhtMessagesInteropIT::address).toList();
    }

    static byte[] nodeId(InetSocketAddress a) {
        return NodeId.of(a);
    }

    @Test
    void nodeIdsMatchDhtRpc() {
        Random rnd = new Random(0x7e57_0003L);
        for (int i = 0; i < RANDOM_ROUNDS; i++) {
            InetSocketAddress a = randomAddress(rnd);
            JsonNode id = node.call("nodeId", "host", a.getAddress().getHostAddress(), "port", a.getPort());
            assertEquals(id.get("hex").asText(), h(NodeId.of(a)), a.toString());
        }
    }

    static byte[] bytes(Random rnd, int n) {
        byte[] out = new byte[n];
        rnd.nextBytes(out);
        return out;
    }

    static byte[] maybe(Random rnd, int n) {
        return rnd.nextBoolean() ? bytes(rnd, n) : null;
    }

    static InetSocketAddress randomAddress(Random rnd) {
        try {
            // port 0 is dropped by dht-rpc as a source, but is a valid field value
            return new InetSocketAddress(InetAddress.getByAddress(bytes(rnd, 4)), rnd.nextInt(0x10000));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** A datagram source: dht-rpc drops datagrams from port 0. */
    static InetSocketAddress randomSource(Random rnd) {
        InetSocketAddress a = randomAddress(rnd);
        return new InetSocketAddress(a.getAddress(), 1 + rnd.nextInt(0xffff));
    }

    static List<InetSocketAddress> randomAddresses(Random rnd, int n) {
        List<InetSocketAddress> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(randomAddress(rnd));
        }
        return l;
    }
}
