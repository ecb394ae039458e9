package io.tunctl.transport.p2p.dht.messages;

import static io.tunctl.transport.p2p.crypto.Hex.b;
import static io.tunctl.transport.p2p.crypto.Hex.fill;
import static io.tunctl.transport.p2p.crypto.Hex.h;
import static io.tunctl.transport.p2p.crypto.Hex.seq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunctl.transport.p2p.codec.CompactDecodeException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** hyperdht-wire.md §12.5, and the message parts of §12.6 and §12.9, pasted; plus hostile input. */
class DhtMessagesTest {
    static final byte[] TARGET = seq(0x40, 32);
    static final byte[] NODE_ID = seq(0xa0, 32);
    static final byte[] SERVER_PK = b("ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c");
    static final byte[] SIGNATURE = b("88058b41e9a5fc0dea57369f2ac745e039049e24156f653e17d5a27ac7c8b226"
            + "b60ad0eafb052c070f8e9d1fcc704c6338550b29b1f6095ecd3d5c5180a12b0f");
    static final List<InetSocketAddress> CLOSER = List.of(addr("10.0.0.1", 1000), addr("10.0.0.2", 2000));

    static InetSocketAddress addr(String ip, int port) {
        return new InetSocketAddress(ip, port);
    }

    static void roundTrip(String hex, DhtMessage m) {
        assertEquals(hex, h(m.encode()));
        assertEquals(m, DhtMessage.decode(b(hex)));
    }

    @Test
    void requestVectors() {
        InetSocketAddress to = addr("127.0.0.1", 49737);
        roundTrip("030834127f00000149c202404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f",
                new DhtMessage.Request(0x1234, to, null, null, false, DhtCommands.FIND_PEER, TARGET, null));
        roundTrip("030435127f00000149c200",
                new DhtMessage.Request(0x1235, to, null, null, true, DhtCommands.PING, null, null));
        roundTrip("031b36127f00000149c2a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
                + "bb".repeat(32) + "04404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f03010203",
                new DhtMessage.Request(0x1236, to, NODE_ID, fill(0xbb, 32), false, DhtCommands.ANNOUNCE, TARGET,
                        b("010203")));
    }

    @Test
    void responseVectors() {
        InetSocketAddress to = addr("127.0.0.1", 50000);
        byte[] token = b("adbc55b1f8292697e70c852f66f2c9cc22a0acf90d8e0ea2b399cc0b1d88e922");
        roundTrip("131734127f00000150c3a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
                + "adbc55b1f8292697e70c852f66f2c9cc22a0acf90d8e0ea2b399cc0b1d88e922020a000001e8030a000002d007"
                + "0576616c7565",
                new DhtMessage.Response(0x1234, to, NODE_ID, token, CLOSER, 0,
                        "value".getBytes(StandardCharsets.US_ASCII)));
        roundTrip("130d34127f00000150c3a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
                + "020a000001e8030a000002d00701",
                new DhtMessage.Response(0x1234, to, NODE_ID, null, CLOSER, DhtCommands.ERROR_UNKNOWN_COMMAND, null));
        roundTrip("130134127f00000150c3a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf",
                new DhtMessage.Response(0x1234, to, NODE_ID, null, List.of(), 0, null));
    }

    @Test
    void announceVectors() {
        PeerRecord peer = new PeerRecord(SERVER_PK, List.of());
        assertEquals(h(SERVER_PK) + "00", h(peer.encode()));
        String ann = "05" + h(SERVER_PK) + "00" + h(SIGNATURE);
        AnnounceMessage a = new AnnounceMessage(peer, null, SIGNATURE, 0);
        assertEquals(ann, h(a.encode()));
        assertEquals(a, AnnounceMessage.decode(b(ann)));

        PeerRecord relayed = new PeerRecord(SERVER_PK, List.of(addr("127.0.0.1", 49738)));
        assertEquals(h(SERVER_PK) + "017f0000014ac2", h(relayed.encode()));
        assertEquals(relayed, PeerRecord.decode(relayed.encode()));

        String lookup = "01" + h(SERVER_PK) + "017f0000014ac200";
        LookupReply r = new LookupReply(List.of(relayed), 0);
        assertEquals(lookup, h(r.encode()));
        assertEquals(r, LookupReply.decode(b(lookup)));
        // hyperdht reads a missing bump as 0
        assertEquals(r, LookupReply.decode(b(lookup.substring(0, lookup.length() - 2))));
    }

    @Test
    void holepunchVectors() {
        HolepunchPayload p = HolepunchPayload.decode(b("0400020001010203048813"));
        assertEquals(new HolepunchPayload(false, false, 0, 2, 0, List.of(addr("1.2.3.4", 5000)), null, null, null), p);
        assertEquals("0400020001010203048813", h(p.encode()));

        HolepunchMessage hp = new HolepunchMessage(RelayMode.FROM_CLIENT, 0, b("aa"), addr("1.2.3.4", 5));
        assertEquals("01000001aa010203040500", h(hp.encode()));
        assertEquals(hp, HolepunchMessage.decode(hp.encode()));

        HandshakeMessage hs = new HandshakeMessage(RelayMode.FROM_CLIENT, b("bb"), null, null);
        assertEquals("000001bb", h(hs.encode()));
        assertEquals(hs, HandshakeMessage.decode(hs.encode()));
        HandshakeMessage relayed = new HandshakeMessage(RelayMode.FROM_RELAY, b("bb"), addr("1.2.3.4", 5), null);
        assertEquals("010201bb010203040500", h(relayed.encode()));
        assertEquals(relayed, HandshakeMessage.decode(relayed.encode()));
    }

    @Test
    void emptyAndAbsentStayDistinct() {
        HolepunchPayload empty = new HolepunchPayload(true, true, 0, 1, 3, List.of(), null, null, null);
        assertEquals("07000103" + "00", h(empty.encode()));
        assertEquals(List.of(), HolepunchPayload.decode(empty.encode()).addresses());
        assertNull(HolepunchPayload.decode(b("03000103")).addresses());

        DhtMessage.Request emptyValue = new DhtMessage.Request(1, addr("127.0.0.1", 1), null, null, false, 9, null,
                new byte[0]);
        assertEquals("031001007f000001010009" + "00", h(emptyValue.encode()));
        assertEquals(0, ((DhtMessage.Request) DhtMessage.decode(emptyValue.encode())).value().length);
    }

    @Test
    void decoderIgnoresUnknownFlagsAndTrailingBytesAsNodeDoes() {
        DhtMessage m = DhtMessage.decode(b("03c435127f00000149c200ffff"));
        DhtMessage.Request r = assertInstanceOf(DhtMessage.Request.class, m);
        assertTrue(r.internal());
        assertEquals(0x1235, r.tid());
        assertFalse(r.value() != null);
    }

    @Test
    void hostileInputIsRejectedWithTheMessageName() {
        String full = "131734127f00000150c3a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
                + "adbc55b1f8292697e70c852f66f2c9cc22a0acf90d8e0ea2b399cc0b1d88e922020a000001e8030a000002d007"
                + "0576616c7565";
        for (int cut = 0; cut < full.length() / 2; cut++) {
            byte[] bytes = b(full.substring(0, cut * 2));
            CompactDecodeException e = assertThrows(CompactDecodeException.class, () -> DhtMessage.decode(bytes),
                    "cut at " + cut);
            assertTrue(e.getMessage().startsWith("dht-rpc"), e.getMessage());
        }
        assertTrue(assertThrows(CompactDecodeException.class, () -> DhtMessage.decode(b("2300")))
                .getMessage().contains("0x23"));
        assertThrows(CompactDecodeException.class, () -> DhtMessage.Request.decode(b("130134127f00000150c3")));
        // closer-node count above the Node array limit
        assertThrows(CompactDecodeException.class,
                () -> DhtMessage.decode(b("130434127f00000150c3fe00001100")));
        CompactDecodeException mode = assertThrows(CompactDecodeException.class,
                () -> HandshakeMessage.decode(b("000501bb")));
        assertEquals("handshake message: unknown mode 5 (expected 0..4)", mode.getMessage());
        assertThrows(CompactDecodeException.class, () -> HolepunchMessage.decode(b("01000001aa0102030405")));
        assertThrows(CompactDecodeException.class, () -> AnnounceMessage.decode(b("04" + "00".repeat(63))));
        assertThrows(CompactDecodeException.class, () -> PeerRecord.decode(b("00".repeat(31))));
        assertThrows(CompactDecodeException.class, () -> HolepunchPayload.decode(null));
    }

    @Test
    void nodeIdsFromSection3() {
        assertEquals("d1dcf835b0d62b9230c41393cb96a34f5f8b9f814f421ca3382dfc1678022e0e",
                h(NodeId.of(addr("127.0.0.1", 49737))));
        assertEquals("54d4b9c6441048061f80cf69564cee46a5730adfcd59fbe6c056bb49af771546",
                h(NodeId.of(addr("88.99.3.86", 49737))));
        assertEquals("6e02d239d91b2e93d6e485127c2b3418fe5a451e919995d0990e83584e7616b4",
                h(NodeId.of(addr("10.1.2.3", 1))));
        InetSocketAddress src = addr("192.0.2.9", 49737);
        DhtMessage.Response r = new DhtMessage.Response(1, addr("127.0.0.1", 1), NodeId.of(src), null, null, 0, null);
        assertEquals(h(NodeId.of(src)), h(NodeId.verified(r, src)));
        assertNull(NodeId.verified(r, addr("192.0.2.9", 49738)));
        assertNull(NodeId.verified(new DhtMessage.Response(1, addr("127.0.0.1", 1), null, null, null, 0, null), src));
    }

    @Test
    void constructorsRejectWrongSizes() {
        InetSocketAddress to = addr("127.0.0.1", 1);
        assertThrows(IllegalArgumentException.class,
                () -> new DhtMessage.Request(0x10000, to, null, null, false, 0, null, null));
        assertThrows(IllegalArgumentException.class,
                () -> new DhtMessage.Request(1, to, new byte[31], null, false, 0, null, null));
        assertThrows(IllegalArgumentException.class,
                () -> new DhtMessage.Request(1, addr("::1", 1), null, null, false, 0, null, null));
        assertThrows(IllegalArgumentException.class,
                () -> new DhtMessage.Response(1, to, null, null, List.of(addr("2001:db8::1", 1)), 0, null));
        assertThrows(IllegalArgumentException.class,
                () -> new DhtMessage.Response(1, to, null, null, List.of(), -1, null));
        assertThrows(IllegalArgumentException.class, () -> new AnnounceMessage(null, null, new byte[32], 0));
        assertThrows(IllegalArgumentException.class, () -> new PeerRecord(null, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new HandshakeMessage(RelayMode.REPLY, null, null, null));
        assertThrows(IllegalArgumentException.class,
                () -> new HolepunchPayload(false, false, 0, 0, 0, null, null, new byte[33], null));
        assertThrows(IllegalArgumentException.class,
                () -> new HolepunchMessage(RelayMode.REPLY, -1, new byte[0], null));
    }
}
