package io.tunctl.transport.socks.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * {@code direct://} UDP: one unconnected socket, dual-stack IPv6 when the host has IPv6 (so it reaches IPv4 and
 * IPv6 destinations), IPv4 otherwise.
 */
@SuppressWarnings("deprecation") // NettyTransport.datagrams takes InternetProtocolFamily, deprecated in Netty 4.2
final class DirectUdpAssociation extends UdpRelay {
    private boolean ipv4Only;

    private DirectUdpAssociation(ProxyUrl url, UpstreamOptions options, EventLoop loop, Receiver receiver) {
        super(url, options, loop, receiver);
    }

    static Future<UdpAssociation> open(ProxyUrl url, UpstreamOptions options, EventLoop loop, Receiver receiver) {
        Promise<UdpAssociation> promise = loop.newPromise();
        DirectUdpAssociation a = new DirectUdpAssociation(url, options, loop, receiver);
        loop.execute(() -> a.bind(promise, InternetProtocolFamily.IPv6));
        return promise;
    }

    private void bind(Promise<UdpAssociation> promise, InternetProtocolFamily family) {
        io.netty.channel.ChannelFuture f;
        try {
            f = bindUdp(family);
        } catch (RuntimeException e) {
            bound(promise, family, null, e);
            return;
        }
        f.addListener(x -> bound(promise, family, x.isSuccess() ? (DatagramChannel) f.channel() : null, x.cause()));
    }

    private void bound(Promise<UdpAssociation> promise, InternetProtocolFamily family, DatagramChannel ch, Throwable cause) {
        if (ch != null) {
            udp = ch;
            ipv4Only = family == InternetProtocolFamily.IPv4;
            handedOut();
            if (!promise.trySuccess(this)) close();
        } else if (family == InternetProtocolFamily.IPv6) {
            bind(promise, InternetProtocolFamily.IPv4); // no IPv6 on this host
        } else {
            promise.tryFailure(new DialException(DialException.Reason.UNREACHABLE,
                    url + ": cannot open a UDP socket (" + Dial.rootMessage(cause) + ")", cause));
        }
    }

    @Override
    DatagramPacket outgoing(InetSocketAddress destination, ByteBuf payload) {
        if (ipv4Only && destination.getAddress() instanceof Inet6Address) {
            payload.release();
            return null;
        }
        return new DatagramPacket(payload, destination);
    }

    @Override
    boolean incoming(DatagramPacket packet) {
        receiver.datagram(unmapped(packet.sender()), packet.content());
        return true;
    }

    /** A dual-stack socket may report an IPv4 sender as ::ffff:a.b.c.d; the flows know it as a.b.c.d. */
    static InetSocketAddress unmapped(InetSocketAddress a) {
        if (!(a.getAddress() instanceof Inet6Address v6)) return a;
        byte[] b = v6.getAddress();
        for (int i = 0; i < 10; i++) if (b[i] != 0) return a;
        if (b[10] != (byte) 0xff || b[11] != (byte) 0xff) return a;
        try {
            return new InetSocketAddress(Inet4Address.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}), a.getPort());
        } catch (UnknownHostException e) {
            return a;
        }
    }
}
