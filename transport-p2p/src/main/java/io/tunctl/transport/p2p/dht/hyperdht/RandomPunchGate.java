package io.tunctl.transport.p2p.dht.hyperdht;

/**
 * hyperdht's per-DHT limit on random-port punching (the expensive, noisy strategies): at most 1 at a time and at
 * least 20 s after the last one ended ({@code _randomPunchLimit}, {@code _randomPunchInterval}).
 */
public final class RandomPunchGate {
    public static final long DEFAULT_INTERVAL_MILLIS = 20_000;
    private final int limit;
    private final long intervalMillis;
    private int active;
    private long lastEnded = Long.MIN_VALUE / 2;

    public RandomPunchGate() {
        this(1, DEFAULT_INTERVAL_MILLIS);
    }

    public RandomPunchGate(int limit, long intervalMillis) {
        this.limit = limit;
        this.intervalMillis = intervalMillis;
    }

    /** Whether a random punch may start now. */
    public boolean open(long now) {
        return active < limit && now - lastEnded >= intervalMillis;
    }

    /** A random punch starts (call only when {@link #open}). */
    public void begin() {
        active++;
    }

    /** A random punch ended (connected or gave up). */
    public void end(long now) {
        if (active > 0) {
            active--;
            lastEnded = now;
        }
    }
}
