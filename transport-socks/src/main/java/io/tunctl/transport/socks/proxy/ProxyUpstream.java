package io.tunctl.transport.socks.proxy;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.proxy.HttpProxyHandler;
import io.netty.handler.proxy.ProxyHandler;
import io.netty.handler.proxy.Socks4ProxyHandler;
import io.netty.handler.proxy.Socks5ProxyHandler;
import io.netty.util.concurrent.Future;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** socks5, socks5h, socks4, socks4a and http proxies: Netty's proxy handlers for TCP, SOCKS5 UDP ASSOCIATE for UDP. */
final class ProxyUpstream implements Upstream {
    private final ProxyUrl url;
    private final UpstreamOptions options;
    private final InetSocketAddress proxyAddress; // null when the host did not resolve
    private final String resolveError;

    ProxyUpstream(ProxyUrl url, UpstreamOptions options) {
        this.url = url;
        this.options = options;
        InetSocketAddress address = null;
        String error = null;
        try {
            // an IP literal is parsed without a lookup; a name is looked up once, here, off the event loops
            address = new InetSocketAddress(InetAddress.getByName(url.host()), url.port());
        } catch (UnknownHostException e) {
            error = "cannot resolve the proxy host '" + url.host() + "'";
        }
        this.proxyAddress = address;
        this.resolveError = error;
    }

    @Override
    public ProxyUrl url() {
        return url;
    }

    /** The proxy's resolved address, or null when its name did not resolve. */
    InetSocketAddress proxyAddress() {
        return proxyAddress;
    }

    @Override
    public Future<Channel> connect(InetSocketAddress destination, EventLoop loop) {
        DialException early = precheck(destination);
        if (early != null) return loop.newFailedFuture(early);
        boolean password = false;
        ProxyHandler handler = switch (url.scheme()) {
            case SOCKS5, SOCKS5H -> {
                password = url.username() != null;
                // a username offers RFC 1929; a missing password goes as an empty one
                yield password ? new Socks5ProxyHandler(proxyAddress, url.username(), url.password() == null ? "" : url.password())
                        : new Socks5ProxyHandler(proxyAddress);
            }
            case SOCKS4, SOCKS4A -> new Socks4ProxyHandler(proxyAddress, url.username()); // username = USERID
            case HTTP -> url.username() != null && url.password() != null
                    ? new HttpProxyHandler(proxyAddress, url.username(), url.password())
                    : new HttpProxyHandler(proxyAddress);
            case DIRECT, REJECT -> throw new IllegalStateException(url.scheme() + " has no proxy");
        };
        return TcpDialer.viaProxy(url, options, handler, password, destination, loop);
    }

    private DialException precheck(InetSocketAddress destination) {
        if (destination.isUnresolved()) {
            return new DialException(DialException.Reason.UNREACHABLE, url + " to " + destination.getHostString() + ":"
                    + destination.getPort() + ": the destination must be an IP address (no name resolution here)", null);
        }
        if (proxyAddress == null) {
            return new DialException(DialException.Reason.UNREACHABLE, Dial.prefix(url, destination) + ": " + resolveError, null);
        }
        boolean socks4 = url.scheme() == ProxyUrl.Scheme.SOCKS4 || url.scheme() == ProxyUrl.Scheme.SOCKS4A;
        if (socks4 && !(destination.getAddress() instanceof Inet4Address)) {
            return new DialException(DialException.Reason.UNREACHABLE, Dial.prefix(url, destination)
                    + ": a SOCKS4 proxy carries IPv4 destinations only", null);
        }
        return null;
    }

    @Override
    public Future<UdpAssociation> associate(EventLoop loop, UdpAssociation.Receiver receiver) {
        if (!url.carriesUdp()) {
            return loop.newFailedFuture(new DialException(DialException.Reason.UDP_NOT_SUPPORTED,
                    url + ": " + url.scheme().id() + " proxies carry no UDP", null));
        }
        if (proxyAddress == null) {
            return loop.newFailedFuture(new DialException(DialException.Reason.UNREACHABLE, url + ": " + resolveError, null));
        }
        return Socks5UdpAssociation.open(url, proxyAddress, options, loop, receiver);
    }

    @Override
    public String toString() {
        return url.toString();
    }
}
