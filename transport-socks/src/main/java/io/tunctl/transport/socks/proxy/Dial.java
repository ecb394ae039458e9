package io.tunctl.transport.socks.proxy;

import io.netty.channel.ChannelException;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.Channel;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;
import io.netty.util.NetUtil;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.time.Duration;

/** Message wording and failure mapping shared by the dialers. */
final class Dial {
    private Dial() {}

    /** Keepalive on upstream sockets, as nano-tun does: probes after 30 s idle, every 30 s. */
    static final int KEEPALIVE_SECONDS = 30;

    /** "socks5://127.0.0.1:1081 to 192.0.2.7:80" */
    static String prefix(ProxyUrl url, InetSocketAddress destination) {
        return url + " to " + hostPort(destination);
    }

    /** An address as {@code 1.2.3.4:80} or {@code [::1]:80}, never with a host name lookup. */
    static String hostPort(InetSocketAddress a) {
        String host = a.getAddress() != null ? NetUtil.toAddressString(a.getAddress()) : a.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }

    /**
     * A failed TCP connect to {@code who} ("proxy 127.0.0.1:1080" or "192.0.2.7:80"): refused, unreachable or
     * timed out, by the exception Netty gives (epoll and NIO word them alike: "Connection refused", "No route to
     * host", "Network is unreachable").
     */
    static DialException connectFailed(String prefix, String who, Duration timeout, Throwable cause) {
        String text = String.valueOf(cause.getMessage());
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        if (cause instanceof ConnectTimeoutException) {
            return new DialException(DialException.Reason.TIMEOUT,
                    prefix + ": connecting to " + who + " timed out after " + seconds(timeout), cause);
        }
        if (cause instanceof ConnectException && lower.contains("refused")) {
            return new DialException(DialException.Reason.REFUSED, prefix + ": " + who + " refused the connection", cause);
        }
        if (cause instanceof ChannelException) {
            // the socket factory failed: SO_MARK/SO_BINDTODEVICE or the socket itself
            return new DialException(DialException.Reason.UNREACHABLE,
                    prefix + ": cannot open a socket to " + who + ": " + rootMessage(cause), cause);
        }
        if (cause instanceof NoRouteToHostException || lower.contains("unreachable") || lower.contains("no route")) {
            return new DialException(DialException.Reason.UNREACHABLE,
                    prefix + ": " + who + " is unreachable (" + strip(text) + ")", cause);
        }
        return new DialException(DialException.Reason.UNREACHABLE,
                prefix + ": connecting to " + who + " failed: " + rootMessage(cause), cause);
    }

    /** What a SOCKS5 REP code means for the application (RFC 1928 §6). */
    static DialException.Reason socks5Reason(int rep) {
        return switch (rep) {
            case 5 -> DialException.Reason.REFUSED;
            case 3, 4, 6 -> DialException.Reason.UNREACHABLE;
            case 2 -> DialException.Reason.REJECTED;
            default -> DialException.Reason.PROXY_ERROR; // 1 general failure, 7 command, 8 address type, others
        };
    }

    /** "REP 5 (connection refused)" */
    static String socks5Answer(Socks5CommandStatus status) {
        int rep = status.byteValue() & 0xff;
        String meaning = switch (rep) {
            case 1 -> "general failure";
            case 2 -> "not allowed by the proxy's rules";
            case 3 -> "network unreachable";
            case 4 -> "host unreachable";
            case 5 -> "connection refused";
            case 6 -> "TTL expired";
            case 7 -> "command not supported";
            case 8 -> "address type not supported";
            default -> "unassigned code";
        };
        return "REP " + rep + " (" + meaning + ")";
    }

    /** Netty's native exceptions start with the call, "finishConnect(..) failed: Connection refused". */
    static String strip(String text) {
        int i = text.indexOf("failed: ");
        return i >= 0 ? text.substring(i + "failed: ".length()) : text;
    }

    static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) c = c.getCause();
        String m = c.getMessage();
        return m == null || m.isBlank() ? c.getClass().getSimpleName() : strip(m);
    }

    /** SO_KEEPALIVE is set through the bootstrap; the timing only where the transport has the knobs (epoll). */
    static void tuneKeepalive(Channel ch) {
        if (ch instanceof EpollSocketChannel epoll) {
            epoll.config().setTcpKeepIdle(KEEPALIVE_SECONDS).setTcpKeepIntvl(KEEPALIVE_SECONDS).setTcpKeepCnt(9);
        }
    }
}
