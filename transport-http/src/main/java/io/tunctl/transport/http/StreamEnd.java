package io.tunctl.transport.http;

import io.tunctl.core.spi.DeviceStats;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PacketDevice;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;

/**
 * The tunnel end of an http server or client, bridged to its TUN. Only {@link #write} carries packets (TUN →
 * HTTP streams): the other direction never passes here, because the Netty threads write what arrives on a stream
 * straight into the TUN ({@link TunWriter}), so {@link #read} just parks the bridge's thread until close.
 */
public abstract class StreamEnd implements PacketDevice {
    private final TunWriter inbound;
    private final int mtu;
    private final CountDownLatch closedLatch = new CountDownLatch(1);
    private volatile boolean closed;
    protected final LongAdder txPackets = new LongAdder();
    protected final LongAdder txBytes = new LongAdder();
    protected final LongAdder drops = new LongAdder();

    protected StreamEnd(TunWriter inbound, int mtu) {
        this.inbound = inbound;
        this.mtu = mtu;
    }

    @Override
    public final int read(PacketBatch batch) throws IOException {
        try {
            closedLatch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return -1;
    }

    /** Throws {@link ClosedChannelException} once closed; call first in {@link #write}. */
    protected final void ensureOpen() throws ClosedChannelException {
        if (closed) throw new ClosedChannelException();
    }

    @Override
    public final int mtu() { return mtu; }

    /** The wire carries virtio-net headers, so GSO super-packets pass through unchanged. */
    @Override
    public final boolean acceptsGso() { return true; }

    @Override
    public final DeviceStats stats() {
        return new DeviceStats(inbound.packets(), inbound.bytes(), txPackets.sum(), txBytes.sum(),
                drops.sum() + inbound.drops());
    }

    @Override
    public final void close() {
        closed = true;
        closedLatch.countDown();
    }
}
