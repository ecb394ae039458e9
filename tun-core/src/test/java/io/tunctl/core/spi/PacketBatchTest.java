package io.tunctl.core.spi;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.*;

/** Slots that refer to the caller's memory: read where they lie, copied into the slot only when a reader needs it. */
class PacketBatchTest {

    @Test
    void aReferredPacketIsReadWhereItLiesUntilBufferCopiesIt() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment outside = arena.allocate(100);
            for (int i = 0; i < 100; i++) outside.set(ValueLayout.JAVA_BYTE, i, (byte) (i + 1));
            PacketBatch b = PacketBatch.allocate(arena, 4, 1500);
            int i = b.addRef(outside.address() + 10, 50);
            b.setOffload(i, Offload.F_NEEDS_CSUM, Offload.GSO_TCPV4, 40, 1000, 20, 16);
            assertEquals(outside.address() + 10, b.address(i));
            assertEquals(outside.address() + 10, b.offset(i));
            assertEquals(11, b.memory(i).get(ValueLayout.JAVA_BYTE, b.offset(i)));
            assertEquals(Offload.GSO_TCPV4, b.gsoType(i), "metadata kept with a referred packet");

            PacketBatch dst = PacketBatch.allocate(arena, 1, 1500);
            b.copyTo(i, dst);
            assertEquals(11, dst.buffer(0).get(ValueLayout.JAVA_BYTE, 0));
            assertEquals(Offload.GSO_TCPV4, dst.gsoType(0));

            MemorySegment slot = b.buffer(i); // copies the packet in: from now on it is the slot's
            outside.fill((byte) 0);
            assertEquals(11, slot.get(ValueLayout.JAVA_BYTE, 0));
            assertEquals(60, slot.get(ValueLayout.JAVA_BYTE, 49));
            assertEquals(slot.address(), b.address(i));
            assertEquals(0, b.offset(i));
            assertArrayEquals(b.toArray(i), slot.asSlice(0, 50).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void clearLetsReferredPacketsGo() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment outside = arena.allocate(64);
            PacketBatch b = PacketBatch.allocate(arena, 2, 1500);
            b.addRef(outside.address(), 64);
            b.clear();
            // a device filling slot 0 now must get the slot, not a copy from memory the batch no longer refers to
            assertEquals(b.buffer(0).address(), b.address(0));
            assertThrows(IllegalArgumentException.class, () -> b.addRef(0, 10));
            assertThrows(IllegalArgumentException.class, () -> b.addRef(outside.address(), 2000));
        }
    }
}
