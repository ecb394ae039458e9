package io.tunctl.transport.http.client;

import io.netty.buffer.ByteBuf;
import io.tunctl.core.spi.DeviceStats;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PacketDevice;
import io.tunctl.transport.http.TunWriter;
import io.tunctl.transport.http.wire.Frames;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.LongAdder;

/**
 * The client's tunnel end, bridged to its TUN: {@link #write} puts what the TUN read on the PUT stream;
 * {@link #read} hands the TUN what arrived on the GET stream.
 */
final class ClientDevice implements PacketDevice {
    private final HttpTunnelClient client;
    private final TunWriter fromServer;
    private final java.util.concurrent.CountDownLatch closedLatch = new java.util.concurrent.CountDownLatch(1);
    private final int mtu;
    private volatile boolean closed;
    private final LongAdder txPackets = new LongAdder();
    private final LongAdder txBytes = new LongAdder();
    private final LongAdder drops = new LongAdder();

    ClientDevice(HttpTunnelClient client, TunWriter fromServer, int mtu) {
        this.client = client;
        this.fromServer = fromServer;
        this.mtu = mtu;
    }

    /** Packets from the GET are written into the TUN by the Netty thread ({@link TunWriter}); this just waits. */
    @Override
    public int read(PacketBatch batch) throws IOException {
        try {
            closedLatch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return -1;
    }

    @Override
    public void write(PacketBatch batch) throws IOException {
        if (closed) throw new ClosedChannelException();
        boolean v6 = client.conf6() != null;
        int total = 0;
        for (int i = 0; i < batch.size(); i++) total += Frames.wireSize(batch.length(i));
        ByteBuf out = null;
        int packets = 0;
        long bytes = 0;
        for (int i = 0; i < batch.size(); i++) {
            int len = batch.length(i);
            int version = len < 20 ? 0 : (batch.buffer(i).get(ValueLayout.JAVA_BYTE, 0) >>> 4) & 0xf;
            // tapotun carries IPv4 only; IPv6 goes up only when the server is a tunctl that gave us an address
            if (version != 4 && !(version == 6 && v6 && len >= 40)) {
                drops.increment();
                continue;
            }
            if (out == null) out = client.alloc().directBuffer(total);
            Frames.encode(batch, i, out);
            packets++;
            bytes += len;
        }
        if (out == null) return;
        if (client.send(out)) {
            txPackets.add(packets);
            txBytes.add(bytes);
        } else {
            drops.add(packets);
        }
    }

    @Override
    public int mtu() { return mtu; }

    @Override
    public boolean acceptsGso() { return true; }

    @Override
    public String describe() { return "http-client " + client.name(); }

    @Override
    public DeviceStats stats() {
        return new DeviceStats(fromServer.packets(), fromServer.bytes(), txPackets.sum(), txBytes.sum(),
                drops.sum() + fromServer.drops());
    }

    @Override
    public void close() {
        closed = true;
        closedLatch.countDown();
    }
}
