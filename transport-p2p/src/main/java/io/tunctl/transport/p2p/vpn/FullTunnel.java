package io.tunctl.transport.p2p.vpn;

import io.tunctl.core.runtime.AutoRoute;
import io.tunctl.core.runtime.DnsOverride;
import io.tunctl.core.runtime.FullTunnelCommands;
import io.tunctl.core.runtime.HostCommand;
import io.tunctl.core.runtime.HostSteps;
import io.tunctl.core.runtime.ServerNat;
import io.tunctl.core.spi.InterfaceHandle;
import io.tunctl.core.tun.SocketBypass;
import io.tunctl.transport.p2p.config.P2pSettings;
import io.tunctl.transport.p2p.hyperdht.HyperDht;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * nospoon's {@code fullTunnel} on Linux. A server masquerades its tunnel subnet out of {@code outInterface}
 * ({@link ServerNat}). A client sends everything through the tunnel the way wg-quick does ({@link AutoRoute}: a
 * default route into the TUN in a table of its own, taken by every packet without tunctl's mark), marks every socket
 * of its DHT node so the tunnel's own packets, DHT lookups and hole punching go out directly, switches DNS to
 * nospoon's resolvers, and loosens {@code rp_filter} as nospoon does (replies to marked sockets would fail a strict
 * reverse-path check, whose lookup has no mark).
 *
 * <p>Unlike nospoon, the client's routes are set before the first connection and stay until exit, through every
 * reconnect: nospoon removes them when it restarts its DHT after three failures, and its host routes cover only
 * the server's endpoint, so lookups leave in clear. Here, while the server is away, packets go into the TUN and no
 * further: nothing leaves in clear (the kill switch). IPv6 takes the same default route, so it is tunnelled or
 * dropped, never sent around the tunnel.
 *
 * <p>On macOS and Windows it is nospoon's way ({@link FullTunnelCommands}: pf or NetNat on a server; on a client two
 * /1 routes, a host route around the tunnel for each server endpoint, set at the first connection and kept through
 * reconnects, and DNS). Those are built and unit-tested here but have not run on either system.
 */
final class FullTunnel implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FullTunnel.class.getName());
    /** The mark of the DHT node's sockets, and the routing table of the client's default route ("ns"). */
    static final long MARK = 0x6e73;
    private static final Path RP_FILTER = Path.of("/proc/sys/net/ipv4/conf/all/rp_filter");
    private static final List<String> DNS = DnsOverride.DEFAULT_SERVERS;

    private static final String OS = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    private static final boolean MAC = OS.startsWith("mac"), WINDOWS = OS.startsWith("windows");

    private final List<AutoCloseable> undo = new ArrayList<>();
    /** macOS and Windows clients: the routes wait for the first endpoint, then each new one gets a host route. */
    private final InterfaceHandle deferredTun;
    private FullTunnelCommands.Gateway gateway;
    private final List<String> exempted = new ArrayList<>();

    private FullTunnel() {
        this(null);
    }

    private FullTunnel(InterfaceHandle deferredTun) {
        this.deferredTun = deferredTun;
    }

    /** The server side: NAT for the tunnel's IPv4 subnet; nospoon's warning when any client may use it. */
    static FullTunnel server(P2pSettings s, InterfaceHandle tun, NospoonLog log) throws IOException {
        if (!s.authMode()) {
            log.line("WARNING: fullTunnel is on and no peers are configured: this server is an OPEN PROXY.");
            log.line("WARNING: anyone who knows its public key can send traffic to the internet through it.");
            log.line("WARNING: list the clients' keys under \"peers\" to allow only them.");
        }
        FullTunnel ft = new FullTunnel();
        try {
            if (MAC) {
                String out = s.outInterface() != null ? s.outInterface() : FullTunnelCommands.parseDarwinDefault(
                        HostCommand.run("route", null, 10, "-n", "get", "default")).device();
                Path conf = Files.createTempFile("tunctl-pf", ".conf");
                Files.writeString(conf, FullTunnelCommands.darwinPfConf(Files.readString(Path.of("/etc/pf.conf")),
                        tun.name(), s.ip(), out));
                String forwarding = HostCommand.run("sysctl", null, 10, "-n", "net.inet.ip.forwarding");
                ft.undo.add(() -> Files.deleteIfExists(conf));
                ft.undo.add(HostSteps.apply(FullTunnelCommands.darwinServerNat(conf.toString(), forwarding),
                        HostSteps.Runner.HOST));
            } else if (WINDOWS) {
                ft.undo.add(HostSteps.apply(FullTunnelCommands.windowsServerNat(tun.name(), s.ip(), s.outInterface()),
                        HostSteps.Runner.HOST));
            } else {
                ft.undo.add(ServerNat.install(tun.name(), s.ip(), s.outInterface()));
            }
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        return ft;
    }

    /**
     * The client side, before the first connection: the DHT node's sockets are marked first, so that no packet of
     * the tunnel's own is ever captured by the routes that follow.
     */
    static FullTunnel client(InterfaceHandle tun, HyperDht dht) throws IOException {
        if (MAC || WINDOWS) return new FullTunnel(tun); // routes at the first connection, as nospoon sets them
        FullTunnel ft = new FullTunnel();
        try {
            dht.keepOutOfTunnel(new SocketBypass(MARK, null));
            ft.undo.add(AutoRoute.install(tun, MARK, true, true, null, null));
            ft.undo.add(looseReversePath());
            List<InetAddress> servers = new ArrayList<>();
            for (String d : DNS) servers.add(InetAddress.getByName(d));
            ft.undo.add(DnsOverride.apply(tun.name(), servers, Path.of("/etc/resolv.conf")));
        } catch (IOException | RuntimeException e) {
            ft.close();
            throw e;
        }
        LOG.log(System.Logger.Level.INFO, "fullTunnel: all traffic through " + tun.name() + " (kill switch on), "
                + "DHT sockets marked 0x" + Long.toHexString(MARK) + ", DNS " + DNS);
        return ft;
    }

    /**
     * macOS and Windows clients, at each connection: the first sets the routes and DNS with a host route around the
     * tunnel for {@code endpoint}; later ones add a host route for an endpoint not seen before. Nothing on Linux.
     */
    synchronized void opened(InetSocketAddress endpoint) {
        if (deferredTun == null || endpoint == null) return;
        String host = io.tunctl.core.packet.Cidr.addressString(endpoint.getAddress());
        if (exempted.contains(host) || endpoint.getAddress() instanceof java.net.Inet6Address) return;
        try {
            if (gateway == null) {
                List<HostSteps.Step> steps = new ArrayList<>();
                if (MAC) {
                    gateway = FullTunnelCommands.parseDarwinDefault(HostCommand.run("route", null, 10, "-n", "get", "default"));
                    steps.addAll(FullTunnelCommands.darwinClientRoutes(deferredTun.name(), gateway, List.of(host)));
                    String service = FullTunnelCommands.darwinService(
                            HostCommand.run("networksetup", null, 10, "-listallhardwareports"), gateway.device());
                    if (service != null) {
                        List<String> saved = FullTunnelCommands.parseDarwinDns(
                                HostCommand.run("networksetup", null, 10, "-getdnsservers", service));
                        steps.add(FullTunnelCommands.darwinDns(service, DNS, saved));
                    }
                } else {
                    List<String> q = FullTunnelCommands.windowsDefaultQuery();
                    gateway = FullTunnelCommands.parseWindowsDefault(HostCommand.run(q.getFirst(), null, 20,
                            q.subList(1, q.size()).toArray(String[]::new)));
                    steps.addAll(FullTunnelCommands.windowsClientRoutes(deferredTun.index(), gateway, List.of(host)));
                    steps.addAll(FullTunnelCommands.windowsDns(DNS));
                }
                undo.add(HostSteps.apply(steps, HostSteps.Runner.HOST));
            } else {
                undo.add(HostSteps.apply(List.of(MAC ? FullTunnelCommands.darwinExempt(host, gateway)
                        : FullTunnelCommands.windowsExempt(host, gateway)), HostSteps.Runner.HOST));
            }
            exempted.add(host);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "fullTunnel: cannot route through " + deferredTun.name() + ": "
                    + e.getMessage());
        }
    }

    /** rp_filter 2 (loose) where it is 1 (strict), as nospoon sets it; put back on close. */
    private static AutoCloseable looseReversePath() throws IOException {
        String before = Files.readString(RP_FILTER, StandardCharsets.US_ASCII).strip();
        if (!"1".equals(before)) return () -> {};
        Files.writeString(RP_FILTER, "2\n", StandardCharsets.US_ASCII);
        return () -> Files.writeString(RP_FILTER, before + "\n", StandardCharsets.US_ASCII);
    }

    /** Takes everything back, newest first; a step that fails is logged and the rest still run. */
    @Override
    public synchronized void close() {
        for (int i = undo.size() - 1; i >= 0; i--) {
            try {
                undo.get(i).close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "fullTunnel: cannot undo a step: " + e.getMessage());
            }
        }
        undo.clear();
    }
}
