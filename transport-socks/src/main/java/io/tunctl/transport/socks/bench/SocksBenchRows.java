package io.tunctl.transport.socks.bench;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.Benchmarkable;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * The socks transport's rows in {@code tunctl bench}. Bench-only: registered as a {@link Benchmarkable} service of
 * its own, never used by the transport itself, never exported.
 *
 * <p>Both rows drive the bench's built-in TCP load from A to the tunnel address of B through dante (Debian
 * {@code dante-server}) listening on B's underlay address; B owns the tunnel address on {@code lo}, and no tunctl
 * runs in B. {@code socks} sends the load into a TUN in A, where the socks transport hands every flow to dante;
 * {@code socks-proxy-direct} has no TUN: the load client speaks SOCKS5 to dante itself. Their ratio, reported in
 * the same run, is what the tunnel costs on top of the proxy.
 */
public final class SocksBenchRows implements Benchmarkable {

    @Override
    public String transport() { return "socks"; }

    @Override
    public List<Setup> benchSetups(Network net) {
        return List.of(
                throughTun(net).comparedWith("socks-proxy-direct"),
                new Setup("socks-proxy-direct", null, null, Map.of("danted.conf", dantedConf(net)), stepsB(net))
                        .withLoad(Load.socks5(new InetSocketAddress(net.underlayB(), net.port()))));
    }

    /** Row {@code socks}: the load enters a TUN in A whose only route is tunnelB; the transport dials dante. */
    private static Setup throughTun(Network net) {
        // a /30 of RFC 2544's benchmarking range for the TUN's own addresses (host and NAT side), different per
        // row like the tunnel /30s (whose fourth octet it borrows): never the tunnel /30, which holds tunnelB
        byte[] a = net.tunnelA().addressBytes();
        String tunAddress = "198.18.0." + ((a[a.length - 1] & 0xfc) | 1) + "/30";
        String config = String.join("\n",
                "transport: socks",
                "interface:",
                "  name: tnbs" + ((a[a.length - 1] & 0xff) >> 2),
                "  mtu: " + net.mtu(),
                "  offload: true",
                "  addresses: [" + tunAddress + "]",
                "  routes: [{ to: " + Cidr.addressString(net.tunnelB().addressBytes()) + "/" + hostBits(net) + " }]",
                "socks:",
                "  proxy: socks5://" + hostPort(net.underlayB(), net.port()),
                "  direct: []", // the defaults hold 203.0.113.0/24, tunnelB's range: the load would go around dante
                "");
        return new Setup("socks", config, null, Map.of("danted.conf", dantedConf(net)), stepsB(net))
                .withLoad(Load.BUILTIN);
    }

    /** B owns the target address (the load's server listens on every address), then dante starts. */
    private static List<Step> stepsB(Network net) {
        String target = Cidr.addressString(net.tunnelB().addressBytes()) + "/" + hostBits(net);
        return List.of(
                Step.run("ip", "addr", "add", target, "dev", "lo"),
                Step.serve(net.port(), "danted", "-f", "%DIR%/danted.conf", "-p", "%DIR%/danted.pid"));
    }

    /**
     * dante without authentication on B's underlay address, open to A only, CONNECT only, leaving from B's
     * underlay address (tunnelB, on B's lo, is reached through B's local table). Multi-line blocks: dante 1.4
     * rejects the one-line form.
     */
    static String dantedConf(Network net) {
        String b = Cidr.addressString(net.underlayB());
        String from = Cidr.addressString(net.underlayA()) + "/" + (net.underlayA() instanceof Inet6Address ? 128 : 32);
        String to = Cidr.addressString(net.tunnelB().addressBytes()) + "/" + hostBits(net);
        return String.join("\n",
                "logoutput: stderr",
                "internal: " + b + " port = " + net.port(),
                "external: " + b,
                "clientmethod: none",
                "socksmethod: none",
                "user.privileged: root",
                "user.unprivileged: nobody",
                "client pass {",
                "  from: " + from + " to: " + (net.underlayB() instanceof Inet6Address ? "::/0" : "0.0.0.0/0"),
                "}",
                "socks pass {",
                "  from: " + from + " to: " + to,
                "  command: connect",
                "  log: error",
                "}",
                "");
    }

    private static int hostBits(Network net) {
        return net.tunnelB().addressBytes().length * 8;
    }

    private static String hostPort(InetAddress a, int port) {
        String h = Cidr.addressString(a);
        return (a instanceof Inet6Address ? "[" + h + "]" : h) + ":" + port;
    }
}
