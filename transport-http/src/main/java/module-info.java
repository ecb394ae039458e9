/**
 * The http transport: tapotun-compatible IP over long-lived HTTP(S) streams.
 *
 * <p>API for embedders, and all that is exported: {@link io.tunctl.transport.http.HttpTransportProvider} (to
 * register the transport without ServiceLoader, {@code Transports.of(...)}) and the config it binds,
 * {@link io.tunctl.transport.http.config.HttpConfig} with its
 * {@link io.tunctl.transport.http.config.InterfaceConfig} objects (to build a config in code). Other public classes
 * in those two packages are public for this module's own packages and tests, not API, and may change. The wire
 * codec, the server, the client and the bench rows are not exported.
 */
module io.tunctl.transport.http {
    requires transitive io.tunctl.core;
    requires transitive io.netty.buffer;
    requires io.netty.codec;
    requires io.netty.codec.http;
    requires io.netty.common;
    requires io.netty.handler;
    requires transitive io.netty.transport;
    requires io.tunctl.netty;
    requires io.netty.transport.classes.epoll;
    requires io.netty.transport.unix.common; // FileDescriptor: the TUN in a PUT loop's epoll set
    requires jdk.unsupported; // sun.misc.Signal for SIGHUP reload

    exports io.tunctl.transport.http;
    exports io.tunctl.transport.http.config;

    opens io.tunctl.transport.http.config to com.fasterxml.jackson.databind;

    provides io.tunctl.core.spi.TransportProvider with io.tunctl.transport.http.HttpTransportProvider;
    // bench-only rows for tunctl bench, a service of their own so the provider carries no bench scaffolding
    provides io.tunctl.core.spi.Benchmarkable with io.tunctl.transport.http.bench.HttpBenchRows;
}
