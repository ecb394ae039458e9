package io.tunctl.transport.socks.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** DNS over TCP framing: pipelined, length-prefixed messages, whole whatever the segments. */
class FramingTest {

    static byte[] stream(byte[]... messages) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] m : messages) {
            Wire.short16(out, m.length);
            out.writeBytes(m);
        }
        return out.toByteArray();
    }

    static List<byte[]> decode(byte[] stream, int... cuts) {
        EmbeddedChannel ch = new EmbeddedChannel(DnsRelay.frames());
        int from = 0;
        for (int cut : cuts) {
            ch.writeInbound(Unpooled.wrappedBuffer(stream, from, cut - from));
            from = cut;
        }
        ch.writeInbound(Unpooled.wrappedBuffer(stream, from, stream.length - from));
        List<byte[]> out = new ArrayList<>();
        for (ByteBuf b; (b = ch.readInbound()) != null; ) {
            out.add(ByteBufUtil.getBytes(b));
            b.release();
        }
        ch.finishAndReleaseAll();
        return out;
    }

    @Test
    void twoPipelinedMessagesCutAtEveryByteComeOutWhole() {
        byte[] a = Wire.query(1, "x.test", Wire.A, 0), b = Wire.query(2, "x.test", Wire.AAAA, 1232);
        byte[] s = stream(a, b);
        for (int cut = 1; cut < s.length; cut++) {
            List<byte[]> got = decode(s, cut);
            assertEquals(2, got.size(), "cut at " + cut);
            assertArrayEquals(a, got.get(0));
            assertArrayEquals(b, got.get(1));
        }
    }

    @Test
    void oneByteAtATime() {
        byte[] a = Wire.query(1, "x.test", Wire.A, 0), b = Wire.answer(Wire.query(2, "big.test", Wire.A, 0), 4000, 0);
        byte[] s = stream(a, b, a);
        int[] every = new int[s.length - 1];
        for (int i = 0; i < every.length; i++) every[i] = i + 1;
        List<byte[]> got = decode(s, every);
        assertEquals(3, got.size());
        assertArrayEquals(b, got.get(1));
        assertEquals(4000 * 16 + 12 + 14, got.get(1).length, "a 64 KiB-class message");
    }
}
