package io.tunctl.transport.p2p.udx;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * Receives the datagrams of a {@link UdxSocket} that are not UDX stream packets (DHT RPC messages, holepunch
 * probes, UDX packets for unknown streams). Called on the socket's event loop; {@code datagram} is released
 * after the call returns, so {@code retain()} it to keep it.
 */
@FunctionalInterface
public interface UdxMessageHandler {
    void onMessage(UdxSocket socket, ByteBuf datagram, InetSocketAddress sender);
}
