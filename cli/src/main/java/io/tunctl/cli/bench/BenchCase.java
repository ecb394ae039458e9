package io.tunctl.cli.bench;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.Benchmarkable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** One bench row: something that carries TCP from namespace A to {@link #target()} in B. */
abstract sealed class BenchCase implements AutoCloseable {
    /**
     * How long a row's processes may take to say they are up. Generous: a dozen JVMs start at once, and on a shared
     * 2-core machine under load one took 70 s; a process that exits is noticed at once anyway.
     */
    static final long READY_MS = 120_000;

    final String name;

    BenchCase(String name) {
        this.name = name;
    }

    /** The address in B that the load targets. */
    abstract String target();

    /**
     * Brings the path up; returns once an echo request and its reply cross it, or, for a row without tunctl in B,
     * once a TCP connection to {@code loadPort} on {@link #target()} does.
     */
    abstract void start(Exec exec, Topology topo, int loadPort) throws IOException;

    /** How the load reaches {@link #target()}: any load, unless the row says otherwise. */
    Benchmarkable.Load load() { return Benchmarkable.Load.ANY; }

    /** The row this one is also compared with, or null. */
    String comparedWith() { return null; }

    /** Parallel TCP streams this row is measured with; 0: the run's {@code --streams}. */
    int streams() { return 0; }

    /** Called just before a measurement (bridge rows snapshot their packet counters). */
    void beforeRun(Exec exec) throws IOException {}

    /** Called just after; returns packets/s through the row's own counters, or NaN. */
    double afterRun(Exec exec) throws IOException { return Double.NaN; }

    @Override
    public void close() {}

    /** The bare veth: the baseline every ratio is taken against. */
    static final class Direct extends BenchCase {
        Direct() {
            super("direct");
        }

        @Override
        String target() { return "192.0.2.2"; }

        @Override
        void start(Exec exec, Topology topo, int loadPort) {}
    }

    /**
     * A transport's own setup, run as a {@code tunctl up} process in each namespace that has a config (none, one or
     * both), after the row's steps in B.
     */
    static final class Transport extends BenchCase {
        /** The placeholder a step may use as its program to run the launcher. */
        static final String TUNCTL = "%TUNCTL%";
        /** A prepare step may download (npm install, say): longer than a step in B. */
        private static final long PREPARE_SECONDS = 300;
        /** A path through a DHT (lookup, handshake, hole punch) takes longer to carry its first echo than a veth. */
        private static final long REACHABLE_MS = 60_000;

        private final Benchmarkable.Setup setup;
        private final Cidr tunnelB;
        private final String launcher;
        private final Path cache;

        Transport(Benchmarkable.Setup setup, Cidr tunnelB, String launcher, Path cache) {
            super(setup.row());
            this.setup = setup;
            this.tunnelB = tunnelB;
            this.launcher = launcher;
            this.cache = cache;
        }

        @Override
        String target() { return Cidr.addressString(tunnelB.addressBytes()); }

        @Override
        Benchmarkable.Load load() { return setup.load(); }

        @Override
        String comparedWith() { return setup.comparedWith(); }

        @Override
        void start(Exec exec, Topology topo, int loadPort) throws IOException {
            Path dir = exec.logDir().resolve(name);
            Files.createDirectories(dir);
            if (!setup.prepare().isEmpty()) Files.createDirectories(cache);
            for (Benchmarkable.Step step : setup.prepare()) {
                List<String> cmd = new java.util.ArrayList<>(List.of("sh", "-c", "cd \"$0\" && exec \"$@\"",
                        cache.toString()));
                for (String arg : step.command()) cmd.add(in(dir, arg));
                exec.run(PREPARE_SECONDS, cmd.toArray(String[]::new));
            }
            for (var f : setup.files().entrySet()) Files.writeString(dir.resolve(f.getKey()), in(dir, f.getValue()));
            int k = 0;
            for (Benchmarkable.Step step : setup.stepsB()) {
                List<String> cmd = new java.util.ArrayList<>(List.of("ip", "netns", "exec", topo.nsB, "sh", "-c",
                        "cd \"$0\" && exec \"$@\"", dir.toString()));
                for (String arg : step.command()) cmd.add(in(dir, arg));
                if (!step.background()) {
                    exec.run(60, cmd.toArray(String[]::new));
                    continue;
                }
                // numbered: a row may start the same program several times (DHT nodes, say)
                String log = name + "-" + (k++) + "-" + Path.of(step.command().getFirst().replace(TUNCTL, "tunctl"))
                        .getFileName();
                Process p = exec.start(log, cmd.toArray(String[]::new));
                if (step.readyPort() > 0) awaitListening(exec, topo.nsB, step.readyPort(), p, log);
                if (step.readyText() != null) exec.awaitLog(p, log, step.readyText(), READY_MS);
            }
            Process pb = up(exec, dir, topo.nsB, "b", setup.configB());
            Process pa = up(exec, dir, topo.nsA, "a", setup.configA());
            if (pb != null) exec.awaitLog(pb, name + "-b", "tunnel up", READY_MS);
            if (pa != null) exec.awaitLog(pa, name + "-a", "tunnel up", READY_MS);
            if (setup.configB() != null) {
                topo.awaitReachable(target(), REACHABLE_MS);
            } else {
                // no tunctl in B to answer an echo for the target (a proxy carries TCP, not ICMP): connect instead
                topo.awaitTcp(target(), loadPort, setup.load().socks5(), 20_000);
            }
        }

        /** Starts {@code tunctl up} with {@code config} in {@code ns}; null (and nothing started) if no config. */
        private Process up(Exec exec, Path dir, String ns, String side, String config) throws IOException {
            if (config == null) return null;
            Path file = dir.resolve(side + ".cfg");
            Files.writeString(file, in(dir, config));
            return exec.start(name + "-" + side, "ip", "netns", "exec", ns, launcher, "up", file.toString());
        }

        private String in(Path dir, String text) {
            return text.replace("%DIR%", dir.toString()).replace("%CACHE%", cache.toString())
                    .replace(TUNCTL, launcher);
        }

        private static void awaitListening(Exec exec, String ns, int port, Process p, String log) throws IOException {
            for (int i = 0; i < 200 && p.isAlive(); i++) {
                if (!exec.run(5, "ip", "netns", "exec", ns, "ss", "-Htln", "sport = :" + port).isBlank()) return;
                Exec.sleep(50);
            }
            throw new IOException(log + " did not listen on port " + port + " (see " + log + ".log)");
        }
    }

    /**
     * Two TUNs, one per namespace, with packets copied between them by a bridge process: tunloop (C) or
     * {@code tunctl bench-bridge} (Java). This is the ceiling of any userspace tunnel without crypto.
     */
    static final class TunBridge extends BenchCase {
        private final String[] command;
        private final String dev;
        private final Cidr tunA;
        private final Cidr tunB;
        /** tunloop leaves addressing to us; tunctl bench-bridge configures its own interfaces. */
        private final boolean configureAddresses;
        private final int mtu;
        private final int streams;
        private final String comparedWith;
        private Process process;
        private long[] before;

        TunBridge(String name, String dev, Cidr tunA, Cidr tunB, boolean configureAddresses, int mtu,
                  String... command) {
            this(name, dev, tunA, tunB, configureAddresses, mtu, 0, null, command);
        }

        /**
         * @param streams      parallel streams for this row (0: the run's setting)
         * @param comparedWith the row this one is also reported as a ratio to, or null
         */
        TunBridge(String name, String dev, Cidr tunA, Cidr tunB, boolean configureAddresses, int mtu, int streams,
                  String comparedWith, String... command) {
            super(name);
            this.dev = dev;
            this.tunA = tunA;
            this.tunB = tunB;
            this.configureAddresses = configureAddresses;
            this.mtu = mtu;
            this.streams = streams;
            this.comparedWith = comparedWith;
            this.command = command;
        }

        /** The same row with %A and %B in its command replaced by the namespace names. */
        TunBridge withNamespaces(String nsA, String nsB) {
            String[] c = command.clone();
            for (int i = 0; i < c.length; i++) c[i] = c[i].replace("%A", nsA).replace("%B", nsB);
            return new TunBridge(name, dev, tunA, tunB, configureAddresses, mtu, streams, comparedWith, c);
        }

        @Override
        int streams() { return streams; }

        @Override
        String comparedWith() { return comparedWith; }

        @Override
        String target() { return Cidr.addressString(tunB.addressBytes()); }

        @Override
        void start(Exec exec, Topology topo, int loadPort) throws IOException {
            process = exec.start(name, command);
            exec.awaitLog(process, name, "READY", READY_MS);
            if (configureAddresses) {
                exec.run(10, "ip", "-n", topo.nsA, "addr", "replace", tunA.toString(), "dev", dev);
                exec.run(10, "ip", "-n", topo.nsB, "addr", "replace", tunB.toString(), "dev", dev);
                exec.run(10, "ip", "-n", topo.nsA, "link", "set", dev, "mtu", Integer.toString(mtu), "up");
                exec.run(10, "ip", "-n", topo.nsB, "link", "set", dev, "mtu", Integer.toString(mtu), "up");
            }
            topo.awaitReachable(target());
        }

        @Override
        void beforeRun(Exec exec) throws IOException {
            before = stats(exec);
        }

        @Override
        double afterRun(Exec exec) throws IOException {
            long[] after = stats(exec);
            if (before == null || after == null) return Double.NaN;
            double secs = (after[0] - before[0]) / 1e9;
            return secs <= 0 ? Double.NaN : (after[1] - before[1]) / secs;
        }

        /**
         * Asks the bridge for its counters (tunloop: SIGUSR1; tunctl bench-bridge: a "stats" line on stdin) and
         * reads the newest {@code STATS} line of its log: {@code [nanoTime, packets both ways]}.
         */
        private long[] stats(Exec exec) throws IOException {
            Path log = exec.logDir().resolve(name + ".log");
            long seen = Files.readAllLines(log).stream().filter(l -> l.startsWith("STATS")).count();
            long t = System.nanoTime();
            if (configureAddresses) {
                exec.run(5, "kill", "-USR1", Long.toString(process.pid()));
            } else {
                process.getOutputStream().write("stats\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                process.getOutputStream().flush();
            }
            for (int i = 0; i < 100; i++) {
                List<String> lines = Files.readAllLines(log).stream().filter(l -> l.startsWith("STATS")).toList();
                if (lines.size() > seen) return new long[] {t, field(lines.getLast(), "a2b_pkts") + field(lines.getLast(), "b2a_pkts")};
                Exec.sleep(10);
            }
            return null;
        }

        private static long field(String line, String key) {
            for (String part : line.split("\\s+")) {
                if (part.startsWith(key + "=")) return Long.parseLong(part.substring(key.length() + 1));
            }
            return 0;
        }
    }

    /**
     * The reference a VPN is held against: wireguard-go (the user-space WireGuard; this kernel has no WireGuard
     * module) in each namespace, its tunnel over the veth, configured with {@code wg}. Keys are made here with the
     * JDK's X25519 rather than {@code wg genkey}, so the row needs only the two programs it measures with.
     */
    static final class WireGuardGo extends BenchCase {
        private final String dev;
        private final Cidr tunA;
        private final Cidr tunB;
        private final int port;
        private final int mtu;

        WireGuardGo(String dev, Cidr tunA, Cidr tunB, int port, int mtu) {
            super("wireguard-go");
            this.dev = dev;
            this.tunA = tunA;
            this.tunB = tunB;
            this.port = port;
            this.mtu = mtu;
        }

        @Override
        String target() { return Cidr.addressString(tunB.addressBytes()); }

        @Override
        void start(Exec exec, Topology topo, int loadPort) throws IOException {
            Path dir = exec.logDir().resolve(name);
            Files.createDirectories(dir);
            String[] a = keyPair(dir, "a");
            String[] b = keyPair(dir, "b");
            side(exec, topo.nsA, "a", a[0], b[1], "192.0.2.2", tunA, tunB);
            side(exec, topo.nsB, "b", b[0], a[1], "192.0.2.1", tunB, tunA);
            topo.awaitReachable(target());
        }

        /** Starts wireguard-go in {@code ns} and gives its interface a key, a peer, an address and the MTU. */
        private void side(Exec exec, String ns, String side, String keyFile, String peerKey, String peerHost,
                          Cidr own, Cidr peer) throws IOException {
            // one name per side: wireguard-go's control socket is /var/run/wireguard/<name>.sock, which the
            // namespaces share, so a second process of the same name would find the first one's socket
            String dev = this.dev + side;
            // -f: stays in the foreground, so the bench ends it by PID like every other row's process
            Process p = exec.start(name + "-" + side, "ip", "netns", "exec", ns, "wireguard-go", "-f", dev);
            for (int i = 0; i < 200; i++) {
                if (!exec.run(5, "ip", "-n", ns, "-o", "link", "show").contains(" " + dev + ":")) {
                    if (!p.isAlive()) throw new IOException("wireguard-go exited " + p.exitValue() + " (see "
                            + name + "-" + side + ".log)");
                    Exec.sleep(25);
                    continue;
                }
                String peerAddress = Cidr.addressString(peer.addressBytes());
                exec.run(10, "ip", "netns", "exec", ns, "wg", "set", dev, "listen-port", Integer.toString(port),
                        "private-key", keyFile, "peer", peerKey, "endpoint", peerHost + ":" + port,
                        "allowed-ips", peerAddress + "/32");
                exec.run(10, "ip", "-n", ns, "addr", "replace", own.toString(), "dev", dev);
                exec.run(10, "ip", "-n", ns, "link", "set", dev, "mtu", Integer.toString(mtu), "up");
                return;
            }
            throw new IOException("wireguard-go made no interface " + dev + " in 5 s (see " + name + "-" + side + ".log)");
        }

        /** A fresh X25519 key pair: the private key written base64 to a file (as {@code wg} reads it), the public key as text. */
        private static String[] keyPair(Path dir, String side) throws IOException {
            try {
                var kp = java.security.KeyPairGenerator.getInstance("X25519").generateKeyPair();
                byte[] priv = ((java.security.interfaces.XECPrivateKey) kp.getPrivate()).getScalar()
                        .orElseThrow(() -> new IOException("X25519 key without its scalar"));
                // the public key is the u-coordinate, little-endian in 32 bytes
                byte[] big = ((java.security.interfaces.XECPublicKey) kp.getPublic()).getU().toByteArray();
                byte[] pub = new byte[32];
                for (int i = 0; i < 32 && i < big.length; i++) pub[i] = big[big.length - 1 - i];
                Path file = dir.resolve(side + ".key");
                Files.writeString(file, java.util.Base64.getEncoder().encodeToString(priv) + "\n");
                return new String[] {file.toString(), java.util.Base64.getEncoder().encodeToString(pub)};
            } catch (java.security.GeneralSecurityException e) {
                throw new IOException("no X25519 in this JDK: " + e.getMessage(), e);
            }
        }
    }
}
