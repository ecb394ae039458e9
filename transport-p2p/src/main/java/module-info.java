/** The p2p transport: HyperDHT, Noise IK over Ed25519, secret-stream and UDX, nospoon-compatible. */
module io.tunctl.transport.p2p {
    requires io.tunctl.core;
    requires org.bouncycastle.provider;

    exports io.tunctl.transport.p2p.codec;
    exports io.tunctl.transport.p2p.crypto;
    exports io.tunctl.transport.p2p.noise;
    exports io.tunctl.transport.p2p.secretstream;
}
