package io.tunctl.core.packet;

import io.tunctl.core.packet.Ipv4Reassembler.Drop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static io.tunctl.core.packet.TestPackets.*;
import static org.junit.jupiter.api.Assertions.*;

class Ipv4ReassemblerTest {
    static final long SECOND = 1_000_000_000L, TIMEOUT = 30 * SECOND;
    /** Router alert (copied), record route (not copied), NOP: 12 bytes, IHL 8. */
    static final byte[] OPTIONS = hex("94040000" + "07070400000000" + "01");

    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void close() { arena.close(); }

    /** A UDP/IPv4 datagram with DF clear, identification {@code id}, optional IP options, both checksums right. */
    static byte[] datagram(int id, byte[] payload, byte[] options) {
        byte[] plain = PacketBuilderTest.refUdp4(4000 + id, 53, payload, id);
        byte[] p = new byte[plain.length + options.length];
        System.arraycopy(plain, 0, p, 0, 20);
        System.arraycopy(options, 0, p, 20, options.length);
        System.arraycopy(plain, 20, p, 20 + options.length, plain.length - 20);
        p[0] = (byte) (0x40 | (20 + options.length) / 4);
        put16(p, 2, p.length);
        put16(p, 10, 0);
        put16(p, 10, ~refSum(p, 0, 20 + options.length) & 0xffff);
        return p;
    }

    /** The fragment carrying data bytes {@code [from, to)} of {@code whole}, with the full header. */
    static byte[] fragment(byte[] whole, int from, int to, boolean more) {
        int ihl = (whole[0] & 0x0f) * 4;
        byte[] f = new byte[ihl + to - from];
        System.arraycopy(whole, 0, f, 0, ihl);
        System.arraycopy(whole, ihl + from, f, ihl, to - from);
        put16(f, 2, f.length);
        put16(f, 6, (more ? 0x2000 : 0) | from / 8);
        put16(f, 10, 0);
        put16(f, 10, ~refSum(f, 0, ihl) & 0xffff);
        return f;
    }

    /** Cuts {@code whole} into fragments of {@code chunk} data bytes (a multiple of 8). */
    static List<byte[]> cut(byte[] whole, int chunk) {
        int ihl = (whole[0] & 0x0f) * 4, data = whole.length - ihl;
        List<byte[]> out = new ArrayList<>();
        for (int from = 0; from < data; from += chunk) {
            int to = Math.min(from + chunk, data);
            out.add(fragment(whole, from, to, to < data));
        }
        return out;
    }

    private Ipv4Reassembler reassembler(int maxDatagrams, int maxBytes) {
        return new Ipv4Reassembler(arena, maxDatagrams, maxBytes, TIMEOUT);
    }

    /** Offers {@code f} at an offset inside a larger segment, as a TUN read buffer would hold it. */
    private static int offer(Ipv4Reassembler r, byte[] f, long now) {
        byte[] buf = new byte[f.length + 13];
        System.arraycopy(f, 0, buf, 13, f.length);
        return r.offer(MemorySegment.ofArray(buf), 13, f.length, now);
    }

    static byte[] completed(Ipv4Reassembler r) {
        return r.completed().asSlice(r.completedOffset(), r.completedLength()).toArray(ValueLayout.JAVA_BYTE);
    }

    private static void assertReassembled(byte[] original, Ipv4Reassembler r, int result) {
        assertEquals(original.length, result);
        byte[] got = completed(r);
        assertArrayEquals(original, got);
        MemorySegment s = MemorySegment.ofArray(got);
        assertEquals(PacketValidity.VALID, IpPacket.validate(s, 0, got.length));
        assertTrue(Checksum.verifyIpv4Header(s, 0));
        assertTrue(Checksum.verifyTransport(s, 0, got.length), "UDP checksum over the whole datagram");
    }

    /** Offers all but the last in order; returns the last's result. */
    private static int offerAll(Ipv4Reassembler r, List<byte[]> fragments, long now) {
        int res = HELD_MARK;
        for (int i = 0; i < fragments.size(); i++) {
            res = offer(r, fragments.get(i), now);
            if (i < fragments.size() - 1) assertEquals(Ipv4Reassembler.HELD, res, "fragment " + i);
        }
        return res;
    }

    private static final int HELD_MARK = Integer.MIN_VALUE;

    @Test
    void inOrderAndReverse() {
        Ipv4Reassembler r = reassembler(64, 65535);
        byte[] d = datagram(1, pattern(3972, 1), new byte[0]);
        assertReassembled(d, r, offerAll(r, cut(d, 1480), 0));
        List<byte[]> rev = new ArrayList<>(cut(d, 1480));
        Collections.reverse(rev);
        assertReassembled(d, r, offerAll(r, rev, 0));
        assertEquals(2, r.reassembled());
        assertEquals(0, r.pending());
    }

    @Test
    void firstFragmentsHeaderWithItsOptionsIsKept() {
        Ipv4Reassembler r = reassembler(4, 65535);
        byte[] d = datagram(2, pattern(1000, 2), OPTIONS);
        List<byte[]> fs = cut(d, 400);
        Collections.reverse(fs);
        assertReassembled(d, r, offerAll(r, fs, 0));
        assertEquals(32, Ipv4.headerLength(r.completed(), r.completedOffset()));
    }

    @Test
    void randomPermutationsAndSizes() {
        Random rnd = new Random(42);
        Ipv4Reassembler r = reassembler(8, 65535);
        for (int n = 0; n < 300; n++) {
            byte[] d = datagram(n, pattern(1 + rnd.nextInt(9000), n), n % 3 == 0 ? OPTIONS : new byte[0]);
            List<byte[]> fs = cut(d, 8 * (1 + rnd.nextInt(200)));
            if (fs.size() == 1) {
                assertEquals(Ipv4Reassembler.NOT_A_FRAGMENT, offer(r, fs.get(0), n), "one piece is no fragment");
                continue;
            }
            Collections.shuffle(fs, rnd);
            assertReassembled(d, r, offerAll(r, fs, n));
        }
        assertEquals(0, r.pending());
    }

    @Test
    void duplicatesAreIgnoredAndTheDatagramKept() {
        Ipv4Reassembler r = reassembler(4, 65535);
        byte[] d = datagram(3, pattern(2000, 3), new byte[0]);
        List<byte[]> fs = cut(d, 512);
        assertEquals(Ipv4Reassembler.HELD, offer(r, fs.get(1), 0));
        assertEquals(Ipv4Reassembler.DROPPED, offer(r, fs.get(1), 0));
        assertEquals(Drop.DUPLICATE, r.lastDrop());
        assertEquals(Ipv4Reassembler.HELD, offer(r, fs.get(0), 0));
        assertEquals(Ipv4Reassembler.DROPPED, offer(r, fs.get(0), 0));
        assertEquals(Ipv4Reassembler.HELD, offer(r, fs.get(3), 0));
        assertEquals(Ipv4Reassembler.DROPPED, offer(r, fs.get(3), 0));
        assertEquals(3, r.dropped(Drop.DUPLICATE));
        // a refragmented copy overlapping with the same bytes fills the gap
        assertReassembled(d, r, offer(r, fragment(d, 1024, 1536, true), 0));
    }

    @Test
    void identicalPartialOverlapMergesConflictingOverlapDropsAll() {
        Ipv4Reassembler r = reassembler(4, 65535);
        byte[] d = datagram(4, pattern(100, 4), new byte[0]);
        int data = d.length - 20;
        assertEquals(Ipv4Reassembler.HELD, offer(r, fragment(d, 0, 48, true), 0));
        assertEquals(Ipv4Reassembler.HELD, offer(r, fragment(d, 40, 80, true), 0));
        assertReassembled(d, r, offer(r, fragment(d, 72, data, false), 0));

        assertEquals(Ipv4Reassembler.HELD, offer(r, fragment(d, 0, 48, true), 0));
        byte[] evil = fragment(d, 40, 80, true);
        evil[20 + 4] ^= 0x55; // byte 44 of the data differs from what the first fragment said
        assertEquals(Ipv4Reassembler.DROPPED, offer(r, evil, 0));
        assertEquals(Drop.OVERLAP, r.lastDrop());
        assertEquals(0, r.pending(), "the whole datagram went");
        // the rest now starts a new datagram, which lacks the first 40 bytes: no completion
        assertEquals(Ipv4Reassembler.HELD, offer(r, fragment(d, 72, data, false), 0));
        byte[] evilLast = fragment(d, 72, data, false);
        evilLast[evilLast.length - 1] ^= 1; // a conflicting byte in the partial last block
        assertEquals(Ipv4Reassembler.DROPPED, offer(r, evilLast, 0));
        assertEquals(Drop.OVERLAP, r.lastDrop());
        assertEquals(2, r.dropped(Drop.OVERLAP));
    }

    @Test
    void fragmentsDisagreeingOnTheEnd() {
        Ipv4Reassembler r = reassembler(4, 65535);
        byte[] d = datagram(5, pattern(200, 5), new byte[0]);
        assertEquals(Ipv4Reassembler.HELD, offer(r, fragment(d, 160, 208, false), 0));
        assertEquals(Ipv4Reassembler.DROPPED, offer(r, fragment(d, 160, 200, false), 0), "second, shorter end");
        assertEquals(Drop.INCONSISTENT, r.lastDrop());
        assertEquals(Ipv4Reassembler.HELD, offer(r, fragment(d, 0, 80, true), 0));
        assertEquals(Ipv4Reassembler.HELD, offer(r, fragment(d, 160, 208, false), 0));
        assertEquals(Ipv4Reassembler.DROPPED, offer(r, at(fragment(d, 0, 8, true), 208), 0), "MF data past the end");
        assertEquals(Drop.INCONSISTENT, r.lastDrop());
        assertEquals(Ipv4Reassembler.HELD, offer(r, fragment(d, 0, 200, true), 0));
        assertEquals(Ipv4Reassembler.DROPPED, offer(r, fragment(d, 96, 104, false), 0), "end before held data");
        assertEquals(3, r.dropped(Drop.INCONSISTENT));
        assertEquals(0, r.pending());
    }

    @Test
    void missingLastFragmentExpires() {
        Ipv4Reassembler r = reassembler(4, 65535);
        byte[] d = datagram(6, pattern(3000, 6), new byte[0]);
        List<byte[]> fs = cut(d, 1480);
        long t0 = 5 * SECOND;
        offer(r, fs.get(0), t0);
        offer(r, fs.get(1), t0 + SECOND);
        assertEquals(1, r.pending());
        assertEquals(0, r.expire(t0 + TIMEOUT));
        assertEquals(1, r.expire(t0 + TIMEOUT + 1));
        assertEquals(0, r.pending());
        assertEquals(1, r.dropped(Drop.TIMEOUT));
        // the late last fragment starts a datagram of its own, which also expires, checked by offer
        assertEquals(Ipv4Reassembler.HELD, offer(r, fs.get(2), t0 + TIMEOUT + 2));
        byte[] other = datagram(7, pattern(10, 7), new byte[0]);
        assertEquals(Ipv4Reassembler.NOT_A_FRAGMENT, offer(r, other, t0 + 2 * TIMEOUT + 3));
        assertEquals(2, r.dropped(Drop.TIMEOUT));
        assertEquals(0, r.pending());
        // clock values near the long wrap-around compare as nanoTime differences do
        long near = Long.MAX_VALUE - SECOND;
        offer(r, fs.get(0), near);
        assertEquals(0, r.expire(near + 2 * SECOND));
        assertEquals(1, r.expire(near + TIMEOUT + 1));
    }

    @Test
    void theOldestIsEvictedWhenFull() {
        Ipv4Reassembler r = reassembler(4, 65535);
        List<List<byte[]>> all = new ArrayList<>();
        List<byte[]> originals = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            byte[] d = datagram(100 + i, pattern(2000, i), new byte[0]);
            originals.add(d);
            all.add(cut(d, 1000));
            assertEquals(Ipv4Reassembler.HELD, offer(r, all.get(i).get(0), i * SECOND));
        }
        assertEquals(1, r.dropped(Drop.EVICTED));
        assertEquals(4, r.pending());
        for (int i = 1; i < 5; i++) {
            offer(r, all.get(i).get(1), 10 * SECOND);
            assertReassembled(originals.get(i), r, offer(r, all.get(i).get(2), 10 * SECOND));
        }
        offer(r, all.get(0).get(1), 11 * SECOND);
        assertEquals(Ipv4Reassembler.HELD, offer(r, all.get(0).get(2), 11 * SECOND), "its first part is gone");
    }

    @Test
    void oversizeDatagramsAreDropped() {
        Ipv4Reassembler r = reassembler(4, 65535);
        byte[] d = datagram(8, pattern(100, 8), new byte[0]);
        byte[] beyond = fragment(d, 0, 16, true);
        put16(beyond, 6, 0x2000 | 8189); // offset 65512 + 16 bytes: 65548 with the header
        put16(beyond, 10, 0);
        put16(beyond, 10, ~refSum(beyond, 0, 20) & 0xffff);
        assertEquals(Ipv4Reassembler.HELD, offer(r, fragment(d, 0, 16, true), 0));
        assertEquals(Ipv4Reassembler.DROPPED, offer(r, beyond, 0));
        assertEquals(Drop.OVERSIZE, r.lastDrop());
        assertEquals(0, r.pending(), "the datagram it belonged to went too");

        Ipv4Reassembler small = reassembler(4, 2000);
        byte[] big = datagram(9, pattern(2500, 9), new byte[0]);
        List<byte[]> fs = cut(big, 1480);
        assertEquals(Ipv4Reassembler.HELD, offer(small, fs.get(0), 0));
        assertEquals(Ipv4Reassembler.DROPPED, offer(small, fs.get(1), 0));
        assertEquals(Drop.OVERSIZE, small.lastDrop());
        // fits with a 20-byte header but not with the first fragment's options
        byte[] edge = datagram(10, pattern(2000 - 28 - 12 + 4, 10), OPTIONS);
        List<byte[]> parts = cut(edge, 8 * 100);
        Collections.reverse(parts);
        int res = 0;
        for (byte[] f : parts) res = offer(small, f, 0);
        assertEquals(Ipv4Reassembler.DROPPED, res);
        assertEquals(Drop.OVERSIZE, small.lastDrop());
        byte[] fits = datagram(11, pattern(2000 - 28 - 12, 11), OPTIONS);
        assertReassembled(fits, small, offerAll(small, cut(fits, 8 * 100), 0));
    }

    @Test
    void malformedFragmentsAndNonFragments() {
        Ipv4Reassembler r = reassembler(4, 65535);
        byte[] d = datagram(12, pattern(100, 12), new byte[0]);
        assertEquals(Ipv4Reassembler.DROPPED, offer(r, fragment(d, 0, 12, true), 0), "MF with 12 bytes");
        assertEquals(Drop.MALFORMED, r.lastDrop());
        assertEquals(Ipv4Reassembler.DROPPED, offer(r, fragment(d, 16, 16, true), 0), "empty");
        assertEquals(Ipv4Reassembler.DROPPED, offer(r, Arrays.copyOf(fragment(d, 0, 16, true), 30), 0), "truncated");
        assertEquals(Ipv4Reassembler.DROPPED, offer(r, hex(PING6_REQUEST), 0), "IPv6");
        assertEquals(Ipv4Reassembler.DROPPED, offer(r, new byte[0], 0));
        assertEquals(5, r.dropped(Drop.MALFORMED));
        assertEquals(Ipv4Reassembler.NOT_A_FRAGMENT, offer(r, d, 0));
        assertEquals(0, r.pending());
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Reassembler(arena, 0, 1500, 1));
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Reassembler(arena, 1, 65536, 1));
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Reassembler(arena, 1, 1500, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new Ipv4Reassembler(MemorySegment.ofArray(new byte[100]), 1, 1500, 1));
    }

    @Test
    void manyInterleavedDatagrams() {
        Random rnd = new Random(7);
        Ipv4Reassembler r = reassembler(64, 65535);
        byte[][] originals = new byte[64][];
        List<byte[]> all = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            originals[i] = datagram(i, pattern(500 + rnd.nextInt(6000), i), i % 4 == 0 ? OPTIONS : new byte[0]);
            all.addAll(cut(originals[i], 8 * (20 + rnd.nextInt(40)))); // under 508 data bytes: at least two pieces
        }
        Collections.shuffle(all, rnd);
        boolean[] done = new boolean[64];
        for (byte[] f : all) {
            int res = offer(r, f, 0);
            if (res > 0) {
                byte[] got = completed(r);
                int id = u16(got, 4);
                assertFalse(done[id]);
                done[id] = true;
                assertReassembled(originals[id], r, res);
            } else {
                assertEquals(Ipv4Reassembler.HELD, res);
            }
        }
        for (boolean b : done) assertTrue(b);
        assertEquals(0, r.dropped(Drop.EVICTED));
    }

    @Test
    void sameIdentificationOtherKeysAreOtherDatagrams() {
        Ipv4Reassembler r = reassembler(8, 65535);
        byte[] a = datagram(77, pattern(100, 1), new byte[0]);
        byte[] b = datagram(77, pattern(100, 2), new byte[0]);
        b[15] ^= 1; // another source
        byte[] c = a.clone();
        c[9] = (byte) 200; // another protocol
        for (byte[] p : new byte[][] {b, c}) {
            put16(p, 10, 0);
            put16(p, 10, ~refSum(p, 0, 20) & 0xffff);
        }
        offer(r, fragment(a, 0, 64, true), 0);
        offer(r, fragment(b, 0, 64, true), 0);
        offer(r, fragment(c, 0, 64, true), 0);
        assertEquals(3, r.pending());
        assertArrayEquals(b, Arrays.copyOf(fragmentsResult(r, fragment(b, 64, 108, false)), b.length));
        assertArrayEquals(c, fragmentsResult(r, fragment(c, 64, 108, false)));
        assertArrayEquals(a, fragmentsResult(r, fragment(a, 64, 108, false)));
    }

    /** {@code f} moved to data offset {@code offset} (header checksum fixed). */
    static byte[] at(byte[] f, int offset) {
        put16(f, 6, (u16(f, 6) & 0xe000) | offset / 8);
        put16(f, 10, 0);
        put16(f, 10, ~refSum(f, 0, (f[0] & 0x0f) * 4) & 0xffff);
        return f;
    }

    private static byte[] fragmentsResult(Ipv4Reassembler r, byte[] last) {
        assertTrue(offer(r, last, 0) > 0);
        return completed(r);
    }

    /** Fragments at random MTUs, shuffled, then reassembled: the original again, byte for byte. */
    @Test
    void fragmenterThenReassemblerGivesTheOriginalBack() {
        Random rnd = new Random(1234);
        Ipv4Reassembler r = reassembler(16, 65535);
        Ipv4Fragmenter fr = new Ipv4Fragmenter();
        MemorySegment out = arena.allocate(1600);
        for (int n = 0; n < 400; n++) {
            int mtu = 68 + rnd.nextInt(1500 - 68 + 1);
            int size = n < 20 ? 65535 - 28 - (n % 2 == 0 ? 12 : 0) : 1 + rnd.nextInt(n % 10 == 0 ? 20000 : 4000);
            byte[] d = datagram(n, pattern(size, n), n % 2 == 0 ? OPTIONS : new byte[0]);
            MemorySegment src = arena.allocate(d.length + 8);
            MemorySegment.copy(d, 0, src, ValueLayout.JAVA_BYTE, 8, d.length);
            int count = fr.start(src, 8, d.length, mtu);
            if (d.length <= mtu) {
                assertEquals(Ipv4Fragmenter.FITS, count);
                continue;
            }
            List<byte[]> fs = new ArrayList<>();
            int len;
            while ((len = fr.next(out, 0, 1600)) > 0) {
                assertTrue(len <= mtu);
                fs.add(out.asSlice(0, len).toArray(ValueLayout.JAVA_BYTE));
            }
            assertEquals(count, fs.size(), "fragment count for " + d.length + " at MTU " + mtu);
            Collections.shuffle(fs, rnd);
            int res = 0;
            for (int i = 0; i < fs.size(); i++) {
                res = offer(r, fs.get(i), n);
                if (i < fs.size() - 1) assertEquals(Ipv4Reassembler.HELD, res);
            }
            assertReassembled(d, r, res);
        }
    }
}
