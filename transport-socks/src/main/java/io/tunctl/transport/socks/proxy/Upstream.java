package io.tunctl.transport.socks.proxy;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;

import java.net.InetSocketAddress;

/**
 * Where flows go: one per configured proxy URL. Thread-safe; holds no sockets of its own.
 *
 * <p>Every socket it opens comes from {@link UpstreamOptions#netty()}'s factories with
 * {@link UpstreamOptions#bypass()} applied before the first packet, so none of them re-enters the tunnel.
 */
public interface Upstream {

    /**
     * Name of the handler that may sit alone in a connected channel's pipeline: it holds bytes the proxy sent right
     * after its success answer (see {@link #connect}).
     */
    String EARLY_DATA_HANDLER = EarlyData.NAME;

    /** The URL this upstream dials through. */
    ProxyUrl url();

    /**
     * Opens a TCP connection to {@code destination} (an IP address: the TUN only sees addresses, so no name ever
     * goes to the proxy) through the proxy, on {@code loop}. TCP connect plus handshake are bounded by
     * {@link UpstreamOptions#connectTimeout()}. The future completes on {@code loop} with an active channel whose
     * {@code autoRead} is false and whose pipeline is empty: every proxy handler has been removed.
     *
     * <p><b>Bytes the proxy sent after its success answer</b> (an HTTP proxy's 200 and the target's first bytes in
     * one segment, say) are not lost: in that case, and only then, one handler named {@link #EARLY_DATA_HANDLER}
     * stays in the pipeline. Add your handlers with {@code addLast}; the first {@code read()} (or
     * {@code setAutoRead(true)}) then delivers those bytes as one {@code channelRead} plus
     * {@code channelReadComplete}, followed by any event that came after them (a FIN, an error), and the handler
     * removes itself. So "add handlers, then read" works the same with or without early bytes.
     *
     * <p>{@code direct://} connects straight there; {@code reject://} fails with {@link DialException.Reason#REJECTED}.
     * SO_KEEPALIVE is on (30 s idle and interval on epoll), half-closure is Netty's default (off).
     *
     * @return a future failed with a {@link DialException} whose reason says how to answer the application
     */
    Future<Channel> connect(InetSocketAddress destination, EventLoop loop);

    /**
     * Opens a UDP association on {@code loop}: a SOCKS5 UDP ASSOCIATE (a TCP control connection with keepalive plus
     * one UDP socket; the association ends when the control connection closes), or one plain UDP socket for
     * {@code direct://}. One association carries datagrams to many destinations, and replies from any source are
     * delivered (full-cone).
     *
     * @return a future failed with {@link DialException.Reason#UDP_NOT_SUPPORTED} for socks4, http and reject, and
     *         when the SOCKS5 server answers "command not supported" (microsocks: REP 7), with the proxy's answer in
     *         the message; other failures as for {@link #connect}
     */
    Future<UdpAssociation> associate(EventLoop loop, UdpAssociation.Receiver receiver);

    /**
     * The upstream for {@code url}. A proxy host name is resolved here, once, with the system resolver (an IP
     * literal needs no lookup); if that fails, every dial fails with {@link DialException.Reason#UNREACHABLE}.
     */
    static Upstream of(ProxyUrl url, UpstreamOptions options) {
        return switch (url.scheme()) {
            case DIRECT -> new DirectUpstream(url, options);
            case REJECT -> new RejectUpstream(url);
            case SOCKS5, SOCKS5H, SOCKS4, SOCKS4A, HTTP -> new ProxyUpstream(url, options);
        };
    }
}
