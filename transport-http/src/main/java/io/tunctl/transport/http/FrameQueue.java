package io.tunctl.transport.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.transport.http.wire.Frames;

import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Frames received from HTTP streams, waiting for the TUN. Bounded in bytes with back-pressure: when it holds more
 * than the high mark, the channel that filled it stops reading (TCP then pushes back on the sender) until the
 * TUN side drained it below the low mark. Frames beyond the hard limit are dropped and counted.
 */
public final class FrameQueue {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final ArrayDeque<ByteBuf> frames = new ArrayDeque<>();
    private final List<Channel> paused = new ArrayList<>();
    private final long high;
    private final long low;
    private final long hard;
    private long bytes;
    private long drops;
    private boolean closed;

    public FrameQueue(long high, long low, long hard) {
        this.high = high;
        this.low = low;
        this.hard = hard;
    }

    /** Queues a frame (ownership passes to the queue); pauses {@code from} when the queue is full enough. */
    public void offer(ByteBuf frame, Channel from) {
        int n = frame.readableBytes();
        lock.lock();
        try {
            if (closed || bytes + n > hard) {
                drops++;
                frame.release();
                return;
            }
            frames.add(frame);
            bytes += n;
            if (bytes > high && from != null && from.config().isAutoRead()) {
                from.config().setAutoRead(false);
                paused.add(from);
            }
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves as many frames as fit into {@code batch}, blocking until there is at least one.
     * @return frames moved, or -1 once closed
     */
    public int drainTo(PacketBatch batch) throws ClosedChannelException {
        List<Channel> resume = null;
        int moved = 0;
        lock.lock();
        try {
            while (frames.isEmpty()) {
                if (closed) return -1;
                try {
                    notEmpty.await(1, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ClosedChannelException();
                }
            }
            while (!frames.isEmpty() && !batch.isFull()) {
                ByteBuf f = frames.peek();
                int len = Frames.packetLength(f);
                if (len > batch.bufferSize()) {
                    frames.poll();
                    bytes -= f.readableBytes();
                    drops++;
                    f.release();
                    continue;
                }
                frames.poll();
                bytes -= f.readableBytes();
                Frames.decodeInto(f, batch);
                f.release();
                moved++;
            }
            if (bytes <= low && !paused.isEmpty()) {
                resume = new ArrayList<>(paused);
                paused.clear();
            }
        } finally {
            lock.unlock();
        }
        if (resume != null) for (Channel c : resume) c.config().setAutoRead(true);
        return moved;
    }

    public long drops() {
        lock.lock();
        try {
            return drops;
        } finally {
            lock.unlock();
        }
    }

    /** Frees queued frames and wakes the reader, which then sees the end. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            for (ByteBuf f : frames) f.release();
            frames.clear();
            bytes = 0;
            notEmpty.signalAll();
            for (Channel c : paused) c.config().setAutoRead(true);
            paused.clear();
        } finally {
            lock.unlock();
        }
    }
}
