package io.tunctl.transport.p2p.dht.hyperdht;

import static io.tunctl.transport.p2p.crypto.Hex.b;
import static io.tunctl.transport.p2p.crypto.Hex.fill;
import static io.tunctl.transport.p2p.crypto.Hex.h;
import static io.tunctl.transport.p2p.dht.hyperdht.Fixtures.a;
import static io.tunctl.transport.p2p.dht.hyperdht.Fixtures.key;
import static io.tunctl.transport.p2p.dht.hyperdht.Fixtures.request;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunctl.transport.p2p.crypto.Blake2b;
import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import io.tunctl.transport.p2p.crypto.Namespaces;
import io.tunctl.transport.p2p.dht.messages.AnnounceMessage;
import io.tunctl.transport.p2p.dht.messages.DhtCommands;
import io.tunctl.transport.p2p.dht.messages.DhtMessage;
import io.tunctl.transport.p2p.dht.messages.LookupReply;
import io.tunctl.transport.p2p.dht.messages.NodeId;
import io.tunctl.transport.p2p.dht.messages.PeerRecord;
import io.tunctl.transport.p2p.noise.NoisePayload;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Announce signatures (hyperdht-wire.md §12 section 6 vectors), the storage node's store and the announcer state. */
class AnnounceTest {
    static final Ed25519KeyPair SERVER = key(0x07);
    static final byte[] TARGET = Blake2b.hash256(SERVER.publicKey());
    static final InetSocketAddress RELAY = a("127.0.0.1", 49738);
    static final byte[] NODE_ID = NodeId.of(RELAY);
    static final byte[] TOKEN = fill(0xcc, 32);

    @Test
    void signaturesMatchTheSpecVectors() {
        assertEquals("8d2d1c260127c74476b27136c5e38c003b66b889f5c80032fb81ebc3f44f45a3", h(TARGET));
        assertEquals("ea50f55683100864aa622153cff29c6f99eea9e753f8e211d6b01e0a8af2ac6c", h(NODE_ID));
        PeerRecord peer = new PeerRecord(SERVER.publicKey(), List.of());
        assertEquals("36386adddf9f6fd60db83a6f42fc159d1146aa8644037664230aaa1f0179d497"
                + "3b83e53e574623b0e95b12864f389a216dd8f47ebecf9e55c09e10575f683451",
                h(AnnounceSignatures.signable(Namespaces.announce(), TARGET, NODE_ID, TOKEN, peer, null)));
        AnnounceMessage ann = AnnounceSignatures.announce(SERVER, TARGET, NODE_ID, TOKEN, List.of(), 0);
        assertEquals("05ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c00"
                + "88058b41e9a5fc0dea57369f2ac745e039049e24156f653e17d5a27ac7c8b226b60ad0eafb052c070f8e9d1fcc704c6338550b29b1f6095ecd3d5c5180a12b0f",
                h(ann.encode()));
        assertEquals("03499c02cd78508b5926c9038f7ce50d13880369dd080389983d60a25700f56dde45e194b03fdc7efef3cb3f6c0a8cd1b3b9eb151452484462be5f1d65c0c10f",
                h(AnnounceSignatures.unannounce(SERVER, TARGET, NODE_ID, TOKEN).signature()));
    }

    @Test
    void verificationIsBoundToTargetNodeTokenAndNamespace() {
        AnnounceMessage ann = AnnounceSignatures.announce(SERVER, TARGET, NODE_ID, TOKEN, List.of(), 0);
        assertTrue(AnnounceSignatures.verifyAnnounce(ann, TARGET, NODE_ID, TOKEN));
        assertFalse(AnnounceSignatures.verifyUnannounce(ann, TARGET, NODE_ID, TOKEN), "namespace");
        assertFalse(AnnounceSignatures.verifyAnnounce(ann, TARGET, NodeId.of(a("127.0.0.1", 49739)), TOKEN), "node");
        assertFalse(AnnounceSignatures.verifyAnnounce(ann, TARGET, NODE_ID, fill(0xcd, 32)), "token");
        assertFalse(AnnounceSignatures.verifyAnnounce(ann, fill(1, 32), NODE_ID, TOKEN), "target");
        AnnounceMessage otherRelays = new AnnounceMessage(new PeerRecord(SERVER.publicKey(), List.of(RELAY)), null,
                ann.signature(), 0);
        assertFalse(AnnounceSignatures.verifyAnnounce(otherRelays, TARGET, NODE_ID, TOKEN), "record");
        AnnounceMessage withRefresh = new AnnounceMessage(ann.peer(), fill(9, 32), ann.signature(), 0);
        assertFalse(AnnounceSignatures.verifyAnnounce(withRefresh, TARGET, NODE_ID, TOKEN), "refresh is signed");
        assertFalse(AnnounceSignatures.verifyAnnounce(new AnnounceMessage(ann.peer(), null, null, 0), TARGET, NODE_ID,
                TOKEN), "unsigned");
    }

    static RecordStore store(ForwardTable f) {
        return new RecordStore(f, 5, 1000, new Random(1));
    }

    static DhtMessage.Request announce(Ed25519KeyPair kp, byte[] target, List<InetSocketAddress> relays, long bump) {
        AnnounceMessage m = AnnounceSignatures.announce(kp, target, NODE_ID, TOKEN, relays, bump);
        return request(DhtCommands.ANNOUNCE, TOKEN, target, m.encode());
    }

    @Test
    void selfAnnounceBecomesAForwardToTheAnnouncersSource() {
        ForwardTable f = new ForwardTable(10, 1000);
        RecordStore s = store(f);
        InetSocketAddress server = a("127.0.0.1", 50964);
        RpcAction r = s.onAnnounce(announce(SERVER, TARGET, List.of(), 0), server, NODE_ID, 0);
        RpcAction.Reply ack = (RpcAction.Reply) r;
        assertTrue(ack.value() == null && !ack.token() && !ack.closerNodes() && ack.to() == null, "empty ack");
        assertEquals(server, f.get(TARGET, 10).relay());
        RpcAction.Reply fp = (RpcAction.Reply) s.onFindPeer(request(DhtCommands.FIND_PEER, null, TARGET, null), 10);
        assertEquals(h(SERVER.publicKey()) + "00", h(fp.value()));
        assertTrue(fp.token() && fp.closerNodes());
        RpcAction.Reply lk = (RpcAction.Reply) s.onLookup(request(DhtCommands.LOOKUP, null, TARGET, null), 10);
        assertEquals(List.of(new PeerRecord(SERVER.publicKey(), List.of())), LookupReply.decode(lk.value()).peers());
        // expires after maxAge
        assertNull(((RpcAction.Reply) s.onFindPeer(request(DhtCommands.FIND_PEER, null, TARGET, null), 1000)).value());
    }

    @Test
    void badOrIncompleteAnnouncesGetNoReply() {
        RecordStore s = store(new ForwardTable());
        DhtMessage.Request good = announce(SERVER, TARGET, List.of(), 0);
        assertInstanceOf(RpcAction.Drop.class, s.onAnnounce(good, RELAY, NodeId.of(a("1.2.3.4", 5)), 0), "wrong id");
        assertInstanceOf(RpcAction.Drop.class, s.onAnnounce(request(DhtCommands.ANNOUNCE, null, TARGET, good.value()),
                RELAY, NODE_ID, 0), "no token");
        assertInstanceOf(RpcAction.Drop.class, s.onAnnounce(good, RELAY, null, 0), "ephemeral node");
        assertInstanceOf(RpcAction.Drop.class, s.onAnnounce(request(DhtCommands.ANNOUNCE, TOKEN, TARGET,
                b("ff")), RELAY, NODE_ID, 0), "garbage");
        assertInstanceOf(RpcAction.Drop.class, s.onFindPeer(request(DhtCommands.FIND_PEER, null, null, null), 0));
        assertEquals(0, s.size());
    }

    @Test
    void topicRecordsAreBoundedExpireAndAreSampled() {
        RecordStore s = store(new ForwardTable());
        byte[] topic = fill(0x42, 32);
        for (int i = 1; i <= 7; i++) {
            List<InetSocketAddress> relays = List.of(a("10.0.0." + i, 1), a("10.0.0." + i, 2), a("10.0.0." + i, 3),
                    a("10.0.0." + i, 4));
            assertInstanceOf(RpcAction.Reply.class, s.onAnnounce(announce(key(i), topic, relays, 0), RELAY, NODE_ID,
                    i));
        }
        assertEquals(5, s.size(), "bounded to maxRecords, oldest evicted");
        List<PeerRecord> kept = s.records(topic, 10);
        assertArrayEquals(key(3).publicKey(), kept.get(0).publicKey());
        assertEquals(3, kept.get(0).relayAddresses().size(), "relay list truncated to 3");
        assertEquals(5, LookupReply.decode(((RpcAction.Reply) s.onLookup(request(DhtCommands.LOOKUP, null, topic, null),
                10)).value()).peers().size());
        // records 3..7 were stored at t=3..7 with maxAge 1000
        assertEquals(2, s.records(topic, 1005).size());
        s.expire(1005);
        assertEquals(2, s.size());
        assertNull(((RpcAction.Reply) s.onLookup(request(DhtCommands.LOOKUP, null, topic, null), 2000)).value());
    }

    @Test
    void lookupSamplesTwentyOfMore() {
        RecordStore s = new RecordStore(new ForwardTable(), 100, 1000, new Random(3));
        byte[] topic = fill(0x43, 32);
        for (int i = 1; i <= 30; i++) {
            s.onAnnounce(announce(key(i), topic, List.of(), 0), RELAY, NODE_ID, 0);
        }
        LookupReply r = LookupReply.decode(((RpcAction.Reply) s.onLookup(request(DhtCommands.LOOKUP, null, topic, null),
                1)).value());
        assertEquals(20, r.peers().size());
        assertEquals(20, r.peers().stream().map(p -> h(p.publicKey())).distinct().count());
    }

    @Test
    void unannounceNeedsItsOwnSignature() {
        ForwardTable f = new ForwardTable();
        RecordStore s = store(f);
        s.onAnnounce(announce(SERVER, TARGET, List.of(), 0), RELAY, NODE_ID, 0);
        // an ANNOUNCE signature replayed as UNANNOUNCE is rejected
        DhtMessage.Request replay = request(DhtCommands.UNANNOUNCE, TOKEN, TARGET,
                AnnounceSignatures.announce(SERVER, TARGET, NODE_ID, TOKEN, List.of(), 0).encode());
        assertInstanceOf(RpcAction.Drop.class, s.onUnannounce(replay, NODE_ID, 1));
        assertTrue(f.get(TARGET, 1) != null);
        DhtMessage.Request un = request(DhtCommands.UNANNOUNCE, TOKEN, TARGET,
                AnnounceSignatures.unannounce(SERVER, TARGET, NODE_ID, TOKEN).encode());
        assertInstanceOf(RpcAction.Reply.class, s.onUnannounce(un, NODE_ID, 1));
        assertNull(f.get(TARGET, 1));
    }

    @Test
    void bumpAndRefreshChain() {
        RecordStore s = store(new ForwardTable());
        byte[] topic = fill(0x44, 32);
        long now = 1_000_000;
        byte[] r2 = fill(0x55, 32);
        byte[] r1 = Blake2b.hash256(r2);
        PeerRecord peer = new PeerRecord(key(1).publicKey(), List.of());
        byte[] sig = key(1).sign(AnnounceSignatures.signable(Namespaces.announce(), topic, NODE_ID, TOKEN, peer, r1));
        s.onAnnounce(request(DhtCommands.ANNOUNCE, TOKEN, topic, new AnnounceMessage(peer, r1, sig, now + 5).encode()),
                RELAY, NODE_ID, now);
        LookupReply lr = LookupReply.decode(((RpcAction.Reply) s.onLookup(request(DhtCommands.LOOKUP, null, topic,
                null), now)).value());
        assertEquals(now + 5, lr.bump());
        // a bump too far in the future is ignored
        s.onAnnounce(announce(key(2), topic, List.of(), now + 120_000), RELAY, NODE_ID, now);
        assertEquals(now + 5, LookupReply.decode(((RpcAction.Reply) s.onLookup(request(DhtCommands.LOOKUP, null, topic,
                null), now)).value()).bump());
        // renew key(1)'s record at t+900 by revealing the preimage r2; without it the record would expire at t+1000
        DhtMessage.Request refresh = request(DhtCommands.ANNOUNCE, TOKEN, topic,
                new AnnounceMessage(null, r2, null, 0).encode());
        assertInstanceOf(RpcAction.Reply.class, s.onAnnounce(refresh, RELAY, NODE_ID, now + 900));
        assertEquals(1, s.records(topic, now + 1500).size());
        assertInstanceOf(RpcAction.Drop.class, s.onAnnounce(refresh, RELAY, NODE_ID, now + 901), "used up");
    }

    @Test
    void announcerUpdatePingAndUnannounceCycle() {
        Announcer an = new Announcer(SERVER);
        assertArrayEquals(TARGET, an.target());
        assertEquals(Announcer.StepKind.UPDATE, an.nextStep(0).kind());
        an.beginUpdate();
        InetSocketAddress me = a("127.0.0.1", 50964);
        List<Announcer.QueryReply> replies = List.of(
                new Announcer.QueryReply(a("127.0.0.1", 49740), null, TOKEN, me), // ephemeral: skipped
                reply(49738, me), reply(49739, me), reply(49741, me), reply(49742, me));
        List<Announcer.AnnounceRequest> reqs = an.commit(replies, null);
        assertEquals(3, reqs.size());
        for (Announcer.AnnounceRequest r : reqs) {
            AnnounceMessage m = AnnounceMessage.decode(r.value());
            assertTrue(AnnounceSignatures.verifyAnnounce(m, TARGET, r.node().nodeId(), r.token()));
            DhtMessage.Request wire = r.toRequest(9, null);
            assertEquals(0x1a, wire.flags());
        }
        an.onAnnounceResponse(reqs.get(0), 0);
        an.onAnnounceResponse(reqs.get(1), 0);
        an.onAnnounceResponse(reqs.get(2), 1); // refused
        assertEquals(List.of(), an.finishUpdate(List.of(a("127.0.0.1", 49738)), 100));
        assertEquals(List.of(new NoisePayload.Relay(a("127.0.0.1", 49738), me),
                new NoisePayload.Relay(a("127.0.0.1", 49739), me)), an.relays());
        assertEquals(List.of(a("127.0.0.1", 49738), a("127.0.0.1", 49739)), an.relayAddresses());
        assertTrue(an.isRelay(a("127.0.0.1", 49739)));
        assertEquals(List.of(a("127.0.0.1", 49738)), an.queryStartNodes());

        assertEquals(Announcer.StepKind.PING, an.nextStep(100).kind());
        an.onPingRound(2, 150);
        assertEquals(new Announcer.Step(Announcer.StepKind.WAIT, 3150), an.nextStep(200));
        an.onPingRound(1, 3200); // lost a relay of 2: re-announce
        assertEquals(Announcer.StepKind.UPDATE, an.nextStep(3200).kind());

        an.beginUpdate();
        List<Announcer.AnnounceRequest> again = an.commit(List.of(reply(49739, me), reply(49743, me)),
                a("198.51.100.1", 49737));
        again.forEach(r -> an.onAnnounceResponse(r, 0));
        assertEquals(List.of(a("127.0.0.1", 49738)), an.finishUpdate(List.of(), 3300), "49738 dropped out");
        assertEquals(List.of(a("198.51.100.1", 49737), a("127.0.0.1", 49739), a("127.0.0.1", 49743)),
                an.relayAddresses(), "own address first");
        assertTrue(an.isRelay(a("127.0.0.1", 49738)), "older generations still count");
        for (int i = 0; i < Announcer.PING_ROUNDS_PER_UPDATE; i++) {
            an.onPingRound(2, 4000 + i);
        }
        assertEquals(Announcer.StepKind.UPDATE, an.nextStep(5000).kind(), "100 rounds: periodic re-announce");
        byte[] un = an.unannounceValue(NODE_ID, TOKEN);
        assertTrue(AnnounceSignatures.verifyUnannounce(AnnounceMessage.decode(un), TARGET, NODE_ID, TOKEN));
    }

    static Announcer.QueryReply reply(int port, InetSocketAddress me) {
        InetSocketAddress from = a("127.0.0.1", port);
        return new Announcer.QueryReply(from, NodeId.of(from), TOKEN, me);
    }
}
