/**
 * The tunctl command line. It names no transport: ServiceLoader finds them (and their bench rows) among the
 * modules the launcher resolves with {@code --add-modules ALL-MODULE-PATH} and the plugin jars on the class path.
 */
module io.tunctl.cli {
    requires io.tunctl.core;
    requires info.picocli;
    requires java.logging;
    requires org.slf4j;
    requires ch.qos.logback.classic;
    requires ch.qos.logback.core;
    requires jul.to.slf4j;
    opens io.tunctl.cli to info.picocli;
    uses io.tunctl.core.spi.TransportProvider;
    uses io.tunctl.core.spi.Benchmarkable;
}
