package io.tunctl.core.runtime;

import io.tunctl.core.packet.Cidr;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The host's resolvers switched to ones reached through the tunnel while a full tunnel is up, as nospoon does:
 * with systemd-resolved ({@code resolvectl} on PATH) the servers and the catch-all routing domain {@code ~.} are set
 * on the TUN link and reverted on close; otherwise {@code /etc/resolv.conf} is saved and rewritten, and written back
 * on close. The file is rewritten in place, not replaced, so a bind mount over it (a symlink's target, or
 * {@code ip netns exec}'s {@code /etc/netns/<ns>/resolv.conf}) takes the change.
 */
public final class DnsOverride implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DnsOverride.class.getName());
    /** nospoon's servers. */
    public static final List<String> DEFAULT_SERVERS = List.of("1.1.1.1", "8.8.8.8");
    static final String MARKER = "# tunctl full-tunnel DNS";

    private final String tun;
    private final Path file;
    private final byte[] saved;
    private boolean closed;

    private DnsOverride(String tun, Path file, byte[] saved) {
        this.tun = tun;
        this.file = file;
        this.saved = saved;
    }

    /** The resolv.conf text that names {@code servers}; pure, for tests. */
    static String resolvConf(List<InetAddress> servers) {
        StringBuilder b = new StringBuilder(MARKER).append('\n');
        for (InetAddress a : servers) b.append("nameserver ").append(Cidr.addressString(a)).append('\n');
        return b.toString();
    }

    /**
     * Points the host's DNS at {@code servers} for as long as the returned object is open.
     *
     * @param resolvConf the file to rewrite where there is no resolvectl (normally {@code /etc/resolv.conf})
     */
    public static DnsOverride apply(String tun, List<InetAddress> servers, Path resolvConf) throws IOException {
        if (servers.isEmpty()) throw new IllegalArgumentException("no DNS servers");
        if (HostCommand.find("resolvectl") != null) {
            List<String> dns = new ArrayList<>(List.of("dns", tun));
            for (InetAddress a : servers) dns.add(Cidr.addressString(a));
            HostCommand.run("resolvectl", null, 10, dns.toArray(String[]::new));
            HostCommand.run("resolvectl", null, 10, "domain", tun, "~.");
            LOG.log(System.Logger.Level.INFO, "DNS: " + servers + " on " + tun + " (systemd-resolved)");
            return new DnsOverride(tun, null, null);
        }
        return rewrite(tun, servers, resolvConf);
    }

    /** The resolv.conf way, whether or not resolvectl is there. */
    static DnsOverride rewrite(String tun, List<InetAddress> servers, Path resolvConf) throws IOException {
        byte[] saved = Files.exists(resolvConf) ? Files.readAllBytes(resolvConf) : null;
        Files.writeString(resolvConf, resolvConf(servers), StandardCharsets.US_ASCII);
        LOG.log(System.Logger.Level.INFO, "DNS: " + servers + " in " + resolvConf + " (saved, put back on exit)");
        return new DnsOverride(tun, resolvConf, saved);
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            if (file == null) {
                HostCommand.run("resolvectl", null, 10, "revert", tun);
            } else if (saved != null) {
                Files.write(file, saved);
            } else {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "DNS: cannot put back " + (file == null ? "resolved's settings of "
                    + tun : file) + ": " + e.getMessage());
        }
    }
}
