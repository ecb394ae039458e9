package io.tunctl.core.runtime;

import io.tunctl.core.netlink.RouteEntry;
import io.tunctl.core.netlink.Rtnetlink;
import io.tunctl.core.packet.Cidr;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A VPN server's exit to the internet (nospoon {@code fullTunnel} on a server): packets from the tunnel's subnet
 * leave through the outgoing interface with the host's address, as nospoon's three iptables rules do, but in one
 * nftables table of tunctl's own ({@code ip tunctl_nat_<tun>}), which the state file lists, so a crashed run's
 * table goes with {@code tunctl down}:
 *
 * <pre>
 *   postrouting (nat):  ip saddr SUBNET oifname OUT masquerade
 *   forward (filter):   iifname TUN oifname OUT accept; iifname OUT oifname TUN ct state established,related accept
 * </pre>
 *
 * IPv4 forwarding is switched on and, unlike nospoon, back to what it was on close. A host whose own firewall drops
 * forwarded packets in another table still drops them (an nftables accept ends only its own chain): that firewall
 * needs its own rule, as it would for nospoon's iptables rules under iptables-nft.
 */
public final class ServerNat implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ServerNat.class.getName());
    private static final Path IP_FORWARD = Path.of("/proc/sys/net/ipv4/ip_forward");
    /** nospoon's own check on interface names, so a name never needs quoting in the script. */
    private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.-]{1,15}");

    private final Nft.Table table;
    private final String forwardingBefore;
    private final StateFile state;
    private boolean closed;

    private ServerNat(Nft.Table table, String forwardingBefore, StateFile state) {
        this.table = table;
        this.forwardingBefore = forwardingBefore;
        this.state = state;
    }

    /** The nftables table for {@code tun}. */
    public static Nft.Table table(String tun) {
        return new Nft.Table("ip", "tunctl_nat_" + tun.replaceAll("[^A-Za-z0-9_]", "_"));
    }

    /** The script that makes (or replaces) the table; pure, for tests. */
    public static String script(String tun, Cidr subnet, String out) {
        check(tun, "tunnel interface");
        check(out, "outInterface");
        if (subnet.addressBytes().length != 4) throw new IllegalArgumentException("NAT is IPv4 only, not " + subnet);
        Nft.Table t = table(tun);
        String name = t.family() + " " + t.name();
        // "table X {}; delete table X" first: the script replaces a table of that name instead of adding to it
        return "table " + name + " {}\n"
                + "delete table " + name + "\n"
                + "table " + name + " {\n"
                + "\tchain postrouting {\n"
                + "\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
                + "\t\tip saddr " + subnet.network() + " oifname \"" + out + "\" counter masquerade\n"
                + "\t}\n"
                + "\tchain forward {\n"
                + "\t\ttype filter hook forward priority filter; policy accept;\n"
                + "\t\tiifname \"" + tun + "\" oifname \"" + out + "\" counter accept\n"
                + "\t\tiifname \"" + out + "\" oifname \"" + tun + "\" ct state established,related counter accept\n"
                + "\t}\n"
                + "}\n";
    }

    private static void check(String name, String what) {
        if (name == null || !INTERFACE.matcher(name).matches()) {
            throw new IllegalArgumentException("Invalid interface name: " + name + " (" + what + ")");
        }
    }

    /**
     * The interface of main's IPv4 default route (nospoon: the first {@code dev} of {@code ip route show default}).
     *
     * @throws IOException with nospoon's words when there is no default route
     */
    public static String defaultInterface() throws IOException {
        try (Rtnetlink rtnl = Rtnetlink.open()) {
            RouteEntry best = null;
            for (RouteEntry r : rtnl.routes(2)) {
                if (r.table() != 254 || r.destination().prefixLength() != 0 || r.oif() == 0) continue;
                if (best == null || prio(r) < prio(best)) best = r;
            }
            if (best == null) throw new IOException("Cannot detect outgoing interface. Set \"outInterface\" in config");
            return rtnl.linkName(best.oif());
        }
    }

    private static int prio(RouteEntry r) { return r.priority() == null ? 0 : r.priority(); }

    /**
     * Writes the state file, switches forwarding on and adds the table. {@code out} null: the default route's
     * interface. On failure what was done is taken back before the exception propagates.
     */
    public static ServerNat install(String tun, Cidr subnet, String out) throws IOException {
        if (Nft.executable() == null) {
            throw new IOException("fullTunnel on a server masquerades with nftables, but the nft program is missing: "
                    + "install the nftables package, or turn fullTunnel off");
        }
        String outInterface = out != null ? out : defaultInterface();
        String script = script(tun, subnet, outInterface);
        Nft.Table t = table(tun);
        StateFile state = StateFile.ofThisProcess(tun + "-nat", List.of(), List.of(), List.of(t));
        state.write();
        String before = Files.readString(IP_FORWARD, StandardCharsets.US_ASCII).strip();
        ServerNat nat = new ServerNat(t, before, state);
        try {
            Files.writeString(IP_FORWARD, "1\n", StandardCharsets.US_ASCII);
            Nft.apply(script);
        } catch (IOException | RuntimeException e) {
            nat.close();
            throw e;
        }
        LOG.log(System.Logger.Level.INFO, "NAT: " + subnet.network() + " masqueraded out of " + outInterface
                + " (" + t + "), forwarding on");
        return nat;
    }

    /** Deletes the table, puts forwarding back as it was, deletes the state file. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            Nft.delete(table);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "NAT: cannot delete " + table + ": " + e.getMessage());
        }
        try {
            if (!"1".equals(forwardingBefore)) Files.writeString(IP_FORWARD, forwardingBefore + "\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "NAT: cannot put ip_forward back to " + forwardingBefore + ": "
                    + e.getMessage());
        }
        try {
            List<String> left = state.scrub();
            if (!left.isEmpty()) LOG.log(System.Logger.Level.INFO, "NAT: removed on a second try: " + left);
            state.delete();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "NAT: cleanup incomplete, the state file stays for 'tunctl down': "
                    + e.getMessage());
        }
    }
}
