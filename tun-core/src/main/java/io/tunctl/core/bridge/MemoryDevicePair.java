package io.tunctl.core.bridge;

import io.tunctl.core.spi.DeviceStats;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PacketDevice;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Two {@link PacketDevice}s joined back to back in memory: what one writes, the other reads. Each direction is
 * a bounded ring of preallocated slots, so a writer blocks when its peer does not read (back-pressure, never
 * unbounded memory) and nothing is allocated per packet. Used by tests and as the model of the contract.
 */
public final class MemoryDevicePair implements AutoCloseable {
    /** Freed when the pair is unreachable: a blocked reader may outlive close() by a moment. */
    private final Arena arena = Arena.ofAuto();
    private final Ring aToB;
    private final Ring bToA;
    private final End a;
    private final End b;

    /**
     * @param slots      packets buffered per direction
     * @param mtu        the devices' MTU
     * @param acceptsGso whether both ends take GSO super-packets (slots then hold up to 64 KiB)
     */
    public MemoryDevicePair(int slots, int mtu, boolean acceptsGso) {
        int buf = acceptsGso ? 65535 : mtu;
        aToB = new Ring(PacketBatch.allocate(arena, slots, buf));
        bToA = new Ring(PacketBatch.allocate(arena, slots, buf));
        a = new End("mem-a", bToA, aToB, mtu, acceptsGso);
        b = new End("mem-b", aToB, bToA, mtu, acceptsGso);
    }

    public MemoryDevicePair() {
        this(256, 1500, false);
    }

    public PacketDevice a() { return a; }

    public PacketDevice b() { return b; }

    @Override
    public void close() throws IOException {
        a.close();
        b.close();
    }

    /** One direction: a ring over the slots of a batch. */
    private static final class Ring {
        final ReentrantLock lock = new ReentrantLock();
        final Condition notFull = lock.newCondition();
        final PacketBatch slots;
        int head;
        int count;
        boolean closed;
        /** The reader parked waiting for packets (park/unpark, unlike a Condition, allocates nothing per wait). */
        Thread reader;
        /** A {@code wakeup()} of the reader that no read has answered yet. */
        boolean woken;

        Ring(PacketBatch slots) {
            this.slots = slots;
        }

        void shut() {
            lock.lock();
            try {
                closed = true;
                if (reader != null) LockSupport.unpark(reader);
                notFull.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private final class End implements PacketDevice {
        final String name;
        final Ring in;
        final Ring out;
        final int mtu;
        final boolean gso;
        volatile boolean closed;
        long rxPackets, rxBytes, txPackets, txBytes, drops;

        End(String name, Ring in, Ring out, int mtu, boolean gso) {
            this.name = name;
            this.in = in;
            this.out = out;
            this.mtu = mtu;
            this.gso = gso;
        }

        @Override
        public int read(PacketBatch batch) throws IOException {
            Ring r = in;
            r.lock.lock();
            try {
                while (r.count == 0) {
                    if (r.closed || closed) return -1;
                    if (r.woken) {
                        r.woken = false;
                        return 0;
                    }
                    r.reader = Thread.currentThread();
                    r.lock.unlock();
                    try {
                        LockSupport.parkNanos(this, TimeUnit.SECONDS.toNanos(1));
                        if (Thread.interrupted()) throw new InterruptedException();
                    } finally {
                        r.lock.lock();
                        r.reader = null;
                    }
                }
                r.woken = false; // returning now answers a wakeup too
                int n = 0;
                int cap = r.slots.capacity();
                while (r.count > 0 && !batch.isFull()) {
                    r.slots.copyTo(r.head, batch);
                    rxBytes += r.slots.length(r.head);
                    r.head = (r.head + 1) % cap;
                    r.count--;
                    n++;
                }
                rxPackets += n;
                r.notFull.signalAll();
                return n;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("read interrupted");
            } finally {
                r.lock.unlock();
            }
        }

        @Override
        public void write(PacketBatch batch) throws IOException {
            if (closed) throw new ClosedChannelException();
            Ring r = out;
            r.lock.lock();
            try {
                int cap = r.slots.capacity();
                for (int i = 0; i < batch.size(); i++) {
                    int len = batch.length(i);
                    if ((!gso && (len > mtu || batch.gsoType(i) != 0)) || len > r.slots.bufferSize()) {
                        drops++;
                        continue;
                    }
                    while (r.count == cap) {
                        if (r.closed || closed) throw new ClosedChannelException();
                        r.notFull.await(1, TimeUnit.SECONDS);
                    }
                    if (r.closed) throw new ClosedChannelException();
                    int tail = (r.head + r.count) % cap;
                    java.lang.foreign.MemorySegment.copy(batch.buffer(i), 0, r.slots.buffer(tail), 0, len);
                    r.slots.length(tail, len);
                    r.slots.setOffload(tail, batch.flags(i), batch.gsoType(i), batch.hdrLen(i), batch.gsoSize(i),
                            batch.csumStart(i), batch.csumOffset(i));
                    r.count++;
                    txPackets++;
                    txBytes += len;
                    if (r.reader != null) LockSupport.unpark(r.reader);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("write interrupted");
            } finally {
                r.lock.unlock();
            }
        }

        /** Makes a reader blocked in {@link #read} return 0 (or the next read, if none is blocked now). */
        @Override
        public void wakeup() {
            Ring r = in;
            r.lock.lock();
            try {
                r.woken = true;
                if (r.reader != null) LockSupport.unpark(r.reader);
            } finally {
                r.lock.unlock();
            }
        }

        @Override
        public int mtu() { return mtu; }

        @Override
        public boolean acceptsGso() { return gso; }

        @Override
        public String describe() { return name; }

        @Override
        public DeviceStats stats() { return new DeviceStats(rxPackets, rxBytes, txPackets, txBytes, drops); }

        /** Closing either end ends both directions: the peer reads what is queued, then -1. */
        @Override
        public void close() {
            closed = true;
            in.shut();
            out.shut();
        }
    }
}
