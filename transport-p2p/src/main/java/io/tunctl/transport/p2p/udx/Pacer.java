package io.tunctl.transport.p2p.udx;

/**
 * Pacing as a token bucket filled at the congestion controller's rate: a packet may leave while the bucket is
 * positive, and the bucket holds at most a millisecond of sending (ten MTUs at least). Confined to the event loop.
 */
final class Pacer {
    private double tokens = 25000;
    private long tokensNs;

    Pacer(long now) {
        this.tokensNs = now;
    }

    /**
     * 0 when a packet may go now at {@code bytesPerNs} (any rate &le; 0 means unpaced), else how long to wait
     * before trying again, in nanoseconds (20 µs to 5 ms).
     */
    long delay(long now, double bytesPerNs, int mtu) {
        if (bytesPerNs <= 0) {
            return 0;
        }
        double cap = Math.max(bytesPerNs * 1_000_000, 10.0 * mtu);
        tokens = Math.min(cap, tokens + (now - tokensNs) * bytesPerNs);
        tokensNs = now;
        if (tokens > 0) {
            return 0;
        }
        long wait = (long) ((-tokens + mtu) / bytesPerNs);
        return Math.clamp(wait, 20_000L, 5_000_000L);
    }

    /** A datagram of {@code bytes} left. */
    void spent(int bytes) {
        tokens -= bytes;
    }
}
