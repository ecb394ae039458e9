package io.tunctl.transport.p2p.vpn;

import io.tunctl.core.runtime.AutoRoute;
import io.tunctl.core.runtime.DnsOverride;
import io.tunctl.core.runtime.ServerNat;
import io.tunctl.core.spi.InterfaceHandle;
import io.tunctl.core.tun.SocketBypass;
import io.tunctl.transport.p2p.config.P2pSettings;
import io.tunctl.transport.p2p.hyperdht.HyperDht;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
 */
final class FullTunnel implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FullTunnel.class.getName());
    /** The mark of the DHT node's sockets, and the routing table of the client's default route ("ns"). */
    static final long MARK = 0x6e73;
    private static final Path RP_FILTER = Path.of("/proc/sys/net/ipv4/conf/all/rp_filter");
    private static final List<String> DNS = DnsOverride.DEFAULT_SERVERS;

    private final List<AutoCloseable> undo = new ArrayList<>();

    private FullTunnel() {}

    /** The server side: NAT for the tunnel's IPv4 subnet; nospoon's warning when any client may use it. */
    static FullTunnel server(P2pSettings s, InterfaceHandle tun, NospoonLog log) throws IOException {
        if (!s.authMode()) {
            log.line("WARNING: fullTunnel is on and no peers are configured: this server is an OPEN PROXY.");
            log.line("WARNING: anyone who knows its public key can send traffic to the internet through it.");
            log.line("WARNING: list the clients' keys under \"peers\" to allow only them.");
        }
        FullTunnel ft = new FullTunnel();
        try {
            ft.undo.add(ServerNat.install(tun.name(), s.ip(), s.outInterface()));
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

    /** rp_filter 2 (loose) where it is 1 (strict), as nospoon sets it; put back on close. */
    private static AutoCloseable looseReversePath() throws IOException {
        String before = Files.readString(RP_FILTER, StandardCharsets.US_ASCII).strip();
        if (!"1".equals(before)) return () -> {};
        Files.writeString(RP_FILTER, "2\n", StandardCharsets.US_ASCII);
        return () -> Files.writeString(RP_FILTER, before + "\n", StandardCharsets.US_ASCII);
    }

    /** Takes everything back, newest first; a step that fails is logged and the rest still run. */
    @Override
    public void close() {
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
