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
 *
 * <p>Over a TUN with offload the device takes GSO super-packets ({@link #acceptsGso()}), so the bridge hands them over
 * uncut: each is framed whole ({@link WholeGso}) for a peer that announced it takes them, and cut to plain packets of
 * at most the MTU here for any other peer (a Node nospoon takes nothing larger). Received super-packets go to the TUN
 * whole, and runs of received plain TCP segments are merged into super-packets before they reach it.
 */
abstract class StreamDevice implements PacketDevice {
    /** Frames are gathered into messages of at most this many bytes (nospoon's receiver takes merged frames). */
    static final int MESSAGE_BYTES = 64 * 1024;
    static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    /** Announce and use whole super-packets with tunctl peers; {@code -Dtunctl.p2p.wholeGso=false} turns it off. */
    static final boolean WHOLE_GSO = !"false".equals(System.getProperty("tunctl.p2p.wholeGso"));

    /** Merge received TCP segments for the TUN; {@code -Dtunctl.bridge.gro=false} turns it off, as in the bridge. */
    private static final boolean COALESCE = !"false".equals(System.getProperty("tunctl.bridge.gro"));
    /** Most segments one super-packet is cut into (a forged gso_size of 1 would make 65,000). */
    private static final int MAX_SEGMENTS = io.tunctl.core.bridge.PacketBridge.MAX_SEGMENTS;

    private final int mtu;
    private final boolean gso;
    final PacketSinkDelivery delivery;
    /** One framer per writing thread (the TUN's pump; the event loop forwarding between clients). */
    private final ThreadLocal<Framer> framers;
    private volatile boolean closed;
    final LongAdder txPackets = new LongAdder();
    final LongAdder txBytes = new LongAdder();
    final LongAdder rxPackets = new LongAdder();
    final LongAdder rxBytes = new LongAdder();
    final LongAdder drops = new LongAdder();
    /** Super-packets sent and received whole, and received ones refused for their offload header. */
    final LongAdder wholeTx = new LongAdder();
    final LongAdder wholeRx = new LongAdder();
    final LongAdder wholeRefused = new LongAdder();

    /** @param gso the TUN takes and hands over GSO super-packets (opened with a virtio_net_hdr) */
    StreamDevice(int mtu, boolean gso) {
        this.mtu = mtu;
        this.gso = gso;
        this.delivery = new PacketSinkDelivery(NospoonFraming.MAX_PACKET, gso && COALESCE);
        this.framers = ThreadLocal.withInitial(() -> new Framer(mtu));
    }

    @Override
    public final boolean acceptsGso() { return gso; }

    /** The framer of the calling thread. */
    final Framer framer() { return framers.get(); }

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

    /**
     * Event loop: what a peer sent for the TUN when it may send super-packets whole: a plain packet, or a
     * {@link WholeGso} frame whose header {@code o} (the receiving stream's) is checked first and refused (counted,
     * never delivered) when it does not fit its packet.
     */
    final void frameToTun(SecureStream from, byte[] buf, int off, int len, WholeGso.Offload o) {
        if (!WholeGso.is(buf, off, len)) {
            toTun(from, buf, off, len);
            return;
        }
        if (checkWhole(buf, off, len, o)) toTun(from, buf, off + WholeGso.HEADER, len - WholeGso.HEADER, o);
    }

    /** Event loop: decodes and checks the {@link WholeGso} frame at {@code buf[off, off+len)} into {@code o}. */
    final boolean checkWhole(byte[] buf, int off, int len, WholeGso.Offload o) {
        if (o.decode(buf, off, len, mtu) != io.tunctl.core.packet.OffloadCheck.OK) {
            wholeRefused.increment();
            return false;
        }
        wholeRx.increment();
        return true;
    }

    /** Event loop: a checked super-packet ({@code buf[off, off+len)}, its header in {@code o}) for the TUN. */
    final void toTun(SecureStream from, byte[] buf, int off, int len, WholeGso.Offload o) {
        rxPackets.increment();
        rxBytes.add(len);
        delivery.add(from.eventLoop(), buf, off, len, o.flags, o.gsoType, o.hdrLen, o.gsoSize, o.csumStart,
                o.csumOffset);
    }

    /** True when super-packets go whole to a peer that announced {@code remoteFeatures}. */
    final boolean whole(long remoteFeatures) {
        return gso && WHOLE_GSO && (remoteFeatures & io.tunctl.transport.p2p.noise.NoisePayload.FEATURE_WHOLE_GSO) != 0;
    }

    /** The tunctl features to announce for this device: whole super-packets when its TUN takes them. */
    final long features() {
        return gso && WHOLE_GSO ? io.tunctl.transport.p2p.noise.NoisePayload.FEATURE_WHOLE_GSO : 0;
    }

    /** Counters for {@code tunctl status}. */
    final void counters(java.util.Map<String, Long> into) {
        into.put("wholeGsoTx", wholeTx.sum());
        into.put("wholeGsoRx", wholeRx.sum());
        into.put("wholeGsoRefused", wholeRefused.sum());
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

    /**
     * Frames packets for one stream at a time into messages of whole frames, at most {@link #MESSAGE_BYTES} each
     * unless one frame is larger: a super-packet whole ({@link WholeGso}) for a peer that takes it, else cut into plain
     * packets of at most the MTU (checksums completed). Sends each message as it fills; the counts of what was sent
     * and what could not be are kept per stream, between {@link #begin} and {@link #end}. Used by one thread.
     */
    final class Framer {
        private final PacketBatch cut;
        private SecureStream stream;
        private boolean whole;
        private ByteBuf msg;
        private int inMsg;
        private long bytesInMsg;
        /** Since {@link #begin}: packets (segments for a cut one) sent and their bytes, packets the stream refused. */
        int sent;
        long sentBytes;
        int failed;

        Framer(int mtu) {
            this.cut = PacketBatch.allocate(java.lang.foreign.Arena.ofAuto(), 128, Math.max(mtu, 68));
        }

        void begin(SecureStream s, boolean whole) {
            this.stream = s;
            this.whole = whole;
            sent = failed = 0;
            sentBytes = 0;
        }

        /** Appends packet {@code i} of {@code batch}; false when it was dropped (malformed offload, oversized). */
        boolean append(PacketBatch batch, int i) {
            if (!batch.hasOffload(i)) {
                if (batch.length(i) > mtu) return false;
                frame(batch, i, false);
                return true;
            }
            if (whole) {
                frame(batch, i, true);
                wholeTx.increment();
                return true;
            }
            int total;
            try {
                total = io.tunctl.core.packet.GsoSegmenter.segmentCount(batch, i);
            } catch (IllegalArgumentException malformed) {
                return false;
            }
            if (total > MAX_SEGMENTS) return false;
            for (int done = 0; done < total; ) {
                cut.clear();
                try {
                    done += io.tunctl.core.packet.GsoSegmenter.segment(batch, i, cut, done);
                } catch (IllegalArgumentException malformed) {
                    return false;
                }
                for (int j = 0; j < cut.size(); j++) frame(cut, j, false);
            }
            return true;
        }

        private void frame(PacketBatch batch, int i, boolean withHeader) {
            int len = batch.length(i);
            int n = len + (withHeader ? WholeGso.HEADER : 0);
            if (msg != null && msg.readableBytes() + NospoonFraming.HEADER + n > MESSAGE_BYTES) flush();
            if (msg == null) msg = newMessage(bytesFrom(batch, i));
            msg.ensureWritable(NospoonFraming.HEADER + n);
            msg.writeInt(n);
            int w = msg.writerIndex();
            if (withHeader) {
                WholeGso.header(msg.array(), msg.arrayOffset() + w, batch, i);
                w += WholeGso.HEADER;
            }
            MemorySegment.copy(batch.memory(i), ValueLayout.JAVA_BYTE, batch.offset(i), msg.array(),
                    msg.arrayOffset() + w, len);
            msg.writerIndex(w + len);
            inMsg++;
            bytesInMsg += len;
        }

        /** Sends what is gathered; the counts since {@link #begin} are then complete. */
        void end() {
            flush();
        }

        private void flush() {
            if (msg == null) return;
            if (send(stream, msg)) {
                sent += inMsg;
                sentBytes += bytesInMsg;
            } else {
                failed += inMsg;
            }
            msg = null;
            inMsg = 0;
            bytesInMsg = 0;
        }

        private static int bytesFrom(PacketBatch batch, int from) {
            int n = 0;
            for (int i = from; i < batch.size() && n < MESSAGE_BYTES; i++) n += NospoonFraming.HEADER + batch.length(i);
            return n;
        }
    }

    /** A buffer for frames of up to {@code bytes} bytes in all. */
    static ByteBuf newMessage(int bytes) {
        return ALLOC.heapBuffer(Math.min(MESSAGE_BYTES, Math.max(bytes, 256)));
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
