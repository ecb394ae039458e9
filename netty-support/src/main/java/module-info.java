/**
 * What every Netty-based transport needs from Netty once: epoll or NIO, chosen once per JVM, and channel
 * factories whose sockets are kept out of the tunnel (SO_MARK, SO_BINDTODEVICE) before they connect or bind.
 */
module io.tunctl.netty {
    requires transitive io.tunctl.core;
    requires transitive io.netty.transport;
    requires io.netty.common;
    requires io.netty.transport.classes.epoll;
    requires io.netty.transport.unix.common; // FileDescriptor of epoll channels, for SO_MARK

    exports io.tunctl.netty;
}
