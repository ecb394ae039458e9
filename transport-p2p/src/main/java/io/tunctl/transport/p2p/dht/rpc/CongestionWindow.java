package io.tunctl.transport.p2p.dht.rpc;

/**
 * dht-rpc's request budget: at most {@code maxWindow} sends in the current 750 ms slot and {@code 2 * maxWindow}
 * across the last four slots; an answered request gives its send back. Requests beyond the budget wait in a queue
 * until a {@link #drain()} opens a new slot.
 */
final class CongestionWindow {
    private final int maxWindow;
    private final int[] window = new int[4];
    private int i;
    private int total;

    CongestionWindow(int maxWindow) {
        if (maxWindow < 1) {
            throw new IllegalArgumentException("maxWindow must be at least 1, got " + maxWindow);
        }
        this.maxWindow = maxWindow;
    }

    boolean isFull() {
        return total >= 2 * maxWindow || window[i] >= maxWindow;
    }

    void send() {
        total++;
        window[i]++;
    }

    void recv() {
        if (window[i] > 0) {
            window[i]--;
            total--;
        }
    }

    /** Starts a new slot, forgetting the oldest of the four. */
    void drain() {
        i = (i + 1) & 3;
        total -= window[i];
        window[i] = 0;
    }
}
