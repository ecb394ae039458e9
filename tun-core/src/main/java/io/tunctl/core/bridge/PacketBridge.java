package io.tunctl.core.bridge;

import io.tunctl.core.packet.GsoCoalescer;
import io.tunctl.core.spi.Bridge;
import io.tunctl.core.spi.DrivenDirection;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PacketDevice;
import io.tunctl.core.spi.PacketSink;
import io.tunctl.core.spi.PollableDevice;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Moves packets both ways between two devices with no per-packet allocation.
 *
 * <p>Each direction takes the shape of its source. From a <b>pull</b> device (a TUN) a platform thread reads a
 * batch and writes it to the other device, unless that device {@link PacketDevice#drive drives} the source: then
 * the destination reads a {@link PollableDevice} on its own event loop and there is no thread here either. From a <b>push</b> device (an http or p2p transport) there is no
 * thread at all: the device is given sinks ({@link PacketDevice#deliverTo}) that write straight into the other
 * device on whatever thread the packets arrived on. Where the source hands over GSO super-packets that the
 * destination cannot take, the direction (or each sink) segments them into a batch of its own.
 *
 * <p>A pulling direction sizes its batch from the source's MTU and re-sizes it when the MTU changes: the
 * interface wakes the reader ({@link PacketDevice#wakeup()}) after changing it, so a larger packet never meets a
 * smaller slot.
 *
 * <p>The bridge owns both devices: closing it closes them, which is what wakes a thread blocked in
 * {@code read}. If either direction fails, the bridge closes and {@link #await()} rethrows the failure.
 * A pull device reaching its end ({@code read} returns -1) ends the bridge without failure; a bridge whose
 * directions are both pushed ends when it is closed.
 */
public final class PacketBridge implements Bridge {
    /** Packets per batch: enough to amortise a syscall, small enough to keep latency low. */
    public static final int DEFAULT_BATCH = 64;
    /**
     * Most segments the bridge cuts one super-packet into for a device that cannot take GSO. A 64 KiB TCP
     * super-packet at the smallest MSS a real stack uses (536) makes 123; a forged {@code gso_size} of 1 would make
     * 65,000 and cost a thousand times the CPU of an honest packet, so such a packet is dropped and counted instead.
     */
    public static final int MAX_SEGMENTS = 1024;
    /** Room for the segments of one 64 KiB super-packet cut to the smallest MTU a bridge serves. */
    private static final int SEGMENT_SLOTS = 128;
    /** Packets a push sink merges at a time (a larger hand-over is written as it is). */
    private static final int COALESCE_SLOTS = DEFAULT_BATCH;
    /** Software GRO towards an offloading device; {@code -Dtunctl.bridge.gro=false} turns it off. */
    private static final boolean COALESCE = !"false".equals(System.getProperty("tunctl.bridge.gro"));
    private final PacketDevice a;
    private final PacketDevice b;
    private final int batchSize;
    private final Direction aToB;
    private final Direction bToA;
    private final CountDownLatch done;
    private final CountDownLatch closedLatch = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Set<DirectionSink> sinks = ConcurrentHashMap.newKeySet();

    private PacketBridge(PacketDevice a, PacketDevice b, int batchSize) {
        this.a = a;
        this.b = b;
        this.batchSize = batchSize;
        this.aToB = new Direction(a, b);
        this.bToA = new Direction(b, a);
        this.done = new CountDownLatch((a.pushes() ? 0 : 1) + (b.pushes() ? 0 : 1));
    }

    /** Starts moving packets; pumping threads are named after the devices. */
    public static PacketBridge start(PacketDevice a, PacketDevice b) {
        return start(a, b, DEFAULT_BATCH);
    }

    public static PacketBridge start(PacketDevice a, PacketDevice b, int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1: " + batchSize);
        PacketBridge bridge = new PacketBridge(a, b, batchSize);
        bridge.aToB.start();
        bridge.bToA.start();
        return bridge;
    }

    /** One direction's counters and its start: a pumping thread, or sinks handed to the pushing device. */
    private final class Direction implements DrivenDirection {
        final PacketDevice from;
        final PacketDevice to;
        final LongAdder packets = new LongAdder();
        final LongAdder bytes = new LongAdder();
        final LongAdder dropped = new LongAdder();
        /** A driven direction ends once, however often its driver reports it. */
        final AtomicBoolean ended = new AtomicBoolean();

        Direction(PacketDevice from, PacketDevice to) {
            this.from = from;
            this.to = to;
        }

        boolean segments() { return from.acceptsGso() && !to.acceptsGso(); }

        boolean coalesces() { return !from.acceptsGso() && to.acceptsGso(); }

        void start() {
            if (from.pushes()) {
                from.deliverTo(() -> {
                    DirectionSink s = new DirectionSink(this);
                    sinks.add(s);
                    if (closed.get()) s.close(); // raced close(): the device gets a closed sink and drops
                    return s;
                });
            } else if (!segments() && from instanceof PollableDevice source && to.drive(source, this)) {
                // the destination reads the source on its own event loop: no thread here
            } else {
                Thread.ofPlatform().name("bridge " + from.describe() + " -> " + to.describe()).daemon()
                        .start(new Pump(this));
            }
        }

        @Override
        public void moved(int n, long sum) {
            packets.add(n);
            bytes.add(sum);
        }

        @Override
        public void ended(Throwable failed) {
            if (ended.getAndSet(true)) return;
            if (failed != null && !closed.get()) failure.compareAndSet(null, failed);
            done.countDown();
            close();
        }

        void count(PacketBatch written) {
            long sum = 0;
            for (int i = 0; i < written.size(); i++) sum += written.length(i);
            packets.add(written.size());
            bytes.add(sum);
        }
    }

    /**
     * Writes what one of a push device's threads hands over into the other device; segments super-packets for a
     * destination that cannot take them, and merges the TCP segments of a plain source into super-packets for a
     * destination that takes them (software GRO: a TUN with offload then gets one write, and its kernel one packet
     * to process, per run of a flow's segments instead of one per segment), each in a batch of its own (so sinks on
     * different threads share nothing).
     */
    private final class DirectionSink implements PacketSink {
        private final Direction d;
        private final GsoAdapter gso;
        private final PacketBatch segments;
        private final GsoCoalescer gro;
        private final PacketBatch merged;
        private final AtomicBoolean sinkClosed = new AtomicBoolean();

        DirectionSink(Direction d) {
            this.d = d;
            boolean cut = d.segments();
            this.gso = cut ? new GsoAdapter(d.to.mtu()) : null;
            // an automatic arena: the bridge may close a sink while its thread is still inside accept()
            this.segments = cut ? PacketBatch.allocate(Arena.ofAuto(), SEGMENT_SLOTS, Math.max(d.to.mtu(), 68)) : null;
            boolean merge = COALESCE && d.coalesces();
            this.gro = merge ? new GsoCoalescer(COALESCE_SLOTS) : null;
            // 64 KiB slots, mapped lazily: only the slots super-packets grow into become resident
            this.merged = merge ? PacketBatch.allocateLazily(Arena.ofAuto(), COALESCE_SLOTS, 65535) : null;
        }

        @Override
        public void accept(PacketBatch batch) throws IOException {
            if (sinkClosed.get()) {
                d.dropped.add(batch.size());
                return;
            }
            try {
                if (gro != null && batch.size() > 1 && batch.size() <= COALESCE_SLOTS) {
                    merged.clear();
                    gro.coalesce(batch, merged);
                    d.to.write(merged);
                } else if (gso == null) {
                    d.to.write(batch);
                } else {
                    segments.clear();
                    for (int i = 0; i < batch.size(); i++) {
                        if (!gso.append(batch, i, segments, d.to)) d.dropped.increment();
                    }
                    if (!segments.isEmpty()) d.to.write(segments);
                }
                d.count(batch);
            } catch (IOException | RuntimeException e) {
                // the destination failed under a push device's thread: end the bridge, as a pump would
                if (!closed.get()) failure.compareAndSet(null, e);
                PacketBridge.this.close();
                throw e;
            }
        }

        /** The push device's packets stopped for good (one queue of a multi-queue TUN gone): end the bridge. */
        @Override
        public void ended(Throwable failed) {
            if (failed != null && !closed.get()) failure.compareAndSet(null, failed);
            PacketBridge.this.close();
        }

        @Override
        public void close() {
            if (sinkClosed.compareAndSet(false, true)) sinks.remove(this);
        }
    }

    /** The thread of a pulling direction. */
    private final class Pump implements Runnable {
        private final Direction d;
        private Arena arena;
        private PacketBatch batch;
        private PacketBatch segments;
        private GsoAdapter gso;
        private int sizedFor = -1;

        Pump(Direction d) {
            this.d = d;
        }

        /** (Re)allocates the batches when the devices' MTUs changed since they were made. */
        private void size() {
            int buf = Math.max(d.from.acceptsGso() ? 65535 : d.from.mtu(), 68);
            int toMtu = Math.max(d.to.mtu(), 68);
            int key = buf * 31 + toMtu;
            if (key == sizedFor) return;
            if (arena != null) arena.close();
            arena = Arena.ofConfined();
            // GSO slots are 64 KiB each: mapped lazily, so an idle or small-packet direction does not hold 4 MiB
            batch = buf > 4096 ? PacketBatch.allocateLazily(arena, batchSize, buf)
                    : PacketBatch.allocate(arena, batchSize, buf);
            boolean cut = d.segments();
            segments = cut ? PacketBatch.allocate(arena, SEGMENT_SLOTS, toMtu) : null;
            gso = cut ? new GsoAdapter(toMtu) : null;
            sizedFor = key;
        }

        @Override
        public void run() {
            try {
                // one call per batch: the JIT compiles pumpOnce after a few thousand calls, where this loop, run
                // once per thread, would wait for an on-stack replacement (tens of thousands of iterations,
                // interpreted and then profiled: seconds of a slower bridge at every start)
                while (!closed.get()) {
                    if (!pumpOnce()) break;
                }
            } catch (IOException | UncheckedIOException | IllegalStateException e) {
                if (!closed.get()) failure.compareAndSet(null, e);
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            } finally {
                if (arena != null) arena.close();
                done.countDown();
                close();
            }
        }

        /** Reads one batch and writes it on; false when the source reached its end. */
        private boolean pumpOnce() throws IOException {
            size();
            batch.clear();
            if (d.from.read(batch) < 0) return false;
            if (batch.isEmpty()) return true;
            if (gso != null) {
                writeSegmented();
            } else {
                d.to.write(batch);
            }
            d.count(batch);
            return true;
        }

        /** Splits super-packets for a device that takes only plain packets, flushing as the batch fills. */
        private void writeSegmented() throws IOException {
            segments.clear();
            for (int i = 0; i < batch.size(); i++) {
                if (!gso.append(batch, i, segments, d.to)) d.dropped.increment();
            }
            if (!segments.isEmpty()) d.to.write(segments);
        }
    }

    /**
     * Blocks until the bridge ended: both pulling directions stopped (one device's end stops both), or, with no
     * pulling direction, until it is closed. Rethrows the first failure.
     */
    @Override
    public void await() throws IOException, InterruptedException {
        if (a.pushes() && b.pushes()) closedLatch.await();
        else done.await();
        Throwable t = failure.get();
        if (t instanceof IOException e) throw e;
        if (t instanceof RuntimeException e) throw e;
        if (t instanceof Error e) throw e;
        if (t != null) throw new IOException(t);
    }

    @Override
    public Counters counters() {
        return new Counters(aToB.packets.sum(), aToB.bytes.sum(), bToA.packets.sum(), bToA.bytes.sum(),
                aToB.dropped.sum() + bToA.dropped.sum());
    }

    /**
     * Closes both devices (waking the pumping threads, and making push devices close their sinks) and the sinks
     * still open. Pumping threads free their own batches as they leave.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        closeQuietly(a);
        closeQuietly(b);
        for (DirectionSink s : sinks) s.close();
        closedLatch.countDown();
    }

    private void closeQuietly(PacketDevice d) {
        try {
            d.close();
        } catch (IOException e) {
            failure.compareAndSet(null, e);
        }
    }
}
