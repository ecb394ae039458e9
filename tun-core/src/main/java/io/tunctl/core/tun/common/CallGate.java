package io.tunctl.core.tun.common;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Lets a device's native handles be released only after every call using them has left, so a descriptor or
 * session handle is never reused (or freed) under a running call. Calls {@link #enter()} and {@link #leave()};
 * {@link #close} marks the gate closed, lets the caller wake blocked calls, waits a bounded time for calls in
 * flight, and runs the release action when the last one leaves (at once if none is in flight). The same scheme as
 * the Linux {@code TunDevice}, shared by the macOS and Windows devices.
 */
public final class CallGate {
    private static final int CLOSED = 1 << 30;
    /** Set by the one call that released, so late calls that count in and out never release again. */
    private static final int RELEASED = 1 << 29;
    private static final int USERS = RELEASED - 1;

    /** Bit 30: closed; bit 29: released; low bits: calls in flight. */
    private final AtomicInteger state = new AtomicInteger();
    private final Runnable release;

    /** @param release frees the native resources; run exactly once, by the last call to leave after close */
    public CallGate(Runnable release) {
        this.release = release;
    }

    /** Enters a call; false when closed (the caller must not touch native handles then). */
    public boolean enter() {
        // one atomic add, no CAS loop: a CAS lost to another thread's call would be a rare branch that the JIT
        // compiles as an uncommon trap, deoptimizing the caller's hot loop each time two calls meet
        if ((state.getAndIncrement() & CLOSED) == 0) return true;
        leave();
        return false;
    }

    /** Leaves a call entered with {@link #enter()}. */
    public void leave() {
        if (state.decrementAndGet() == CLOSED && state.compareAndSet(CLOSED, CLOSED | RELEASED)) release.run();
    }

    public boolean isClosed() { return (state.get() & CLOSED) != 0; }

    /**
     * Closes: marks the gate closed, runs {@code wake} (which must make blocked calls return), waits up to
     * {@code waitMillis} for calls in flight, then releases (or leaves it to the last call still in flight).
     * Idempotent; returns false when already closed.
     */
    public boolean close(Runnable wake, long waitMillis) {
        int prev;
        do {
            prev = state.get();
            if ((prev & CLOSED) != 0) return false;
        } while (!state.compareAndSet(prev, (prev | CLOSED) + 1)); // close itself counts as a user meanwhile
        try {
            wake.run();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
            while ((state.get() & USERS) > 1 && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        } finally {
            leave();
        }
        return true;
    }
}
