package io.tunctl.transport.socks.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.InternetProtocolFamily;

import java.net.InetSocketAddress;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What both kinds of {@link UdpAssociation} share: one unconnected UDP socket on one event loop, sends hopped onto
 * that loop, drops counted instead of queued (bounded memory), a single end that closes everything and tells the
 * receiver once.
 */
@SuppressWarnings("deprecation") // NettyTransport.datagrams takes InternetProtocolFamily, deprecated in Netty 4.2
abstract class UdpRelay implements UdpAssociation {
    /** Large enough for any UDP payload plus a SOCKS5 header; Netty's datagram default (2048) would cut them. */
    static final int RECEIVE_BUFFER = 65536;

    final ProxyUrl url;
    final UpstreamOptions options;
    final EventLoop loop;
    final Receiver receiver;
    private final AtomicLong dropped = new AtomicLong();
    DatagramChannel udp; // loop only
    private boolean handedOut; // loop only: the receiver is told about the end only once it has the association
    private boolean ended;     // loop only

    UdpRelay(ProxyUrl url, UpstreamOptions options, EventLoop loop, Receiver receiver) {
        if (receiver == null) throw new IllegalArgumentException("receiver missing");
        this.url = url;
        this.options = options;
        this.loop = loop;
        this.receiver = receiver;
    }

    /** Binds an unconnected UDP socket of {@code family} on a wildcard address, with the bypass applied. */
    final ChannelFuture bindUdp(InternetProtocolFamily family) {
        return new Bootstrap()
                .group(loop)
                .channelFactory(options.netty().datagrams(options.bypass(), family))
                .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(RECEIVE_BUFFER))
                .handler(new Inbound())
                .bind(new InetSocketAddress(family == InternetProtocolFamily.IPv6 ? "::" : "0.0.0.0", 0));
    }

    /** The datagram to write for {@code payload} to {@code destination}, or null (payload released) to drop it. */
    abstract DatagramPacket outgoing(InetSocketAddress destination, ByteBuf payload);

    /** Hands a received datagram to the receiver (after unwrapping), or returns false to count it as dropped. */
    abstract boolean incoming(DatagramPacket packet);

    /** Closes what the subclass owns besides the UDP socket (the control connection). */
    void closeMore() {}

    @Override
    public final void send(InetSocketAddress destination, ByteBuf payload) {
        if (loop.inEventLoop()) {
            send0(destination, payload);
            return;
        }
        try {
            loop.execute(() -> send0(destination, payload));
        } catch (RejectedExecutionException e) {
            payload.release();
            dropped.incrementAndGet();
        }
    }

    private void send0(InetSocketAddress destination, ByteBuf payload) {
        if (ended || udp == null || !udp.isWritable() || destination == null || destination.isUnresolved()) {
            payload.release();
            dropped.incrementAndGet();
            return;
        }
        DatagramPacket packet = outgoing(destination, payload);
        if (packet == null) {
            dropped.incrementAndGet();
            return;
        }
        udp.writeAndFlush(packet, udp.voidPromise()); // a failed write shows up in Inbound.exceptionCaught
    }

    final void countDrop() {
        dropped.incrementAndGet();
    }

    @Override
    public final long dropped() {
        return dropped.get();
    }

    /** The association is now the caller's: from here on its end is reported to the receiver. */
    final void handedOut() {
        handedOut = true;
    }

    final boolean isEnded() {
        return ended;
    }

    /** Ends the association (on the loop): closes every socket, tells the receiver once if it was handed out. */
    final void end(Throwable cause) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> end(cause));
            return;
        }
        if (ended) return;
        ended = true;
        if (udp != null) udp.close();
        closeMore();
        if (handedOut) receiver.closed(cause);
    }

    @Override
    public final void close() {
        try {
            end(null);
        } catch (RejectedExecutionException e) {
            // the loop is gone, and with it every socket of this association
        }
    }

    private final class Inbound extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            if (ended || !incoming(packet)) dropped.incrementAndGet();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // a write to one destination failed (no route, ICMP error on the socket): that datagram is lost, the
            // association and its other destinations are not
            dropped.incrementAndGet();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            end(null);
        }
    }

    @Override
    public String toString() {
        Channel u = udp;
        return "udp association via " + url + (u != null ? " on " + u.localAddress() : "");
    }
}
