package io.tunctl.transport.socks.engine.system;

import io.tunctl.core.packet.Ipv4Fragmenter;

import java.lang.foreign.MemorySegment;

/** IPv4 fragmentation of the engine's own answers that are larger than the TUN's MTU, into a thread's batch. */
final class Fragments {
    private Fragments() {}

    /** One fragmenter per thread: it keeps state between {@code start} and the last {@code next}. */
    private static final ThreadLocal<Ipv4Fragmenter> FRAGMENTER = ThreadLocal.withInitial(Ipv4Fragmenter::new);

    /** Cuts the packet at the start of {@code whole} into {@code o}'s batch; returns the fragment count or -1. */
    static int ipv4(MemorySegment whole, int len, int mtu, SystemEngine.Out o) {
        Ipv4Fragmenter f = FRAGMENTER.get();
        int n = f.start(whole, 0, len, mtu);
        if (n <= 0) return -1;
        for (int made = 0; made < n; made++) {
            int l = f.next(o.slot(), 0, o.slotSize());
            if (l <= 0) return -1;
            o.made(l);
        }
        return n;
    }
}
