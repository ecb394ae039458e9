package io.tunctl.transport.p2p.dht.hyperdht;

import static io.tunctl.transport.p2p.crypto.Hex.b;
import static io.tunctl.transport.p2p.crypto.Hex.fill;
import static io.tunctl.transport.p2p.dht.hyperdht.Fixtures.a;
import static io.tunctl.transport.p2p.dht.hyperdht.Fixtures.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunctl.transport.p2p.dht.messages.DhtCommands;
import io.tunctl.transport.p2p.dht.messages.DhtMessage;
import io.tunctl.transport.p2p.dht.messages.HandshakeMessage;
import io.tunctl.transport.p2p.dht.messages.HolepunchMessage;
import io.tunctl.transport.p2p.dht.messages.RelayMode;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every branch of the relay/server routing table of hyperdht-wire.md §6.2, including the captured §6.1 flow. */
class RouterTest {
    static final byte[] TARGET = b("8d2d1c260127c74476b27136c5e38c003b66b889f5c80032fb81ebc3f44f45a3");
    static final byte[] NOISE = fill(0xbb, 116);
    static final InetSocketAddress CLIENT = a("127.0.0.1", 45107);
    static final InetSocketAddress RELAY = a("127.0.0.1", 49738);
    static final InetSocketAddress RELAY2 = a("127.0.0.1", 49739);
    static final InetSocketAddress SERVER = a("127.0.0.1", 50964);

    static DhtMessage.Request hs(RelayMode mode, InetSocketAddress peer, InetSocketAddress relay) {
        return request(DhtCommands.PEER_HANDSHAKE, null, TARGET, new HandshakeMessage(mode, NOISE, peer, relay).encode());
    }

    static DhtMessage.Request hp(RelayMode mode, InetSocketAddress peer) {
        return request(DhtCommands.PEER_HOLEPUNCH, null, TARGET, new HolepunchMessage(mode, 3, fill(0xaa, 50), peer)
                .encode());
    }

    static Router relayWithForward() {
        ForwardTable f = new ForwardTable();
        f.putForward(TARGET, SERVER, fill(1, 33), 0);
        return new Router(f);
    }

    @Test
    void capturedRelayedHandshakeFlow() {
        Router relay = relayWithForward();
        ForwardTable sf = new ForwardTable();
        sf.putLocal(TARGET, fill(1, 33));
        Router server = new Router(sf);

        // client -> relay: FROM_CLIENT becomes FROM_RELAY to the server, peerAddress = client
        RpcAction.Relay toServer = (RpcAction.Relay) relay.onPeerHandshake(hs(RelayMode.FROM_CLIENT, null, null),
                CLIENT, 1);
        assertEquals(SERVER, toServer.to());
        HandshakeMessage atServer = HandshakeMessage.decode(toServer.value());
        assertEquals(new HandshakeMessage(RelayMode.FROM_RELAY, NOISE, CLIENT, null), atServer);
        DhtMessage.Request original = hs(RelayMode.FROM_CLIENT, null, null);
        DhtMessage.Request relayed = toServer.toRequest(original, null);
        assertEquals(original.tid(), relayed.tid(), "same tid");
        assertEquals(0x18, relayed.flags(), "target|value, no token");

        // server: handed to the local server logic, whose msg2 goes back to the relay as FROM_SERVER
        RpcAction.ToServer local = (RpcAction.ToServer) server.onPeerHandshake(relayed, RELAY, 1);
        assertSame(HandshakeMessage.class, local.message().getClass());
        byte[] msg2 = fill(0xcc, 107);
        RpcAction.Relay back = (RpcAction.Relay) Router.serverHandshakeReply((HandshakeMessage) local.message(), RELAY,
                msg2);
        assertEquals(RELAY, back.to());
        assertEquals(new HandshakeMessage(RelayMode.FROM_SERVER, msg2, CLIENT, null),
                HandshakeMessage.decode(back.value()));

        // relay: FROM_SERVER becomes a REPLY response to the client, peerAddress = server
        DhtMessage.Request fromServer = request(DhtCommands.PEER_HANDSHAKE, null, TARGET, back.value());
        RpcAction.Reply reply = (RpcAction.Reply) relay.onPeerHandshake(fromServer, SERVER, 2);
        assertEquals(CLIENT, reply.to());
        assertFalse(reply.token() || reply.closerNodes());
        assertEquals(new HandshakeMessage(RelayMode.REPLY, msg2, SERVER, null), HandshakeMessage.decode(reply.value()));
        DhtMessage.Response res = reply.toResponse(fromServer, SERVER, null, fill(9, 32), List.of(RELAY2));
        assertEquals(CLIENT, res.to());
        assertEquals(0x10, res.flags(), "value only");
    }

    @Test
    void relayBranches() {
        Router r = relayWithForward();
        // FROM_CLIENT with a relayAddress goes there even without a forward
        Router empty = new Router(new ForwardTable());
        RpcAction.Relay viaHint = (RpcAction.Relay) empty.onPeerHandshake(hs(RelayMode.FROM_CLIENT, null, RELAY2),
                CLIENT, 0);
        assertEquals(RELAY2, viaHint.to());
        // no forward, no hint: empty reply with closer nodes so the client can route
        RpcAction.Reply help = (RpcAction.Reply) empty.onPeerHandshake(hs(RelayMode.FROM_CLIENT, null, null), CLIENT, 0);
        assertNull(help.value());
        assertTrue(help.closerNodes());
        assertFalse(help.token());
        // FROM_RELAY at a second relay: FROM_SECOND_RELAY with relayAddress = the first relay
        RpcAction.Relay second = (RpcAction.Relay) r.onPeerHandshake(hs(RelayMode.FROM_RELAY, CLIENT, null), RELAY, 0);
        assertEquals(SERVER, second.to());
        assertEquals(new HandshakeMessage(RelayMode.FROM_SECOND_RELAY, NOISE, CLIENT, RELAY),
                HandshakeMessage.decode(second.value()));
        assertInstanceOf(RpcAction.Drop.class, empty.onPeerHandshake(hs(RelayMode.FROM_RELAY, CLIENT, null), RELAY, 0));
        assertInstanceOf(RpcAction.Drop.class, r.onPeerHandshake(hs(RelayMode.FROM_SERVER, null, null), SERVER, 0));
        assertInstanceOf(RpcAction.Drop.class, r.onPeerHandshake(hs(RelayMode.REPLY, CLIENT, null), SERVER, 0));
        assertInstanceOf(RpcAction.Drop.class, r.onPeerHandshake(request(DhtCommands.PEER_HANDSHAKE, null, TARGET,
                b("0100")), CLIENT, 0), "truncated value");
        assertInstanceOf(RpcAction.Drop.class, r.onPeerHandshake(request(DhtCommands.PEER_HANDSHAKE, null, TARGET,
                new HandshakeMessage(RelayMode.FROM_CLIENT, new byte[0], null, null).encode()), CLIENT, 0), "no noise");
        // forwards expire
        assertInstanceOf(RpcAction.Reply.class, r.onPeerHandshake(hs(RelayMode.FROM_CLIENT, null, null), CLIENT,
                ForwardTable.DEFAULT_MAX_AGE_MILLIS));
    }

    @Test
    void serverBranches() {
        ForwardTable f = new ForwardTable();
        f.putLocal(TARGET, fill(1, 33));
        f.putForward(TARGET, RELAY, fill(2, 33), 0); // an announce for our own key does not replace the listener
        Router s = new Router(f);
        assertInstanceOf(RpcAction.ToServer.class, s.onPeerHandshake(hs(RelayMode.FROM_CLIENT, null, null), CLIENT, 0));
        assertInstanceOf(RpcAction.Drop.class, s.onPeerHandshake(hs(RelayMode.FROM_SECOND_RELAY, CLIENT, null), RELAY,
                0));
        HandshakeMessage second = new HandshakeMessage(RelayMode.FROM_SECOND_RELAY, NOISE, CLIENT, RELAY2);
        RpcAction.Relay viaFirst = (RpcAction.Relay) Router.serverHandshakeReply(second, RELAY, fill(3, 48));
        assertEquals(RELAY2, viaFirst.to());
        RpcAction.Reply direct = (RpcAction.Reply) Router.serverHandshakeReply(
                new HandshakeMessage(RelayMode.FROM_CLIENT, NOISE, null, null), CLIENT, fill(3, 48));
        assertNull(direct.to());
        assertEquals(new HandshakeMessage(RelayMode.REPLY, fill(3, 48), null, null),
                HandshakeMessage.decode(direct.value()));
    }

    @Test
    void holepunchRouting() {
        Router relay = relayWithForward();
        RpcAction.Relay toServer = (RpcAction.Relay) relay.onPeerHolepunch(hp(RelayMode.FROM_CLIENT, null), CLIENT, 0);
        assertEquals(SERVER, toServer.to());
        assertEquals(new HolepunchMessage(RelayMode.FROM_RELAY, 3, fill(0xaa, 50), CLIENT),
                HolepunchMessage.decode(toServer.value()));
        // the client names the server's address (its puncher socket) explicitly: that wins over the forward
        InetSocketAddress puncher = a("127.0.0.1", 51000);
        assertEquals(puncher, ((RpcAction.Relay) relay.onPeerHolepunch(hp(RelayMode.FROM_CLIENT, puncher), CLIENT, 0))
                .to());
        assertInstanceOf(RpcAction.Drop.class, new Router(new ForwardTable()).onPeerHolepunch(
                hp(RelayMode.FROM_CLIENT, null), CLIENT, 0));
        // FROM_RELAY only for a listening server
        assertInstanceOf(RpcAction.Drop.class, relay.onPeerHolepunch(hp(RelayMode.FROM_RELAY, CLIENT), RELAY, 0));
        ForwardTable sf = new ForwardTable();
        sf.putLocal(TARGET, fill(1, 33));
        RpcAction.ToServer ts = (RpcAction.ToServer) new Router(sf).onPeerHolepunch(hp(RelayMode.FROM_RELAY, CLIENT),
                RELAY, 0);
        RpcAction.Relay ans = (RpcAction.Relay) Router.serverHolepunchReply((HolepunchMessage) ts.message(), RELAY,
                fill(0xdd, 60));
        assertEquals(RELAY, ans.to());
        assertEquals(new HolepunchMessage(RelayMode.FROM_SERVER, 0, fill(0xdd, 60), CLIENT),
                HolepunchMessage.decode(ans.value()));
        // FROM_SERVER at the relay: REPLY to the client
        RpcAction.Reply rep = (RpcAction.Reply) relay.onPeerHolepunch(request(DhtCommands.PEER_HOLEPUNCH, null, TARGET,
                ans.value()), puncher, 0);
        assertEquals(CLIENT, rep.to());
        assertEquals(new HolepunchMessage(RelayMode.REPLY, 0, fill(0xdd, 60), puncher),
                HolepunchMessage.decode(rep.value()));
    }
}
