package io.tunctl.transport.socks.engine;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;

/**
 * The flow dispatcher as an engine sees it. An engine terminates the flows that enter the TUN (the kernel's TCP
 * through NAT, or a user-space stack) and reports each new TCP flow and every UDP datagram here; what happens to
 * them (proxy, direct, DNS relay, refusal) is the handler's business, so the handler never sees how the engine
 * works. Called on the engine's threads; implementations must not block.
 */
public interface FlowHandler {

    /** A new TCP connection attempt; the handler calls {@link TcpFlow#admit} or {@link TcpFlow#refuse} once. */
    void tcpFlow(TcpFlow flow);

    /**
     * A UDP datagram from an application. The payload ({@code len} bytes at {@code off} in {@code memory}) is valid
     * only during the call: copy what you keep.
     */
    void udpDatagram(InetSocketAddress source, InetSocketAddress destination, MemorySegment memory, long off, int len);
}
