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
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.LongAdder;

/**
 * One UDP socket as a {@link PacketDevice}: one datagram per packet, one packet per read. Datagrams from anyone but the peer are dropped and counted; with
 * no configured peer, the first sender becomes the peer (so one side may listen only).
 */
public final class UdpDevice implements PacketDevice {
    private final DatagramChannel blocking;
    private final int mtu;
    private volatile InetSocketAddress peer;
    private final boolean learnPeer;
    // ByteBuffer views of the last batch's slots, made once per batch (a bridge reuses one batch)
    private PacketBatch readViewsOf;
    private ByteBuffer[] readViews;
    private PacketBatch writeViewsOf;
    private ByteBuffer[] writeViews;
    private final LongAdder rxPackets = new LongAdder();
    private final LongAdder rxBytes = new LongAdder();
    private final LongAdder txPackets = new LongAdder();
    private final LongAdder txBytes = new LongAdder();
    private final LongAdder drops = new LongAdder();

    private UdpDevice(DatagramChannel ch, InetSocketAddress peer, int mtu) {
        this.blocking = ch;
        this.peer = peer;
        this.learnPeer = peer == null;
        this.mtu = mtu;
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
        return new UdpDevice(ch, peer, mtu);
    }

    /** Sets (or replaces) the peer that packets go to and are accepted from. */
    public void peer(InetSocketAddress peer) {
        this.peer = peer;
    }

    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) blocking.getLocalAddress();
    }

    @Override
    public int read(PacketBatch batch) throws IOException {
        if (readViewsOf != batch) {
            readViews = views(batch);
            readViewsOf = batch;
        }
        int start = batch.size();
        try {
            while (!batch.isFull()) {
                int i = batch.size();
                ByteBuffer b = readViews[i].clear();
                SocketAddress from = blocking.receive(b);
                if (from == null) break;
                if (!acceptFrom(from)) {
                    drops.increment();
                    continue;
                }
                batch.commit(b.position());
                rxPackets.increment();
                rxBytes.add(b.position());
                break; // one datagram per read: a blocking DatagramChannel cannot peek for more
            }
        } catch (ClosedChannelException e) {
            return batch.size() > start ? batch.size() - start : -1;
        }
        return batch.size() - start;
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
        if (!blocking.isOpen()) throw new ClosedChannelException();
        InetSocketAddress to = peer;
        if (to == null) {
            drops.add(batch.size()); // nobody to send to until the peer speaks first
            return;
        }
        if (writeViewsOf != batch) {
            writeViews = views(batch);
            writeViewsOf = batch;
        }
        for (int i = 0; i < batch.size(); i++) {
            int len = batch.length(i);
            if (len > mtu || batch.gsoType(i) != 0) {
                drops.increment();
                continue;
            }
            ByteBuffer b = writeViews[i].clear().limit(len);
            blocking.send(b, to);
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

    @Override
    public void close() throws IOException {
        blocking.close();
    }
}
