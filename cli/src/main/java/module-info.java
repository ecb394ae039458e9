/**
 * The tunctl command line. It names no transport: ServiceLoader finds them (and their bench rows) among the
 * modules the launcher resolves with {@code --add-modules ALL-MODULE-PATH} and the plugin jars on the class path.
 * Only {@code tunctl p2p} uses a transport's API directly: the DHT node of transport-p2p, run without a tunnel.
 */
module io.tunctl.cli {
    requires io.tunctl.core;
    requires info.picocli;
    requires org.slf4j;
    requires io.tunctl.transport.p2p;
    opens io.tunctl.cli to info.picocli;
    uses io.tunctl.core.spi.TransportProvider;
    uses io.tunctl.core.spi.Benchmarkable;
    provides java.lang.System.LoggerFinder with io.tunctl.cli.LogFinder;
    provides org.slf4j.spi.SLF4JServiceProvider with io.tunctl.cli.LogProvider;
}
