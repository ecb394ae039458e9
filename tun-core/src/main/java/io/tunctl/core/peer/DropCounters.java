package io.tunctl.core.peer;

import java.util.concurrent.atomic.LongAdder;

/**
 * Packets dropped by peer routing, per reason. Safe to count from many threads; pass one instance to
 * successive tables so a reload does not reset the counts.
 */
public final class DropCounters {
    private final LongAdder spoofedSource = new LongAdder();
    private final LongAdder noRoute = new LongAdder();

    /** A packet from a peer whose source address lies outside that peer's allowed prefixes. */
    public void countSpoofedSource() { spoofedSource.increment(); }

    /** A packet whose destination matched no peer and had nowhere else to go. */
    public void countNoRoute() { noRoute.increment(); }

    public long spoofedSource() { return spoofedSource.sum(); }

    public long noRoute() { return noRoute.sum(); }

    @Override
    public String toString() {
        return "spoofed source " + spoofedSource() + ", no route " + noRoute();
    }
}
