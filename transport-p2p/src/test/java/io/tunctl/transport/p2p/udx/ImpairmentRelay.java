package io.tunctl.transport.p2p.udx;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP forwarder that reorders: each datagram arriving on {@code listen} goes to {@code target}, except that
 * {@code holdPercent} % of them are held back for 1-4 ms, so datagrams behind them overtake. (Loss comes from
 * nftables in the test's namespace; this kernel has no netem.)
 *
 * <p>It also watches the UDX DATA/END packets it forwards: one whose sequence number it forwarded before is a
 * retransmission ({@link #repeats()}), whichever peer sent it. With the loss after the relay (nftables dropping at
 * the receiver's port), the relay sees every transmission, so that counts a udx-native sender's retransmissions too.
 */
final class ImpairmentRelay implements AutoCloseable {
    private final DatagramChannel channel;
    private final InetSocketAddress target;
    private final int holdPercent;
    private final DelayQueue<Held> held = new DelayQueue<>();
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong reordered = new AtomicLong();
    private final Thread receiver;
    private final Thread releaser;
    private volatile boolean closed;

    private final int dropPercent;
    private final AtomicLong dropped = new AtomicLong();
    /** Sequence numbers of the UDX DATA/END packets forwarded so far (guarded by {@link #channel}). */
    private final java.util.BitSet seqsForwarded = new java.util.BitSet();
    private long dataForwarded;
    private long repeats;

    ImpairmentRelay(InetSocketAddress listen, InetSocketAddress target, int holdPercent) throws IOException {
        this(listen, target, holdPercent, 0);
    }

    /** Also drops {@code dropPercent} % at random: for tests without root (no namespace, no nftables). */
    ImpairmentRelay(InetSocketAddress listen, InetSocketAddress target, int holdPercent, int dropPercent)
            throws IOException {
        this.dropPercent = dropPercent;
        this.channel = DatagramChannel.open();
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
        channel.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
        channel.bind(listen);
        this.target = target;
        this.holdPercent = holdPercent;
        this.receiver = Thread.ofPlatform().daemon().name("relay-" + listen.getPort()).start(this::receive);
        this.releaser = Thread.ofPlatform().daemon().name("relay-hold-" + listen.getPort()).start(this::release);
    }

    private void receive() {
        ByteBuffer buf = ByteBuffer.allocateDirect(65536);
        try {
            while (!closed) {
                buf.clear();
                channel.receive(buf);
                buf.flip();
                if (dropPercent > 0 && ThreadLocalRandom.current().nextInt(100) < dropPercent) {
                    dropped.incrementAndGet();
                    continue;
                }
                if (ThreadLocalRandom.current().nextInt(100) < holdPercent) {
                    ByteBuffer copy = ByteBuffer.allocate(buf.remaining());
                    copy.put(buf).flip();
                    long delay = TimeUnit.MICROSECONDS.toNanos(ThreadLocalRandom.current().nextInt(1000, 4000));
                    held.add(new Held(copy, System.nanoTime() + delay));
                    reordered.incrementAndGet();
                } else {
                    forward(buf);
                }
                forwarded.incrementAndGet();
            }
        } catch (ClosedChannelException e) {
            // closed
        } catch (IOException e) {
            if (!closed) {
                System.err.println("relay: " + e);
            }
        }
    }

    private void release() {
        try {
            while (!closed) {
                Held h = held.poll(100, TimeUnit.MILLISECONDS);
                if (h != null) {
                    forward(h.data);
                }
            }
        } catch (InterruptedException | IOException e) {
            // closing
        }
    }

    private void forward(ByteBuffer datagram) throws IOException {
        synchronized (channel) {
            count(datagram);
            channel.send(datagram, target);
        }
    }

    /** Bookkeeping for {@link #repeats()}: only the low 31 bits of seq (the tests send far fewer packets). */
    private void count(ByteBuffer d) {
        int i = d.position();
        if (d.remaining() < UdxHeader.SIZE || (d.get(i) & 0xFF) != UdxHeader.MAGIC
                || (d.get(i + 2) & (UdxHeader.DATA | UdxHeader.END)) == 0) {
            return;
        }
        int seq = d.order(ByteOrder.LITTLE_ENDIAN).getInt(i + 12) & Integer.MAX_VALUE;
        d.order(ByteOrder.BIG_ENDIAN);
        dataForwarded++;
        if (seqsForwarded.get(seq)) {
            repeats++;
        } else {
            seqsForwarded.set(seq);
        }
    }

    /** UDX DATA/END packets forwarded, first copies and duplicates. */
    long dataForwarded() {
        synchronized (channel) {
            return dataForwarded;
        }
    }

    /** UDX DATA/END packets forwarded whose sequence number had been forwarded before: retransmissions. */
    long repeats() {
        synchronized (channel) {
            return repeats;
        }
    }

    long forwarded() {
        return forwarded.get();
    }

    long dropped() {
        return dropped.get();
    }

    InetSocketAddress target() {
        return target;
    }

    InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    long reordered() {
        return reordered.get();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        channel.close();
        releaser.interrupt();
    }

    private record Held(ByteBuffer data, long dueNs) implements Delayed {
        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNs - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(dueNs, ((Held) o).dueNs);
        }
    }
}
