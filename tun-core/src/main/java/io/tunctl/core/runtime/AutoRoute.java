package io.tunctl.core.runtime;

import io.tunctl.core.netlink.RuleEntry;
import io.tunctl.core.netlink.Rtnetlink;
import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.InterfaceHandle;
import io.tunctl.core.spi.RouteSpec;
import io.tunctl.core.spi.RuleSpec;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A full tunnel (socks {@code autoRoute}, nospoon {@code fullTunnel}): every packet the host sends goes into the
 * TUN unless it carries tunctl's mark, next to the default route the host already has (nothing in the main table
 * changes, so there is no "File exists"). As wg-quick does it, per family:
 *
 * <pre>
 *   ip rule add table main suppress_prefixlength 0 pref P-1   # main, but not its default route
 *   ip route add default dev TUN table T                      # T = the mark
 *   ip rule add not fwmark M table T pref P                   # everything unmarked that main did not take
 * </pre>
 *
 * Marked packets (a transport's own sockets: the socks proxy and relay dials, the p2p UDX socket) skip rule P and
 * fall through to main with its default route, so nothing loops; more specific routes of main (the LAN, the TUN's
 * own subnet) and the local table (loopback, so a proxy on 127.0.0.1) still win for everyone. The rules stay while
 * the process lives, whatever its transport does: while a peer is away, packets go into the TUN and no further, so
 * nothing leaves in clear (the kill switch). DNS that applications send anywhere but the gateway is DNATed to the
 * gateway's port 53 (tables {@code ip/ip6 tunctl_<tun>} at the nat output hook), unless it carries the mark. P is
 * just above the highest-placed rule there is (as the kernel places a rule without a priority), fixed beforehand so
 * that the state file lists the exact rule.
 *
 * <p>The state file is written before anything changes; {@link #close()} takes everything back in reverse order
 * and then deletes it.
 */
public final class AutoRoute implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AutoRoute.class.getName());
    private static final int MAIN = 254;
    /** The priority of main's rule; above it when no other rule is. */
    private static final int MAIN_PRIORITY = 32766;

    /**
     * What autoRoute adds, in the order it adds it (removal is the reverse).
     *
     * @param rules     policy rules, with their priorities
     * @param routes    routes through the TUN
     * @param nftTables the DNS redirect tables
     * @param nftScript the script that makes them ({@code nft -f}), empty when there are none
     */
    public record Plan(List<RuleSpec> rules, List<RouteSpec> routes, List<Nft.Table> nftTables, String nftScript) {}

    private final InterfaceHandle tun;
    private final Plan plan;
    private final StateFile state;
    private final List<Runnable> undo = new ArrayList<>();
    private boolean closed;

    private AutoRoute(InterfaceHandle tun, Plan plan, StateFile state) {
        this.tun = tun;
        this.plan = plan;
        this.state = state;
    }

    /**
     * The plan for {@code tun}: one family each for which the TUN has an address ({@code gateway4}/{@code 6} null
     * leaves that family's DNS alone).
     *
     * @param top4 the lowest priority above 0 among the IPv4 rules (main's 32766 when there is none); the
     *             suppress rule goes at {@code top4 - 2}, the fwmark rule at {@code top4 - 1}
     */
    public static Plan plan(String tun, long mark, boolean v4, boolean v6, InetAddress gateway4, InetAddress gateway6,
                            int top4, int top6) {
        int table = table(mark);
        List<RuleSpec> rules = new ArrayList<>();
        List<RouteSpec> routes = new ArrayList<>();
        for (int family : new int[] {4, 6}) {
            if (family == 4 ? !v4 : !v6) continue;
            int top = Math.max(3, family == 4 ? top4 : top6);
            rules.add(RuleSpec.builder(family, MAIN).priority(top - 2).suppressPrefixLength(0).build());
            routes.add(new RouteSpec(Cidr.parse(family == 4 ? "0.0.0.0/0" : "::/0"), null, null, table));
            rules.add(RuleSpec.builder(family, table).priority(top - 1).invert(true).fwmark(mark).build());
        }
        List<Nft.Table> tables = new ArrayList<>();
        StringBuilder script = new StringBuilder();
        String name = "tunctl_" + tun.replaceAll("[^A-Za-z0-9_]", "_");
        for (InetAddress gw : new InetAddress[] {v4 ? gateway4 : null, v6 ? gateway6 : null}) {
            if (gw == null) continue;
            boolean six = gw instanceof Inet6Address;
            Nft.Table t = new Nft.Table(six ? "ip6" : "ip", name);
            tables.add(t);
            String addr = Cidr.addressString(gw);
            String to = six ? "[" + addr + "]:53" : addr + ":53";
            // "table X {}; delete table X" first: the script then replaces a table of that name instead of adding to it
            script.append("table ").append(t.family()).append(' ').append(name).append(" {}\n")
                    .append("delete table ").append(t.family()).append(' ').append(name).append('\n')
                    .append("table ").append(t.family()).append(' ').append(name).append(" {\n")
                    .append("\tchain dns_output {\n")
                    .append("\t\ttype nat hook output priority -100; policy accept;\n");
            for (String proto : new String[] {"udp", "tcp"}) {
                script.append("\t\tmeta mark != 0x").append(Long.toHexString(mark)).append(' ')
                        .append(six ? "ip6" : "ip").append(" daddr != ").append(addr).append(' ')
                        .append(proto).append(" dport 53 counter dnat to ").append(to).append('\n');
            }
            script.append("\t}\n}\n");
        }
        return new Plan(List.copyOf(rules), List.copyOf(routes), List.copyOf(tables), script.toString());
    }

    /** The routing table autoRoute fills: the mark's value, as wg-quick uses its fwmark as its table. */
    static int table(long mark) {
        if (mark == 0 || mark == 253 || mark == 254 || mark == 255 || mark > 0xffff_ffffL) {
            throw new IllegalArgumentException("autoRoute needs a mark that can name a routing table (not 0, 253, "
                    + "254 or 255), not 0x" + Long.toHexString(mark));
        }
        return (int) mark;
    }

    /**
     * Writes the state file, then adds the plan's rules, routes and nftables tables. What a stopped tunctl left is
     * scrubbed before by whoever starts tunnels ({@code tunctl up} and {@code tunctl down} call
     * {@link StateFile#scrubLeftovers}; an embedder does the same). On failure what was added is taken back before the exception propagates.
     */
    public static AutoRoute install(InterfaceHandle tun, long mark, boolean v4, boolean v6, InetAddress gateway4,
                                    InetAddress gateway6) throws IOException {
        table(mark);
        if ((gateway4 != null || gateway6 != null) && Nft.executable() == null) {
            throw new IOException("autoRoute redirects DNS to the gateway with nftables, but the nft program is "
                    + "missing: install the nftables package, or turn autoRoute off");
        }
        int top4, top6;
        try (Rtnetlink rtnl = Rtnetlink.open()) {
            top4 = top(rtnl.rules(2)); // AF_INET
            top6 = top(rtnl.rules(10)); // AF_INET6
        }
        Plan plan = plan(tun.name(), mark, v4, v6, gateway4, gateway6, top4, top6);
        StateFile state = StateFile.ofThisProcess(tun.name(), plan.rules(), plan.routes(), plan.nftTables());
        state.write();
        AutoRoute ar = new AutoRoute(tun, plan, state);
        try {
            ar.apply();
        } catch (IOException | RuntimeException e) {
            ar.close();
            throw e;
        }
        LOG.log(System.Logger.Level.INFO, "autoRoute on {0}: {1}; {2}", tun.name(), plan.rules(),
                plan.nftTables().isEmpty() ? "no DNS redirect" : "DNS redirected to the gateway by " + plan.nftTables());
        return ar;
    }

    /** The lowest priority above 0 (the local table's rule) among {@code rules}, or main's. */
    static int top(List<RuleEntry> rules) {
        int top = MAIN_PRIORITY;
        for (RuleEntry r : rules) if (r.priority() > 0 && r.priority() < top) top = r.priority();
        return top;
    }

    /** Per family: the suppress rule, then the route, then the fwmark rule (so nothing is captured half-way). */
    private void apply() throws IOException {
        int route = 0;
        for (RuleSpec r : plan.rules()) {
            tun.addRule(r);
            undo.add(() -> quietly("rule " + r, () -> tun.removeRule(r)));
            if (r.suppressPrefixLength() != null) {
                RouteSpec rt = plan.routes().get(route++);
                tun.addRoute(rt);
                undo.add(() -> quietly("route " + rt, () -> tun.removeRoute(rt)));
            }
        }
        if (!plan.nftTables().isEmpty()) {
            undo.add(() -> {
                for (Nft.Table t : plan.nftTables()) quietly(t.toString(), () -> Nft.delete(t));
            });
            Nft.apply(plan.nftScript());
        }
    }

    private interface Step {
        void run() throws IOException;
    }

    private static void quietly(String what, Step s) {
        try {
            s.run();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "autoRoute: cannot remove " + what + ": " + e.getMessage());
        }
    }

    /** What this run added. */
    public Plan plan() { return plan; }

    /** Takes back everything, newest first, then deletes the state file (kept if something could not go). */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        for (int i = undo.size() - 1; i >= 0; i--) undo.get(i).run();
        try {
            List<String> left = state.scrub(); // whatever the steps above could not remove, once more
            if (!left.isEmpty()) LOG.log(System.Logger.Level.INFO, "autoRoute: removed on a second try: " + left);
            state.delete();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "autoRoute: cleanup incomplete, the state file stays for "
                    + "'tunctl down': " + e.getMessage());
        }
    }
}
