package io.tunctl.examples.udp.bench;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.Benchmarkable;

import java.net.InetAddress;
import java.util.List;

/**
 * The udp transport's row in {@code tunctl bench}, registered as a {@link Benchmarkable} service of its own so the
 * provider stays free of bench code.
 */
public final class UdpBenchRows implements Benchmarkable {

    @Override
    public String transport() { return "udp"; }

    /** Row {@code udp}: the zero-crypto baseline every real transport is compared with. */
    @Override
    public List<Setup> benchSetups(Network net) {
        return List.of(new Setup("udp",
                config(net.underlayA(), net.underlayB(), net.port(), net.tunnelA(), net.mtu()),
                config(net.underlayB(), net.underlayA(), net.port(), net.tunnelB(), net.mtu())));
    }

    private static String config(InetAddress self, InetAddress peer, int port, Cidr tunnel, int mtu) {
        return """
                transport: udp
                interface:
                  mtu: %d
                  addresses: ["%s"]
                udp:
                  listen: "%s"
                  peer: "%s"
                """.formatted(mtu, tunnel, hostPort(self, port), hostPort(peer, port));
    }

    private static String hostPort(InetAddress a, int port) {
        String h = Cidr.addressString(a);
        return (a instanceof java.net.Inet6Address ? "[" + h + "]" : h) + ":" + port;
    }
}
