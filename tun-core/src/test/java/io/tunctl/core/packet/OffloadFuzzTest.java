package io.tunctl.core.packet;

import io.tunctl.core.spi.Offload;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.testkit.OffloadCases;
import io.tunctl.core.testkit.OffloadCases.Case;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Forged metadata over random and mutated packets against the software offload path ({@link GsoSegmenter}, what
 * a device without vnet headers gets) and {@link OffloadCheck}: nothing but the documented
 * {@link IllegalArgumentException}, no byte written outside the destination slots' committed lengths, the source
 * never modified, and whatever the check passes the segmenter handles.
 */
class OffloadFuzzTest {
    private static final int MTU = 1400;
    private static final byte CANARY = (byte) 0xa5;
    private static final int ROUNDS = Integer.getInteger("tunctl.fuzz.rounds", 20_000);

    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void close() { arena.close(); }

    @Test
    void forgedMetadataNeverCrashesOrWritesOutOfBounds() {
        List<Case> seeds = OffloadCases.seeds(MTU);
        long seed = System.nanoTime();
        Random rnd = new Random(seed);
        PacketBatch src = PacketBatch.allocate(arena, 1, 65599);
        PacketBatch dst = PacketBatch.allocate(arena, 16, MTU);
        int passed = 0, segmentedGso = 0, refused = 0;
        for (int round = 0; round < ROUNDS; round++) {
            Case fz = OffloadCases.fuzz(rnd, seeds, MTU);
            byte[] p = fz.packet();
            int[] f = {fz.flags(), fz.gsoType(), fz.hdrLen(), fz.gsoSize(), fz.csumStart(), fz.csumOffset()};
            // built only when something fails
            int r = round;
            Supplier<String> what = () -> "seed " + seed + " round " + r + ": fields " + Arrays.toString(f)
                    + " packet " + HexFormat.of().formatHex(p, 0, Math.min(p.length, 80));

            src.clear();
            src.add(p, 0, p.length);
            src.setOffload(0, f[0], f[1], f[2], f[3], f[4], f[5]);
            int verdict;
            try {
                verdict = OffloadCheck.check(MemorySegment.ofArray(p), p.length, f[0], f[1], f[2], f[3], f[4], f[5], MTU);
                assertEquals(verdict, OffloadCheck.check(src, 0, MTU), what);
            } catch (RuntimeException e) {
                throw new AssertionError("OffloadCheck threw at " + what.get(), e);
            }
            if (verdict == OffloadCheck.OK) passed++;

            fillCanary(dst);
            dst.clear();
            boolean gso = (src.gsoType(0) & ~Offload.GSO_ECN) != Offload.GSO_NONE;
            try {
                int n = GsoSegmenter.segmentCount(src, 0);
                assertTrue(n >= 1, what);
                for (int done = 0; done < n; ) {
                    int k = GsoSegmenter.segment(src, 0, dst, done);
                    if (k == 0 && !dst.isFull()) fail("no progress at " + what.get());
                    done += k;
                    if (dst.isFull()) {
                        assertCanariesIntact(dst, what);
                        fillCanary(dst);
                        dst.clear();
                    }
                }
                if (gso) segmentedGso++;
            } catch (IllegalArgumentException documented) {
                refused++;
                // a packet the check lets through is one the software path can handle as well
                if (verdict == OffloadCheck.OK && (gso || p.length <= MTU)) {
                    throw new AssertionError("OffloadCheck passed what GsoSegmenter refused (" + documented.getMessage()
                            + ") at " + what.get(), documented);
                }
            } catch (RuntimeException e) {
                throw new AssertionError("GsoSegmenter threw " + e + " at " + what.get(), e);
            }
            assertCanariesIntact(dst, what);
            assertArrayEquals(p, src.toArray(0), () -> "source modified at " + what.get());
        }
        System.out.printf("offload fuzz (seed %d): %d rounds, %d passed the check, %d GSO packets segmented, "
                + "%d refused by the segmenter%n", seed, ROUNDS, passed, segmentedGso, refused);
        assertTrue(passed > ROUNDS / 50, "the fuzzer also reaches the valid side: " + passed);
        assertTrue(segmentedGso > ROUNDS / 50, "and segments: " + segmentedGso);
    }

    private static void fillCanary(PacketBatch b) {
        for (int i = 0; i < b.capacity(); i++) b.buffer(i).fill(CANARY);
    }

    /** Every byte past a committed slot's length, and every byte of the slots not committed, is still canary. */
    private void assertCanariesIntact(PacketBatch b, Supplier<String> what) {
        MemorySegment canary = canary(b.bufferSize());
        for (int i = 0; i < b.capacity(); i++) {
            MemorySegment s = b.buffer(i);
            long from = i < b.size() ? b.length(i) : 0;
            long at = MemorySegment.mismatch(s, from, s.byteSize(), canary, from, s.byteSize());
            if (at >= 0) {
                fail("slot " + i + " written at byte " + (from + at) + " past its " + from + " committed bytes: "
                        + what.get());
            }
        }
    }

    private MemorySegment canarySegment;

    private MemorySegment canary(int size) {
        if (canarySegment == null || canarySegment.byteSize() != size) canarySegment = arena.allocate(size).fill(CANARY);
        return canarySegment;
    }
}
