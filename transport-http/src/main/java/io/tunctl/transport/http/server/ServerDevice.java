package io.tunctl.transport.http.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.transport.http.StreamEnd;
import io.tunctl.transport.http.TunWriter;
import io.tunctl.transport.http.wire.Frames;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The server's tunnel end: {@link #write} routes what the TUN read to the clients' GET streams.
 */
final class ServerDevice extends StreamEnd {
    private static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong BE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final HttpTunnelServer server;
    private final ByteBufAllocator alloc;
    private final Map<Peer, Outgoing> outgoing = new IdentityHashMap<>();

    private static final class Outgoing {
        ByteBuf buf;
        int packets;
        long bytes;
    }

    ServerDevice(HttpTunnelServer server, TunWriter toTun, int mtu, ByteBufAllocator alloc) {
        super(toTun, mtu);
        this.server = server;
        this.alloc = alloc;
    }

    /** Called by the bridge thread only: packets the server's TUN read, routed to clients. */
    @Override
    public void write(PacketBatch batch) throws IOException {
        ensureOpen();
        Router<Peer> table = server.table();
        int total = 0;
        for (int i = 0; i < batch.size(); i++) total += Frames.wireSize(batch.length(i));
        for (int i = 0; i < batch.size(); i++) {
            MemorySegment p = batch.buffer(i);
            int len = batch.length(i);
            if (len < 20) { drops.increment(); continue; }
            int version = (p.get(ValueLayout.JAVA_BYTE, 0) >>> 4) & 0xf;
            ForwardingTable.Decision<Peer> d;
            if (version == 4) {
                d = table.route4(p.get(BE32, 12), p.get(BE32, 16), null);
            } else if (version == 6 && len >= 40) {
                d = table.route6(p.get(BE64, 24), p.get(BE64, 32), null);
            } else {
                drops.increment();
                continue;
            }
            if (!(d instanceof ForwardingTable.ToClient<Peer> c)) {
                drops.increment();
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
    public String describe() { return "http-server " + server.name(); }
}
