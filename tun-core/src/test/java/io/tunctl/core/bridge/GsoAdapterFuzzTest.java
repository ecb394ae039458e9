package io.tunctl.core.bridge;

import io.tunctl.core.packet.OffloadCheck;
import io.tunctl.core.spi.Offload;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PacketDevice;
import io.tunctl.core.testkit.OffloadCases;
import io.tunctl.core.testkit.OffloadCases.Case;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The bridge's software offload for a device without vnet headers, fed forged metadata: {@link GsoAdapter#append}
 * never throws (a malformed packet is dropped, not an error) and hands the device only plain packets within its
 * MTU.
 */
class GsoAdapterFuzzTest {
    private static final int MTU = 1400;

    /** A device that checks what it is given. */
    private static final class Checking implements PacketDevice {
        long packets;

        @Override
        public int read(PacketBatch batch) { return -1; }

        @Override
        public void write(PacketBatch batch) {
            for (int i = 0; i < batch.size(); i++) {
                assertFalse(batch.hasOffload(i), "offload metadata reached a device without vnet headers");
                assertTrue(batch.length(i) <= MTU, batch.length(i) + " bytes > MTU");
                packets++;
            }
        }

        @Override
        public int mtu() { return MTU; }

        @Override
        public void close() {}
    }

    /** A tiny gso_size would cut one super-packet into thousands of segments: dropped, not worked through. */
    @Test
    void aSuperPacketOfTooManySegmentsIsDropped() throws IOException {
        byte[] a = {(byte) 198, 51, 100, 1};
        byte[] b = {(byte) 198, 51, 100, 2};
        try (Arena arena = Arena.ofConfined()) {
            PacketBatch src = PacketBatch.allocate(arena, 2, 65535);
            OffloadCases.tcp(a, b, 60_000, 8).addTo(src);       // 7,500 segments
            OffloadCases.tcp(a, b, 60_000, 1200).addTo(src);    // 50: an honest one
            PacketBatch dst = PacketBatch.allocate(arena, 128, MTU);
            Checking dev = new Checking();
            GsoAdapter gso = new GsoAdapter(MTU);
            assertFalse(gso.append(src, 0, dst, dev));
            assertEquals(0, dst.size() + dev.packets, "nothing of the dropped packet went out");
            assertTrue(gso.append(src, 1, dst, dev));
            assertEquals(50, dst.size() + dev.packets);
        }
    }

    @Test
    void forgedMetadataIsDroppedOrSegmentedNeverThrown() throws IOException {
        List<Case> seeds = OffloadCases.seeds(MTU);
        long seed = System.nanoTime();
        Random rnd = new Random(seed);
        GsoAdapter adapter = new GsoAdapter(MTU);
        Checking device = new Checking();
        int appended = 0, dropped = 0;
        try (Arena arena = Arena.ofConfined()) {
            PacketBatch src = PacketBatch.allocate(arena, 1, 65599);
            PacketBatch dst = PacketBatch.allocate(arena, 32, MTU);
            for (int round = 0; round < 5_000; round++) {
                Case c = OffloadCases.fuzz(rnd, seeds, MTU);
                src.clear();
                c.addTo(src);
                boolean ok;
                try {
                    ok = adapter.append(src, 0, dst, device);
                } catch (RuntimeException e) {
                    throw new AssertionError("seed " + seed + " round " + round + ": " + c + " " + c.flags() + "/"
                            + c.gsoType() + "/" + c.hdrLen() + "/" + c.gsoSize() + "/" + c.csumStart() + "/"
                            + c.csumOffset(), e);
                }
                if (ok) appended++;
                else dropped++;
                boolean gso = (c.gsoType() & ~Offload.GSO_ECN) != Offload.GSO_NONE;
                // what the check passes, the adapter segments, unless it would make more than MAX_SEGMENTS pieces
                if (OffloadCheck.check(src, 0, MTU) == OffloadCheck.OK && (gso || c.packet().length <= MTU)
                        && io.tunctl.core.packet.GsoSegmenter.segmentCount(src, 0) <= PacketBridge.MAX_SEGMENTS) {
                    assertTrue(ok, () -> "passed the check but dropped by the adapter: " + c);
                }
                if (!dst.isEmpty()) {
                    device.write(dst);
                    dst.clear();
                }
            }
        }
        System.out.printf("GsoAdapter fuzz (seed %d): %d appended, %d dropped, %d plain packets out%n", seed, appended,
                dropped, device.packets);
        assertTrue(appended > 500 && dropped > 500, appended + " appended, " + dropped + " dropped");
    }
}
