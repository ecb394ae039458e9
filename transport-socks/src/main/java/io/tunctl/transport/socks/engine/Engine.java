package io.tunctl.transport.socks.engine;

import io.netty.buffer.ByteBuf;
import io.tunctl.core.spi.PacketDevice;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A flow engine: the side of the socks transport that faces the TUN. The bridge joins {@link #device()} to the TUN;
 * the engine reports flows to its {@link FlowHandler} and takes the handler's UDP answers back into the TUN.
 * {@code stack: system} is {@link io.tunctl.transport.socks.engine.system.SystemEngine}.
 */
public interface Engine extends AutoCloseable {

    /** The packet device the bridge joins to the TUN. */
    PacketDevice device();

    /**
     * Puts a UDP datagram from {@code from} to the application at {@code to} into the TUN (fragmented when IPv4
     * and larger than the MTU). Takes ownership of {@code payload}. Any thread.
     */
    void sendUdp(InetSocketAddress from, InetSocketAddress to, ByteBuf payload);

    /**
     * Tells the application at {@code app} that its datagram to {@code destination} cannot be delivered: an ICMP port
     * unreachable quoting the datagram ({@code payload}, ownership taken). Any thread.
     */
    void udpUnreachable(InetSocketAddress app, InetSocketAddress destination, ByteBuf payload);

    /** Counters for metrics and tests. */
    EngineStats stats();

    @Override
    void close() throws IOException;
}
