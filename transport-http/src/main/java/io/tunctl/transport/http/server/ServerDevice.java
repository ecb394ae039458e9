package io.tunctl.transport.http.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tunctl.core.spi.DeviceStats;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PacketDevice;
import io.tunctl.transport.http.FrameQueue;
import io.tunctl.transport.http.wire.Frames;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's tunnel end, bridged to its TUN: {@link #write} routes what the TUN read to the clients' GET
 * streams; {@link #read} hands the TUN what clients sent on their PUT streams for the server.
 */
final class ServerDevice implements PacketDevice {
    private static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final HttpTunnelServer server;
    private final FrameQueue toTun;
    private final int mtu;
    private final ByteBufAllocator alloc;
    private final Map<Peer, Outgoing> outgoing = new IdentityHashMap<>();
    private final byte[] dst6 = new byte[16];
    private volatile boolean closed;
    final LongAdder fromTunDrops = new LongAdder();
    private final LongAdder rxPackets = new LongAdder();
    private final LongAdder rxBytes = new LongAdder();
    private final LongAdder txPackets = new LongAdder();
    private final LongAdder txBytes = new LongAdder();

    private static final class Outgoing {
        ByteBuf buf;
        int packets;
        long bytes;
    }

    ServerDevice(HttpTunnelServer server, FrameQueue toTun, int mtu, ByteBufAllocator alloc) {
        this.server = server;
        this.toTun = toTun;
        this.mtu = mtu;
        this.alloc = alloc;
    }

    @Override
    public int read(PacketBatch batch) throws IOException {
        if (closed) return -1;
        int n = toTun.drainTo(batch);
        if (n > 0) {
            rxPackets.add(n);
            for (int i = batch.size() - n; i < batch.size(); i++) rxBytes.add(batch.length(i));
        }
        return n;
    }

    /** Called by the bridge thread only: packets the server's TUN read, routed to clients. */
    @Override
    public void write(PacketBatch batch) throws IOException {
        if (closed) throw new ClosedChannelException();
        ForwardingTable<Peer> table = server.table();
        for (int i = 0; i < batch.size(); i++) {
            MemorySegment p = batch.buffer(i);
            int len = batch.length(i);
            if (len < 20) { fromTunDrops.increment(); continue; }
            int version = (p.get(ValueLayout.JAVA_BYTE, 0) >>> 4) & 0xf;
            ForwardingTable.Decision<Peer> d;
            if (version == 4) {
                d = table.route4(p.get(BE32, 12), p.get(BE32, 16), null);
            } else if (version == 6 && len >= 40) {
                MemorySegment.copy(p, ValueLayout.JAVA_BYTE, 24, dst6, 0, 16);
                d = table.route6(dst6, null);
            } else {
                fromTunDrops.increment();
                continue;
            }
            if (!(d instanceof ForwardingTable.ToClient<Peer> c)) {
                fromTunDrops.increment();
                continue;
            }
            Outgoing o = outgoing.computeIfAbsent(c.client(), k -> new Outgoing());
            if (o.buf == null) o.buf = alloc.directBuffer(Math.max(Frames.wireSize(len), 16 * 1024));
            Frames.encode(batch, i, o.buf);
            o.packets++;
            o.bytes += len;
            txPackets.increment();
            txBytes.add(len);
        }
        for (Map.Entry<Peer, Outgoing> e : outgoing.entrySet()) {
            Outgoing o = e.getValue();
            if (o.buf == null) continue;
            e.getKey().send(o.buf, o.packets, o.bytes);
            o.buf = null;
            o.packets = 0;
            o.bytes = 0;
        }
        if (outgoing.size() > 64) outgoing.clear(); // peers removed by reloads must not be kept alive here
    }

    @Override
    public int mtu() { return mtu; }

    /** The wire carries virtio-net headers, so GSO super-packets pass through unchanged. */
    @Override
    public boolean acceptsGso() { return true; }

    @Override
    public String describe() { return "http-server " + server.name(); }

    @Override
    public DeviceStats stats() {
        return new DeviceStats(rxPackets.sum(), rxBytes.sum(), txPackets.sum(), txBytes.sum(),
                fromTunDrops.sum() + toTun.drops());
    }

    @Override
    public void close() {
        closed = true;
        toTun.close();
    }
}
