package io.tunctl.core.spi;

import io.tunctl.core.runtime.ProcessFootprint;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.*;

/** A lazily mapped batch holds no memory until packets are written into it, and works like any other batch. */
class LazyPacketBatchTest {

    @Test
    void slotsCostNothingUntilWritten() {
        try (Arena arena = Arena.ofConfined()) {
            long before = ProcessFootprint.current().residentBytes();
            PacketBatch[] batches = new PacketBatch[8];
            for (int i = 0; i < batches.length; i++) batches[i] = PacketBatch.allocateLazily(arena, 64, 65535);
            long grown = ProcessFootprint.current().residentBytes() - before;
            // 8 x 4 MiB mapped; zeroed (PacketBatch.allocate) they would all be resident
            assertTrue(grown < 8L << 20, "resident memory grew by " + (grown >> 10) + " KiB");
            assertEquals(64, batches[0].capacity());
            assertEquals(65535, batches[0].bufferSize());
        }
    }

    @Test
    void carriesPacketsLikeAnAllocatedBatch() {
        try (Arena arena = Arena.ofConfined()) {
            PacketBatch lazy = PacketBatch.allocateLazily(arena, 4, 65535);
            byte[] packet = new byte[1400];
            for (int i = 0; i < packet.length; i++) packet[i] = (byte) i;
            lazy.add(packet, 0, packet.length);
            lazy.add(packet, 0, 100);
            assertEquals(2, lazy.size());
            assertArrayEquals(packet, lazy.toArray(0));
            assertEquals((byte) 99, lazy.buffer(1).get(ValueLayout.JAVA_BYTE, 99));
            PacketBatch copy = PacketBatch.allocate(arena, 4, 1500);
            lazy.copyTo(0, copy);
            assertArrayEquals(packet, copy.toArray(0));
        }
    }

    @Test
    void memoryIsGoneWithItsArena() {
        Arena arena = Arena.ofConfined();
        PacketBatch lazy = PacketBatch.allocateLazily(arena, 2, 65535);
        arena.close();
        assertThrows(IllegalStateException.class, () -> lazy.add(new byte[10], 0, 10));
    }

    @Test
    void badSizesAreRefused() {
        try (Arena arena = Arena.ofConfined()) {
            assertThrows(IllegalArgumentException.class, () -> PacketBatch.allocateLazily(arena, 0, 1500));
            assertThrows(IllegalArgumentException.class, () -> PacketBatch.allocateLazily(arena, 4, 67));
        }
    }
}
