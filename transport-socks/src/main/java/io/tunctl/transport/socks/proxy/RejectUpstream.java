package io.tunctl.transport.socks.proxy;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;

import java.net.InetSocketAddress;

/** {@code reject://}: nothing goes anywhere. */
final class RejectUpstream implements Upstream {
    private final ProxyUrl url;

    RejectUpstream(ProxyUrl url) {
        this.url = url;
    }

    @Override
    public ProxyUrl url() {
        return url;
    }

    @Override
    public Future<Channel> connect(InetSocketAddress destination, EventLoop loop) {
        return loop.newFailedFuture(new DialException(DialException.Reason.REJECTED,
                Dial.prefix(url, destination) + ": rejected by the configuration (reject://)", null));
    }

    @Override
    public Future<UdpAssociation> associate(EventLoop loop, UdpAssociation.Receiver receiver) {
        return loop.newFailedFuture(new DialException(DialException.Reason.UDP_NOT_SUPPORTED,
                url + ": UDP is rejected by the configuration (reject://)", null));
    }

    @Override
    public String toString() {
        return url.toString();
    }
}
