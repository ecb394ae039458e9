package io.tunctl.transport.socks.proxy;

import java.io.IOException;

/**
 * Why a dial through an {@link Upstream} failed. The message is one line naming the proxy (its redacted URL), the
 * destination and the proxy's own answer, e.g. {@code socks5://127.0.0.1:1081 to 192.0.2.7:80: authentication
 * failed (the proxy answered status 1)}.
 *
 * <p>The engine maps {@link Reason#REFUSED}, {@link Reason#AUTH_FAILED}, {@link Reason#PROXY_ERROR} and
 * {@link Reason#REJECTED} to a TCP RST for the application, {@link Reason#UNREACHABLE} to ICMP unreachable,
 * {@link Reason#TIMEOUT} to a silent drop and {@link Reason#UDP_NOT_SUPPORTED} to ICMP port unreachable.
 */
public final class DialException extends IOException {

    /** The kind of failure, as the engine needs it to answer the application. */
    public enum Reason {
        /** The destination (or the proxy itself) refused the connection. */
        REFUSED,
        /** No route to the destination or to the proxy; also an address family the proxy cannot carry. */
        UNREACHABLE,
        /** TCP connect plus handshake did not finish within the connect timeout. */
        TIMEOUT,
        /** The proxy did not accept our credentials (or demanded some we do not have). */
        AUTH_FAILED,
        /** The proxy failed in another way: general failure, bad answer, closed during the handshake. */
        PROXY_ERROR,
        /** The proxy's rules (or a {@code reject://} upstream) forbid this destination. */
        REJECTED,
        /** This upstream cannot carry UDP (socks4, http, reject, or a SOCKS5 server without UDP ASSOCIATE). */
        UDP_NOT_SUPPORTED
    }

    private final Reason reason;

    public DialException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        if (reason == null) throw new IllegalArgumentException("reason missing");
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
