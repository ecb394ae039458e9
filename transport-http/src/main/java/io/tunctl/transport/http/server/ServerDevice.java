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
 * The server's tunnel end: {@link #write} routes what the TUN read to the clients' GET streams.
 */
final class ServerDevice extends StreamEnd {
    private static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final HttpTunnelServer server;
    private final ByteBufAllocator alloc;
    /** The clients this batch goes to, in first-seen order (usually one); reused from batch to batch. */
    private Outgoing[] outgoing = new Outgoing[0];
    private int outgoingCount;
    private final byte[] dst6 = new byte[16];

    private static final class Outgoing {
        Peer peer;
        ByteBuf buf;
        int packets;
        long bytes;
    }

    ServerDevice(HttpTunnelServer server, int mtu, ByteBufAllocator alloc) {
        super(mtu, server.logger());
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
            Outgoing o = outgoingTo(c.client());
            if (o.buf == null) o.buf = ChunkedBody.start(alloc, total); // one peer is the common case: no growth
            Frames.encode(batch, i, o.buf);
            o.packets++;
            o.bytes += len;
            txPackets.increment();
            txBytes.add(len);
        }
        for (int k = 0; k < outgoingCount; k++) {
            Outgoing o = outgoing[k];
            o.peer.send(o.buf, o.packets, o.bytes);
            o.peer = null; // a client removed by a reload must not be kept alive here
            o.buf = null;
            o.packets = 0;
            o.bytes = 0;
        }
        outgoingCount = 0;
    }

    /** This batch's entry for {@code peer}: a scan of the few clients the batch has met so far. */
    private Outgoing outgoingTo(Peer peer) {
        for (int k = 0; k < outgoingCount; k++) if (outgoing[k].peer == peer) return outgoing[k];
        if (outgoingCount == outgoing.length) {
            outgoing = java.util.Arrays.copyOf(outgoing, Math.max(4, outgoingCount * 2));
            for (int k = outgoingCount; k < outgoing.length; k++) outgoing[k] = new Outgoing();
        }
        Outgoing o = outgoing[outgoingCount++];
        o.peer = peer;
        return o;
    }

    @Override
    public String describe() { return "http-server " + server.name(); }
}
