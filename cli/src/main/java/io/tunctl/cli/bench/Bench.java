package io.tunctl.cli.bench;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.runtime.Transports;
import io.tunctl.core.spi.Benchmarkable;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The bench run: topology, rows, interleaved rounds, table or JSON. */
public final class Bench {
    private static final int TUNNEL_MTU = 1420;
    /** Streams (and queues) of the multi-queue rows. */
    private static final int MQ_STREAMS = 4;

    private final PrintWriter out;
    private final PrintWriter err;
    private final int runs;
    private final int seconds;
    private final int warmup;
    private final int streams;
    private final String launcher;
    private final Path home;

    /**
     * @param warmup seconds of unmeasured load each row gets, in a round before the first measured one (0: none),
     *               so the JIT of a Java row has compiled its hot path before it is timed
     */
    public Bench(PrintWriter out, PrintWriter err, int runs, int seconds, int warmup, int streams) {
        this.out = out;
        this.err = err;
        this.runs = runs;
        this.seconds = seconds;
        this.warmup = warmup;
        this.streams = streams;
        this.launcher = System.getenv("TUNCTL_LAUNCHER");
        this.home = launcher == null ? null : Path.of(launcher).getParent();
    }

    /** Rows a transport offers that this machine cannot run, with the reason (shown, not counted as failures). */
    private final Map<String, String> unavailable = new LinkedHashMap<>();

    /** Rows in table order; each knows how to bring itself up. */
    private List<BenchCase> cases() throws IOException {
        unavailable.clear();
        List<BenchCase> cases = new ArrayList<>();
        cases.add(new BenchCase.Direct());
        Path tunloop = tunloopSource();
        int slot = 0;
        // tunloop is compiled here, and asked for its counters with kill -USR1
        List<String> tunloopNeeds = java.util.stream.Stream.of("gcc", "kill").filter(p -> !Exec.onPath(p)).toList();
        if (tunloop != null && tunloopNeeds.isEmpty()) {
            cases.add(bridge("bridge-c", slot++, false, null, "rw"));
            cases.add(bridge("bridge-c-tso", slot++, true, null, "rw"));
        } else if (tunloop != null) {
            unavailable.put("bridge-c", needs(tunloopNeeds));
            unavailable.put("bridge-c-tso", needs(tunloopNeeds));
        }
        // the io_uring rows: tunloop's multishot mode needs liburing; the Java ones need io_uring in this process
        String uringMissing = tunloop == null ? null : !tunloopNeeds.isEmpty() ? needs(tunloopNeeds)
                : !Files.exists(Path.of("/usr/include/liburing.h")) ? "needs liburing (apt-get install -y liburing-dev)"
                : null;
        if (tunloop != null && uringMissing == null) {
            cases.add(bridge("bridge-c-uring", slot++, false, null, "mshot"));
            cases.add(bridge("bridge-c-uring-tso", slot++, true, null, "mshot"));
            // the same with the destination a fixed file, as the Java forwarder writes it; also as a ratio to the
            // row without
            cases.add(bridge("bridge-c-uring-fixed", slot++, false, null, FIXED, 1, 0, "bridge-c-uring"));
            cases.add(bridge("bridge-c-uring-fixed-tso", slot++, true, null, FIXED, 1, 0, "bridge-c-uring-tso"));
        } else if (tunloop != null) {
            for (String row : List.of("bridge-c-uring", "bridge-c-uring-tso", "bridge-c-uring-fixed",
                    "bridge-c-uring-fixed-tso")) {
                unavailable.put(row, uringMissing);
            }
        }
        if (launcher != null) {
            cases.add(bridge("bridge-java", slot++, false, launcher, "poll"));
            cases.add(bridge("bridge-java-tso", slot++, true, launcher, "poll"));
            // 4 flows through one queue, then through 4 queues (a reader thread per queue and side): the kernel
            // spreads the flows over the queues by their hash
            cases.add(bridge("bridge-java-p4", slot++, false, launcher, "poll", 1, MQ_STREAMS, null));
            cases.add(bridge("bridge-java-mq4", slot++, false, launcher, "poll", MQ_STREAMS, MQ_STREAMS,
                    "bridge-java-p4"));
            java.util.Optional<String> noUring = io.tunctl.core.uring.UringSupport.unavailabilityCause();
            if (noUring.isEmpty()) {
                cases.add(bridge("bridge-java-uring", slot++, false, launcher, "uring"));
                cases.add(bridge("bridge-java-uring-tso", slot++, true, launcher, "uring"));
            } else {
                unavailable.put("bridge-java-uring", "io_uring not available: " + noUring.get());
                unavailable.put("bridge-java-uring-tso", "io_uring not available: " + noUring.get());
            }
            int port = 51000;
            // bench rows are a service of their own (plugins keep bench code out of their providers), in
            // transport-name order as before
            Transports transports = Transports.load();
            List<Benchmarkable> extensions = new ArrayList<>();
            try {
                java.util.ServiceLoader.load(Benchmarkable.class, Thread.currentThread().getContextClassLoader())
                        .forEach(extensions::add);
            } catch (java.util.ServiceConfigurationError e) {
                throw new IOException("a bench extension failed to load: " + e.getMessage(), e);
            }
            extensions.sort(java.util.Comparator.comparing(Benchmarkable::transport));
            for (Benchmarkable b : extensions) {
                boolean installed = transports.find(b.transport()).isPresent();
                // every row gets its own tunnel /30 and ports, so rows of one transport never collide
                int rows = b.benchSetups(network(slot, port)).size();
                for (int k = 0; k < rows; k++, slot++, port += 10) {
                    Benchmarkable.Network net = network(slot, port);
                    Benchmarkable.Setup setup = b.benchSetups(net).get(k);
                    List<String> missing = java.util.stream.Stream.concat(setup.prepare().stream(),
                                    setup.stepsB().stream()).map(st -> st.command().getFirst())
                            .filter(prog -> !prog.equals(BenchCase.Transport.TUNCTL) && !Exec.onPath(prog))
                            .distinct().toList();
                    // a row without tunctl (a baseline for another row) runs whether the transport is there or not
                    if (!installed && setup.runsTunctl()) {
                        unavailable.put(setup.row(), "needs the '" + b.transport() + "' transport (not found)");
                    } else if (missing.isEmpty()) {
                        cases.add(new BenchCase.Transport(setup, net.tunnelB(), launcher, cacheDir(b.transport())));
                    } else {
                        unavailable.put(setup.row(), needs(missing));
                    }
                }
            }
        }
        // the reference VPN row, last: user-space WireGuard over the same veth, when it is installed
        List<String> wgNeeds = java.util.stream.Stream.of("wireguard-go", "wg").filter(p -> !Exec.onPath(p)).toList();
        if (wgNeeds.isEmpty()) {
            cases.add(new BenchCase.WireGuardGo("wg" + slot, tunnelAddress(slot, 1), tunnelAddress(slot, 2), 51820,
                    TUNNEL_MTU));
        } else {
            unavailable.put("wireguard-go", needs(wgNeeds));
        }
        return cases;
    }

    /** Debian packages of programs rows use, where the package has another name than the program. */
    private static final Map<String, String> PACKAGES = Map.of("ip", "iproute2", "ss", "iproute2", "kill", "procps",
            "danted", "dante-server", "wg", "wireguard-tools", "node", "nodejs");

    /** "needs nginx, openssl (apt-get install -y nginx openssl)": the missing programs and how to get them. */
    static String needs(List<String> programs) {
        String names = String.join(", ", programs);
        if (!Exec.onPath("apt-get")) return "needs " + names + " (not installed)";
        String packages = String.join(" ", programs.stream().map(p -> PACKAGES.getOrDefault(p, p)).distinct().toList());
        return "needs " + names + " (apt-get install -y " + packages + ")";
    }

    private static Benchmarkable.Network network(int slot, int port) {
        return new Benchmarkable.Network(addr(192, 0, 2, 1), addr(192, 0, 2, 2), tunnelAddress(slot, 1),
                tunnelAddress(slot, 2), port, TUNNEL_MTU);
    }

    /** Each tunnel gets its own /30 of 203.0.113.0/24 (RFC 5737), only ever inside the bench namespaces. */
    private static Cidr tunnelAddress(int slot, int host) {
        return Cidr.of(addr(203, 0, 113, slot * 4 + host), 30);
    }

    /** Rows run only when named in {@code --only}: comparisons for one question, kept out of the default run's time. */
    private static final java.util.Set<String> ON_REQUEST = java.util.Set.of("bridge-c-uring-fixed", "bridge-c-uring-fixed-tso");

    /** tunloop's multishot mode writing into fixed files ({@code --io mshot --fixed}). */
    private static final String FIXED = "mshot-fixed";

    /** A TUN-to-TUN bridge row: tunloop (C) for bridge-c*, {@code tunctl bench-bridge} (Java) for bridge-java*. */
    private BenchCase bridge(String name, int slot, boolean tso, String javaLauncher, String io) throws IOException {
        return bridge(name, slot, tso, javaLauncher, io, 1, 0, null);
    }

    /**
     * @param queues       TUN queues a side (Java only)
     * @param rowStreams   streams for this row, 0 for the run's {@code --streams}
     * @param comparedWith the row this one is also reported as a ratio to, or null
     */
    private BenchCase bridge(String name, int slot, boolean tso, String javaLauncher, String io, int queues,
                             int rowStreams, String comparedWith) throws IOException {
        String dev = "tb" + slot;
        Cidr a = tunnelAddress(slot, 1);
        Cidr b = tunnelAddress(slot, 2);
        List<String> c;
        if (javaLauncher != null) {
            c = new ArrayList<>(List.of(javaLauncher, "bench-bridge", "--ns-a", "%A", "--ns-b", "%B", "--dev", dev,
                    "--addr-a", a.toString(), "--addr-b", b.toString(), "--mtu", Integer.toString(TUNNEL_MTU)));
            if (tso) c.add("--offload");
            c.add("--io");
            c.add(io);
            if (queues > 1) c.addAll(List.of("--queues", Integer.toString(queues)));
        } else {
            boolean uring = !io.equals("rw");
            boolean fixed = io.equals(FIXED);
            c = new ArrayList<>(List.of(tunloopBinary(uring).toString(), "--ns-a", "%A", "--ns-b", "%B", "--dev", dev,
                    "--io", fixed ? "mshot" : io));
            if (fixed) c.add("--fixed");
            // as many buffers per direction as the Java bridge's ring (128)
            if (uring) c.addAll(List.of("--qd", "128"));
            if (tso) c.add("--vnet");
        }
        return new BenchCase.TunBridge(name, dev, a, b, javaLauncher == null, TUNNEL_MTU, rowStreams, comparedWith,
                c.toArray(String[]::new));
    }

    /**
     * Where a transport's rows keep what their prepare steps fetch or build between runs: {@code bench/build/cache}
     * beside the launcher (git-ignored), or the temp directory where that cannot be written. Made when a row starts.
     */
    private Path cacheDir(String transport) {
        Path base = home != null && Files.isWritable(home) ? home.resolve("bench/build/cache")
                : Path.of(System.getProperty("java.io.tmpdir"), "tunctl-bench-cache");
        return base.resolve(transport);
    }

    private Path tunloopSource() {
        if (home != null && Files.exists(home.resolve("bench/c/tunloop.c"))) return home.resolve("bench/c/tunloop.c");
        return null;
    }

    /**
     * Compiles bench/c/tunloop.c once per flavour: without liburing for the rw rows, with it ({@code tunloop-uring})
     * for the io_uring rows.
     */
    private Path tunloopBinary(boolean uring) throws IOException {
        Path src = tunloopSource();
        Path bin = home.resolve(uring ? "bench/build/tunloop-uring" : "bench/build/tunloop");
        Files.createDirectories(bin.getParent());
        if (!Files.exists(bin) || Files.getLastModifiedTime(bin).compareTo(Files.getLastModifiedTime(src)) < 0) {
            try (Exec e = new Exec(bin.getParent())) {
                if (uring) {
                    e.run(120, "gcc", "-O2", "-Wall", "-o", bin.toString(), src.toString(), "-lpthread", "-luring");
                } else {
                    e.run(120, "gcc", "-O2", "-Wall", "-DNO_URING", "-o", bin.toString(), src.toString(), "-lpthread");
                }
            }
        }
        return bin;
    }

    private static InetAddress addr(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Prints the rows this machine can run to {@code out}, and those it cannot, with the reason, to {@code err}. */
    public void list() throws IOException {
        for (BenchCase c : cases()) out.println(c.name);
        unavailable.forEach((row, why) -> err.println(row + ": not run: " + why));
        out.flush();
        err.flush();
    }

    public int run(List<String> only, boolean json, Path jsonFile) throws IOException {
        long began = System.nanoTime();
        if (!isRoot()) {
            err.println("tunctl bench: needs root (it creates network namespaces and TUN devices): run as root");
            return 1;
        }
        if (!Exec.onPath("ip")) {
            err.println("tunctl bench: " + needs(List.of("ip")).replace("needs ip", "needs iproute2's 'ip' on PATH"));
            return 1;
        }
        String forcedLoad = System.getenv().getOrDefault("TUNCTL_BENCH_LOAD", "");
        if (!forcedLoad.isEmpty() && !forcedLoad.equals("builtin") && !forcedLoad.equals("iperf3")) {
            err.println("tunctl bench: TUNCTL_BENCH_LOAD must be 'builtin' or 'iperf3', not '" + forcedLoad + "'");
            return 2;
        }
        if (forcedLoad.equals("iperf3") && !Exec.onPath("iperf3")) {
            err.println("tunctl bench: TUNCTL_BENCH_LOAD=iperf3 but iperf3 " + needs(List.of("iperf3")));
            return 1;
        }
        List<BenchCase> all = cases();
        List<BenchCase> cases = all;
        if (only != null && !only.isEmpty()) {
            List<String> names = all.stream().map(c -> c.name).toList();
            for (String o : only) {
                if (unavailable.containsKey(o)) {
                    err.println("tunctl bench: row '" + o + "' " + unavailable.get(o));
                    return 1;
                }
                if (!names.contains(o)) {
                    err.println("tunctl bench: no row '" + o + "' on this machine; rows: " + String.join(", ", names));
                    return 2;
                }
            }
            cases = selected(all, only);
        } else {
            cases = all.stream().filter(c -> !ON_REQUEST.contains(c.name)).toList();
        }
        Path logs = Files.createTempDirectory("tunctl-bench-");
        Map<String, RowResult> rows = new LinkedHashMap<>();
        String loadName;
        try (Exec exec = new Exec(logs); Topology topo = Topology.create(exec)) {
            // TUNCTL_BENCH_LOAD=builtin forces the built-in load even where iperf3 is installed
            Load load = forcedLoad.equals("builtin") ? new Load.Builtin(exec, topo, "TUNCTL_BENCH_LOAD=builtin")
                    : Exec.onPath("iperf3") ? new Load.Iperf3(exec, topo)
                    : new Load.Builtin(exec, topo, "iperf3 not installed");
            loadName = load.describe();
            // rows that must use the built-in load (through SOCKS5, or compared with such a row) get it also
            // where the others use iperf3
            List<String> builtinRows = cases.stream().filter(c -> c.load().builtin()).map(c -> c.name).toList();
            Load.Builtin builtin = load instanceof Load.Builtin b ? b : builtinRows.isEmpty() ? null
                    : new Load.Builtin(exec, topo, (builtinRows.size() == 1 ? "row " : "rows ")
                            + String.join(", ", builtinRows) + (builtinRows.size() == 1 ? " needs it" : " need it"));
            // the loads listen first: a row without tunctl in B is checked by a TCP connection to its load
            try (load; Load second = builtin == load ? null : builtin) {
                load.start();
                if (second != null) second.start();
                measure(cases, rows, exec, topo, load, builtin, json, began);
            }
        }
        if (only == null || only.isEmpty()) unavailable.forEach((row, why) -> rows.put(row, RowResult.notRun(row, why)));
        List<RowResult> results = List.copyOf(rows.values());
        long took = Math.round((System.nanoTime() - began) / 1e9);
        if (json) {
            out.println(Report.json(results, loadName));
            out.flush();
        } else {
            Report.table(out, String.format("tunctl bench, %s: %d s warm-up + %d round(s) x %d s per row, %d stream(s),"
                    + " load: %s, took %d s", OffsetDateTime.now(ZoneOffset.UTC).withNano(0)
                    .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), warmup, runs, seconds, streams, loadName, took),
                    results);
        }
        if (jsonFile != null) Files.writeString(jsonFile, Report.json(results, loadName));
        // keep the logs only when something went wrong
        boolean failed = results.stream().anyMatch(RowResult::failed);
        if (failed) {
            err.println("tunctl bench: logs kept in " + logs);
        } else {
            deleteTree(logs);
        }
        return failed ? 1 : 0;
    }

    /**
     * Starts the rows (in parallel: each starts JVMs or tunloop and waits for its path to carry traffic), then
     * runs the warm-up round and the measured rounds, filling in {@code rows}.
     *
     * @param builtin the built-in load for rows that need it (null if none does); may be {@code load} itself
     */
    private void measure(List<BenchCase> cases, Map<String, RowResult> rows, Exec exec, Topology topo, Load load,
                         Load.Builtin builtin, boolean json, long began) {
        List<BenchCase> bound = cases.stream().map(c -> bind(c, topo)).toList();
        List<java.util.concurrent.Future<?>> starting = new ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (BenchCase c : bound) {
                int port = c.load().builtin() ? builtin.port() : load.port();
                starting.add(pool.submit(() -> { c.start(exec, topo, port); return null; }));
            }
        }
        List<BenchCase> started = new ArrayList<>();
        for (int i = 0; i < bound.size(); i++) {
            BenchCase c = bound.get(i);
            try {
                starting.get(i).get();
                started.add(c);
                RowResult row = RowResult.measured(c.name, runs);
                if (c.load().builtin() && builtin != load) row.load = builtin.describe();
                row.comparedWith = c.comparedWith();
                row.streams = streams(c);
                rows.put(c.name, row);
            } catch (java.util.concurrent.ExecutionException | InterruptedException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                err.println("tunctl bench: row " + c.name + " could not start: " + cause.getMessage());
                rows.put(c.name, RowResult.didNotStart(c.name, String.valueOf(cause.getMessage())));
            }
        }
        if (!json) {
            err.printf("  %d row(s) up in %.1f s%n", started.size(), (System.nanoTime() - began) / 1e9);
            err.flush();
        }
        // an unmeasured round first: a row's JIT keeps compiling what its warm-up made hot while the
        // other rows warm up, so its first measured round finds the hot path compiled
        if (warmup > 0) for (BenchCase c : started) warmUp(load, builtin, c, json);
        for (int r = 0; r < runs; r++) {
            for (BenchCase c : started) {
                RowResult row = rows.get(c.name);
                try {
                    c.beforeRun(exec);
                    double g = gbps(load, builtin, c, seconds);
                    row.pps[r] = c.afterRun(exec);
                    row.gbps[r] = g;
                } catch (IOException e) {
                    err.println("tunctl bench: " + c.name + " round " + (r + 1) + ": " + e.getMessage());
                    row.roundFailed(r, e.getMessage());
                }
                if (!json) {
                    err.printf("  round %d/%d %-20s %s%n", r + 1, runs, c.name, Double.isNaN(row.gbps[r])
                            ? "failed" : String.format("%7.2f Gbit/s", row.gbps[r]));
                    err.flush();
                }
            }
        }
        for (BenchCase c : started) c.close();
    }

    /** One run of the row's load: the built-in one (through its SOCKS5 server, if any) where the row asks for it. */
    private double gbps(Load load, Load.Builtin builtin, BenchCase c, int secs) throws IOException {
        Benchmarkable.Load how = c.load();
        int n = streams(c);
        return how.builtin() ? builtin.gbps(c.target(), how.socks5(), secs, n) : load.gbps(c.target(), secs, n);
    }

    /** The row's own stream count, or the run's. */
    private int streams(BenchCase c) {
        return c.streams() > 0 ? c.streams() : streams;
    }

    /**
     * The rows of {@code all} named in {@code only}, in table order, with direct and every row one of them is
     * compared with: a ratio needs both of its rows measured in the same rounds.
     */
    static List<BenchCase> selected(List<BenchCase> all, List<String> only) {
        List<String> wanted = new ArrayList<>(only);
        wanted.add("direct");
        for (BenchCase c : all) {
            if (only.contains(c.name) && c.comparedWith() != null) wanted.add(c.comparedWith());
        }
        return all.stream().filter(c -> wanted.contains(c.name)).toList();
    }

    /** Unmeasured load through a row; a failure is shown but only measured rounds count. */
    private void warmUp(Load load, Load.Builtin builtin, BenchCase c, boolean json) {
        try {
            double g = gbps(load, builtin, c, warmup);
            if (!json) err.printf("  warm-up   %-20s %7.2f Gbit/s (not counted)%n", c.name, g);
        } catch (IOException e) {
            err.println("tunctl bench: " + c.name + " warm-up: " + e.getMessage());
        }
        err.flush();
    }

    /** Fills in the namespace names the row commands refer to as %A and %B. */
    private static BenchCase bind(BenchCase c, Topology topo) {
        if (c instanceof BenchCase.TunBridge t) return t.withNamespaces(topo.nsA, topo.nsB);
        return c;
    }

    /** Effective uid from /proc/self/status: no {@code id} program needed. */
    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    String[] ids = line.substring(4).strip().split("\\s+");
                    return ids.length > 1 && ids[1].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    private static void deleteTree(Path p) {
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // temp files; the OS cleans /tmp
        }
    }
}
