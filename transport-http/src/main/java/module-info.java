/** The http transport: tapotun-compatible IP over long-lived HTTP(S) streams. */
module io.tunctl.transport.http {
    requires transitive io.tunctl.core;
    requires transitive io.netty.buffer;
    requires io.netty.codec;
    requires io.netty.codec.http;
    requires io.netty.common;
    requires io.netty.handler;
    requires transitive io.netty.transport;
    requires io.netty.transport.classes.epoll;
    requires io.netty.transport.unix.common; // FileDescriptor of epoll channels, for SO_MARK
    requires jdk.unsupported; // sun.misc.Signal for SIGHUP reload

    exports io.tunctl.transport.http;
    exports io.tunctl.transport.http.config;
    exports io.tunctl.transport.http.wire;
    exports io.tunctl.transport.http.server;
    exports io.tunctl.transport.http.client;

    opens io.tunctl.transport.http.config to com.fasterxml.jackson.databind;

    provides io.tunctl.core.spi.TransportProvider with io.tunctl.transport.http.HttpTransportProvider;
}
