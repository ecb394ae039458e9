package io.tunctl.core.tun;

import io.tunctl.core.spi.DeviceStats;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PacketDevice;
import io.tunctl.core.spi.PacketSink;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The queues of one {@code IFF_MULTI_QUEUE} TUN as a single <b>push</b> device: one platform thread per queue reads
 * that queue and hands its batches to a sink of its own ({@link #deliverTo}), so the flows the kernel spreads over
 * the queues (by a hash of each flow's addresses and ports) are read, and passed on, in parallel.
 *
 * <p>{@link #write} picks a queue per writing thread, once, and keeps it, so writers never share a descriptor or
 * any scratch: a reader thread of a multi-queue device writes to the queue of its own index (a bridge between two
 * such devices then pairs queue <i>i</i> with queue <i>i</i>), any other thread gets the next queue in turn. The
 * kernel notes which queue wrote a flow and sends the flow's replies out of that queue, so a flow stays on one
 * reader both ways.
 *
 * <p>Not a {@link io.tunctl.core.spi.PollableDevice}: no event loop can read "the" TUN in place, as each queue has its
 * reader. Until {@code deliverTo} is called, packets wait in the queues (the kernel drops and counts beyond
 * {@code txqueuelen}). If a queue ends while the device is open (the interface deleted) or its read fails, its sink
 * is told ({@link PacketSink#ended}) and the device closes. Closing closes every queue, which wakes the readers;
 * they close their sinks as they leave. Nothing on the read or write path allocates per packet.
 */
public final class MultiQueueDevice implements PacketDevice {
    private static final System.Logger LOG = System.getLogger(MultiQueueDevice.class.getName());
    /** Packets per read, as the bridge's pump. */
    private static final int BATCH = 64;

    private final List<TunDevice> queues;
    private final String name;
    private final AtomicInteger nextQueue = new AtomicInteger();
    private final ThreadLocal<TunDevice> writeQueue = ThreadLocal.withInitial(this::pickQueue);
    private final AtomicReference<Supplier<? extends PacketSink>> sinks = new AtomicReference<>();
    private volatile boolean closed;

    /** {@code queues}: the open queues of one TUN (at least one), which this device closes when it closes. */
    public MultiQueueDevice(List<TunDevice> queues) {
        if (queues.isEmpty()) throw new IllegalArgumentException("no queues");
        this.queues = List.copyOf(queues);
        this.name = this.queues.getFirst().name();
    }

    /** The queues, in the order the kernel numbered them. */
    public List<TunDevice> queues() { return queues; }

    @Override
    public boolean pushes() { return true; }

    @Override
    public int read(PacketBatch batch) {
        throw new UnsupportedOperationException(describe() + " is a push device: each queue has its own reader");
    }

    /** Starts one reader thread per queue; each asks {@code sinks} for its sink once. */
    @Override
    public void deliverTo(Supplier<? extends PacketSink> sinks) {
        Objects.requireNonNull(sinks, "sinks");
        if (!this.sinks.compareAndSet(null, sinks)) throw new IllegalStateException(describe() + ": deliverTo called twice");
        for (int i = 0; i < queues.size(); i++) {
            QueueReader r = new QueueReader(i, sinks);
            r.setDaemon(true);
            r.start();
        }
    }

    /** A queue for the calling thread, chosen on its first write and kept. */
    private TunDevice pickQueue() {
        int i = Thread.currentThread() instanceof QueueReader r ? r.index : nextQueue.getAndIncrement();
        return queues.get(Math.floorMod(i, queues.size()));
    }

    /** Writes the batch through the calling thread's queue (see the class comment); any number of threads at once. */
    @Override
    public void write(PacketBatch batch) throws IOException {
        if (closed) throw new ClosedChannelException();
        writeQueue.get().write(batch);
    }

    @Override
    public void wakeup() {
        for (TunDevice q : queues) q.wakeup();
    }

    @Override
    public int mtu() { return queues.getFirst().mtu(); }

    @Override
    public boolean acceptsGso() { return queues.getFirst().acceptsGso(); }

    @Override
    public String describe() { return name + " (" + queues.size() + " queues)"; }

    /** The sum over the queues. */
    @Override
    public DeviceStats stats() {
        long rxp = 0, rxb = 0, txp = 0, txb = 0, drops = 0;
        for (TunDevice q : queues) {
            DeviceStats s = q.stats();
            rxp += s.rxPackets();
            rxb += s.rxBytes();
            txp += s.txPackets();
            txb += s.txBytes();
            drops += s.drops();
        }
        return new DeviceStats(rxp, rxb, txp, txb, drops);
    }

    /** {@link TunDevice#offloadDrops()} summed over the queues. */
    public long offloadDrops() {
        long n = 0;
        for (TunDevice q : queues) n += q.offloadDrops();
        return n;
    }

    /** Closes every queue (the interface goes with the last one, unless another holder keeps one open). */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (TunDevice q : queues) q.close();
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("MultiQueueDevice[").append(name).append(", rx packets per queue:");
        for (TunDevice q : queues) b.append(' ').append(q.stats().rxPackets());
        return b.append(closed ? ", closed]" : "]").toString();
    }

    /** Reads one queue into a batch of its own and hands each batch to its sink, on this thread. */
    private final class QueueReader extends Thread {
        final int index;
        private final Supplier<? extends PacketSink> factory;

        QueueReader(int index, Supplier<? extends PacketSink> factory) {
            super(name + " queue " + index);
            this.index = index;
            this.factory = factory;
        }

        @Override
        public void run() {
            TunDevice q = queues.get(index);
            PacketSink sink = null;
            Arena arena = null;
            Throwable failure = null;
            boolean ended = false;
            try {
                sink = factory.get();
                PacketBatch batch = null;
                int sizedFor = -1;
                while (!closed) {
                    // sized from the MTU, re-sized after LinuxInterface.setMtu woke the read
                    int buf = Math.max(q.acceptsGso() ? TunDevice.MAX_PACKET : q.mtu(), 68);
                    if (buf != sizedFor) {
                        if (arena != null) arena.close();
                        arena = Arena.ofConfined();
                        // 64 KiB slots are mapped lazily: a quiet queue does not hold 4 MiB
                        batch = buf > 4096 ? PacketBatch.allocateLazily(arena, BATCH, buf)
                                : PacketBatch.allocate(arena, BATCH, buf);
                        sizedFor = buf;
                    }
                    batch.clear();
                    if (q.read(batch) < 0) {
                        ended = !closed;
                        break;
                    }
                    if (!batch.isEmpty()) sink.accept(batch);
                }
            } catch (Throwable t) {
                if (!closed) failure = t;
            } finally {
                if (sink != null) {
                    if (failure != null || ended) sink.ended(failure);
                    sink.close();
                }
                if (arena != null) arena.close();
            }
            if (failure != null || ended) {
                LOG.log(System.Logger.Level.WARNING, getName() + (failure != null ? " failed: " + failure
                        : " ended (interface gone?)") + "; closing " + describe());
                MultiQueueDevice.this.close();
            }
        }
    }
}
