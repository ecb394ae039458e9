package io.tunctl.transport.p2p.vpn;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** nospoon's framing: split, merged, keep-alives, corruption (spec §4). */
class NospoonFramingTest {

    private static byte[] frames(byte[]... packets) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : packets) {
            byte[] h = new byte[4];
            NospoonFraming.header(h, 0, p.length);
            out.writeBytes(h);
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static List<byte[]> feed(NospoonFraming.Decoder d, byte[]... messages) {
        List<byte[]> got = new ArrayList<>();
        for (byte[] m : messages) d.feed(m, 0, m.length, (b, o, l) -> got.add(Arrays.copyOfRange(b, o, o + l)));
        return got;
    }

    @Test
    void framesSplitAndMergedArbitrarilyComeOutWhole() {
        Random r = new Random(7);
        for (int round = 0; round < 300; round++) {
            List<byte[]> packets = new ArrayList<>();
            for (int i = 0, n = 1 + r.nextInt(20); i < n; i++) {
                byte[] p = new byte[r.nextInt(3) == 0 ? 0 : 1 + r.nextInt(3000)];
                r.nextBytes(p);
                packets.add(p);
            }
            byte[] all = frames(packets.toArray(byte[][]::new));
            NospoonFraming.Decoder d = new NospoonFraming.Decoder();
            List<byte[]> got = new ArrayList<>();
            for (int p = 0; p < all.length; ) {
                int n = Math.min(all.length - p, 1 + r.nextInt(5000));
                byte[] m = Arrays.copyOfRange(all, p, p + n);
                got.addAll(feed(d, m));
                p += n;
            }
            List<byte[]> expected = packets.stream().filter(p -> p.length > 0).toList();
            assertEquals(expected.size(), got.size());
            for (int i = 0; i < expected.size(); i++) assertArrayEquals(expected.get(i), got.get(i));
            assertEquals(packets.size() - expected.size(), d.keepAlives());
            assertEquals(0, d.buffered());
        }
    }

    @Test
    void aLengthAbove65535DiscardsTheBufferAndTheRestOfTheMessage() {
        NospoonFraming.Decoder d = new NospoonFraming.Decoder();
        byte[] good = frames(new byte[] {1, 2, 3});
        byte[] bad = {0, 1, 0, 0, 9, 9, 9};
        byte[] m = new byte[good.length + bad.length + good.length];
        System.arraycopy(good, 0, m, 0, good.length);
        System.arraycopy(bad, 0, m, good.length, bad.length);
        System.arraycopy(good, 0, m, good.length + bad.length, good.length);
        assertEquals(1, feed(d, m).size());
        assertEquals(1, d.corrupt());
        assertEquals(0, d.buffered());
        assertEquals(1, feed(d, good).size()); // the next message starts clean
    }

    @Test
    void aMessageThatWouldGrowTheBufferBeyond256KibIsDiscardedWithIt() {
        NospoonFraming.Decoder d = new NospoonFraming.Decoder();
        feed(d, new byte[] {0, 0, (byte) 0xff, (byte) 0xff, 1}); // one byte of a 65535-byte frame
        assertEquals(5, d.buffered());
        assertEquals(0, feed(d, new byte[300_000]).size());
        assertEquals(1, d.corrupt());
        assertEquals(0, d.buffered());
        assertEquals(1, feed(d, frames(new byte[] {4})).size());
    }
}
