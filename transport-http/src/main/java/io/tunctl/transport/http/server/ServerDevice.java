package io.tunctl.transport.http.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tunctl.core.spi.DeviceStats;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PacketDevice;
import io.tunctl.transport.http.TunWriter;
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
    private final TunWriter toTun;
    private final java.util.concurrent.CountDownLatch closedLatch = new java.util.concurrent.CountDownLatch(1);
    private final int mtu;
    private final ByteBufAllocator alloc;
    private final Map<Peer, Outgoing> outgoing = new IdentityHashMap<>();
    private final byte[] dst6 = new byte[16];
    private volatile boolean closed;
    final LongAdder fromTunDrops = new LongAdder();
    private final LongAdder txPackets = new LongAdder();
    private final LongAdder txBytes = new LongAdder();

    private static final class Outgoing {
        ByteBuf buf;
        int packets;
        long bytes;
    }

    ServerDevice(HttpTunnelServer server, TunWriter toTun, int mtu, ByteBufAllocator alloc) {
        this.server = server;
        this.toTun = toTun;
        this.mtu = mtu;
        this.alloc = alloc;
    }

    /**
     * Packets for the TUN do not pass here: the Netty threads write them straight into the TUN ({@link TunWriter}).
     * The bridge's thread for this direction just waits for the end.
     */
    @Override
    public int read(PacketBatch batch) throws IOException {
        try {
            closedLatch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return -1;
    }

    /** Called by the bridge thread only: packets the server's TUN read, routed to clients. */
    @Override
    public void write(PacketBatch batch) throws IOException {
        if (closed) throw new ClosedChannelException();
        Router<Peer> table = server.table();
        int total = 0;
        for (int i = 0; i < batch.size(); i++) total += Frames.wireSize(batch.length(i));
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
            if (o.buf == null) o.buf = alloc.directBuffer(total); // one peer is the common case: no growth
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
        return new DeviceStats(toTun.packets(), toTun.bytes(), txPackets.sum(), txBytes.sum(),
                fromTunDrops.sum() + toTun.drops());
    }

    @Override
    public void close() {
        closed = true;
        closedLatch.countDown();
    }
}
