package io.tunctl.transport.p2p.stream;

import io.netty.util.concurrent.EventExecutor;
import io.tunctl.core.packet.GsoCoalescer;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PacketSink;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Hands packets received on event loops to the core's push SPI: each loop gets its own {@link PacketBatch} and its own
 * {@link PacketSink} (made once per loop by the factory given to {@code PacketDevice.deliverTo}), so no lock is shared
 * between loops and nothing is allocated per packet. A packet is copied into the loop's batch; the batch goes to the
 * sink when full, or at the latest at the end of the loop's current turn (a task queued behind the read that brought
 * the packet), so one UDP read batch of many streams makes one sink call.
 *
 * <p>Following the SPI, a sink never blocks: what it cannot take it drops and counts. Packets that arrive before a
 * sink factory is set, after {@link #close()}, or larger than the batch's slots are dropped and counted here.
 *
 * <p>Packets may carry offload metadata ({@link #add(EventExecutor, byte[], int, int, int, int, int, int, int, int)},
 * for a sink whose device takes GSO). Such a delivery may also merge the plain TCP segments of each hand-over into
 * super-packets first ({@link GsoCoalescer}, the bridge's software GRO, which the bridge itself only does for a source
 * that never hands over super-packets): one TUN write and one trip through the kernel per run of a flow's segments.
 *
 * <p>With {@link SecureStream}, where each message is one packet: {@code (s, buf, off, len) -> delivery.add(s
 * .eventLoop(), buf, off, len)}. A framing layer (nospoon's) calls {@link #add} once per decoded frame.
 */
public final class PacketSinkDelivery implements AutoCloseable {
    /** Packets per hand-over. */
    public static final int BATCH = 64;

    private final int maxPacket;
    private final boolean coalesce;
    private final Map<EventExecutor, LoopBatch> loops = new ConcurrentHashMap<>();
    private volatile Supplier<? extends PacketSink> sinks;
    private volatile boolean closed;
    private final LongAdder delivered = new LongAdder();
    private final LongAdder drops = new LongAdder();

    /** @param maxPacket the largest packet carried (the tunnel's MTU, or 65535 with GSO) */
    public PacketSinkDelivery(int maxPacket) {
        this(maxPacket, false);
    }

    /**
     * @param maxPacket the largest packet carried (the tunnel's MTU, or 65535 with GSO)
     * @param coalesce  merge the plain TCP segments of each hand-over into super-packets (the sinks take GSO)
     */
    public PacketSinkDelivery(int maxPacket, boolean coalesce) {
        this.coalesce = coalesce;
        if (maxPacket < 68 || maxPacket > 65535) {
            throw new IllegalArgumentException("maxPacket out of range [68, 65535]: " + maxPacket);
        }
        this.maxPacket = maxPacket;
    }

    /** Sets the sink factory (once), as {@code PacketDevice.deliverTo} receives it. */
    public void deliverTo(Supplier<? extends PacketSink> factory) {
        Objects.requireNonNull(factory, "factory");
        synchronized (this) {
            if (sinks != null) {
                throw new IllegalStateException("deliverTo called twice");
            }
            sinks = factory;
        }
    }

    /**
     * Copies one packet into {@code loop}'s batch. Must be called on {@code loop} (a {@link SecureStream}'s
     * {@link SecureStream#eventLoop()} inside its handler).
     */
    public void add(EventExecutor loop, byte[] buf, int off, int len) {
        LoopBatch b = batchFor(loop, len);
        if (b != null) b.add(buf, off, len);
    }

    /**
     * {@link #add(EventExecutor, byte[], int, int)} for a packet with offload metadata ({@code struct virtio_net_hdr}
     * fields, checked by the caller), which the sink's device must take.
     */
    public void add(EventExecutor loop, byte[] buf, int off, int len, int flags, int gsoType, int hdrLen, int gsoSize,
            int csumStart, int csumOffset) {
        LoopBatch b = batchFor(loop, len);
        if (b != null) b.add(buf, off, len, flags, gsoType, hdrLen, gsoSize, csumStart, csumOffset);
    }

    /** {@code loop}'s batch for a packet of {@code len} bytes, or null when the packet is dropped (and counted). */
    private LoopBatch batchFor(EventExecutor loop, int len) {
        if (closed || len > maxPacket || len <= 0) {
            drops.increment();
            return null;
        }
        LoopBatch b = loops.get(loop);
        return b != null ? b : loops.computeIfAbsent(loop, LoopBatch::new);
    }

    /** Packets handed to sinks. */
    public long delivered() {
        return delivered.sum();
    }

    /** Packets dropped here (no sink yet, closed, oversized, a failing sink). */
    public long drops() {
        return drops.sum();
    }

    /** Closes every loop's sink on its own loop; later packets are dropped and counted. */
    @Override
    public void close() {
        closed = true;
        for (LoopBatch b : loops.values()) {
            try {
                b.loop.execute(b::closeSink);
            } catch (RejectedExecutionException loopGone) {
                b.closeSink();
            }
        }
    }

    /** One event loop's batch and sink; used only on that loop. */
    private final class LoopBatch {
        private final EventExecutor loop;
        private final PacketBatch batch;
        private final Runnable flushTask = this::flush;
        private final GsoCoalescer gro;
        private final PacketBatch merged;
        private PacketSink sink;
        private boolean flushQueued;
        /** Packets in {@link #batch} without offload metadata: the ones the coalescer may merge. */
        private int plain;

        LoopBatch(EventExecutor loop) {
            this.loop = loop;
            // automatic arena: close() may come from another thread while the loop still fills it
            this.batch = PacketBatch.allocateLazily(Arena.ofAuto(), BATCH, Math.max(maxPacket, 68));
            this.gro = coalesce ? new GsoCoalescer(BATCH) : null;
            this.merged = coalesce ? PacketBatch.allocateLazily(Arena.ofAuto(), BATCH, 65535) : null;
        }

        void add(byte[] buf, int off, int len) {
            batch.add(buf, off, len);
            plain++;
            added();
        }

        void add(byte[] buf, int off, int len, int flags, int gsoType, int hdrLen, int gsoSize, int csumStart,
                int csumOffset) {
            batch.add(buf, off, len);
            batch.setOffload(batch.size() - 1, flags, gsoType, hdrLen, gsoSize, csumStart, csumOffset);
            added();
        }

        private void added() {
            if (batch.isFull()) {
                flush();
            } else if (!flushQueued) {
                flushQueued = true;
                loop.execute(flushTask);
            }
        }

        void flush() {
            flushQueued = false;
            int n = batch.size();
            if (n == 0) {
                return;
            }
            try {
                PacketSink s = sink();
                if (s == null) {
                    drops.add(n);
                } else if (gro != null && plain > 1) {
                    merged.clear();
                    gro.coalesce(batch, merged);
                    s.accept(merged);
                    delivered.add(n);
                } else {
                    s.accept(batch);
                    delivered.add(n);
                }
            } catch (IOException | RuntimeException e) {
                drops.add(n);
            } finally {
                batch.clear();
                plain = 0;
            }
        }

        private PacketSink sink() {
            PacketSink s = sink;
            if (s == null && !closed) {
                Supplier<? extends PacketSink> f = sinks;
                if (f != null) {
                    s = sink = f.get();
                }
            }
            return s;
        }

        void closeSink() {
            flush();
            PacketSink s = sink;
            sink = null;
            if (s != null) {
                s.close();
            }
        }
    }
}
