package io.tunctl.transport.http.client;

import io.netty.buffer.ByteBuf;
import io.tunctl.core.spi.DeviceStats;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PacketDevice;
import io.tunctl.transport.http.FrameQueue;
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
    private final FrameQueue fromServer;
    private final int mtu;
    private volatile boolean closed;
    private final LongAdder rxPackets = new LongAdder();
    private final LongAdder rxBytes = new LongAdder();
    private final LongAdder txPackets = new LongAdder();
    private final LongAdder txBytes = new LongAdder();
    private final LongAdder drops = new LongAdder();

    ClientDevice(HttpTunnelClient client, FrameQueue fromServer, int mtu) {
        this.client = client;
        this.fromServer = fromServer;
        this.mtu = mtu;
    }

    @Override
    public int read(PacketBatch batch) throws IOException {
        if (closed) return -1;
        int n = fromServer.drainTo(batch);
        if (n > 0) {
            rxPackets.add(n);
            for (int i = batch.size() - n; i < batch.size(); i++) rxBytes.add(batch.length(i));
        }
        return n;
    }

    @Override
    public void write(PacketBatch batch) throws IOException {
        if (closed) throw new ClosedChannelException();
        boolean v6 = client.conf6() != null;
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
            if (out == null) out = client.alloc().directBuffer(64 * 1024);
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
        return new DeviceStats(rxPackets.sum(), rxBytes.sum(), txPackets.sum(), txBytes.sum(),
                drops.sum() + fromServer.drops());
    }

    @Override
    public void close() {
        closed = true;
        fromServer.close();
    }
}
