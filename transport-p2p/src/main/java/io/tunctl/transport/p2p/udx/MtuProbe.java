package io.tunctl.transport.p2p.udx;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Path MTU probing as libudx does it: start at 1200 bytes and, once the peer has answered, pad one data packet
 * at a time to the next size (32-byte steps up to 1500); an acknowledged probe raises the MTU, three lost probes
 * end the search. Confined to the event loop.
 */
final class MtuProbe {
    static final int BASE_MTU = 1200;
    static final int MAX_MTU = 1500;
    private static final int STEP = 32;
    private static final int MAX_FAILURES = 3;
    private static final int BASE = 0;
    private static final int SEARCHING = 1;
    private static final int DONE = 2;

    /** The MTU in use. */
    int mtu = BASE_MTU;
    private int state = BASE;
    private int probeSize;
    private int failures;
    private boolean probeInFlight;

    /** The path changed: back to the base MTU; the search starts again with the next ACK. */
    void restart() {
        mtu = BASE_MTU;
        state = BASE;
        failures = 0;
        probeInFlight = false;
    }

    /** An ACK arrived on a connected stream: the search begins if it has not. */
    void start() {
        if (state == BASE) {
            state = SEARCHING;
            probeSize = Math.min(BASE_MTU + STEP, MAX_MTU);
        }
    }

    /**
     * Padding that turns a data packet with {@code len} payload bytes into the next probe, or -1 when it should
     * go as it is (no search, a probe already out, or the padding does not fit the header's one byte).
     */
    int padding(int len, int ipOverhead) {
        if (state == SEARCHING && !probeInFlight && len > 0) {
            int n = probeSize - (ipOverhead + UdxHeader.SIZE + len);
            if (n >= 0 && n <= 255) {
                return n;
            }
        }
        return -1;
    }

    /** {@code p} carries the padding {@link #padding} gave. */
    void sent(SentPacket p) {
        p.mtuProbe = true;
        p.mtuProbeSize = probeSize;
        probeInFlight = true;
    }

    /** A probe was delivered: its size fits the path. */
    void acked(SentPacket p) {
        p.mtuProbe = false;
        probeInFlight = false;
        if (p.mtuProbeSize > mtu) {
            mtu = p.mtuProbeSize;
        }
        if (mtu >= MAX_MTU) {
            state = DONE;
        } else {
            probeSize = Math.min(mtu + STEP, MAX_MTU);
        }
    }

    /** A probe was lost: it is re-sent without its padding; enough failures end the search. */
    void lost(SentPacket p, ByteBufAllocator alloc) {
        p.mtuProbe = false;
        probeInFlight = false;
        ByteBuf old = p.datagram;
        int pad = old.getUnsignedByte(3);
        ByteBuf d = alloc.directBuffer(old.readableBytes() - pad);
        d.writeBytes(old, 0, UdxHeader.SIZE);
        d.setByte(3, 0);
        d.writeBytes(old, UdxHeader.SIZE + pad, old.readableBytes() - UdxHeader.SIZE - pad);
        old.release();
        p.datagram = d;
        if (++failures >= MAX_FAILURES) {
            state = DONE;
        }
    }
}
