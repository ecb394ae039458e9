package io.tunctl.transport.p2p.dht.rpc;

import java.net.InetSocketAddress;

/** One UDP socket as the node sees it: a UDX socket in production, an in-memory endpoint in tests. */
interface Link {
    InetSocketAddress localAddress();

    /** Sends one datagram; losses are the retry logic's business, so failures are not reported. */
    void send(byte[] datagram, InetSocketAddress to);

    /** The UDX socket underneath, or null for an in-memory endpoint. */
    default io.tunctl.transport.p2p.udx.UdxSocket udxSocket() {
        return null;
    }
}
