package io.tunctl.core.packet;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tunctl.core.spi.Offload;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.testkit.AllocationBound;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Coverage-guided fuzz target for forged {@code virtio_net_hdr} metadata (a TUN opened with vnet headers, or a
 * peer's frame header) over an IP packet: {@link OffloadCheck#check} and the software segmenter
 * {@link GsoSegmenter}. Input: the metadata as {@value #HEADER} bytes (flags u8, gsoType u8, then hdrLen, gsoSize,
 * csumStart, csumOffset as big-endian u16) and the packet after it. Property: the check throws nothing; the segmenter throws only its
 * documented {@link IllegalArgumentException}, and never for a packet the check passed; it writes no byte past a
 * destination slot's committed length; the source is not modified; allocation at most {@value #BASE} bytes plus
 * {@value #PER_BYTE} per input byte (segment views, and this harness's own checks, per segment made).
 */
public class OffloadFuzzer {
    static final long BASE = 16384;
    static final long PER_BYTE = 8;
    private static final int MTU = 1400;
    private static final byte CANARY = (byte) 0xa5;
    private static final Arena ARENA = Arena.ofAuto();
    private static final PacketBatch SRC = PacketBatch.allocate(ARENA, 1, 65599);
    private static final PacketBatch DST = PacketBatch.allocate(ARENA, 16, MTU);
    private static final MemorySegment CANARIES = ARENA.allocate(MTU).fill(CANARY);

    static final int HEADER = 10;

    public static void fuzzerTestOneInput(byte[] in) throws Exception {
        if (in.length < HEADER || in.length - HEADER > SRC.bufferSize()) return;
        int flags = in[0] & 0xff, gsoType = in[1] & 0xff;
        int hdrLen = u16(in, 2), gsoSize = u16(in, 4), csumStart = u16(in, 6), csumOffset = u16(in, 8);
        byte[] p = java.util.Arrays.copyOfRange(in, HEADER, in.length);
        AllocationBound.check("offload", p.length, BASE, PER_BYTE,
                () -> run(p, flags, gsoType, hdrLen, gsoSize, csumStart, csumOffset));
    }

    @FuzzTest(maxDuration = "10s")
    void fuzz(byte[] in) throws Exception {
        fuzzerTestOneInput(in);
    }

    private static int u16(byte[] b, int at) { return (b[at] & 0xff) << 8 | b[at + 1] & 0xff; }

    /** A seed: metadata and packet in this target's input format. */
    static byte[] input(int flags, int gsoType, int hdrLen, int gsoSize, int csumStart, int csumOffset, byte[] p) {
        byte[] b = new byte[HEADER + p.length];
        b[0] = (byte) flags;
        b[1] = (byte) gsoType;
        int[] f = {hdrLen, gsoSize, csumStart, csumOffset};
        for (int i = 0; i < 4; i++) {
            b[2 + 2 * i] = (byte) (f[i] >>> 8);
            b[3 + 2 * i] = (byte) f[i];
        }
        System.arraycopy(p, 0, b, HEADER, p.length);
        return b;
    }

    private static void run(byte[] p, int flags, int gsoType, int hdrLen, int gsoSize, int csumStart, int csumOffset) {
        SRC.clear();
        SRC.add(p, 0, p.length);
        SRC.setOffload(0, flags, gsoType, hdrLen, gsoSize, csumStart, csumOffset);
        int verdict = OffloadCheck.check(MemorySegment.ofArray(p), p.length, flags, gsoType, hdrLen, gsoSize,
                csumStart, csumOffset, MTU);
        PacketViewsFuzzer.check(verdict == OffloadCheck.check(SRC, 0, MTU), "both check entry points agree");
        boolean gso = (gsoType & ~Offload.GSO_ECN) != Offload.GSO_NONE;
        fillCanary();
        try {
            int n = GsoSegmenter.segmentCount(SRC, 0);
            PacketViewsFuzzer.check(n >= 1, "at least one segment");
            for (int done = 0; done < n; ) {
                int k = GsoSegmenter.segment(SRC, 0, DST, done);
                PacketViewsFuzzer.check(k > 0 || DST.isFull(), "the segmenter makes progress");
                done += k;
                if (DST.isFull()) {
                    canariesIntact();
                    fillCanary();
                }
            }
        } catch (IllegalArgumentException documented) {
            // what the check lets through, the software path handles as well (a plain packet above the MTU aside)
            if (verdict == OffloadCheck.OK && (gso || p.length <= MTU)) {
                throw new AssertionError("OffloadCheck passed what GsoSegmenter refused: " + documented.getMessage(),
                        documented);
            }
        }
        canariesIntact();
        PacketViewsFuzzer.check(MemorySegment.mismatch(SRC.buffer(0), 0, p.length, MemorySegment.ofArray(p), 0,
                p.length) < 0, "the source is not modified");
    }

    private static void fillCanary() {
        for (int i = 0; i < DST.capacity(); i++) DST.buffer(i).fill(CANARY);
        DST.clear();
    }

    private static void canariesIntact() {
        for (int i = 0; i < DST.capacity(); i++) {
            MemorySegment s = DST.buffer(i);
            long from = i < DST.size() ? DST.length(i) : 0;
            long at = MemorySegment.mismatch(s, from, s.byteSize(), CANARIES, from, s.byteSize());
            if (at >= 0) throw new AssertionError("slot " + i + " written at byte " + (from + at) + " past its "
                    + from + " committed bytes");
        }
    }
}
