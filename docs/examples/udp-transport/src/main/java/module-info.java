/** Example tunctl plugin: a plain UDP point-to-point transport (no crypto). */
module io.tunctl.examples.udp {
    requires io.tunctl.core;
    exports io.tunctl.examples.udp;
    opens io.tunctl.examples.udp to com.fasterxml.jackson.databind;
    provides io.tunctl.core.spi.TransportProvider with io.tunctl.examples.udp.UdpTransportProvider;
    provides io.tunctl.core.spi.Benchmarkable with io.tunctl.examples.udp.bench.UdpBenchRows;
}
