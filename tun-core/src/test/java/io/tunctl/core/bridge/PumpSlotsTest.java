package io.tunctl.core.bridge;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** How many slots a pulling direction's batch gets: the full batch for MTU-sized slots, a bounded one for GSO. */
class PumpSlotsTest {

    @Test
    void mtuSizedSlotsGetTheWholeBatch() {
        assertEquals(64, PacketBridge.pumpSlots(64, 1500));
        assertEquals(64, PacketBridge.pumpSlots(64, 9000)); // jumbo frames: 576 KiB, still under the bound
        assertEquals(8, PacketBridge.pumpSlots(8, 1420));
    }

    @Test
    void gsoSlotsAreBoundedByBytesNotCount() {
        int slots = PacketBridge.pumpSlots(PacketBridge.DEFAULT_BATCH, 65535);
        assertEquals(16, slots);
        assertTrue((long) slots * 65535 <= PacketBridge.BATCH_BYTES);
    }

    @Test
    void neverFewerThanOneSlot() {
        assertEquals(1, PacketBridge.pumpSlots(1, 65535));
        assertEquals(1, PacketBridge.pumpSlots(64, PacketBridge.BATCH_BYTES + 1));
        assertThrows(IllegalArgumentException.class, () -> PacketBridge.pumpSlots(0, 1500));
    }
}
