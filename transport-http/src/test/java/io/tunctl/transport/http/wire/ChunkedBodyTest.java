package io.tunctl.transport.http.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** The chunked coding the streams' bodies use, checked against Netty's own HTTP decoder and in pieces. */
class ChunkedBodyTest {

    private static byte[] chunk(int len, int seed) {
        ByteBuf b = ChunkedBody.start(UnpooledByteBufAllocator.DEFAULT, len);
        for (int i = 0; i < len; i++) b.writeByte(i * 7 + seed);
        byte[] out = ByteBufUtil.getBytes(ChunkedBody.finish(b));
        b.release();
        return out;
    }

    @Test
    void sizeLineIsLowerCaseHexWithoutPadding() {
        assertTrue(new String(chunk(1, 0), StandardCharsets.US_ASCII).startsWith("1\r\n"));
        assertTrue(new String(chunk(0x1a2b, 0), StandardCharsets.US_ASCII).startsWith("1a2b\r\n"));
        byte[] c = chunk(16, 0);
        assertEquals("10\r\n", new String(c, 0, 4, StandardCharsets.US_ASCII));
        assertEquals("\r\n", new String(c, c.length - 2, 2, StandardCharsets.US_ASCII));
        ByteBuf empty = ChunkedBody.start(UnpooledByteBufAllocator.DEFAULT, 4);
        assertThrows(IllegalArgumentException.class, () -> ChunkedBody.finish(empty));
        empty.release();
    }

    /** What we write, Netty's decoder (any standard HTTP/1.1 peer) reads back as the same bytes. */
    @Test
    void nettyDecodesWhatWeWrite() {
        EmbeddedChannel ch = new EmbeddedChannel(new HttpRequestDecoder());
        ch.writeInbound(Unpooled.copiedBuffer("PUT / HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n",
                StandardCharsets.US_ASCII));
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        for (int len : new int[] {1, 15, 16, 255, 4096, 65547}) {
            byte[] c = chunk(len, len);
            sent.writeBytes(java.util.Arrays.copyOfRange(c, c.length - 2 - len, c.length - 2));
            ch.writeInbound(Unpooled.wrappedBuffer(c));
        }
        ch.writeInbound(ChunkedBody.last(UnpooledByteBufAllocator.DEFAULT));
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        boolean last = false;
        for (Object m; (m = ch.readInbound()) != null; ) {
            if (m instanceof HttpContent c) {
                got.writeBytes(ByteBufUtil.getBytes(c.content()));
                last |= m instanceof LastHttpContent;
                c.release();
            } else {
                assertInstanceOf(HttpRequest.class, m);
            }
        }
        assertTrue(last);
        assertArrayEquals(sent.toByteArray(), got.toByteArray());
    }

    /** A body with extensions and trailers, fed in every split: the same data, and the end is seen. */
    @Test
    void decodesAcrossAnySplit() throws IOException {
        String body = "5;name=value\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n3 ; x\r\nxyz\r\n0\r\nx-trailer: 1\r\n\r\nNEXT";
        byte[] wire = body.getBytes(StandardCharsets.US_ASCII);
        Random rnd = new Random(7);
        for (int round = 0; round < 200; round++) {
            ChunkedBody.Decoder d = new ChunkedBody.Decoder();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            boolean ended = false;
            int at = 0;
            ByteBuf rest = null;
            while (at < wire.length && !ended) {
                int n = Math.min(wire.length - at, 1 + rnd.nextInt(round % 2 == 0 ? 3 : 40));
                ByteBuf b = Unpooled.wrappedBuffer(wire, at, n);
                ended = d.feed(b, data -> {
                    got.writeBytes(ByteBufUtil.getBytes(data));
                    data.skipBytes(data.readableBytes());
                });
                at += n;
                rest = b;
            }
            assertTrue(ended, "round " + round);
            assertEquals("helloabcdefghijklmnopqrstuvwxyzxyz", got.toString(StandardCharsets.US_ASCII));
            // bytes after the body are left unread: "NEXT" is what remains of the last buffer and the rest of the wire
            assertEquals(4, rest.readableBytes() + (wire.length - at), "round " + round);
        }
    }

    @Test
    void rejectsMalformedSizeLines() {
        for (String bad : new String[] {"x\r\n", "123456789\r\n", "\r\n", "5\r\nhelloXY", "zz\r\n", "-1\r\n",
                "1zz\r\n", "3\nabc\r\n", "3\r\nabc\n", "3\r\nabc\r\n0\r\nx: 1\n\r\n", "3\rabc", "fffffffff\r\n"}) {
            ChunkedBody.Decoder d = new ChunkedBody.Decoder();
            assertThrows(FrameException.class, () -> d.feed(Unpooled.copiedBuffer(bad, StandardCharsets.US_ASCII),
                    data -> data.skipBytes(data.readableBytes())), bad);
            assertThrows(FrameException.class, () -> d.feed(Unpooled.copiedBuffer("0\r\n\r\n", StandardCharsets.US_ASCII),
                    data -> {}), "stays failed");
        }
        ChunkedBody.Decoder d = new ChunkedBody.Decoder();
        byte[] longLine = ("1;" + "e".repeat(5000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        assertThrows(FrameException.class, () -> d.feed(Unpooled.wrappedBuffer(longLine), data -> {}));
    }

    @Test
    void aRequestHeadCannotBeMistakenForABody() {
        // guards the codec hand-over: the size line parser rejects an HTTP head rather than reading garbage sizes
        ChunkedBody.Decoder d = new ChunkedBody.Decoder();
        assertThrows(FrameException.class, () -> d.feed(Unpooled.copiedBuffer("PUT / HTTP/1.1\r\n", StandardCharsets.US_ASCII),
                data -> {}));
    }
}
