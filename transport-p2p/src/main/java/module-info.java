/** The p2p transport: HyperDHT, Noise IK over Ed25519, secret-stream and UDX, nospoon-compatible. */
module io.tunctl.transport.p2p {
    requires io.tunctl.core;
    requires org.bouncycastle.provider;
    requires io.netty.buffer;
    requires io.netty.common;
    requires io.netty.transport;
    requires io.netty.transport.classes.epoll;
    requires io.netty.transport.unix.common;

    exports io.tunctl.transport.p2p.udx;

    exports io.tunctl.transport.p2p.codec;
    exports io.tunctl.transport.p2p.crypto;
    exports io.tunctl.transport.p2p.dht.messages;
    exports io.tunctl.transport.p2p.noise;
    exports io.tunctl.transport.p2p.secretstream;
}
