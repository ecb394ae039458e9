package io.tunctl.transport.p2p.dht.hyperdht;

import static io.tunctl.transport.p2p.crypto.Hex.h;
import static io.tunctl.transport.p2p.crypto.NodeOracle.bytes;
import static io.tunctl.transport.p2p.dht.hyperdht.Fixtures.a;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tunctl.transport.p2p.crypto.Blake2b;
import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import io.tunctl.transport.p2p.crypto.NodeOracle;
import io.tunctl.transport.p2p.dht.messages.AnnounceMessage;
import io.tunctl.transport.p2p.dht.messages.DhtCommands;
import io.tunctl.transport.p2p.dht.messages.DhtMessage;
import io.tunctl.transport.p2p.dht.messages.HandshakeMessage;
import io.tunctl.transport.p2p.dht.messages.HolepunchMessage;
import io.tunctl.transport.p2p.dht.messages.HolepunchPayload;
import io.tunctl.transport.p2p.dht.messages.NodeId;
import io.tunctl.transport.p2p.dht.messages.RelayMode;
import io.tunctl.transport.p2p.noise.NoisePayload;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The I/O-free hyperdht core against hyperdht 6.34.0's own modules (test resource {@code node/hyperdht-core.js}):
 * announce signatures and a real storage node's verdicts, router decisions, Java server replies accepted by Node's
 * client checks and the reverse, holepunch payload crypto, and the NAT classification.
 */
class HyperdhtCoreInteropIT {
    static NodeOracle node;
    static final SecureRandom RANDOM = new SecureRandom();

    @BeforeAll
    static void start() {
        node = NodeOracle.start("hyperdht-core.js");
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    static byte[] rnd(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    static String s(InetSocketAddress a) {
        return a == null ? null : a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    static InetSocketAddress addr(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        String t = n.asText();
        int i = t.lastIndexOf(':');
        return a(t.substring(0, i), Integer.parseInt(t.substring(i + 1)));
    }

    static Map<String, Object> req(String command, byte[] target, byte[] token, byte[] value, InetSocketAddress from) {
        Map<String, Object> m = new HashMap<>();
        m.put("command", command);
        m.put("target", target == null ? null : h(target));
        m.put("token", token == null ? null : h(token));
        m.put("value", value == null ? null : h(value));
        m.put("from", s(from));
        return m;
    }

    @Test
    void announceSignaturesBothWaysAndNodeStorageAcceptsJavaAnnounces() {
        for (int i = 0; i < 5; i++) {
            byte[] seed = rnd(32);
            Ed25519KeyPair kp = Ed25519KeyPair.fromSeed(seed);
            byte[] target = Blake2b.hash256(kp.publicKey());
            InetSocketAddress storage = a("10.1.2." + (i + 1), 49737 + i);
            byte[] nodeId = NodeId.of(storage);
            byte[] token = rnd(32);
            for (boolean un : new boolean[] {false, true}) {
                JsonNode n = node.call("signAnnounce", "seed", seed, "target", target, "nodeId", nodeId, "token", token,
                        "unannounce", un);
                AnnounceMessage nodeMsg = AnnounceMessage.decode(bytes(n, "value"));
                AnnounceMessage javaMsg = un ? AnnounceSignatures.unannounce(kp, target, nodeId, token)
                        : AnnounceSignatures.announce(kp, target, nodeId, token, List.of(), 0);
                assertEquals(h(javaMsg.encode()), n.get("value").asText(), "identical signed value");
                assertTrue(un ? AnnounceSignatures.verifyUnannounce(nodeMsg, target, nodeId, token)
                        : AnnounceSignatures.verifyAnnounce(nodeMsg, target, nodeId, token));
            }
            // Node's storage node: Java ANNOUNCE stored as a forward to the sender, a forged one ignored, Java
            // UNANNOUNCE removes it
            InetSocketAddress server = a("192.0.2.9", 40000 + i);
            byte[] ann = AnnounceSignatures.announce(kp, target, nodeId, token, List.of(), 0).encode();
            byte[] wrongNode = AnnounceSignatures.announce(kp, target, rnd(32), token, List.of(), 0).encode();
            JsonNode st = node.call("storage", "nodeId", nodeId, "requests", List.of(
                    req("announce", target, token, wrongNode, server)));
            assertEquals(0, st.get("results").get(0).size(), "forged: no reply");
            assertEquals(0, st.get("forwards").size());
            st = node.call("storage", "nodeId", nodeId, "requests", List.of(req("announce", target, token, ann, server)));
            JsonNode ack = st.get("results").get(0).get(0);
            assertEquals("reply", ack.get("kind").asText());
            assertTrue(ack.get("value").isNull() && !ack.get("token").asBoolean() && !ack.get("closerNodes").asBoolean());
            assertEquals(s(server), st.get("forwards").get(0).get("relay").asText());
            assertEquals(h(kp.publicKey()) + "00", st.get("forwards").get(0).get("record").asText());
            byte[] unann = AnnounceSignatures.unannounce(kp, target, nodeId, token).encode();
            st = node.call("storage", "nodeId", nodeId, "requests", List.of(req("announce", target, token, ann, server),
                    req("unannounce", target, token, unann, server)));
            assertEquals(1, st.get("results").get(1).size());
            assertEquals(0, st.get("forwards").size(), "unannounced");

            // and Java's store accepts what Node signed
            ForwardTable f = new ForwardTable();
            RecordStore store = new RecordStore(f, new Random(1));
            byte[] nodeAnn = bytes(node.call("signAnnounce", "seed", seed, "target", target, "nodeId", nodeId, "token",
                    token, "unannounce", false), "value");
            assertInstanceOf(RpcAction.Reply.class, store.onAnnounce(Fixtures.request(DhtCommands.ANNOUNCE, token, target,
                    nodeAnn), server, nodeId, 0));
            assertEquals(server, f.get(target, 1).relay());
        }
    }

    /** The same request through hyperdht's Router and ours must give the same action. */
    void sameRoute(String command, byte[] target, byte[] value, InetSocketAddress from, InetSocketAddress forward,
            byte[] serverReply) {
        JsonNode out = node.call("route", "command", command, "target", target, "value", value, "from", s(from),
                "forward", s(forward), "server", serverReply != null, "serverReply", serverReply);
        JsonNode actions = out.get("actions");
        ForwardTable table = new ForwardTable();
        if (forward != null) {
            table.putForward(target, forward, new byte[33], 0);
        }
        if (serverReply != null) {
            table.putLocal(target, new byte[33]);
        }
        Router r = new Router(table);
        DhtMessage.Request req = Fixtures.request(command.equals("handshake") ? DhtCommands.PEER_HANDSHAKE
                : DhtCommands.PEER_HOLEPUNCH, null, target, value);
        RpcAction act = command.equals("handshake") ? r.onPeerHandshake(req, from, 1) : r.onPeerHolepunch(req, from, 1);
        if (act instanceof RpcAction.ToServer ts) {
            act = ts.message() instanceof HandshakeMessage hm ? Router.serverHandshakeReply(hm, from, serverReply)
                    : Router.serverHolepunchReply((HolepunchMessage) ts.message(), from, serverReply);
        }
        String what = command + " " + h(value) + " forward=" + forward + " server=" + (serverReply != null);
        if (actions.isEmpty()) {
            assertInstanceOf(RpcAction.Drop.class, act, what);
            return;
        }
        assertEquals(1, actions.size(), what);
        JsonNode n = actions.get(0);
        switch (act) {
            case RpcAction.Reply rep -> {
                assertEquals("reply", n.get("kind").asText(), what);
                assertEquals(n.get("value").isNull() ? null : n.get("value").asText(),
                        rep.value() == null ? null : h(rep.value()), what);
                assertEquals(addr(n.get("to")), rep.to(), what);
                assertEquals(n.get("token").asBoolean(), rep.token(), what);
                assertEquals(n.get("closerNodes").asBoolean(), rep.closerNodes(), what);
            }
            case RpcAction.Relay rel -> {
                assertEquals("relay", n.get("kind").asText(), what);
                assertEquals(n.get("value").asText(), h(rel.value()), what);
                assertEquals(addr(n.get("to")), rel.to(), what);
            }
            default -> throw new AssertionError(what + ": Node acted, Java: " + act);
        }
    }

    @Test
    void routerDecisionsMatchNode() {
        byte[] target = rnd(32);
        byte[] noise = rnd(80);
        InetSocketAddress client = a("192.0.2.1", 1000);
        InetSocketAddress relay = a("198.51.100.2", 2000);
        InetSocketAddress relay2 = a("198.51.100.3", 3000);
        InetSocketAddress server = a("203.0.113.4", 4000);
        byte[] reply = rnd(60);
        List<InetSocketAddress> forwards = new ArrayList<>(java.util.Arrays.asList(null, server));
        for (RelayMode mode : RelayMode.values()) {
            for (InetSocketAddress peer : java.util.Arrays.asList(null, client)) {
                for (InetSocketAddress relayAddr : java.util.Arrays.asList(null, relay2)) {
                    byte[] hs = new HandshakeMessage(mode, noise, peer, relayAddr).encode();
                    for (InetSocketAddress fwd : forwards) {
                        sameRoute("handshake", target, hs, relay, fwd, null);
                    }
                    sameRoute("handshake", target, hs, relay, null, reply);
                }
                byte[] hp = new HolepunchMessage(mode, 5, rnd(40), peer).encode();
                for (InetSocketAddress fwd : forwards) {
                    if (mode == RelayMode.FROM_SERVER && peer == null) {
                        continue; // Node answers the server itself here; we drop (see Router)
                    }
                    sameRoute("holepunch", target, hp, relay, fwd, null);
                }
                if (!(mode == RelayMode.FROM_SERVER && peer == null)) {
                    sameRoute("holepunch", target, hp, relay, null, reply);
                }
            }
        }
        sameRoute("handshake", target, new byte[] {1}, relay, server, null); // truncated
    }

    @Test
    void javaServerReplyIsAcceptedByNodeClient() throws Exception {
        Ed25519KeyPair serverKey = Ed25519KeyPair.generate(RANDOM);
        byte[] clientSeed = rnd(32);
        InetSocketAddress relay = a("198.51.100.7", 49737);
        InetSocketAddress clientSeen = a("192.0.2.50", 50000);
        InetSocketAddress serverSeen = a("203.0.113.60", 40000);
        for (int firewall : new int[] {NoisePayload.FIREWALL_UNKNOWN, NoisePayload.FIREWALL_OPEN}) {
            String name = "c" + firewall;
            byte[] value = bytes(node.call("clientStart", "name", name, "seed", clientSeed, "serverPublicKey",
                    serverKey.publicKey(), "firewall", firewall, "addresses4", List.of("192.0.2.50:50000"),
                    "udxId", 0x7766), "value");
            byte[] target = Blake2b.hash256(serverKey.publicKey());
            ForwardTable rt = new ForwardTable();
            rt.putForward(target, serverSeen, new byte[33], 0);
            ForwardTable st = new ForwardTable();
            st.putLocal(target, new byte[33]);
            DhtMessage.Request fromClient = new DhtMessage.Request(4321, relay, null, null, false,
                    DhtCommands.PEER_HANDSHAKE, target, value);
            RpcAction.Relay hop1 = (RpcAction.Relay) new Router(rt).onPeerHandshake(fromClient, clientSeen, 0);
            DhtMessage.Request atServer = DhtMessage.Request.decode(hop1.toRequest(fromClient, null).encode());
            RpcAction.ToServer ts = (RpcAction.ToServer) new Router(st).onPeerHandshake(atServer, relay, 0);
            HandshakeMessage in = (HandshakeMessage) ts.message();
            ServerHandshakes server = new ServerHandshakes(serverKey, null, RANDOM);
            ServerHandshakes.Session session = ((ServerHandshakes.Accepted) server.onHandshake(in.noise(),
                    in.peerAddress(), relay, atServer.to(), new ServerHandshakes.Context(null, List.of(),
                            List.of(new NoisePayload.Relay(relay, serverSeen)), List.of(relay), true, false),
                    0x55aa, 0)).session();
            DhtMessage.Request fromServer = ((RpcAction.Relay) Router.serverHandshakeReply(in, relay, session.reply()))
                    .toRequest(atServer, null);
            RpcAction.Reply back = (RpcAction.Reply) new Router(rt).onPeerHandshake(fromServer, serverSeen, 0);
            DhtMessage.Response res = DhtMessage.Response.decode(back.toResponse(fromServer, serverSeen, null, null,
                    List.of()).encode());
            assertEquals(clientSeen, res.to());

            JsonNode done = node.call("clientFinish", "name", name, "value", res.value(), "from", s(relay),
                    "contacted", s(relay));
            assertEquals(s(serverSeen), done.get("serverAddress").asText());
            assertTrue(done.get("relayed").asBoolean());
            assertEquals(0x55aa, done.get("udxId").asLong());
            assertEquals(session.id(), done.get("holepunchId").asInt());
            assertEquals(s(relay), done.get("relays").get(0).get(0).asText());
            assertEquals(s(relay), done.get("relayAddresses").get(0).asText());
            assertEquals(h(serverKey.publicKey()), done.get("remotePublicKey").asText());
            assertEquals(h(session.result().handshakeHash()), done.get("hash").asText());
            assertEquals(h(session.result().rx()), done.get("tx").asText());
            assertEquals(h(session.result().holepunchSecret()), done.get("holepunchSecret").asText());
            assertEquals(0x7766, session.remoteStreamId());
            assertEquals(firewall == NoisePayload.FIREWALL_OPEN ? new ServerHandshakes.ConnectNow(clientSeen, false)
                    : new ServerHandshakes.Holepunch(FirewallType.UNKNOWN, ServerHandshakes.INITIAL_TIMEOUT_MILLIS),
                    session.plan());

            // with an allowlist that refuses this client there is no reply to give Node at all
            ServerHandshakes strict = new ServerHandshakes(serverKey,
                    (pk, p, addr) -> HandshakeFirewall.Verdict.reject("not allowed"), RANDOM);
            assertInstanceOf(ServerHandshakes.Rejected.class, strict.onHandshake(in.noise(), in.peerAddress(), relay,
                    atServer.to(), new ServerHandshakes.Context(null, List.of(), List.of(), List.of(), true, false), 1,
                    0));
        }
        // a reply from another address than the relay contacted is refused by Node as well
        byte[] value = bytes(node.call("clientStart", "name", "x", "seed", clientSeed, "serverPublicKey",
                serverKey.publicKey(), "firewall", 0, "addresses4", List.of(), "udxId", 1), "value");
        assertTrue(value.length > 0);
        assertThrows(NodeOracle.OracleError.class, () -> node.call("clientFinish", "name", "x", "value",
                new HandshakeMessage(RelayMode.REPLY, new byte[48], null, null).encode(), "from", s(relay), "contacted",
                s(a("198.51.100.8", 1))));
    }

    @Test
    void nodeServerReplyIsAcceptedByJavaClient() throws Exception {
        byte[] serverSeed = rnd(32);
        byte[] serverPk = bytes(node.call("keyPair", "seed", serverSeed), "publicKey");
        Ed25519KeyPair clientKey = Ed25519KeyPair.generate(RANDOM);
        InetSocketAddress relay = a("198.51.100.7", 49737);
        InetSocketAddress serverSeen = a("203.0.113.60", 40000);
        ClientHandshake client = new ClientHandshake(clientKey, serverPk, RANDOM);
        ClientHandshake.Context ctx = new ClientHandshake.Context(null, List.of(a("192.168.5.5", 1234)), 0x3344,
                false);
        HandshakeMessage out = HandshakeMessage.decode(client.request(ctx));
        assertEquals(RelayMode.FROM_CLIENT, out.mode());
        JsonNode srv = node.call("serverReply", "seed", serverSeed, "noise", out.noise(), "udxId", 0x9988, "relays",
                List.of(List.of(s(relay), s(serverSeen))), "relayAddresses", List.of(s(relay)));
        assertEquals(h(clientKey.publicKey()), srv.get("clientPublicKey").asText());
        assertEquals(0x3344, srv.get("clientUdxId").asLong());
        assertEquals(NoisePayload.FIREWALL_UNKNOWN, srv.get("clientFirewall").asInt());
        assertEquals("192.168.5.5:1234", srv.get("clientAddresses4").get(0).asText());
        DhtMessage.Response res = new DhtMessage.Response(9, a("192.0.2.50", 50000), null, null, List.of(), 0,
                new HandshakeMessage(RelayMode.REPLY, bytes(srv, "reply"), serverSeen, null).encode());
        ClientHandshake.Connected c = (ClientHandshake.Connected) client.onResponse(res, relay, relay, 0);
        assertEquals(srv.get("hash").asText(), h(c.result().handshakeHash()));
        assertEquals(srv.get("tx").asText(), h(c.result().rx()));
        assertEquals(0x9988, c.remoteStreamId());
        ClientHandshake.LanOrHolepunch plan = (ClientHandshake.LanOrHolepunch) c.plan();
        assertEquals(new NoisePayload.Relay(relay, serverSeen), plan.serverRelay());
        assertEquals(0, plan.holepunchId());
    }

    @Test
    void holepunchPayloadsBothWays() throws Exception {
        for (int i = 0; i < 10; i++) {
            byte[] secret = rnd(32);
            SecurePayload mine = new SecurePayload(secret, RANDOM);
            InetSocketAddress peer = a("192.0.2." + (i + 1), 1000 + i);
            HolepunchPayload p = new HolepunchPayload(i % 2 == 0, i % 3 == 0, i % 4, i % 4, i,
                    i % 2 == 0 ? List.of(a("198.51.100.1", 5000 + i), a("203.0.113.9", 0)) : null,
                    i % 3 == 0 ? peer : null, i % 2 == 1 ? rnd(32) : null, mine.token(peer));
            JsonNode d = node.call("hpDecrypt", "secret", secret, "wire", mine.encrypt(p)).get("payload");
            assertEquals(p.connected(), d.get("connected").asBoolean());
            assertEquals(p.punching(), d.get("punching").asBoolean());
            assertEquals(p.error(), d.get("error").asLong());
            assertEquals(p.firewall(), d.get("firewall").asLong());
            assertEquals(p.round(), d.get("round").asLong());
            assertEquals(p.addresses() == null ? null : p.addresses().stream().map(HyperdhtCoreInteropIT::s).toList(),
                    d.get("addresses").isNull() ? null : toList(d.get("addresses")));
            assertEquals(p.remoteAddress(), addr(d.get("remoteAddress")));
            assertEquals(p.token() == null ? null : h(p.token()), d.get("token").isNull() ? null : d.get("token").asText());
            assertEquals(h(p.remoteToken()), d.get("remoteToken").asText());

            Map<String, Object> np = new HashMap<>();
            np.put("connected", true);
            np.put("punching", false);
            np.put("error", 0);
            np.put("firewall", 2);
            np.put("round", i);
            np.put("addresses", List.of(s(peer)));
            np.put("remoteAddress", null);
            np.put("token", h(rnd(32)));
            np.put("remoteToken", null);
            np.put("tokenFor", s(peer));
            JsonNode e = node.call("hpEncrypt", "secret", secret, "localSecret", mine.localSecret(), "payload", np);
            HolepunchPayload back = mine.decrypt(bytes(e, "wire"));
            assertEquals(new HolepunchPayload(true, false, 0, 2, i, List.of(peer), null,
                    java.util.HexFormat.of().parseHex((String) np.get("token")), null), back);
            assertEquals(e.get("token").asText(), h(mine.token(peer)), "address token");
        }
        // wrong key: Node drops it, and so do we
        byte[] wire = new SecurePayload(rnd(32), RANDOM).encrypt(new HolepunchPayload(false, false, 0, 0, 0, null,
                null, null, null));
        assertTrue(node.call("hpDecrypt", "secret", rnd(32), "wire", wire).get("payload").isNull());
    }

    static List<String> toList(JsonNode arr) {
        List<String> out = new ArrayList<>();
        arr.forEach(x -> out.add(x.asText()));
        return out;
    }

    @Test
    void natClassificationMatchesNode() {
        Random r = new Random(42);
        String[] hosts = {"198.51.100.1", "198.51.100.2", "203.0.113.3"};
        for (int run = 0; run < 200; run++) {
            boolean firewalled = run % 10 != 0;
            int n = 1 + r.nextInt(7);
            List<List<String>> samples = new ArrayList<>();
            NatAnalyzer nat = new NatAnalyzer(firewalled);
            List<String> javaSteps = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                InetSocketAddress seen = a(hosts[r.nextInt(r.nextBoolean() ? 1 : hosts.length)],
                        40000 + r.nextInt(r.nextBoolean() ? 2 : 6));
                InetSocketAddress from = a("192.0.2." + (1 + r.nextInt(6)), 49737);
                samples.add(List.of(s(seen), s(from)));
                nat.add(seen, from);
                javaSteps.add(nat.firewall().wireValue() + " " + (nat.addresses() == null ? null
                        : nat.addresses().stream().map(HyperdhtCoreInteropIT::s).toList()));
            }
            JsonNode steps = node.call("nat", "firewalled", firewalled, "samples", samples).get("steps");
            List<String> nodeSteps = new ArrayList<>();
            steps.forEach(st -> nodeSteps.add(st.get("firewall").asInt() + " "
                    + (st.get("addresses").isNull() ? null : toList(st.get("addresses")))));
            assertEquals(nodeSteps, javaSteps, "samples " + samples + " firewalled=" + firewalled);
        }
        assertNull(new NatAnalyzer(true).addresses());
    }
}
