/**
 * The p2p transport: HyperDHT, Noise IK over Ed25519, secret-stream and UDX, nospoon-compatible.
 *
 * <p>API for embedders, and all that is exported: {@link io.tunctl.transport.p2p.crypto}, for a peer's identity
 * ({@link io.tunctl.transport.p2p.crypto.Ed25519KeyPair} from a seed) and the text forms of public keys that
 * nospoon configs and HyperDHT use ({@link io.tunctl.transport.p2p.crypto.KeyEncoding}); the dht-rpc node
 * ({@link io.tunctl.transport.p2p.dht.rpc}), HyperDHT connect/listen by key ({@link io.tunctl.transport.p2p.hyperdht})
 * and the encrypted stream it yields ({@link io.tunctl.transport.p2p.stream}), used by {@code tunctl p2p}. UDX, the compact codec,
 * the DHT messages, Noise and secret-stream are the transport's own protocol layers and are not exported. The
 * provider ({@link io.tunctl.transport.p2p.P2pTransportProvider}) and its config
 * ({@link io.tunctl.transport.p2p.config}: nospoon's JSONC rules) are exported; the server and client
 * ({@code vpn}) are not.
 */
module io.tunctl.transport.p2p {
    requires io.tunctl.core;
    requires org.bouncycastle.provider;
    requires io.netty.buffer;
    requires io.netty.common;
    requires io.netty.transport;
    requires io.netty.transport.classes.epoll;
    requires io.netty.transport.unix.common;

    exports io.tunctl.transport.p2p;
    exports io.tunctl.transport.p2p.config;
    exports io.tunctl.transport.p2p.crypto;
    exports io.tunctl.transport.p2p.dht.rpc;
    exports io.tunctl.transport.p2p.hyperdht;
    exports io.tunctl.transport.p2p.stream;

    opens io.tunctl.transport.p2p.config to com.fasterxml.jackson.databind;

    provides io.tunctl.core.spi.TransportProvider with io.tunctl.transport.p2p.P2pTransportProvider;
    provides io.tunctl.core.spi.Benchmarkable with io.tunctl.transport.p2p.bench.P2pBenchRows;
}
