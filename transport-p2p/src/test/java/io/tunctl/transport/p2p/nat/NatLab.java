package io.tunctl.transport.p2p.nat;

import io.tunctl.core.testkit.Netns;
import io.tunctl.core.testkit.ProcessRunner;
import io.tunctl.core.testkit.Root;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A NAT topology in network namespaces for hole-punching tests: a "public" segment and any number of home
 * routers doing nftables MASQUERADE, each with its own LAN of hosts. Needs root, {@code ip} and {@code nft}
 * (installed with apt-get when missing).
 *
 * <pre>
 *   hub (tnnat-hub-*)  bridge pub0 198.51.100.1/24  -- the DHT bootstrap nodes bind here
 *     |-- router 1 (tnnat-r&lt;name&gt;-*)  wan0 198.51.100.11/24  lan0 10.1.0.1/24 (a bridge)
 *     |     '-- host (tnnat-h&lt;name&gt;-*)  eth0 10.1.0.2/24, default via 10.1.0.1
 *     |-- router 2                  wan0 198.51.100.12/24  lan0 10.2.0.1/24
 *     |     '-- host                eth0 10.2.0.2/24 ...
 *     '-- open host (tnnat-o&lt;name&gt;-*)  eth0 198.51.100.101/24, no NAT
 * </pre>
 *
 * Each router's ruleset ({@link #routerRules}): MASQUERADE out of {@code wan0} ({@link Nat#CONSISTENT}: Linux keeps
 * the source port when it is free, so one LAN socket shows one public port to every destination, an
 * endpoint-independent mapping; {@link Nat#RANDOM} / {@link Nat#FULLY_RANDOM}: a new random port per destination,
 * a symmetric NAT), forwarding from the WAN only for established flows, and, as a home router's firewall does,
 * unsolicited packets to the router's own WAN address dropped in the input hook. That last rule matters for
 * punching: a packet dropped there never gets its conntrack entry confirmed, whereas an accepted one (answered
 * with an ICMP port unreachable) leaves an unreplied inbound entry behind. When the LAN peer then punches out to
 * the same remote address and port, the outbound mapping would clash with that entry and MASQUERADE would pick
 * another source port, so the remote's punches miss. hyperdht's first probe uses TTL 5 precisely so that on the
 * internet it dies before reaching the remote NAT; in the lab it is a single routed hop and arrives. Pass
 * {@code dropUnsolicited=false} to {@link #router(String, Nat, boolean)} to see that failure.
 *
 * <p>Addresses: the public side is 198.51.100.0/24 (TEST-NET-2), LANs are 10.&lt;router&gt;.0.0/24, all inside
 * the lab's namespaces. The LANs have different subnets and the routers different WAN addresses, so hyperdht's
 * same-network shortcut (taken only when both peers show the same public IP) never applies: a connection between
 * two LANs comes up by punching, through a relay, or not at all. A second host behind the same router shows the
 * shortcut.
 *
 * <p>Running programs: {@link Host#start} (output to a log file) and {@link Host#spawn} (pipes, for line
 * protocols) run any command in a host's namespace and kill it by PID when the lab closes; {@link Host#command}
 * returns the {@code ip netns exec} prefix for callers that build their own {@link ProcessBuilder}. Namespaces
 * are named {@code tnnat-<role>-<pid><4 hex>}; {@link #close()} deletes them (with every process still inside),
 * a JVM shutdown hook does the same, and {@link #create()} deletes the ones left by a lab whose JVM died.
 *
 * <p>Plugging in Java peers: start the DHT with {@link LabPeer#testnet} on {@link #hub()} (Node bootstrap nodes on
 * 198.51.100.1:49737; a Java-only DHT would run {@code tunctl p2p node} there instead), then start the Java server
 * or client where a Node one would run: {@code host.spawn(null, NatLab.javaCommand(JavaPeerMain.class, ...))} for a
 * main in the test sources, or {@code host.start(log, NatLab.tunctlCommand("p2p", "listen", "--seed-file", f,
 * "--bootstrap", b))} for the CLI. A main that prints the {@link LabPeer} events ({@code listening}/{@code ready},
 * {@code open}/{@code connection} with the stream's remote address and {@code via}, {@code received},
 * {@code echoed}, {@code error}, and {@code nat} with the firewall types of its NAT analysis) is wrapped with
 * {@link LabPeer#attach}; a {@link LabPeer.Launcher} for it put in {@code NatHolepunchIT}'s {@code SERVERS} and/or
 * {@code CLIENTS} runs every case Java↔Node or Java↔Java, with the same assertions: "holepunch" and a stream
 * straight to the other router's WAN address.
  */
public final class NatLab implements AutoCloseable {
    /** Prefix of every namespace a lab creates. */
    public static final String PREFIX = "tnnat";
    /** The hub's own address on the public segment; DHT bootstrap nodes run here. */
    public static final String HUB_ADDRESS = "198.51.100.1";
    private static final String PUBLIC_PREFIX = "198.51.100.";
    private static final int MAX_ROUTERS = 80;
    private static final Pattern DROP_COUNTER =
            Pattern.compile("counter packets (\\d+) bytes \\d+(?: drop)? comment \"unsolicited from the WAN\"");
    private static final Pattern OWNED = Pattern.compile(Pattern.quote(PREFIX) + "-[a-z0-9]+-(\\d+)[0-9a-f]{4}");

    /** How a router maps a LAN socket to its WAN address. */
    public enum Nat {
        /** Plain MASQUERADE: keeps the LAN source port when free, the same public port for every destination. */
        CONSISTENT(""),
        /** MASQUERADE random: a random public port for each new flow (symmetric NAT). */
        RANDOM(" random"),
        /** MASQUERADE fully-random: the same with the port drawn from a PRNG for every flow. */
        FULLY_RANDOM(" fully-random");

        private final String masqueradeFlags;

        Nat(String masqueradeFlags) {
            this.masqueradeFlags = masqueradeFlags;
        }
    }

    private final Netns hub;
    private final Host hubHost;
    private final List<Netns> namespaces = Collections.synchronizedList(new ArrayList<>());
    private final List<Process> spawned = Collections.synchronizedList(new ArrayList<>());
    private final Path logDir;
    private int routers;
    private int openHosts;
    private boolean closed;

    private NatLab(Netns hub, Path logDir) {
        this.hub = hub;
        this.logDir = logDir;
        this.hubHost = new Host(this, "hub", hub, HUB_ADDRESS, null);
        namespaces.add(hub);
    }

    /**
     * Creates the hub with the public bridge; fails (CI) or skips unless root with {@code ip} and {@code nft}.
     * Logs of started programs go to {@code target/natlab/}.
     */
    public static NatLab create() {
        Root.require();
        Root.ensureCommand("ip", "iproute2");
        Root.ensureCommand("nft", "nftables");
        removeStale();
        Path logs = Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "target", "natlab");
        try {
            Files.createDirectories(logs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Netns hub = Netns.create(PREFIX + "-hub");
        try {
            hub.ip("link", "add", "pub0", "type", "bridge");
            hub.ip("addr", "add", HUB_ADDRESS + "/24", "dev", "pub0");
            hub.ip("link", "set", "pub0", "up");
            return new NatLab(hub, logs);
        } catch (RuntimeException e) {
            hub.close();
            throw e;
        }
    }

    /** The hub namespace as a host at {@link #HUB_ADDRESS}, on the public side with no NAT. */
    public Host hub() {
        return hubHost;
    }

    /** A router with {@code nat} and a firewall that drops unsolicited inbound packets (a home router). */
    public Router router(String name, Nat nat) {
        return router(name, nat, true);
    }

    /**
     * A router namespace: {@code wan0} on the public segment at 198.51.100.(10+n), a LAN bridge {@code lan0} at
     * 10.n.0.1/24 (n = 1..80, one per router of the lab), forwarding on, and {@link #routerRules(Nat, boolean)} loaded.
     */
    public synchronized Router router(String name, Nat nat, boolean dropUnsolicited) {
        checkName(name);
        if (routers == MAX_ROUTERS) {
            throw new IllegalStateException("at most " + MAX_ROUTERS + " routers in one lab");
        }
        int n = ++routers;
        Netns ns = namespace("r" + name);
        String wan = PUBLIC_PREFIX + (10 + n);
        String lan = "10." + n + ".0.";
        String hubPort = "r" + n;
        Netns.veth(ns, "wan0", wan + "/24", hub, hubPort, null);
        hub.ip("link", "set", hubPort, "master", "pub0");
        ns.ip("link", "add", "lan0", "type", "bridge");
        ns.ip("addr", "add", lan + "1/24", "dev", "lan0");
        ns.ip("link", "set", "lan0", "up");
        ns.exec("sysctl", "-qw", "net.ipv4.ip_forward=1").orThrow();
        loadRules(ns, routerRules(nat, dropUnsolicited));
        return new Router(this, name, ns, nat, wan, lan);
    }

    /** A host on the public segment at 198.51.100.(100+n) with no NAT in front of it. */
    public synchronized Host openHost(String name) {
        checkName(name);
        if (openHosts == 150) {
            throw new IllegalStateException("at most 150 open hosts in one lab");
        }
        int n = ++openHosts;
        Netns ns = namespace("o" + name);
        String address = PUBLIC_PREFIX + (100 + n);
        String hubPort = "o" + n;
        Netns.veth(ns, "eth0", address + "/24", hub, hubPort, null);
        hub.ip("link", "set", hubPort, "master", "pub0");
        return new Host(this, name, ns, address, null);
    }

    /** The folder where {@link Host#start} and the Node peers write their logs. */
    public Path logDir() {
        return logDir;
    }

    /**
     * A command line that runs {@code main} in a child JVM on this JVM's class path (the test classes included),
     * with native access enabled: for Java peers, e.g. {@code host.spawn(null, NatLab.javaCommand(PeerMain.class,
     * "listen", ...))}.
     */
    public static List<String> javaCommand(Class<?> main, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * A command line for this build's {@code ./tunctl} launcher ({@code -Dtunctl.repo}, set by the build, else the
     * parent of the module directory); needs the {@code cli} module packaged.
     */
    public static List<String> tunctlCommand(String... args) {
        Path launcher = Path.of(System.getProperty("tunctl.repo", "..")).resolve("tunctl").toAbsolutePath().normalize();
        List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * The nftables ruleset of a router (pure, unit-tested). Forwarding: anything from the LAN side, from the WAN
     * only established/related flows. Input: with {@code dropUnsolicited}, new packets from the WAN to the router
     * itself are dropped in the filter hook, before conntrack confirms an entry for them (see the class comment).
     */
    public static String routerRules(Nat nat, boolean dropUnsolicited) {
        StringBuilder b = new StringBuilder();
        b.append("table ip natlab {\n");
        b.append("  chain postrouting {\n");
        b.append("    type nat hook postrouting priority srcnat; policy accept;\n");
        b.append("    oifname \"wan0\" masquerade").append(nat.masqueradeFlags).append('\n');
        b.append("  }\n");
        b.append("  chain forward {\n");
        b.append("    type filter hook forward priority filter; policy drop;\n");
        b.append("    iifname \"wan0\" ct state established,related accept\n");
        b.append("    iifname != \"wan0\" accept\n");
        b.append("    counter comment \"unsolicited from the WAN\"\n");
        b.append("  }\n");
        if (dropUnsolicited) {
            b.append("  chain input {\n");
            b.append("    type filter hook input priority filter; policy accept;\n");
            b.append("    iifname \"wan0\" ct state established,related accept\n");
            b.append("    iifname \"wan0\" counter drop comment \"unsolicited from the WAN\"\n");
            b.append("  }\n");
        }
        b.append("}\n");
        return b.toString();
    }

    /**
     * The PID of the JVM that owns a lab namespace name ({@code tnnat-<role>-<pid><4 hex>}), or empty when the name
     * is not a lab's.
     */
    static OptionalLong ownerPid(String namespace) {
        Matcher m = OWNED.matcher(namespace);
        if (!m.matches()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(m.group(1)));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** Deletes lab namespaces whose owning JVM is gone (a crash or kill -9 skipped their cleanup). */
    private static void removeStale() {
        ProcessRunner.Result list = Netns.host("ip", "netns", "list");
        if (!list.ok()) {
            return;
        }
        for (String line : list.stdout().split("\n")) {
            String name = line.strip().split("\\s+")[0];
            OptionalLong pid = ownerPid(name);
            if (pid.isEmpty() || ProcessHandle.of(pid.getAsLong()).isPresent()) {
                continue;
            }
            ProcessRunner.Result pids = Netns.host("ip", "netns", "pids", name);
            if (pids.ok()) {
                for (String p : pids.stdout().split("\\s+")) {
                    if (!p.isBlank()) {
                        ProcessHandle.of(Long.parseLong(p.strip())).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
            }
            Netns.host("ip", "netns", "del", name);
        }
    }

    private static void checkName(String name) {
        if (!name.matches("[a-z0-9]{1,8}")) {
            throw new IllegalArgumentException("lab names are 1-8 of [a-z0-9]: " + name);
        }
    }

    private Netns namespace(String role) {
        Netns ns = Netns.create(PREFIX + "-" + role);
        namespaces.add(ns);
        return ns;
    }

    private static void loadRules(Netns ns, String rules) {
        try {
            Path file = Files.createTempFile("natlab", ".nft");
            try {
                Files.writeString(file, rules, StandardCharsets.US_ASCII);
                ns.exec("nft", "-f", file.toString()).orThrow();
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Process track(Process p) {
        spawned.add(p);
        return p;
    }

    /** Kills every program started through the lab (by PID), then deletes its namespaces. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        synchronized (spawned) {
            for (Process p : spawned) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            for (Process p : spawned) {
                try {
                    p.waitFor(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        List<Netns> all;
        synchronized (namespaces) {
            all = new ArrayList<>(namespaces);
        }
        Collections.reverse(all); // hosts before their routers, the hub last
        for (Netns ns : all) {
            ns.close();
        }
    }

    /** A router of the lab. */
    public static final class Router {
        private final NatLab lab;
        private final String name;
        private final Netns ns;
        private final Nat nat;
        private final String wanAddress;
        private final String lanPrefix;
        private int hosts;

        private Router(NatLab lab, String name, Netns ns, Nat nat, String wanAddress, String lanPrefix) {
            this.lab = lab;
            this.name = name;
            this.ns = ns;
            this.nat = nat;
            this.wanAddress = wanAddress;
            this.lanPrefix = lanPrefix;
        }

        /** A host on this router's LAN at 10.n.0.(1+k)/24, default route via the router. */
        public Host host(String hostName) {
            checkName(hostName);
            int k;
            synchronized (this) {
                k = ++hosts;
            }
            if (k > 200) {
                throw new IllegalStateException("LAN " + lanPrefix + "0/24 is full");
            }
            Netns h = lab.namespace("h" + hostName);
            String address = lanPrefix + (1 + k);
            String port = "h" + k;
            Netns.veth(h, "eth0", address + "/24", ns, port, null);
            ns.ip("link", "set", port, "master", "lan0");
            h.ip("route", "add", "default", "via", lanPrefix + "1");
            return new Host(lab, hostName, h, address, this);
        }

        public String name() {
            return name;
        }

        public Nat nat() {
            return nat;
        }

        /** The router's address on the public segment: what the DHT and the other peers see of its LAN. */
        public String wanAddress() {
            return wanAddress;
        }

        public Netns namespace() {
            return ns;
        }

        /** The router's ruleset with its counters ({@code nft list ruleset}), for diagnostics. */
        public String ruleset() {
            return ns.exec("nft", "list", "ruleset").orThrow();
        }

        /**
         * How many unsolicited packets from the WAN the router dropped so far (input and forward counters):
         * NAT probes of the DHT, early punches, low-TTL probes that would have reached a remote NAT.
         */
        public long unsolicitedDropped() {
            return unsolicitedDropped(ruleset());
        }

        static long unsolicitedDropped(String ruleset) {
            long sum = 0;
            Matcher m = DROP_COUNTER.matcher(ruleset);
            while (m.find()) {
                sum += Long.parseLong(m.group(1));
            }
            return sum;
        }

        @Override
        public String toString() {
            return "router " + name + " (" + nat + ", wan " + wanAddress + ", lan " + lanPrefix + "0/24)";
        }
    }

    /** A host in the lab: behind a router (on its LAN) or on the public side. */
    public static final class Host {
        private final NatLab lab;
        private final String name;
        private final Netns ns;
        private final String address;
        private final Router router;

        private Host(NatLab lab, String name, Netns ns, String address, Router router) {
            this.lab = lab;
            this.name = name;
            this.ns = ns;
            this.address = address;
            this.router = router;
        }

        public String name() {
            return name;
        }

        /** The host's own address (10.x behind a router, 198.51.100.x on the public side). */
        public String address() {
            return address;
        }

        /** The router in front of it, or null on the public side. */
        public Router router() {
            return router;
        }

        /** The address the rest of the lab sees this host at: its router's WAN address, or its own. */
        public String publicAddress() {
            return router == null ? address : router.wanAddress();
        }

        public Netns namespace() {
            return ns;
        }

        /** The lab's log folder. */
        public Path logDir() {
            return lab.logDir;
        }

        /** {@code ip netns exec <ns> command...}: for a caller's own {@link ProcessBuilder}. */
        public List<String> command(String... command) {
            return command(List.of(command));
        }

        public List<String> command(List<String> command) {
            List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns.name()));
            cmd.addAll(command);
            return cmd;
        }

        /** Runs a command to completion (bounded by {@link Netns#TIMEOUT}). */
        public ProcessRunner.Result exec(String... command) {
            return ns.exec(command);
        }

        /** Runs a command to completion with a time bound. */
        public ProcessRunner.Result exec(Duration timeout, String... command) {
            return ns.exec(timeout, command);
        }

        /**
         * Starts a long-running command here with stdout and stderr appended to {@code logDir()/<logName>} and
         * stdin from /dev/null; killed by PID when the lab closes.
         */
        public Process start(String logName, List<String> command) {
            File log = lab.logDir.resolve(logName).toFile();
            return lab.track(ns.start(log, command.toArray(String[]::new)));
        }

        /**
         * Starts a command here with its stdin, stdout and stderr as pipes (the caller must drain them), working
         * directory {@code dir} (null: inherit); killed by PID when the lab closes.
         */
        public Process spawn(Path dir, List<String> command) {
            ProcessBuilder pb = new ProcessBuilder(command(command));
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            try {
                return lab.track(pb.start());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + String.join(" ", command) + " in " + ns.name(), e);
            }
        }

        @Override
        public String toString() {
            return name + " (" + address + (router == null ? ", public" : " behind " + router.name()) + ")";
        }
    }
}
