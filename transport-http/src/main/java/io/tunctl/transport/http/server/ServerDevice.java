package io.tunctl.transport.http.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.transport.http.StreamEnd;
import io.tunctl.transport.http.wire.ChunkedBody;
import io.tunctl.transport.http.wire.Frames;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The server's tunnel end: {@link #write} routes what the TUN read to the clients' GET streams. Writers may be
 * several threads at once (the SPI allows it); each has its own routing scratch, so they share no state but the
 * peers' thread-safe {@link Peer#send}.
 */
final class ServerDevice extends StreamEnd {
    private static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong BE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final HttpTunnelServer server;
    private final ByteBufAllocator alloc;
    /** Per writing thread: made on its first write (one bridge thread in the common case). */
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    private static final class Outgoing {
        Peer peer;
        ByteBuf buf;
        int packets;
        long bytes;
    }

    /**
     * One writer's frames per client — the clients a batch goes to, in first-seen order (usually one), found by a
     * scan of those few — and its IPv6 destination buffer; reused from write to write.
     */
    private static final class Scratch {
        Outgoing[] outgoing = new Outgoing[0];
        int count;
        final byte[] dst6 = new byte[16];

        Outgoing to(Peer peer) {
            for (int k = 0; k < count; k++) if (outgoing[k].peer == peer) return outgoing[k];
            if (count == outgoing.length) {
                outgoing = java.util.Arrays.copyOf(outgoing, Math.max(4, count * 2));
                for (int k = count; k < outgoing.length; k++) outgoing[k] = new Outgoing();
            }
            Outgoing o = outgoing[count++];
            o.peer = peer;
            return o;
        }
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
                d = table.route6(p.get(BE64, 24), p.get(BE64, 32), null);
            } else {
                drops.increment();
                continue;
            }
            if (!(d instanceof ForwardingTable.ToClient<Peer> c)) {
                drops.increment();
                continue;
            }
            Outgoing o = sc.to(c.client());
            if (o.buf == null) o.buf = ChunkedBody.start(alloc, total); // one peer is the common case: no growth
            Frames.encode(batch, i, o.buf);
            o.packets++;
            o.bytes += len;
            txPackets.increment();
            txBytes.add(len);
        }
        for (int k = 0; k < sc.count; k++) {
            Outgoing o = sc.outgoing[k];
            o.peer.send(o.buf, o.packets, o.bytes);
            o.peer = null; // a client removed by a reload must not be kept alive here
            o.buf = null;
            o.packets = 0;
            o.bytes = 0;
        }
        sc.count = 0;
    }

    @Override
    public String describe() { return "http-server " + server.name(); }
}
