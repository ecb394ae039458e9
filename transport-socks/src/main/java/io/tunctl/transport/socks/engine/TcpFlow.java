package io.tunctl.transport.socks.engine;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;

import java.net.InetSocketAddress;

/** A TCP connection an application is opening through the TUN, before the engine has answered it. */
public interface TcpFlow {

    /** The application's end, as it sees it. */
    InetSocketAddress source();

    /** Where the application wants to go. */
    InetSocketAddress destination();

    /**
     * Lets the application's handshake complete. The future completes with the application's end of the
     * connection as a channel registered on {@code loop}, with auto-read off; it fails when the application gave up
     * before the handshake finished. Call once, or {@link #refuse} instead.
     */
    Future<Channel> admit(EventLoop loop);

    /** Answers the application's attempt with {@code how} instead; no connection is made. */
    void refuse(Refusal how);

    /** How a refused connection attempt is answered. */
    enum Refusal {
        /** A TCP reset: the application sees "connection refused". */
        RESET,
        /** ICMP host unreachable (IPv6: address unreachable). */
        UNREACHABLE,
        /** ICMP administratively prohibited. */
        PROHIBITED,
        /** Nothing: the application times out, as behind a silent firewall. */
        DROP
    }
}
