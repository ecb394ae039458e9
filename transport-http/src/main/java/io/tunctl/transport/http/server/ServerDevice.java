package io.tunctl.transport.http.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.transport.http.StreamEnd;
import io.tunctl.transport.http.wire.Frames;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The server's tunnel end: {@link #write} routes what the TUN read to the clients' GET streams. Writers may be
 * several threads at once (the SPI allows it); each has its own routing scratch, so they share no state but the
 * peers' thread-safe {@link Peer#send}.
 */
final class ServerDevice extends StreamEnd {
    private static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final HttpTunnelServer server;
    private final ByteBufAllocator alloc;
    /** Per writing thread: made on its first write (one bridge thread in the common case). */
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    private static final class Outgoing {
        ByteBuf buf;
        int packets;
        long bytes;
    }

    /** One writer's frames per peer and IPv6 destination buffer, reused from write to write. */
    private static final class Scratch {
        final Map<Peer, Outgoing> outgoing = new IdentityHashMap<>();
        final byte[] dst6 = new byte[16];
    }

    ServerDevice(HttpTunnelServer server, int mtu, ByteBufAllocator alloc) {
        super(mtu, server.logger());
        this.server = server;
        this.alloc = alloc;
    }

    /** Packets the server's TUN read, routed to clients. */
    @Override
    public void write(PacketBatch batch) throws IOException {
        ensureOpen();
        Scratch sc = scratch.get();
        Map<Peer, Outgoing> outgoing = sc.outgoing;
        byte[] dst6 = sc.dst6;
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
                MemorySegment.copy(p, ValueLayout.JAVA_BYTE, 24, dst6, 0, 16);
                d = table.route6(dst6, null);
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
