package io.tunctl.transport.http.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.tunctl.core.packet.Cidr;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class WireTest {
    private static final HexFormat HEX = HexFormat.of();

    /** A frame on the wire: LE16 length, 12-byte header with recognisable fields, then the packet. */
    static byte[] wireFrame(int len, int seed) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(len & 0xff);
        out.write(len >>> 8);
        byte[] hdr = {1, 1, 54, 0, (byte) 0xa8, 5, 34, 0, 16, 0, 0, 0};
        out.writeBytes(hdr);
        byte[] p = new byte[len];
        p[0] = 0x45;
        for (int i = 1; i < len; i++) p[i] = (byte) (i * 31 + seed);
        out.writeBytes(p);
        return out.toByteArray();
    }

    private static List<byte[]> decode(byte[] stream, int[] splits, boolean v1) throws IOException {
        FrameDecoder d = new FrameDecoder(UnpooledByteBufAllocator.DEFAULT, v1);
        List<byte[]> frames = new ArrayList<>();
        FrameDecoder.Sink sink = f -> frames.add(ByteBufUtil.getBytes(f)); // lent: copy it
        int at = 0;
        for (int s : splits) {
            ByteBuf b = Unpooled.wrappedBuffer(stream, at, s);
            d.feed(b, sink);
            assertFalse(b.isReadable(), "decoder consumes everything it is fed");
            b.release();
            at += s;
        }
        assertEquals(stream.length, at);
        assertTrue(d.atFrameBoundary(), "stream ends on a frame boundary");
        d.release();
        return frames;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    @Test
    void sameFramesWhateverTheSplits() throws IOException {
        byte[] stream = concat(wireFrame(20, 1), wireFrame(65535, 2), wireFrame(1400, 3), wireFrame(21, 4));
        List<byte[]> expected = decode(stream, new int[] {stream.length}, false);
        assertEquals(4, expected.size());
        assertEquals(12 + 20, expected.get(0).length);
        assertEquals(12 + 65535, expected.get(1).length);
        assertArrayEquals(java.util.Arrays.copyOfRange(wireFrame(1400, 3), 2, 2 + 12 + 1400), expected.get(2));

        int[] ones = new int[stream.length];
        java.util.Arrays.fill(ones, 1);
        assertFramesEqual(expected, decode(stream, ones, false));

        Random rnd = new Random(7);
        for (int round = 0; round < 50; round++) {
            List<Integer> s = new ArrayList<>();
            int left = stream.length;
            while (left > 0) {
                int n = Math.min(left, 1 + rnd.nextInt(rnd.nextBoolean() ? 16 : 9000));
                s.add(n);
                left -= n;
            }
            assertFramesEqual(expected, decode(stream, s.stream().mapToInt(Integer::intValue).toArray(), false));
        }
    }

    private static void assertFramesEqual(List<byte[]> a, List<byte[]> b) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i), "frame " + i);
    }

    @Test
    void v1KeepAliveIsSkippedAndV2RejectsIt() throws IOException {
        byte[] stream = concat(new byte[] {0, 0}, wireFrame(40, 1), new byte[] {0, 0});
        assertEquals(1, decode(stream, new int[] {1, 2, stream.length - 3}, true).size());
        FrameException e = assertThrows(FrameException.class, () -> decode(stream, new int[] {stream.length}, false));
        assertTrue(e.getMessage().contains("zero"), e.getMessage());
    }

    @Test
    void lengthBelowTwentyIsCorrupt() {
        byte[] bad = concat(wireFrame(40, 1), new byte[] {19, 0}, new byte[31]);
        FrameException e = assertThrows(FrameException.class, () -> decode(bad, new int[] {bad.length}, true));
        assertTrue(e.getMessage().contains("19"), e.getMessage());
    }

    @Test
    void truncatedTailIsNotAFrameBoundary() throws IOException {
        byte[] f = wireFrame(100, 1);
        FrameDecoder d = new FrameDecoder(UnpooledByteBufAllocator.DEFAULT, false);
        List<ByteBuf> got = new ArrayList<>();
        d.feed(Unpooled.wrappedBuffer(f, 0, f.length - 1), got::add);
        assertTrue(got.isEmpty());
        assertFalse(d.atFrameBoundary());
        d.release();
        byte[] half = {5};
        d = new FrameDecoder(UnpooledByteBufAllocator.DEFAULT, false);
        d.feed(Unpooled.wrappedBuffer(half), got::add);
        assertFalse(d.atFrameBoundary());
    }

    @Test
    void aFrameReadIntoPlaceEncodesLikeOneEncodedFromABatch() {
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            io.tunctl.core.spi.PacketBatch batch = io.tunctl.core.spi.PacketBatch.allocate(arena, 1, 2048);
            byte[] packet = new byte[1200];
            packet[0] = 0x45;
            for (int i = 1; i < packet.length; i++) packet[i] = (byte) (i * 7);
            batch.add(packet, 0, packet.length);
            batch.setOffload(0, 1, 1, 40, 1360, 20, 16); // F_NEEDS_CSUM, GSO_TCPV4
            ByteBuf encoded = Unpooled.directBuffer();
            Frames.encode(batch, 0, encoded);

            // what a TUN read with a virtio header leaves in the buffer: header (host order) and packet in place
            ByteBuf inPlace = Unpooled.directBuffer(4096);
            inPlace.writeZero(3).readerIndex(3); // not at offset 0, as in a chunk
            int at = inPlace.writerIndex();
            java.nio.ByteOrder host = java.nio.ByteOrder.nativeOrder();
            java.nio.ByteBuffer hdr = java.nio.ByteBuffer.allocate(10).order(host);
            hdr.put((byte) 1).put((byte) 1).putShort((short) 40).putShort((short) 1360).putShort((short) 20).putShort((short) 16);
            inPlace.setBytes(at + Frames.HEADER_AT, hdr.array());
            inPlace.setBytes(at + Frames.PACKET_AT, packet);
            inPlace.setShort(at + Frames.PACKET_AT - 2, 0x7777); // num_buffers: garbage the read did not touch
            Frames.completeInPlace(inPlace, packet.length, true);
            assertArrayEquals(ByteBufUtil.getBytes(encoded), ByteBufUtil.getBytes(inPlace));

            // without offload the header is all zero
            ByteBuf plain = Unpooled.directBuffer(4096);
            plain.setBytes(Frames.HEADER_AT, new byte[] {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9});
            plain.setBytes(Frames.PACKET_AT, packet);
            Frames.completeInPlace(plain, packet.length, false);
            batch.setOffload(0, 0, 0, 0, 0, 0, 0);
            ByteBuf encodedPlain = Unpooled.directBuffer();
            Frames.encode(batch, 0, encodedPlain);
            assertArrayEquals(ByteBufUtil.getBytes(encodedPlain), ByteBufUtil.getBytes(plain));
            for (ByteBuf b : List.of(encoded, inPlace, plain, encodedPlain)) b.release();
        }
    }

    @Test
    void encodeDecodeRoundTripKeepsTheVnetHeader() throws IOException {
        ByteBuf frame = Unpooled.wrappedBuffer(java.util.Arrays.copyOfRange(wireFrame(60, 9), 2, 2 + 12 + 60));
        ByteBuf out = Unpooled.buffer();
        Frames.encode(frame, out);
        assertArrayEquals(wireFrame(60, 9), ByteBufUtil.getBytes(out));
        assertEquals(4, Frames.ipVersion(frame));
        assertTrue(Frames.hasOffload(frame));
    }

    @Test
    void pingFrameIsSixtyTwoBytesAndEchoesUnchanged() throws IOException {
        ByteBuf out = Unpooled.buffer();
        long now = 1_700_000_000_123L;
        Ping.encode(now, out);
        byte[] wire = ByteBufUtil.getBytes(out);
        assertEquals(62, wire.length);
        assertEquals("3000" + "00".repeat(12) + "10", HEX.formatHex(wire, 0, 15));
        assertEquals("00".repeat(39), HEX.formatHex(wire, 23, 62));
        List<byte[]> frames = decode(wire, new int[] {3, 59}, false);
        ByteBuf f = Unpooled.wrappedBuffer(frames.get(0));
        assertEquals(1, Frames.ipVersion(f));
        assertEquals(now, Ping.epochMillis(f));
        ByteBuf echo = Unpooled.buffer();
        Frames.encode(f, echo);
        assertArrayEquals(wire, ByteBufUtil.getBytes(echo));
    }

    @Test
    void tunConfGoldenVectors() {
        TunConf v2a = TunConf.v2(1500, 24, List.of(Cidr.parseAddress("10.10.0.2")), List.of());
        assertEquals("3AUYAQoKAAIA", v2a.toHeader());
        TunConf v2b = TunConf.v2(1400, 24, List.of(Cidr.parseAddress("10.50.0.2"), Cidr.parseAddress("10.50.0.20")),
                List.of(Cidr.parse("10.60.0.0/24"), Cidr.parse("172.20.0.0/16")));
        assertEquals("780518020a3200020a3200140 20a3c000018ac14000010".replace(" ", ""), HEX.formatHex(v2b.toBytes()));
        assertEquals("eAUYAgoyAAIKMgAUAgo8AAAYrBQAABA=", v2b.toHeader());
        TunConf v1 = TunConf.v1(1500, 24, Cidr.parseAddress("10.10.0.2"));
        assertEquals("3AUYCgoAAg==", v1.toHeader());

        assertEquals(v1, TunConf.fromHeader("3AUYCgoAAg=="));
        assertEquals(1, TunConf.fromHeader("3AUYCgoAAg==").generation());
        assertEquals("10.10.0.2/24", TunConf.fromHeader("3AUYCgoAAg==").primary().toString());
        assertEquals(v2a, TunConf.fromHeader("3AUYAQoKAAIA"));
        TunConf back = TunConf.fromHeader("eAUYAgoyAAIKMgAUAgo8AAAYrBQAABA=");
        assertEquals(2, back.generation());
        assertEquals(1400, back.mtu());
        assertEquals(List.of(Cidr.parse("10.60.0.0/24"), Cidr.parse("172.20.0.0/16")), back.routes());
    }

    @Test
    void tunConfRejectsWrongLengths() {
        // trailing byte after a valid v2 record
        assertThrows(IllegalArgumentException.class, () -> TunConf.fromBytes(HEX.parseHex("dc05180 10a0a00020000".replace(" ", ""))));
        // count says two addresses, only one present
        assertThrows(IllegalArgumentException.class, () -> TunConf.fromBytes(HEX.parseHex("dc0518020a0a000200")));
        // too short for anything
        assertThrows(IllegalArgumentException.class, () -> TunConf.fromBytes(HEX.parseHex("dc0518")));
        assertThrows(IllegalArgumentException.class, () -> TunConf.fromHeader("not base64!"));
        // prefix > 32
        assertThrows(IllegalArgumentException.class, () -> TunConf.fromBytes(HEX.parseHex("dc05210a0a0002")));
    }

    @Test
    void tokensAreSha1LowerHex() {
        assertEquals("a94a8fe5ccb19ba61c4c0873d391e987982fbbd3", Tokens.sha1Hex("test"));
        assertEquals("0beec7b5ea3f0fdbc95d0dd47f3c5bc275da8a33", Tokens.sha1Hex("foo"));
        assertTrue(Tokens.isSha1Hex("a94a8fe5ccb19ba61c4c0873d391e987982fbbd3"));
        assertFalse(Tokens.isSha1Hex("A94A8FE5CCB19BA61C4C0873D391E987982FBBD3"));
        assertFalse(Tokens.isSha1Hex("test"));
    }
}
