/**
 * tunctl core: TUN devices over FFM, netlink configuration, I/O-free packet code and the transport SPI.
 */
module io.tunctl.core {
    requires transitive com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.yaml;

    exports io.tunctl.core.spi;
    exports io.tunctl.core.config;
    exports io.tunctl.core.packet;
    exports io.tunctl.core.peer;
    exports io.tunctl.core.bridge;
    exports io.tunctl.core.runtime;
    exports io.tunctl.core.tun;
    exports io.tunctl.core.netlink;
    exports io.tunctl.core.uring;

    uses io.tunctl.core.spi.TransportProvider;
}
