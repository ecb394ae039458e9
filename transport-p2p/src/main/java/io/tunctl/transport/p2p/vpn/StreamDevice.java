package io.tunctl.transport.p2p.vpn;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.tunctl.core.spi.DeviceStats;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PacketDevice;
import io.tunctl.core.spi.PacketSink;
import io.tunctl.transport.p2p.stream.PacketSinkDelivery;
import io.tunctl.transport.p2p.stream.SecureStream;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The tunnel end of a p2p server or client: a push device. What arrives on the peers' streams is decoded on the DHT
 * socket's event loop and handed, on that thread, to the bridge's sink ({@link PacketSinkDelivery}); {@link #write}
 * frames what the TUN read into nospoon frames, several whole frames per secret-stream message, and hands them to
 * the stream. No thread parks for the inbound direction.
 */
abstract class StreamDevice implements PacketDevice {
    /** Frames are gathered into messages of at most this many bytes (nospoon's receiver takes merged frames). */
    static final int MESSAGE_BYTES = 64 * 1024;
    static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    private final int mtu;
    final PacketSinkDelivery delivery = new PacketSinkDelivery(NospoonFraming.MAX_PACKET);
    private volatile boolean closed;
    final LongAdder txPackets = new LongAdder();
    final LongAdder txBytes = new LongAdder();
    final LongAdder rxPackets = new LongAdder();
    final LongAdder rxBytes = new LongAdder();
    final LongAdder drops = new LongAdder();

    StreamDevice(int mtu) {
        this.mtu = mtu;
    }

    @Override
    public final boolean pushes() { return true; }

    @Override
    public final void deliverTo(Supplier<? extends PacketSink> sinks) { delivery.deliverTo(sinks); }

    @Override
    public final int read(PacketBatch batch) {
        throw new UnsupportedOperationException(describe() + " pushes what it receives: use deliverTo");
    }

    @Override
    public final int mtu() { return mtu; }

    final void ensureOpen() throws ClosedChannelException {
        if (closed) throw new ClosedChannelException();
    }

    boolean isClosed() { return closed; }

    /** Event loop: a packet for the TUN. */
    final void toTun(SecureStream from, byte[] buf, int off, int len) {
        rxPackets.increment();
        rxBytes.add(len);
        delivery.add(from.eventLoop(), buf, off, len);
    }

    @Override
    public DeviceStats stats() {
        return new DeviceStats(rxPackets.sum(), rxBytes.sum(), txPackets.sum(), txBytes.sum(),
                drops.sum() + delivery.drops());
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        delivery.close();
    }

    /** A buffer for frames of up to {@code bytes} bytes in all. */
    static ByteBuf newMessage(int bytes) {
        return ALLOC.heapBuffer(Math.min(MESSAGE_BYTES, Math.max(bytes, 256)));
    }

    /** Appends packet {@code i} of {@code batch} as one frame. */
    static void appendFrame(ByteBuf msg, PacketBatch batch, int i) {
        int len = batch.length(i);
        msg.ensureWritable(NospoonFraming.HEADER + len);
        msg.writeInt(len);
        int w = msg.writerIndex();
        MemorySegment.copy(batch.memory(i), ValueLayout.JAVA_BYTE, batch.offset(i), msg.array(),
                msg.arrayOffset() + w, len);
        msg.writerIndex(w + len);
    }

    /** One frame holding {@code buf[off, off+len)}. */
    static ByteBuf frame(byte[] buf, int off, int len) {
        ByteBuf msg = ALLOC.heapBuffer(NospoonFraming.HEADER + len);
        msg.writeInt(len);
        msg.writeBytes(buf, off, len);
        return msg;
    }

    /** The keep-alive frame: a zero length. */
    static ByteBuf keepAlive() {
        return ALLOC.heapBuffer(NospoonFraming.HEADER).writeInt(0);
    }

    /** Sends {@code msg} (owned) on {@code stream} unless it is behind; returns false when dropped. */
    static boolean send(SecureStream stream, ByteBuf msg) {
        if (!stream.isWritable()) {
            msg.release();
            return false;
        }
        try {
            stream.write(msg);
            return true;
        } catch (IOException | IllegalStateException e) {
            return false; // closed or ended meanwhile; write released the message
        }
    }
}
