/** The tunctl command line. */
module io.tunctl.cli {
    requires io.tunctl.core;
    requires info.picocli;
    requires java.logging;
    requires io.tunctl.transport.p2p;
    requires io.tunctl.transport.http;
    requires io.tunctl.transport.socks;
    opens io.tunctl.cli to info.picocli;
    uses io.tunctl.core.spi.TransportProvider;
    uses io.tunctl.core.spi.Benchmarkable;
}
