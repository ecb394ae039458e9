/**
 * The socks transport: tun2socks. Every flow that enters the TUN goes out through an upstream proxy (SOCKS5,
 * SOCKS4, HTTP CONNECT, direct or reject): TCP terminated by the kernel's own stack through in-place NAT, UDP and
 * ICMP in user space.
 */
module io.tunctl.transport.socks {
    requires transitive io.tunctl.core;
    requires io.tunctl.netty;
    requires io.netty.buffer;
    requires io.netty.codec;
    requires io.netty.codec.dns;
    requires io.netty.codec.http;
    requires io.netty.codec.socks;
    requires io.netty.common;
    requires io.netty.handler;
    requires io.netty.handler.proxy;
    requires io.netty.transport;
    requires io.netty.transport.classes.epoll;
    requires io.netty.transport.unix.common; // the socket fd, to drain what a splice left at EOF

    exports io.tunctl.transport.socks;
    exports io.tunctl.transport.socks.config;

    opens io.tunctl.transport.socks.config to com.fasterxml.jackson.databind;

    provides io.tunctl.core.spi.TransportProvider with io.tunctl.transport.socks.SocksTransportProvider;
    // bench-only rows for tunctl bench, a service of their own so the provider carries no bench scaffolding
    provides io.tunctl.core.spi.Benchmarkable with io.tunctl.transport.socks.bench.SocksBenchRows;
}
