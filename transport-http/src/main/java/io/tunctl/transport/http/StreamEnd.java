package io.tunctl.transport.http;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import io.tunctl.core.spi.DeviceStats;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PacketDevice;
import io.tunctl.core.spi.PacketSink;
import io.tunctl.transport.http.wire.Frames;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.channels.ClosedChannelException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The tunnel end of an http server or client: a push device. {@link #write} takes what the TUN read and puts it on
 * HTTP streams; what arrives on the streams is decoded on the Netty event loop that read it and handed, still on
 * that thread, to the bridge's sink for that loop ({@link #inbound}), which writes it into the TUN. No thread
 * parks for the inbound direction and no lock is shared between event loops: each loop has its own batch and sink.
 */
public abstract class StreamEnd implements PacketDevice {
    /** Packets per hand-over to the sink; a read complete hands over whatever is there sooner. */
    static final int INBOUND_BATCH = 32;

    private final int mtu;
    private final System.Logger log;
    private final Map<EventExecutor, Inbound> inbound = new ConcurrentHashMap<>();
    private final AtomicReference<Supplier<? extends PacketSink>> sinks = new AtomicReference<>();
    private volatile boolean closed;
    protected final LongAdder txPackets = new LongAdder();
    protected final LongAdder txBytes = new LongAdder();
    protected final LongAdder drops = new LongAdder();
    private final LongAdder rxPackets = new LongAdder();
    private final LongAdder rxBytes = new LongAdder();

    protected StreamEnd(int mtu, System.Logger log) {
        this.mtu = mtu;
        this.log = log;
    }

    /**
     * The frames one event loop received, batched for that loop's sink. Used only on its loop; a handler looks it
     * up once per channel ({@link StreamEnd#inbound}) and keeps it.
     */
    public final class Inbound {
        private final EventExecutor loop;
        private final PacketBatch batch;
        private PacketSink sink;

        private Inbound(EventExecutor loop) {
            this.loop = loop;
            // automatic arena: close() may come from another thread while this loop is still decoding into it; mapped
            // lazily: 32 slots of 64 KiB made resident at once would hold 2 MiB per loop on an idle tunnel
            this.batch = PacketBatch.allocateLazily(Arena.ofAuto(), INBOUND_BATCH, Frames.maxPacket());
        }

        /** Copies a decoded frame (vnet header, packet; lent, not released here) into the batch; hands over when full. */
        public void add(ByteBuf frame) {
            if (closed) {
                drops.increment();
                return;
            }
            Frames.decodeInto(frame, batch);
            if (batch.isFull()) flush();
        }

        /**
         * Like {@link #add}, but the batch only refers to the packet's bytes where they lie (a TUN write then takes
         * them from there, with no copy): the caller keeps {@code frame}'s memory valid and unchanged until its
         * next {@link #flush}, which it calls before it releases the buffer the frame is in.
         */
        public void addRef(ByteBuf frame) {
            if (closed) {
                drops.increment();
                return;
            }
            Frames.referInto(frame, batch);
            if (batch.isFull()) flush();
        }

        /** Hands what was collected to the sink (call at the end of each read). */
        public void flush() {
            int n = batch.size();
            if (n == 0) return;
            long bytes = 0;
            for (int i = 0; i < n; i++) bytes += batch.length(i);
            try {
                PacketSink s = sink();
                if (s == null) {
                    drops.add(n); // no bridge yet (the client's TUN comes with the first parameters)
                } else {
                    s.accept(batch);
                    rxPackets.add(n);
                    rxBytes.add(bytes);
                }
            } catch (IOException | RuntimeException e) {
                drops.add(n);
                if (!closed) log.log(System.Logger.Level.WARNING, "{0}: writing to the TUN failed: {1}", describe(), e.toString());
            } finally {
                batch.clear();
            }
        }

        private PacketSink sink() {
            PacketSink s = sink;
            if (s == null) {
                Supplier<? extends PacketSink> f = sinks.get();
                if (f == null) return null;
                if (closed) return null;
                s = sink = f.get();
            }
            return s;
        }

        /** Closes the sink on its own loop, so it is never closed under a running accept(). */
        private void close() {
            try {
                loop.execute(this::closeSink);
            } catch (java.util.concurrent.RejectedExecutionException loopGone) {
                closeSink();
            }
        }

        private void closeSink() {
            PacketSink s = sink;
            sink = null;
            if (s != null) s.close();
        }

        @Override
        public String toString() { return "Inbound[" + loop + "]"; }
    }

    /** The inbound batch of {@code loop} (the calling handler's event loop); made on first use. */
    public final Inbound inbound(EventExecutor loop) {
        return inbound.computeIfAbsent(loop, Inbound::new);
    }

    @Override
    public final boolean pushes() { return true; }

    @Override
    public final void deliverTo(Supplier<? extends PacketSink> sinks) {
        Objects.requireNonNull(sinks, "sinks");
        // atomically: two racing calls must not both succeed
        if (!this.sinks.compareAndSet(null, sinks)) throw new IllegalStateException(describe() + ": deliverTo called twice");
    }

    @Override
    public final int read(PacketBatch batch) {
        throw new UnsupportedOperationException(describe() + " pushes what it receives: use deliverTo");
    }

    /** Throws {@link ClosedChannelException} once closed; call first in {@link #write}. */
    protected final void ensureOpen() throws ClosedChannelException {
        if (closed) throw new ClosedChannelException();
    }

    @Override
    public final int mtu() { return mtu; }

    /** The wire carries virtio-net headers, so GSO super-packets pass through unchanged. */
    @Override
    public final boolean acceptsGso() { return true; }

    @Override
    public final DeviceStats stats() {
        return new DeviceStats(rxPackets.sum(), rxBytes.sum(), txPackets.sum(), txBytes.sum(), drops.sum());
    }

    /** Closes the sinks; frames that still arrive are dropped and counted. */
    @Override
    public final void close() {
        if (closed) return;
        closed = true;
        for (Inbound in : inbound.values()) in.close();
        closed();
    }

    /** What a subclass stops when the device closes (once, after the sinks were told to close). */
    protected void closed() {}
}
