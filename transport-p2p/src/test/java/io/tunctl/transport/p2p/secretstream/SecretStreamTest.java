package io.tunctl.transport.p2p.secretstream;

import static io.tunctl.transport.p2p.crypto.Hex.b;
import static io.tunctl.transport.p2p.crypto.Hex.h;
import static io.tunctl.transport.p2p.crypto.Hex.seq;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunctl.transport.p2p.crypto.CryptoException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecretStreamTest {
    // hyperdht-wire.md §12.7 handshake hash, split keys and §12.8 header frame
    static final byte[] HASH = b("c89b5f6cda05b7d3fc53d03047c4be606ed30f842bedc82a818ae8dedeba133e"
            + "f35721d8dfc011292b5e019bd65b576bb7904f3811b733a025c9bf1261b63250");
    static final byte[] CLIENT_TX = SecretStreamCipherTest.CLIENT_TX;
    static final byte[] CLIENT_RX = b("556f6d151502cf93ef0534537a6f4a0a3d450fc2b7c134673493541d45db730b");

    private static SecretStream client() {
        return new SecretStream(true, CLIENT_TX, CLIENT_RX, HASH, seq(0x50, 24), ChaChaBackend.JDK, true);
    }

    private static SecretStream server(boolean dropKeepAlives) {
        return new SecretStream(false, CLIENT_RX, CLIENT_TX, HASH, seq(0x70, 24), ChaChaBackend.BOUNCY_CASTLE,
                dropKeepAlives);
    }

    @Test
    void headerAndFramesMatchVectors() {
        SecretStream c = client();
        assertEquals("3800002b06da0165d083f57f55d0e3f647d468c10c7ed9daf61cd77345a235fcff098f"
                + "505152535455565758595a5b5c5d5e5f6061626364656667", h(c.headerFrame()));
        assertEquals("160000a48760fe9d1ca9dd31ae8783e190305e4794cf16b6ab", h(c.seal("hello".getBytes())));
        assertEquals("1100005af23efe342b951ceea49606d65cdacb11", h(c.keepAliveFrame()));
        assertEquals("170000718a0a04649a514ae8a6ebff68b0c73ee94bae2a4c116a", h(c.seal("world!".getBytes())));
    }

    @Test
    void byteByByteReassemblyDropsKeepAlives() throws Exception {
        SecretStream c = client();
        SecretStream s = server(true);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.writeBytes(c.headerFrame());
        wire.writeBytes(c.seal("one".getBytes()));
        wire.writeBytes(c.keepAliveFrame());
        wire.writeBytes(c.seal(seq(0, 5000)));
        byte[] all = wire.toByteArray();
        List<byte[]> got = new ArrayList<>();
        for (int i = 0; i < all.length; i++) {
            s.receive(all, i, 1, got::add);
        }
        assertEquals(2, got.size());
        assertArrayEquals("one".getBytes(), got.get(0));
        assertArrayEquals(seq(0, 5000), got.get(1));
        assertFalse(s.hasPartialFrame());
    }

    @Test
    void keepAliveDeliveredWhenNotFiltering() throws Exception {
        SecretStream c = client();
        SecretStream s = server(false);
        List<byte[]> got = new ArrayList<>();
        byte[] frames = concat(c.headerFrame(), c.keepAliveFrame());
        s.receive(frames, 0, frames.length, got::add);
        assertEquals(1, got.size());
        assertEquals(0, got.get(0).length);
    }

    @Test
    void wrongIdShortHeaderShortFrameAndTamperFail() throws Exception {
        SecretStream c = client();
        // a client receiving its own header sees the initiator id where it expects the responder id
        CryptoException e = assertThrows(CryptoException.class,
                () -> client().receive(c.headerFrame(), 0, 59, m -> { }));
        assertEquals("Invalid header received: stream id does not match the handshake", e.getMessage());
        byte[] shortHeader = b("0200000102");
        assertThrows(CryptoException.class, () -> server(true).receive(shortHeader, 0, 5, m -> { }));
        SecretStream s = server(true);
        s.receive(c.headerFrame(), 0, 59, m -> { });
        byte[] tiny = b("10000000000000000000000000000000000000");
        assertThrows(CryptoException.class, () -> s.receive(tiny, 0, tiny.length, m -> { }));
        assertThrows(CryptoException.class, () -> s.receive(tiny, 0, tiny.length, m -> { }),
                "a failed stream stays failed");
        SecretStream s2 = server(true);
        s2.receive(c.headerFrame(), 0, 59, m -> { });
        byte[] f = c.seal(seq(1, 40));
        f[10] ^= 1;
        assertThrows(CryptoException.class, () -> s2.receive(f, 0, f.length, m -> { }));
    }

    @Test
    void finalEndsBothSides() throws Exception {
        SecretStream c = client();
        SecretStream s = server(true);
        s.receive(c.headerFrame(), 0, 59, m -> { });
        byte[] fin = new byte[SecretStream.frameLength(3)];
        c.seal(seq(1, 3), 0, 3, SecretStreamCipher.TAG_FINAL, fin, 0);
        assertTrue(c.isEnded());
        assertThrows(IllegalStateException.class, () -> c.seal(new byte[1]));
        List<byte[]> got = new ArrayList<>();
        s.receive(fin, 0, fin.length, got::add);
        assertTrue(s.isRemoteFinal());
        assertArrayEquals(seq(1, 3), got.get(0));
    }

    /** Node ignores received tags, so a message after a FINAL is delivered, not an error (hyperdht-wire.md §8.3). */
    @Test
    void messagesAfterFinalAreDeliveredLikeNode() throws Exception {
        SecretStream c = client();
        SecretStream s = server(true);
        SecretStreamCipher raw = SecretStreamCipher.initPush(CLIENT_TX, seq(0x50, 24), ChaChaBackend.JDK);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.writeBytes(c.headerFrame());
        for (int i = 0; i < 3; i++) {
            int tag = i == 0 ? SecretStreamCipher.TAG_FINAL : SecretStreamCipher.TAG_MESSAGE;
            byte[] body = raw.push(seq(i, 10 + i), tag);
            wire.write(body.length);
            wire.write(0);
            wire.write(0);
            wire.writeBytes(body);
        }
        byte[] all = wire.toByteArray();
        List<byte[]> got = new ArrayList<>();
        s.receive(all, 0, all.length, got::add);
        assertTrue(s.isRemoteFinal());
        assertEquals(3, got.size());
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(seq(i, 10 + i), got.get(i));
        }
    }

    /** The lending handler stops the feed after a message; the rest is fed later and nothing is lost or repeated. */
    @Test
    void lendingHandlerCanStopAndResume() throws Exception {
        SecretStream c = client();
        SecretStream s = server(true);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.writeBytes(c.headerFrame());
        for (int i = 0; i < 5; i++) {
            wire.writeBytes(c.seal(seq(i, 100 + i)));
            wire.writeBytes(c.keepAliveFrame());
        }
        byte[] all = wire.toByteArray();
        List<byte[]> got = new ArrayList<>();
        int off = 0;
        int calls = 0;
        while (off < all.length) {
            off += s.receive(all, off, all.length - off, (b, o, n) -> {
                got.add(java.util.Arrays.copyOfRange(b, o, o + n));
                return false;
            });
            calls++;
        }
        assertEquals(5, got.size());
        assertTrue(calls >= 5);
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(seq(i, 100 + i), got.get(i));
        }
        assertEquals(5, s.keepAlivesReceived());
        assertFalse(s.hasPartialFrame());
    }

    @Test
    void datagramsRoundTripAndReject() throws Exception {
        SecretStreamDatagrams a = new SecretStreamDatagrams(true, HASH, seq(1, 8));
        SecretStreamDatagrams bb = new SecretStreamDatagrams(false, HASH, seq(9, 8));
        byte[] env = a.box(seq(3, 100));
        assertEquals(100 + SecretStreamDatagrams.OVERHEAD, env.length);
        assertArrayEquals(seq(3, 100), bb.unbox(env));
        assertThrows(CryptoException.class, () -> a.unbox(env), "own direction's key does not open it");
        SecretStreamDatagrams wrap = new SecretStreamDatagrams(true, HASH, b("ffffffffffffffff"));
        assertEquals("0000000000000000", h(java.util.Arrays.copyOf(wrap.box(new byte[0]), 8)));
    }

    private static byte[] concat(byte[] x, byte[] y) {
        byte[] o = java.util.Arrays.copyOf(x, x.length + y.length);
        System.arraycopy(y, 0, o, x.length, y.length);
        return o;
    }
}
