package io.tunctl.transport.http.client;

import java.util.concurrent.ThreadLocalRandom;

/** Exponential reconnect delay with jitter: 1 s, 2 s, 4 s ... capped, each scaled by a random 0.5..1.0. */
final class Backoff {
    private final long baseMillis;
    private final long maxMillis;
    private int failures;

    Backoff(long baseMillis, long maxMillis) {
        this.baseMillis = baseMillis;
        this.maxMillis = maxMillis;
    }

    /** The delay before the next attempt; each call counts one more failure. */
    synchronized long nextMillis() {
        long d = Math.min(maxMillis, baseMillis << Math.min(failures, 20));
        failures++;
        return (long) (d * (0.5 + 0.5 * ThreadLocalRandom.current().nextDouble()));
    }

    synchronized void reset() {
        failures = 0;
    }

    synchronized int failures() {
        return failures;
    }
}
