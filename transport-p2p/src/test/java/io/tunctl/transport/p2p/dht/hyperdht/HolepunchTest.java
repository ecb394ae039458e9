package io.tunctl.transport.p2p.dht.hyperdht;

import static io.tunctl.transport.p2p.crypto.Hex.b;
import static io.tunctl.transport.p2p.crypto.Hex.h;
import static io.tunctl.transport.p2p.crypto.Hex.seq;
import static io.tunctl.transport.p2p.dht.hyperdht.Fixtures.a;
import static io.tunctl.transport.p2p.dht.hyperdht.Fixtures.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunctl.transport.p2p.crypto.CryptoException;
import io.tunctl.transport.p2p.dht.messages.DhtMessage;
import io.tunctl.transport.p2p.dht.messages.HandshakeMessage;
import io.tunctl.transport.p2p.dht.messages.HolepunchMessage;
import io.tunctl.transport.p2p.dht.messages.HolepunchPayload;
import io.tunctl.transport.p2p.dht.messages.RelayMode;
import io.tunctl.transport.p2p.noise.NoisePayload;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** SecurePayload vector (hyperdht-wire.md §12.9), NAT classification, punch strategies and a full two-round punch. */
class HolepunchTest {
    static final SecureRandom RANDOM = new SecureRandom();

    @Test
    void securePayloadMatchesTheSpecVector() throws Exception {
        SecurePayload sp = new SecurePayload(b("b5f5b7d4423af4b6d54c9f693486710b1c1c19d9d4ec0dfd8777621f265b284d"),
                RANDOM);
        HolepunchPayload p = new HolepunchPayload(false, false, 0, 2, 0, List.of(a("1.2.3.4", 5000)), null, null, null);
        assertEquals("0400020001010203048813", h(p.encode()));
        byte[] wire = sp.encrypt(p, seq(0, 24));
        assertEquals("000102030405060708090a0b0c0d0e0f1011121314151617d26ab50c49f2c12efc6a91a439f86d667ab7a852d92dafa7d4ebf3",
                h(wire));
        assertEquals(p, sp.decrypt(wire));
        wire[30] ^= 1;
        assertThrows(CryptoException.class, () -> sp.decrypt(wire));
        assertThrows(CryptoException.class, () -> sp.decrypt(new byte[40]), "no ciphertext byte");
    }

    static NatAnalyzer nat(String... seen) {
        NatAnalyzer n = new NatAnalyzer(true);
        int i = 0;
        for (String s : seen) {
            String[] hp = s.split(":");
            n.add(a(hp[0], Integer.parseInt(hp[1])), a("192.0.2." + (++i), 49737));
        }
        return n;
    }

    @Test
    void natClassification() {
        assertEquals(FirewallType.OPEN, new NatAnalyzer(false).firewall());
        NatAnalyzer two = nat("1.1.1.1:5", "1.1.1.1:5");
        assertEquals(FirewallType.UNKNOWN, two.firewall());
        assertFalse(two.isSettled());
        NatAnalyzer consistent = nat("1.1.1.1:5", "1.1.1.1:5", "1.1.1.1:5");
        assertEquals(FirewallType.CONSISTENT, consistent.firewall());
        assertTrue(consistent.isSettled());
        assertEquals(List.of(a("1.1.1.1", 5)), consistent.addresses());
        NatAnalyzer random = nat("1.1.1.1:5", "1.1.1.1:6", "1.1.1.1:7");
        assertEquals(FirewallType.RANDOM, random.firewall());
        assertEquals(List.of(a("1.1.1.1", 0)), random.addresses());
        assertEquals(FirewallType.RANDOM, nat("1.1.1.1:5", "1.1.1.1:6", "1.1.1.1:5", "1.1.1.1:7").firewall());
        NatAnalyzer multi = nat("1.1.1.1:5", "2.2.2.2:5", "1.1.1.1:5", "2.2.2.2:5");
        assertEquals(FirewallType.CONSISTENT, multi.firewall());
        assertEquals(List.of(a("1.1.1.1", 5), a("2.2.2.2", 5)), multi.addresses());
        // a second sample from the same responder does not count
        NatAnalyzer dup = new NatAnalyzer(true);
        for (int i = 0; i < 3; i++) {
            dup.add(a("1.1.1.1", 5), a("192.0.2.1", 1));
        }
        assertEquals(1, dup.sampled());
        // sample node choice skips the 5 most recent of 8+
        List<InetSocketAddress> nodes = new java.util.ArrayList<>();
        for (int i = 1; i <= 9; i++) {
            nodes.add(a("192.0.2." + i, 1));
        }
        assertEquals(nodes.subList(5, 9), new NatAnalyzer(true).pickSampleNodes(nodes, new java.util.HashSet<>()));
    }

    @Test
    void punchStrategiesByFirewallPair() {
        InetSocketAddress remote = a("203.0.113.7", 4000);
        Holepuncher cc = new Holepuncher(false, FirewallType.UNKNOWN, nat("1.1.1.1:5", "1.1.1.1:5", "1.1.1.1:5"));
        cc.updateRemote(true, FirewallType.OPEN, List.of(remote, a("198.51.100.1", 1)), remote.getAddress());
        Holepuncher.ConsistentProbe probe = (Holepuncher.ConsistentProbe) cc.punch();
        assertEquals(1000, probe.initialDelayMillis(), "the responder waits for the fast-open ping first");
        assertEquals(List.of(remote), cc.consistentTargets(1), "unverified only every 4th round");
        assertEquals(List.of(remote, a("198.51.100.1", 1)), cc.consistentTargets(4));

        Holepuncher cr = new Holepuncher(true, FirewallType.UNKNOWN, nat("1.1.1.1:5", "1.1.1.1:5", "1.1.1.1:5"));
        cr.updateRemote(true, FirewallType.RANDOM, List.of(a("203.0.113.7", 0)), null);
        assertNull(cr.punch(), "random remote without a verified address");
        cr.updateRemote(true, FirewallType.RANDOM, List.of(a("203.0.113.7", 0)), remote.getAddress());
        assertEquals(new Holepuncher.RandomProbes(remote.getAddress(), 1750, 20), cr.punch());

        Holepuncher rc = new Holepuncher(true, FirewallType.UNKNOWN, nat("1.1.1.1:5", "1.1.1.1:6", "1.1.1.1:7"));
        rc.updateRemote(true, FirewallType.CONSISTENT, List.of(remote), remote.getAddress());
        assertEquals(new Holepuncher.BirthdaySockets(remote, 256, 1750, 20), rc.punch());

        Holepuncher rr = new Holepuncher(true, FirewallType.RANDOM, nat("1.1.1.1:5", "1.1.1.1:6", "1.1.1.1:7"));
        assertTrue(rr.unstable());
        rr.updateRemote(true, FirewallType.RANDOM, List.of(remote), remote.getAddress());
        assertNull(rr.punch());

        Random r = new Random(1);
        for (int i = 0; i < 1000; i++) {
            int p = Holepuncher.randomPort(r);
            assertTrue(p >= 1000 && p <= 65535);
        }
        assertEquals(Holepuncher.ProbeAction.ECHO, cc.onProbe(remote));
        Holepuncher init = new Holepuncher(true, FirewallType.CONSISTENT, nat());
        assertEquals(Holepuncher.ProbeAction.CONNECTED, init.onProbe(remote));
        assertEquals(Holepuncher.ProbeAction.IGNORE, init.onProbe(remote));
    }

    @Test
    void twoRoundPunchBetweenConsistentNats() throws Exception {
        InetSocketAddress relay = a("198.51.100.10", 49737);
        InetSocketAddress clientSeen = a("192.0.2.77", 50000);
        InetSocketAddress serverPuncherSeen = a("203.0.113.5", 41000);
        ServerHandshakes server = new ServerHandshakes(key(0x22), null, RANDOM);
        ClientHandshake client = new ClientHandshake(key(0x11), key(0x22).publicKey(), RANDOM);
        ServerHandshakes.Context sctx = new ServerHandshakes.Context(null, List.of(),
                List.of(new NoisePayload.Relay(relay, a("203.0.113.5", 40000))), List.of(relay), true, false);
        HandshakeMessage in = HandshakeMessage.decode(client.request(new ClientHandshake.Context(null, List.of(), 1,
                false)));
        ServerHandshakes.Session session = ((ServerHandshakes.Accepted) server.onHandshake(in.noise(), clientSeen,
                relay, a("203.0.113.5", 40000), sctx, 2, 0)).session();
        assertInstanceOf(ServerHandshakes.Holepunch.class, session.plan());
        session.attachPuncher(new Holepuncher(false, FirewallType.UNKNOWN,
                nat("203.0.113.5:41000", "203.0.113.5:41000", "203.0.113.5:41000")));
        // the relay saw the server's reply come from the puncher socket
        DhtMessage.Response hsRes = new DhtMessage.Response(1, clientSeen, null, null, List.of(), 0,
                new HandshakeMessage(RelayMode.REPLY, session.reply(), serverPuncherSeen, null).encode());
        ClientHandshake.Connected c = (ClientHandshake.Connected) client.onResponse(hsRes, relay, relay, 0);
        ClientHandshake.LanOrHolepunch plan = (ClientHandshake.LanOrHolepunch) c.plan();
        ClientHolepunch cp = new ClientHolepunch(client.target(), c, plan, new Holepuncher(true,
                FirewallType.fromWire(c.payload().firewall()), nat("192.0.2.77:50001", "192.0.2.77:50001")));

        ForwardTable rt = new ForwardTable();
        rt.putForward(client.target(), a("203.0.113.5", 40000), new byte[33], 0);
        Router relayRouter = new Router(rt);
        ForwardTable st = new ForwardTable();
        st.putLocal(client.target(), new byte[33]);
        Router serverRouter = new Router(st);
        RandomPunchGate gate = new RandomPunchGate();

        // round 1: probe
        DhtMessage.Request probe = cp.probeRequest(10);
        DhtMessage.Response r1 = roundTrip(probe, relayRouter, serverRouter, server, relay, clientSeen, gate, false);
        assertNull(cp.onReply(r1, relay, relay, cp.serverRelay().peerAddress()));
        assertEquals(FirewallType.CONSISTENT, cp.puncher().remoteFirewall());
        cp.puncher().nat().add(a("192.0.2.77", 50001), a("192.0.2.200", 1)); // one more sample: CONSISTENT
        ClientHolepunch.Step next = cp.afterProbe(11);
        assertInstanceOf(ClientHolepunch.PunchNext.class, next);

        // round 2: punch
        DhtMessage.Request punch = cp.punchRequest(12, gate, 0);
        DhtMessage.Response r2 = roundTrip(punch, relayRouter, serverRouter, server, relay, clientSeen, gate, true);
        assertNull(cp.onReply(r2, relay, relay, cp.serverAddress()));
        ClientHolepunch.Punch go = (ClientHolepunch.Punch) cp.afterPunch(gate);
        assertEquals(new Holepuncher.ConsistentProbe(0, 10, 1000), go.plan());
        assertTrue(cp.puncher().remoteAddresses().get(0).verified(), "server address verified by the echoed token");
        assertTrue(session.puncher().remoteAddresses().get(0).verified(), "client address verified too");
        assertEquals(List.of(serverPuncherSeen), cp.puncher().consistentTargets(1));
    }

    /** Client -> relay -> server (ServerHolepunch) -> relay -> client. */
    static DhtMessage.Response roundTrip(DhtMessage.Request req, Router relayRouter, Router serverRouter,
            ServerHandshakes server, InetSocketAddress relay, InetSocketAddress clientSeen, RandomPunchGate gate,
            boolean expectPunch) {
        RpcAction.Relay hop1 = (RpcAction.Relay) relayRouter.onPeerHolepunch(req, clientSeen, 0);
        DhtMessage.Request atServer = hop1.toRequest(req, null);
        HolepunchMessage msg = (HolepunchMessage) ((RpcAction.ToServer) serverRouter.onPeerHolepunch(atServer, relay, 0))
                .message();
        ServerHolepunch.Received rec = (ServerHolepunch.Received) ServerHolepunch.receive(server, msg, relay,
                atServer.to(), false, true);
        ServerHolepunch.Answer ans = ServerHolepunch.respond(rec, gate, true, 0);
        assertTrue(ans.fromPuncher());
        assertEquals(expectPunch, ans.plan() != null);
        RpcAction.Relay hop2 = (RpcAction.Relay) Router.serverHolepunchReply(msg, relay, ans.payload());
        DhtMessage.Request fromServer = hop2.toRequest(atServer, null);
        RpcAction.Reply back = (RpcAction.Reply) relayRouter.onPeerHolepunch(fromServer, a("203.0.113.5", 41000), 0);
        return back.toResponse(fromServer, a("203.0.113.5", 41000), null, null, List.of());
    }

    @Test
    void serverAbortsAndUnknownSessions() throws Exception {
        ServerHandshakes server = new ServerHandshakes(key(0x22), null, RANDOM);
        HolepunchMessage unknown = new HolepunchMessage(RelayMode.FROM_RELAY, 9, new byte[50], a("192.0.2.1", 1));
        assertInstanceOf(ServerHolepunch.NoReply.class, ServerHolepunch.receive(server, unknown, a("192.0.2.2", 2),
                a("192.0.2.3", 3), false, false));
        RandomPunchGate gate = new RandomPunchGate();
        assertTrue(gate.open(0));
        gate.begin();
        assertFalse(gate.open(1));
        gate.end(100);
        assertFalse(gate.open(100 + 19_999));
        assertTrue(gate.open(100 + 20_000));
    }
}
