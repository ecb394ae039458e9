package io.tunctl.transport.socks.proxy;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;

import java.net.InetSocketAddress;

/** {@code direct://}: the host's own sockets, still marked or bound by the bypass. */
final class DirectUpstream implements Upstream {
    private final ProxyUrl url;
    private final UpstreamOptions options;

    DirectUpstream(ProxyUrl url, UpstreamOptions options) {
        this.url = url;
        this.options = options;
    }

    @Override
    public ProxyUrl url() {
        return url;
    }

    @Override
    public Future<Channel> connect(InetSocketAddress destination, EventLoop loop) {
        if (destination.isUnresolved()) {
            return loop.newFailedFuture(new DialException(DialException.Reason.UNREACHABLE, url + " to "
                    + destination.getHostString() + ": the destination must be an IP address", null));
        }
        return TcpDialer.direct(url, options, destination, loop);
    }

    @Override
    public Future<UdpAssociation> associate(EventLoop loop, UdpAssociation.Receiver receiver) {
        return DirectUdpAssociation.open(url, options, loop, receiver);
    }

    @Override
    public String toString() {
        return url.toString();
    }
}
