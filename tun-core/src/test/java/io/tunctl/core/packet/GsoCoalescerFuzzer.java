package io.tunctl.core.packet;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tunctl.core.spi.Offload;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.testkit.AllocationBound;
import io.tunctl.core.testkit.FuzzInput;

import java.lang.foreign.Arena;
import java.util.List;

/**
 * Coverage-guided fuzz target for software GRO: a batch of up to {@value #BATCH} packets (input: {@link FuzzInput}
 * records, one per packet) through {@link GsoCoalescer#coalesce}, then every super-packet it made back through
 * {@link GsoSegmenter}. Property: no exception; every output passes {@link OffloadCheck} (the kernel would take
 * it); the outputs segment back into exactly as many packets as went in; every segment of a merged packet is a
 * valid packet whose TCP checksum verifies; allocation at most {@value #BASE} bytes ("nothing per call").
 */
public class GsoCoalescerFuzzer {
    static final long BASE = 16384;
    static final int BATCH = 16;
    private static final int BUFFER = 65535;
    private static final Arena ARENA = Arena.ofAuto();
    private static final PacketBatch SRC = PacketBatch.allocate(ARENA, BATCH, 2048);
    private static final PacketBatch DST = PacketBatch.allocate(ARENA, BATCH, BUFFER);
    private static final PacketBatch SEGMENTS = PacketBatch.allocate(ARENA, 64, 2048);
    private static final GsoCoalescer COALESCER = new GsoCoalescer(BATCH);

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        List<byte[]> packets = FuzzInput.records(data, BATCH);
        AllocationBound.check("GSO coalescer", data.length, BASE, 0, () -> run(packets));
    }

    @FuzzTest(maxDuration = "10s")
    void fuzz(byte[] data) throws Exception {
        fuzzerTestOneInput(data);
    }

    private static void run(List<byte[]> packets) {
        SRC.clear();
        for (byte[] p : packets) SRC.add(p, 0, Math.min(p.length, SRC.bufferSize()));
        DST.clear();
        int n = COALESCER.coalesce(SRC, DST);
        PacketViewsFuzzer.check(n == DST.size(), "returns the slots appended");
        int segments = 0;
        for (int i = 0; i < DST.size(); i++) {
            PacketViewsFuzzer.check(OffloadCheck.check(DST, i, BUFFER) == OffloadCheck.OK || !DST.hasOffload(i),
                    "a super-packet's metadata passes OffloadCheck: " + OffloadCheck.name(OffloadCheck.check(DST, i, BUFFER)));
            int count = GsoSegmenter.segmentCount(DST, i);
            segments += count;
            if ((DST.gsoType(i) & ~Offload.GSO_ECN) == Offload.GSO_NONE) continue;
            SEGMENTS.clear();
            PacketViewsFuzzer.check(GsoSegmenter.segment(DST, i, SEGMENTS) == count, "all segments fit");
            for (int k = 0; k < SEGMENTS.size(); k++) {
                var s = SEGMENTS.buffer(k);
                int len = SEGMENTS.length(k);
                PacketViewsFuzzer.check(IpPacket.validate(s, 0, len) == PacketValidity.VALID, "segment is valid");
                PacketViewsFuzzer.check(Checksum.verifyTransport(s, 0, len), "segment's TCP checksum verifies");
            }
        }
        PacketViewsFuzzer.check(segments == SRC.size(), "the outputs segment back into the " + SRC.size()
                + " packets that went in, not " + segments);
    }
}
