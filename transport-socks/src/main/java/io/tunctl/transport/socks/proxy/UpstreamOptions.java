package io.tunctl.transport.socks.proxy;

import io.tunctl.core.tun.SocketBypass;
import io.tunctl.netty.NettyTransport;

import java.time.Duration;

/**
 * How an {@link Upstream} opens its sockets.
 *
 * @param connectTimeout bound on TCP connect plus proxy handshake (nano-tun: 5 s); for UDP, on the control
 *                       connection's handshake plus the UDP socket's bind
 * @param bypass         marks/binds every socket opened ({@link SocketBypass#NONE} in tests that need none)
 * @param netty          the channel types; must match the event loops passed to the upstream
 */
public record UpstreamOptions(Duration connectTimeout, SocketBypass bypass, NettyTransport netty) {

    /** nano-tun's dial bound. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    public UpstreamOptions {
        if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout must be positive, got " + connectTimeout);
        }
        if (bypass == null) throw new IllegalArgumentException("bypass missing (use SocketBypass.NONE)");
        if (netty == null) throw new IllegalArgumentException("netty transport missing");
    }

    /** 5 s, no bypass, {@link NettyTransport#BEST}. */
    public static UpstreamOptions defaults() {
        return new UpstreamOptions(DEFAULT_CONNECT_TIMEOUT, SocketBypass.NONE, NettyTransport.BEST);
    }

    public UpstreamOptions withBypass(SocketBypass newBypass) {
        return new UpstreamOptions(connectTimeout, newBypass, netty);
    }

    public UpstreamOptions withConnectTimeout(Duration timeout) {
        return new UpstreamOptions(timeout, bypass, netty);
    }

    /** The timeout in milliseconds, at least 1, at most {@link Integer#MAX_VALUE} (Netty's option type). */
    int connectTimeoutMillis() {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
    }
}
