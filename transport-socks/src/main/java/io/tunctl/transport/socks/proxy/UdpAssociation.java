package io.tunctl.transport.socks.proxy;

import io.netty.buffer.ByteBuf;

import java.net.InetSocketAddress;

/**
 * A UDP path through an {@link Upstream}: one SOCKS5 UDP ASSOCIATE (or one plain socket for {@code direct://}).
 * It carries datagrams to many destinations, and delivers replies from any source (full-cone). Thread-safe.
 */
public interface UdpAssociation extends AutoCloseable {

    /** Gets what comes back. */
    interface Receiver {
        /**
         * A datagram from {@code source}, on the association's loop. The payload is released by the caller after
         * this returns ({@code retain()} to keep it).
         */
        void datagram(InetSocketAddress source, ByteBuf payload);

        /**
         * The association ended: its control connection closed, an error, or {@link #close()}. {@code cause} is
         * null for an orderly end. Called once, on the association's loop.
         */
        void closed(Throwable cause);
    }

    /**
     * Sends {@code payload} (ownership taken: it is released) to {@code destination}, which must be an IP address.
     * Callable from any thread: it hops to the loop. A datagram that cannot go now (closed, socket not writable,
     * too big for the relay header) is dropped and counted in {@link #dropped()}.
     */
    void send(InetSocketAddress destination, ByteBuf payload);

    /** Datagrams dropped so far, in both directions (unwritable socket, malformed or fragmented replies, ...). */
    long dropped();

    /** Ends the association: closes its sockets; {@link Receiver#closed} follows with a null cause. Idempotent. */
    @Override
    void close();
}
