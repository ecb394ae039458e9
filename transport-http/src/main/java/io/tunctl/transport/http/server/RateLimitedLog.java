package io.tunctl.transport.http.server;

import java.util.concurrent.atomic.AtomicLong;

/** At most one line per interval; the next line says how many were held back meanwhile. */
final class RateLimitedLog {
    private final System.Logger log;
    private final System.Logger.Level level;
    private final long intervalNanos;
    private final AtomicLong next = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressed = new AtomicLong();

    RateLimitedLog(System.Logger log, System.Logger.Level level, long intervalNanos) {
        this.log = log;
        this.level = level;
        this.intervalNanos = intervalNanos;
    }

    void log(String message) {
        long now = System.nanoTime();
        long due = next.get();
        if ((due != Long.MIN_VALUE && now - due < 0) || !next.compareAndSet(due, now + intervalNanos)) {
            suppressed.incrementAndGet();
            return;
        }
        long held = suppressed.getAndSet(0);
        log.log(level, held == 0 ? message : message + " (" + held + " similar lines held back)");
    }
}
