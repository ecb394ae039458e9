package io.tunctl.core.bridge;

import io.tunctl.core.spi.Bridge;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PacketDevice;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Pumps packets both ways between two devices, one platform thread per direction, with no per-packet
 * allocation: each direction owns one {@link PacketBatch} (and one more for segmenting GSO super-packets
 * for a device that cannot take them), allocated once in an arena that closes with the bridge.
 *
 * <p>The bridge owns both devices: closing it closes them, which is what wakes a thread blocked in
 * {@code read}. If either direction fails, the bridge closes and {@link #await()} rethrows the failure.
 * A device reaching its end ({@code read} returns -1) ends the bridge without failure.
 */
public final class PacketBridge implements Bridge {
    /** Packets per batch: enough to amortise a syscall, small enough to keep latency low. */
    public static final int DEFAULT_BATCH = 64;

    private final PacketDevice a;
    private final PacketDevice b;
    private final Arena arena = Arena.ofShared();
    private final Direction aToB;
    private final Direction bToA;
    private final CountDownLatch done = new CountDownLatch(2);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private PacketBridge(PacketDevice a, PacketDevice b, int batchSize) {
        this.a = a;
        this.b = b;
        this.aToB = new Direction(a, b, batchSize);
        this.bToA = new Direction(b, a, batchSize);
    }

    /** Starts pumping; threads are named after the devices. */
    public static PacketBridge start(PacketDevice a, PacketDevice b) {
        return start(a, b, DEFAULT_BATCH);
    }

    public static PacketBridge start(PacketDevice a, PacketDevice b, int batchSize) {
        PacketBridge bridge = new PacketBridge(a, b, batchSize);
        Thread.ofPlatform().name("bridge " + a.describe() + " -> " + b.describe()).daemon().start(bridge.aToB);
        Thread.ofPlatform().name("bridge " + b.describe() + " -> " + a.describe()).daemon().start(bridge.bToA);
        return bridge;
    }

    private final class Direction implements Runnable {
        final PacketDevice from;
        final PacketDevice to;
        final PacketBatch batch;
        final PacketBatch segments;
        final LongAdder packets = new LongAdder();
        final LongAdder bytes = new LongAdder();
        final LongAdder dropped = new LongAdder();
        final GsoAdapter gso;

        Direction(PacketDevice from, PacketDevice to, int batchSize) {
            this.from = from;
            this.to = to;
            int buf = Math.max(from.acceptsGso() ? 65535 : from.mtu(), 68);
            this.batch = PacketBatch.allocate(arena, batchSize, buf);
            boolean needsSegmenting = from.acceptsGso() && !to.acceptsGso();
            // one super-packet of 64 KiB splits into at most ~64 KiB / (MTU - headers) segments
            this.segments = needsSegmenting ? PacketBatch.allocate(arena, 128, Math.max(to.mtu(), 68)) : null;
            this.gso = needsSegmenting ? new GsoAdapter(to.mtu()) : null;
        }

        @Override
        public void run() {
            try {
                while (!closed.get()) {
                    batch.clear();
                    int n = from.read(batch);
                    if (n < 0) break;
                    if (batch.isEmpty()) continue;
                    if (gso != null) {
                        writeSegmented();
                    } else {
                        to.write(batch);
                    }
                    count(batch);
                }
            } catch (IOException | UncheckedIOException | IllegalStateException e) {
                if (!closed.get()) failure.compareAndSet(null, e);
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            } finally {
                done.countDown();
                close();
            }
        }

        /** Splits super-packets for a device that takes only plain packets, flushing as the batch fills. */
        private void writeSegmented() throws IOException {
            segments.clear();
            for (int i = 0; i < batch.size(); i++) {
                if (!gso.append(batch, i, segments, to)) dropped.increment();
            }
            if (!segments.isEmpty()) to.write(segments);
        }

        private void count(PacketBatch written) {
            long sum = 0;
            for (int i = 0; i < written.size(); i++) sum += written.length(i);
            packets.add(written.size());
            bytes.add(sum);
        }
    }

    @Override
    public void await() throws IOException, InterruptedException {
        done.await();
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

    /** Closes both devices (waking the pumping threads); the batches are freed once both threads ended. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        closeQuietly(a);
        closeQuietly(b);
        Thread.ofPlatform().daemon().name("bridge-free").start(() -> {
            try {
                done.await();
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
                return;
            }
            arena.close();
        });
    }

    private void closeQuietly(PacketDevice d) {
        try {
            d.close();
        } catch (IOException e) {
            failure.compareAndSet(null, e);
        }
    }
}
