package io.tunctl.core.uring;

import io.tunctl.core.natives.linux.io_uring_h;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A ring entered through its slot in the thread's table ({@link IoUring#registerRing}), and through its fd again. */
class IoUringTest {
    @Test
    void entersThroughTheRegisteredSlotThenThroughTheFdAgain() throws Exception {
        assumeTrue(UringSupport.isAvailable(), () -> "io_uring: " + UringSupport.unavailabilityCause().orElse(""));
        try (Arena arena = Arena.ofConfined()) {
            IoUring ring = IoUring.open(arena, 8);
            assertTrue(ring.registerRing(), "IORING_REGISTER_RING_FDS (Linux 5.18)");
            assertTrue(ring.registerRing(), "registered once, then a no-op");
            nop(ring, 7);
            ring.unregisterRing();
            ring.unregisterRing();
            nop(ring, 8);
            // the slot went back: registering again takes one
            assertTrue(ring.registerRing());
            nop(ring, 9);
            ring.unregisterRing();
        }
    }

    /** One NOP submitted and waited for: a bad ring fd or slot fails the enter (EBADF, EINVAL). */
    private static void nop(IoUring ring, long userData) throws Exception {
        ring.prep(io_uring_h.IORING_OP_NOP(), 0, -1, 0L, 0, 0L, 0, userData);
        assertTrue(ring.submit(1));
        assertEquals(1, ring.cqReady());
        assertEquals(userData, ring.cqeUserData(0));
        assertEquals(0, ring.cqeRes(0));
        ring.cqAdvance(1);
    }
}
