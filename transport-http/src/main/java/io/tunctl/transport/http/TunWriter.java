package io.tunctl.transport.http;

import io.netty.buffer.ByteBuf;
import io.tunctl.core.packet.GsoSegmenter;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PacketDevice;
import io.tunctl.transport.http.wire.Frames;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes frames received on HTTP streams straight into the TUN from the Netty thread that decoded them. There is
 * no queue and no hand-off to another thread: every hand-off is a wake-up on the packet's path, and wake-ups are
 * what the round trip of a TCP flow inside the tunnel is made of. A TUN write does not block (the kernel takes
 * the packet or drops it), so this is safe on an event loop; the Netty thread is simply busy for the copy.
 *
 * <p>GSO super-packets pass through when the TUN takes virtio-net headers; otherwise they are segmented here
 * (and partial checksums completed) with the core's {@link GsoSegmenter}.
 */
public final class TunWriter implements AutoCloseable {
    /** Frames per TUN write call. */
    public static final int BATCH = 64;

    private final PacketDevice tun;
    private final Arena arena = Arena.ofShared();
    private final PacketBatch batch;
    private final PacketBatch segments;
    private final ReentrantLock lock = new ReentrantLock();
    private final System.Logger log;
    private boolean closed;
    final LongAdder packets = new LongAdder();
    final LongAdder bytes = new LongAdder();
    final LongAdder drops = new LongAdder();

    public TunWriter(PacketDevice tun, System.Logger log) {
        this.tun = tun;
        this.log = log;
        this.batch = PacketBatch.allocate(arena, BATCH, Frames.maxPacket());
        this.segments = tun.acceptsGso() ? null : PacketBatch.allocate(arena, 128, Math.max(tun.mtu(), 68));
    }

    /** Writes {@code frames} (decoded: vnet header then packet) in order and releases them; clears the list. */
    public void write(List<ByteBuf> frames) {
        if (frames.isEmpty()) return;
        lock.lock();
        try {
            for (ByteBuf f : frames) {
                if (closed) {
                    drops.increment();
                    continue;
                }
                if (batch.isFull()) flush();
                Frames.decodeInto(f, batch);
            }
            flush();
        } catch (IOException | RuntimeException e) {
            drops.add(batch.size());
            batch.clear();
            if (!closed) log.log(System.Logger.Level.WARNING, "writing to {0} failed: {1}", tun.describe(), e.toString());
        } finally {
            lock.unlock();
            for (ByteBuf f : frames) f.release();
            frames.clear();
        }
    }

    private void flush() throws IOException {
        int n = batch.size();
        if (n == 0) return;
        long b = 0;
        for (int i = 0; i < n; i++) b += batch.length(i);
        if (segments == null) {
            tun.write(batch);
        } else {
            segments.clear();
            for (int i = 0; i < n; i++) {
                if (!batch.hasOffload(i)) {
                    if (batch.length(i) > segments.bufferSize()) {
                        drops.increment();
                        continue;
                    }
                    if (segments.isFull()) {
                        tun.write(segments);
                        segments.clear();
                    }
                    batch.copyTo(i, segments);
                    continue;
                }
                int total;
                try {
                    total = GsoSegmenter.segmentCount(batch, i);
                } catch (IllegalArgumentException malformed) {
                    drops.increment();
                    continue;
                }
                for (int done = 0; done < total; ) {
                    if (segments.isFull()) {
                        tun.write(segments);
                        segments.clear();
                    }
                    try {
                        done += GsoSegmenter.segment(batch, i, segments, done);
                    } catch (IllegalArgumentException tooLarge) {
                        drops.increment();
                        break;
                    }
                }
            }
            if (!segments.isEmpty()) tun.write(segments);
        }
        packets.add(n);
        bytes.add(b);
        batch.clear();
    }

    public long drops() { return drops.sum(); }

    public long packets() { return packets.sum(); }

    public long bytes() { return bytes.sum(); }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            arena.close();
        } finally {
            lock.unlock();
        }
    }
}
