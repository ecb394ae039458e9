package io.tunctl.core.tun.common;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CallGateTest {

    @Test
    void releasesOnceWhenNoCallIsInFlight() {
        AtomicInteger released = new AtomicInteger();
        CallGate gate = new CallGate(released::incrementAndGet);
        assertTrue(gate.enter());
        gate.leave();
        assertTrue(gate.close(() -> {}, 100));
        assertEquals(1, released.get());
        assertFalse(gate.enter(), "closed: no call may enter");
        assertFalse(gate.enter());
        assertFalse(gate.close(() -> {}, 100), "second close");
        assertEquals(1, released.get(), "calls refused after the release never release again");
        assertTrue(gate.isClosed());
    }

    @Test
    void theLastCallInFlightReleases() {
        AtomicInteger released = new AtomicInteger();
        CallGate gate = new CallGate(released::incrementAndGet);
        assertTrue(gate.enter());
        assertTrue(gate.enter());
        assertTrue(gate.close(() -> {}, 20)); // gives up waiting: two calls still in flight
        assertEquals(0, released.get());
        assertFalse(gate.enter(), "refused while the others are still in flight");
        gate.leave();
        assertEquals(0, released.get());
        gate.leave();
        assertEquals(1, released.get());
        assertFalse(gate.enter());
        assertEquals(1, released.get());
    }

    @Test
    void manyThreadsEnteringAndLeavingRaceCloseToOneRelease() throws InterruptedException {
        for (int round = 0; round < 50; round++) {
            AtomicInteger released = new AtomicInteger();
            AtomicInteger inFlightAfterRelease = new AtomicInteger();
            CallGate gate = new CallGate(released::incrementAndGet);
            Thread[] ts = new Thread[4];
            for (int t = 0; t < ts.length; t++) {
                ts[t] = Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 20_000; i++) {
                        if (!gate.enter()) continue;
                        if (released.get() != 0) inFlightAfterRelease.incrementAndGet();
                        gate.leave();
                    }
                });
            }
            gate.close(() -> {}, 1);
            for (Thread t : ts) t.join();
            assertEquals(1, released.get(), "round " + round);
            assertEquals(0, inFlightAfterRelease.get(), "a call ran after the release");
        }
    }
}
