package io.tunctl.examples.udp;

import io.tunctl.core.spi.DeviceStats;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PacketDevice;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * One UDP socket as a {@link PacketDevice}: one datagram per packet. Datagrams from anyone but the peer are dropped
 * and counted; with no configured peer, the first sender becomes the peer (so one side may listen only).
 *
 * <p>The socket is non-blocking: {@link #read} drains every datagram that is ready and waits in a {@link Selector}
 * only when none is, so {@link #wakeup()} and {@link #close()} can make a waiting reader return. {@link #write} may be
 * called from several threads at once and never blocks: a datagram the socket has no room for now is dropped and
 * counted, as a NIC drops on a full ring.
 */
public final class UdpDevice implements PacketDevice {
    private final DatagramChannel channel;
    private final Selector selector;
    private final int mtu;
    private volatile InetSocketAddress peer;
    private final boolean learnPeer;
    private final AtomicBoolean woken = new AtomicBoolean();
    // ByteBuffer views of the last batch's slots, made once per batch (a bridge reuses one batch); one reader
    private PacketBatch readViewsOf;
    private ByteBuffer[] readViews;
    // the same per writing thread, so concurrent writers never share a view
    private final ThreadLocal<Views> writeViews = ThreadLocal.withInitial(Views::new);
    private final LongAdder rxPackets = new LongAdder();
    private final LongAdder rxBytes = new LongAdder();
    private final LongAdder txPackets = new LongAdder();
    private final LongAdder txBytes = new LongAdder();
    private final LongAdder drops = new LongAdder();

    private UdpDevice(DatagramChannel ch, Selector selector, InetSocketAddress peer, int mtu) {
        this.channel = ch;
        this.selector = selector;
        this.peer = peer;
        this.learnPeer = peer == null;
        this.mtu = mtu;
    }

    /** One writer's views of the batch it wrote last. */
    private static final class Views {
        PacketBatch of;
        ByteBuffer[] views;
    }

    public static UdpDevice open(InetSocketAddress listen, InetSocketAddress peer, int mtu) throws IOException {
        DatagramChannel ch = DatagramChannel.open(listen.getAddress() instanceof java.net.Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            ch.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
            ch.bind(listen);
        } catch (IOException e) {
            ch.close();
            throw new IOException("bind " + listen + ": " + e.getMessage(), e);
        }
        Selector selector = null;
        try {
            ch.configureBlocking(false);
            selector = Selector.open();
            ch.register(selector, SelectionKey.OP_READ);
        } catch (IOException e) {
            ch.close();
            if (selector != null) selector.close();
            throw e;
        }
        return new UdpDevice(ch, selector, peer, mtu);
    }

    /** Sets (or replaces) the peer that packets go to and are accepted from. */
    public void peer(InetSocketAddress peer) {
        this.peer = peer;
    }

    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    /** Appends every datagram that is ready; waits for one when none is. 0 after {@link #wakeup()}, -1 once closed. */
    @Override
    public int read(PacketBatch batch) throws IOException {
        if (readViewsOf != batch) {
            readViews = views(batch);
            readViewsOf = batch;
        }
        int start = batch.size();
        try {
            while (!batch.isFull()) {
                ByteBuffer b = readViews[batch.size()].clear();
                SocketAddress from = channel.receive(b);
                if (from == null) {
                    if (batch.size() > start) break;
                    if (woken.getAndSet(false)) return 0;
                    selector.select(); // until readable, wakeup() or close()
                    selector.selectedKeys().clear();
                    if (!channel.isOpen()) return -1;
                    continue;
                }
                if (!acceptFrom(from)) {
                    drops.increment();
                    continue;
                }
                batch.commit(b.position());
                rxPackets.increment();
                rxBytes.add(b.position());
            }
        } catch (ClosedChannelException | ClosedSelectorException e) {
            if (batch.size() == start) return -1;
        }
        return batch.size() - start;
    }

    /** Makes a reader waiting in {@link #read} return 0 (or the next read, if none waits now). */
    @Override
    public void wakeup() {
        woken.set(true);
        selector.wakeup();
    }

    private boolean acceptFrom(SocketAddress from) {
        InetSocketAddress p = peer;
        if (p == null && learnPeer) {
            peer = (InetSocketAddress) from;
            return true;
        }
        return from.equals(p) || (learnPeer && roam((InetSocketAddress) from));
    }

    /** With a learned peer, a new source address replaces the old one (the client moved). */
    private boolean roam(InetSocketAddress from) {
        peer = from;
        return true;
    }

    @Override
    public void write(PacketBatch batch) throws IOException {
        if (!channel.isOpen()) throw new ClosedChannelException();
        InetSocketAddress to = peer;
        if (to == null) {
            drops.add(batch.size()); // nobody to send to until the peer speaks first
            return;
        }
        Views w = writeViews.get();
        if (w.of != batch) {
            w.views = views(batch);
            w.of = batch;
        }
        for (int i = 0; i < batch.size(); i++) {
            int len = batch.length(i);
            if (len > mtu || batch.gsoType(i) != 0) {
                drops.increment();
                continue;
            }
            ByteBuffer b = w.views[i].clear().limit(len);
            if (channel.send(b, to) == 0) {
                drops.increment(); // no room in the socket now
                continue;
            }
            txPackets.increment();
            txBytes.add(len);
        }
    }

    private static ByteBuffer[] views(PacketBatch batch) {
        ByteBuffer[] v = new ByteBuffer[batch.capacity()];
        for (int i = 0; i < v.length; i++) v[i] = batch.buffer(i).asByteBuffer();
        return v;
    }

    @Override
    public int mtu() { return mtu; }

    @Override
    public String describe() { return "udp " + (peer != null ? peer : "(waiting for peer)"); }

    @Override
    public DeviceStats stats() {
        return new DeviceStats(rxPackets.sum(), rxBytes.sum(), txPackets.sum(), txBytes.sum(), drops.sum());
    }

    /** Closes the socket and the selector, which wakes a waiting reader; idempotent. */
    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            selector.close();
        }
    }
}
