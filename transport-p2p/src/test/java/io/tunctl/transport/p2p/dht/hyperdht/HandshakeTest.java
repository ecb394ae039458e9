package io.tunctl.transport.p2p.dht.hyperdht;

import static io.tunctl.transport.p2p.dht.hyperdht.Fixtures.a;
import static io.tunctl.transport.p2p.dht.hyperdht.Fixtures.key;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import io.tunctl.transport.p2p.dht.messages.DhtCommands;
import io.tunctl.transport.p2p.dht.messages.DhtMessage;
import io.tunctl.transport.p2p.dht.messages.HandshakeMessage;
import io.tunctl.transport.p2p.dht.messages.RelayMode;
import io.tunctl.transport.p2p.noise.NoisePayload;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Java client and Java server through a Java relay: firewall, dedupe, error payloads and the connect plans. */
class HandshakeTest {
    static final SecureRandom RANDOM = new SecureRandom();
    static final Ed25519KeyPair SERVER = key(0x22);
    static final Ed25519KeyPair CLIENT = key(0x11);
    static final InetSocketAddress RELAY = a("198.51.100.10", 49737);
    static final InetSocketAddress SERVER_SEEN = a("203.0.113.5", 40000);
    static final InetSocketAddress CLIENT_SEEN = a("192.0.2.77", 50000);

    static ServerHandshakes.Context serverCtx(InetSocketAddress publicAddress) {
        return new ServerHandshakes.Context(publicAddress, List.of(),
                List.of(new NoisePayload.Relay(RELAY, SERVER_SEEN)), List.of(RELAY), true, false);
    }

    /** Client -> relay -> server -> relay -> client through two Routers; returns the client's outcome. */
    record Run(ServerHandshakes.Outcome server, ClientHandshake.Outcome client) {
    }

    static Run run(ServerHandshakes server, ClientHandshake client, ClientHandshake.Context cctx,
            ServerHandshakes.Context sctx) throws Exception {
        ForwardTable relayTable = new ForwardTable();
        relayTable.putForward(client.target(), SERVER_SEEN, new byte[33], 0);
        Router relay = new Router(relayTable);
        ForwardTable serverTable = new ForwardTable();
        serverTable.putLocal(client.target(), new byte[33]);
        Router serverRouter = new Router(serverTable);

        DhtMessage.Request req = client.requestTo(RELAY, 77, cctx);
        RpcAction.Relay hop1 = (RpcAction.Relay) relay.onPeerHandshake(req, CLIENT_SEEN, 0);
        DhtMessage.Request atServer = hop1.toRequest(req, null);
        RpcAction.ToServer ts = (RpcAction.ToServer) serverRouter.onPeerHandshake(atServer, RELAY, 0);
        HandshakeMessage in = (HandshakeMessage) ts.message();
        ServerHandshakes.Outcome so = server.onHandshake(in.noise(), in.peerAddress(), RELAY, atServer.to(), sctx,
                0xabcdef, 0);
        if (!(so instanceof ServerHandshakes.Accepted acc)) {
            return new Run(so, null);
        }
        RpcAction.Relay hop2 = (RpcAction.Relay) Router.serverHandshakeReply(in, RELAY, acc.session().reply());
        DhtMessage.Request fromServer = hop2.toRequest(atServer, null);
        RpcAction.Reply back = (RpcAction.Reply) relay.onPeerHandshake(fromServer, SERVER_SEEN, 0);
        DhtMessage.Response res = back.toResponse(fromServer, SERVER_SEEN, null, null, List.of());
        return new Run(so, client.onResponse(res, RELAY, RELAY, 0));
    }

    static ClientHandshake.Context clientCtx(InetSocketAddress publicAddress) {
        return new ClientHandshake.Context(publicAddress, List.of(), 0x1234, false);
    }

    @Test
    void relayedHandshakeAgreesOnKeysAndStreamIds() throws Exception {
        ServerHandshakes server = new ServerHandshakes(SERVER, null, RANDOM);
        ClientHandshake client = new ClientHandshake(CLIENT, SERVER.publicKey(), RANDOM);
        Run r = run(server, client, clientCtx(null), serverCtx(null));
        ServerHandshakes.Session s = ((ServerHandshakes.Accepted) r.server()).session();
        ClientHandshake.Connected c = (ClientHandshake.Connected) r.client();
        assertArrayEquals(c.result().tx(), s.result().rx());
        assertArrayEquals(c.result().handshakeHash(), s.result().handshakeHash());
        assertArrayEquals(CLIENT.publicKey(), s.remotePublicKey());
        assertEquals(0x1234, s.remoteStreamId());
        assertEquals(0xabcdef, c.remoteStreamId());
        assertEquals(CLIENT_SEEN, s.clientAddress());
        assertEquals(SERVER_SEEN, c.serverAddress());
        assertEquals(CLIENT_SEEN, c.clientAddress());
        assertTrue(c.relayed());
        // neither side OPEN: the server punches (replying from its puncher socket), the client holepunches
        assertInstanceOf(ServerHandshakes.Holepunch.class, s.plan());
        assertTrue(s.replyFromPuncher());
        assertNotNull(s.securePayload());
        ClientHandshake.LanOrHolepunch plan = (ClientHandshake.LanOrHolepunch) c.plan();
        assertEquals(new NoisePayload.Relay(RELAY, SERVER_SEEN), plan.serverRelay());
        assertNull(plan.lanProbe());
        assertEquals(s.id(), plan.holepunchId());
        assertEquals(List.of(RELAY), c.payload().relayAddresses());
    }

    @Test
    void firewallRejectsSilentlyAndRepeatsStaySilent() throws Exception {
        List<String> seen = new ArrayList<>();
        ServerHandshakes server = new ServerHandshakes(SERVER, (pk, payload, addr) -> {
            seen.add(addr.toString());
            return java.util.Arrays.equals(pk, CLIENT.publicKey())
                    ? HandshakeFirewall.Verdict.reject("not on the allowlist") : HandshakeFirewall.Verdict.allow();
        }, RANDOM);
        ClientHandshake client = new ClientHandshake(CLIENT, SERVER.publicKey(), RANDOM);
        Run r = run(server, client, clientCtx(null), serverCtx(null));
        assertTrue(((ServerHandshakes.Rejected) r.server()).reason().contains("allowlist"));
        assertEquals(List.of(CLIENT_SEEN.toString()), seen, "called with the client's address");
        byte[] msg1 = HandshakeMessage.decode(client.request(clientCtx(null))).noise();
        assertInstanceOf(ServerHandshakes.Rejected.class,
                server.onHandshake(msg1, CLIENT_SEEN, RELAY, SERVER_SEEN, serverCtx(null), 1, 5));
        assertEquals(1, seen.size(), "a retransmit is not re-examined");
        server.expire(ServerHandshakes.CLEAR_WAIT_MILLIS);
        assertEquals(0, server.size());
        // a throwing hook rejects
        ServerHandshakes throwing = new ServerHandshakes(SERVER, (pk, p, a) -> {
            throw new IllegalStateException("boom");
        }, RANDOM);
        assertInstanceOf(ServerHandshakes.Rejected.class,
                throwing.onHandshake(msg1, CLIENT_SEEN, RELAY, SERVER_SEEN, serverCtx(null), 1, 0));
        // garbage does not authenticate
        assertInstanceOf(ServerHandshakes.Rejected.class,
                server.onHandshake(new byte[100], CLIENT_SEEN, RELAY, SERVER_SEEN, serverCtx(null), 1, 0));
    }

    @Test
    void duplicatesGetTheSameReplyAndSlotsAreReused() throws Exception {
        ServerHandshakes server = new ServerHandshakes(SERVER, null, RANDOM);
        ClientHandshake c1 = new ClientHandshake(CLIENT, SERVER.publicKey(), RANDOM);
        byte[] m1 = HandshakeMessage.decode(c1.request(clientCtx(null))).noise();
        ServerHandshakes.Accepted first = (ServerHandshakes.Accepted) server.onHandshake(m1, CLIENT_SEEN, RELAY,
                SERVER_SEEN, serverCtx(null), 5, 0);
        ServerHandshakes.Accepted again = (ServerHandshakes.Accepted) server.onHandshake(m1, CLIENT_SEEN, RELAY,
                SERVER_SEEN, serverCtx(null), 6, 1);
        assertTrue(again.duplicate());
        assertSame(first.session(), again.session());
        assertArrayEquals(first.session().reply(), again.session().reply());
        byte[] m2 = HandshakeMessage.decode(new ClientHandshake(key(0x12), SERVER.publicKey(), RANDOM)
                .request(clientCtx(null))).noise();
        ServerHandshakes.Accepted other = (ServerHandshakes.Accepted) server.onHandshake(m2, CLIENT_SEEN, RELAY,
                SERVER_SEEN, serverCtx(null), 7, 1);
        assertEquals(0, first.session().id());
        assertEquals(1, other.session().id());
        assertSame(first.session(), server.session(0));
        server.complete(first.session(), 100);
        server.expire(100 + ServerHandshakes.CLEAR_WAIT_MILLIS);
        assertNull(server.session(0));
        byte[] m3 = HandshakeMessage.decode(new ClientHandshake(key(0x13), SERVER.publicKey(), RANDOM)
                .request(clientCtx(null))).noise();
        assertEquals(0, ((ServerHandshakes.Accepted) server.onHandshake(m3, CLIENT_SEEN, RELAY, SERVER_SEEN,
                serverCtx(null), 8, 20_000)).session().id(), "lowest free slot");
    }

    @Test
    void openSidesConnectDirectly() throws Exception {
        // client claims OPEN: the server connects now; the client (server not OPEN, but holepunchable) waits
        Run r = run(new ServerHandshakes(SERVER, null, RANDOM), new ClientHandshake(CLIENT, SERVER.publicKey(), RANDOM),
                clientCtx(CLIENT_SEEN), serverCtx(null));
        assertEquals(new ServerHandshakes.ConnectNow(CLIENT_SEEN, false),
                ((ServerHandshakes.Accepted) r.server()).session().plan());
        assertEquals(new ClientHandshake.AwaitServer(ClientHandshake.PASSIVE_CONNECT_TIMEOUT_MILLIS),
                ((ClientHandshake.Connected) r.client()).plan());
        // server OPEN with a public address: it says so, lists it first, has no holepunch info; the client connects
        InetSocketAddress pub = a("8.8.4.4", 49737);
        Run o = run(new ServerHandshakes(SERVER, null, RANDOM), new ClientHandshake(CLIENT, SERVER.publicKey(), RANDOM),
                clientCtx(null), serverCtx(pub));
        ClientHandshake.Connected c = (ClientHandshake.Connected) o.client();
        assertEquals(NoisePayload.FIREWALL_OPEN, c.payload().firewall());
        assertNull(c.payload().holepunch());
        assertEquals(new ClientHandshake.ConnectDirect(pub, false), c.plan());
        assertInstanceOf(ServerHandshakes.AwaitClient.class, ((ServerHandshakes.Accepted) o.server()).session().plan());
    }

    @Test
    void directHandshakeAndServerErrors() throws Exception {
        ServerHandshakes server = new ServerHandshakes(SERVER, null, RANDOM);
        ClientHandshake client = new ClientHandshake(CLIENT, SERVER.publicKey(), RANDOM);
        byte[] value = client.request(clientCtx(null));
        HandshakeMessage in = HandshakeMessage.decode(value);
        ServerHandshakes.Accepted acc = (ServerHandshakes.Accepted) server.onHandshake(in.noise(), null, CLIENT_SEEN,
                SERVER_SEEN, serverCtx(null), 9, 0);
        assertEquals(new ServerHandshakes.ConnectNow(CLIENT_SEEN, true), acc.session().plan());
        RpcAction.Reply reply = (RpcAction.Reply) Router.serverHandshakeReply(in, CLIENT_SEEN, acc.session().reply());
        DhtMessage.Request req = new DhtMessage.Request(1, SERVER_SEEN, null, null, false, DhtCommands.PEER_HANDSHAKE,
                client.target(), value);
        DhtMessage.Response res = reply.toResponse(req, CLIENT_SEEN, null, null, List.of());
        // a reply from somewhere else is ignored, the right one connects on the request's socket
        assertInstanceOf(ClientHandshake.Ignored.class, client.onResponse(res, RELAY, SERVER_SEEN, 0));
        ClientHandshake.Connected c = (ClientHandshake.Connected) client.onResponse(res, SERVER_SEEN, SERVER_SEEN, 0);
        assertEquals(new ClientHandshake.ConnectDirect(SERVER_SEEN, true), c.plan());

        // a client payload without udx gets an ABORTED error payload and no stream
        io.tunctl.transport.p2p.noise.HyperdhtHandshake raw = io.tunctl.transport.p2p.noise.HyperdhtHandshake
                .initiator(CLIENT, SERVER.publicKey(), RANDOM);
        byte[] noUdx = raw.send(new NoisePayload(1, 0, 0, null, List.of(), List.of(), null, null, null, null));
        ServerHandshakes.Accepted err = (ServerHandshakes.Accepted) server.onHandshake(noUdx, CLIENT_SEEN, RELAY,
                SERVER_SEEN, serverCtx(null), 10, 0);
        assertEquals(new ServerHandshakes.ReplyOnly(NoisePayload.ERROR_ABORTED), err.session().plan());
        NoisePayload back = raw.recv(err.session().reply());
        assertEquals(NoisePayload.ERROR_ABORTED, back.error());
        assertEquals(0, back.udx().id());
    }

    @Test
    void clientRejectsErrorPayloads() throws Exception {
        ServerHandshakes server = new ServerHandshakes(SERVER, null, RANDOM);
        ClientHandshake client = new ClientHandshake(CLIENT, SERVER.publicKey(), RANDOM);
        io.tunctl.transport.p2p.noise.HyperdhtHandshake rs = io.tunctl.transport.p2p.noise.HyperdhtHandshake
                .responder(SERVER, RANDOM);
        rs.recv(HandshakeMessage.decode(client.request(clientCtx(null))).noise());
        byte[] msg2 = rs.send(new NoisePayload(1, NoisePayload.ERROR_TRY_LATER, 0, null, List.of(), List.of(),
                new NoisePayload.Udx(1, false, 1, 0), null, null, null));
        DhtMessage.Response res = new DhtMessage.Response(1, CLIENT_SEEN, null, null, List.of(), 0,
                new HandshakeMessage(RelayMode.REPLY, msg2, SERVER_SEEN, null).encode());
        assertEquals(ConnectError.SERVER_ERROR, ((ClientHandshake.Failed) client.onResponse(res, RELAY, RELAY, 0))
                .error());
        assertNotNull(server);
    }

    @Test
    void lanCandidatesOnBothSides() throws Exception {
        // both behind the same public IP; both offer a 192.168.1.x address
        InetSocketAddress nat = a("203.0.113.5", 1);
        InetSocketAddress serverLan = a("192.168.1.10", 49737);
        InetSocketAddress clientLan = a("192.168.1.20", 40000);
        ServerHandshakes server = new ServerHandshakes(SERVER, null, RANDOM);
        ClientHandshake client = new ClientHandshake(CLIENT, SERVER.publicKey(), RANDOM);
        HandshakeMessage in = HandshakeMessage.decode(client.request(new ClientHandshake.Context(null,
                List.of(clientLan), 3, false)));
        ServerHandshakes.Context sctx = new ServerHandshakes.Context(null, List.of(serverLan),
                List.of(new NoisePayload.Relay(RELAY, a("203.0.113.5", 2))), List.of(RELAY), true, false);
        ServerHandshakes.Accepted acc = (ServerHandshakes.Accepted) server.onHandshake(in.noise(),
                a("203.0.113.5", 3), RELAY, nat, sctx, 4, 0);
        ServerHandshakes.AwaitClient await = (ServerHandshakes.AwaitClient) acc.session().plan();
        assertTrue(await.lanPuncher());
        assertTrue(!acc.session().replyFromPuncher());
        DhtMessage.Response res = new DhtMessage.Response(1, a("203.0.113.5", 3), null, null, List.of(), 0,
                new HandshakeMessage(RelayMode.REPLY, acc.session().reply(), a("203.0.113.5", 2), null).encode());
        ClientHandshake.LanOrHolepunch plan = (ClientHandshake.LanOrHolepunch) ((ClientHandshake.Connected) client
                .onResponse(res, RELAY, RELAY, 0)).plan();
        assertEquals(serverLan, plan.lanProbe());
        assertNotNull(plan.serverRelay(), "races holepunching");
    }
}
