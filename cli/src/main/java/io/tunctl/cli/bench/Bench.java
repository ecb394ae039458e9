package io.tunctl.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The bench run: topology, rows, interleaved rounds, table or JSON. */
public final class Bench {
    private static final int TUNNEL_MTU = 1420;

    private final PrintWriter out;
    private final PrintWriter err;
    private final int runs;
    private final int seconds;
    private final int streams;
    private final String launcher;
    private final Path home;

    public Bench(PrintWriter out, PrintWriter err, int runs, int seconds, int streams) {
        this.out = out;
        this.err = err;
        this.runs = runs;
        this.seconds = seconds;
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
        if (tunloop != null && Exec.onPath("gcc")) {
            cases.add(bridge("bridge-c", slot++, false, null));
            cases.add(bridge("bridge-c-tso", slot++, true, null));
        }
        if (launcher != null) {
            cases.add(bridge("bridge-java", slot++, false, launcher));
            cases.add(bridge("bridge-java-tso", slot++, true, launcher));
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
                    String missing = setup.stepsB().stream().map(st -> st.command().getFirst())
                            .filter(prog -> !Exec.onPath(prog)).distinct().collect(java.util.stream.Collectors.joining(", "));
                    if (!installed) {
                        unavailable.put(setup.row(), "needs the '" + b.transport() + "' transport (not found)");
                    } else if (missing.isEmpty()) {
                        cases.add(new BenchCase.Transport(setup, net.tunnelB(), launcher));
                    } else {
                        unavailable.put(setup.row(), "needs " + missing + " (not installed)");
                    }
                }
            }
        }
        return cases;
    }

    private static Benchmarkable.Network network(int slot, int port) {
        return new Benchmarkable.Network(addr(192, 0, 2, 1), addr(192, 0, 2, 2), tunnelAddress(slot, 1),
                tunnelAddress(slot, 2), port, TUNNEL_MTU);
    }

    /** Each tunnel gets its own /30 of 203.0.113.0/24 (RFC 5737), only ever inside the bench namespaces. */
    private static Cidr tunnelAddress(int slot, int host) {
        return Cidr.of(addr(203, 0, 113, slot * 4 + host), 30);
    }

    /** A TUN-to-TUN bridge row: tunloop (C) for bridge-c*, {@code tunctl bench-bridge} (Java) for bridge-java*. */
    private BenchCase bridge(String name, int slot, boolean tso, String javaLauncher) throws IOException {
        String dev = "tb" + slot;
        Cidr a = tunnelAddress(slot, 1);
        Cidr b = tunnelAddress(slot, 2);
        List<String> c;
        if (javaLauncher != null) {
            c = new ArrayList<>(List.of(javaLauncher, "bench-bridge", "--ns-a", "%A", "--ns-b", "%B", "--dev", dev,
                    "--addr-a", a.toString(), "--addr-b", b.toString(), "--mtu", Integer.toString(TUNNEL_MTU)));
            if (tso) c.add("--offload");
        } else {
            c = new ArrayList<>(List.of(tunloopBinary().toString(), "--ns-a", "%A", "--ns-b", "%B", "--dev", dev,
                    "--io", "rw"));
            if (tso) c.add("--vnet");
        }
        return new BenchCase.TunBridge(name, dev, a, b, javaLauncher == null, TUNNEL_MTU, c.toArray(String[]::new));
    }

    private Path tunloopSource() {
        if (home != null && Files.exists(home.resolve("bench/c/tunloop.c"))) return home.resolve("bench/c/tunloop.c");
        return null;
    }

    private Path tunloopBinary;

    /** Compiles bench/c/tunloop.c once (without liburing: rw mode is what the rows use). */
    private Path tunloopBinary() throws IOException {
        if (tunloopBinary != null) return tunloopBinary;
        Path src = tunloopSource();
        Path bin = home.resolve("bench/build/tunloop");
        Files.createDirectories(bin.getParent());
        if (!Files.exists(bin) || Files.getLastModifiedTime(bin).compareTo(Files.getLastModifiedTime(src)) < 0) {
            try (Exec e = new Exec(bin.getParent())) {
                e.run(120, "gcc", "-O2", "-Wall", "-DNO_URING", "-o", bin.toString(), src.toString(), "-lpthread");
            }
        }
        tunloopBinary = bin;
        return bin;
    }

    private static InetAddress addr(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    public List<String> rowNames() throws IOException {
        return cases().stream().map(c -> c.name).toList();
    }

    public int run(List<String> only, boolean json, Path jsonFile) throws IOException {
        if (!isRoot()) {
            err.println("tunctl bench: needs root (it creates network namespaces and TUN devices): run as root");
            return 1;
        }
        if (!Exec.onPath("ip")) {
            err.println("tunctl bench: needs iproute2's 'ip' (apt-get install -y iproute2)");
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
            cases = all.stream().filter(c -> c.name.equals("direct") || only.contains(c.name)).toList();
        }
        Path logs = Files.createTempDirectory("tunctl-bench-");
        Map<String, double[]> results = new LinkedHashMap<>();
        String loadName;
        try (Exec exec = new Exec(logs); Topology topo = Topology.create(exec)) {
            // rows come up in parallel (each starts JVMs or tunloop and waits for a ping), then run in order
            List<BenchCase> bound = cases.stream().map(c -> bind(c, topo)).toList();
            List<java.util.concurrent.Future<?>> starting = new ArrayList<>();
            try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                for (BenchCase c : bound) starting.add(pool.submit(() -> { c.start(exec, topo); return null; }));
            }
            List<BenchCase> started = new ArrayList<>();
            for (int i = 0; i < bound.size(); i++) {
                try {
                    starting.get(i).get();
                    started.add(bound.get(i));
                } catch (java.util.concurrent.ExecutionException | InterruptedException e) {
                    Throwable cause = e.getCause() != null ? e.getCause() : e;
                    err.println("tunctl bench: row " + bound.get(i).name + " could not start: " + cause.getMessage());
                    results.put(bound.get(i).name, null);
                }
            }
            // TUNCTL_BENCH_LOAD=builtin forces the built-in load even where iperf3 is installed
            boolean iperf3 = Exec.onPath("iperf3") && !"builtin".equals(System.getenv("TUNCTL_BENCH_LOAD"));
            Load load = iperf3 ? new Load.Iperf3(exec, topo) : new Load.Builtin(exec, topo, launcher);
            if (load instanceof Load.Builtin && launcher == null) {
                err.println("tunctl bench: iperf3 is not installed and the built-in load needs the ./tunctl launcher");
                return 1;
            }
            loadName = load.describe();
            try (load) {
                load.start();
                for (BenchCase c : started) results.put(c.name, new double[runs]);
                for (int r = 0; r < runs; r++) {
                    for (BenchCase c : started) {
                        double g;
                        try {
                            c.beforeRun(exec);
                            g = load.gbps(c.target(), seconds, streams);
                            double pps = c.afterRun(exec);
                            if (!Double.isNaN(pps)) pps(c.name, runs)[r] = pps;
                        } catch (IOException e) {
                            err.println("tunctl bench: " + c.name + " round " + (r + 1) + ": " + e.getMessage());
                            g = Double.NaN;
                        }
                        results.get(c.name)[r] = g;
                        if (!json) err.printf("  round %d/%d %-16s %7.2f Gbit/s%n", r + 1, runs, c.name, g);
                    }
                }
            }
            for (BenchCase c : started) c.close();
        }
        report(results, loadName, json, only);
        if (jsonFile != null) Files.writeString(jsonFile, jsonRows(results, loadName));
        // keep the logs only when something went wrong
        boolean failed = results.values().stream().anyMatch(v -> v == null || Arrays.stream(v).anyMatch(Double::isNaN));
        if (failed) {
            err.println("tunctl bench: logs kept in " + logs);
        } else {
            deleteTree(logs);
        }
        return failed ? 1 : 0;
    }

    private final Map<String, double[]> packetRates = new LinkedHashMap<>();

    private double[] pps(String row, int n) {
        return packetRates.computeIfAbsent(row, k -> {
            double[] v = new double[n];
            Arrays.fill(v, Double.NaN);
            return v;
        });
    }

    /** Median packets/s through a bridge row (both directions), or NaN for rows that do not count packets. */
    private double medianPps(String row) {
        double[] v = packetRates.get(row);
        if (v == null) return Double.NaN;
        double[] ok = Arrays.stream(v).filter(x -> !Double.isNaN(x)).sorted().toArray();
        return ok.length == 0 ? Double.NaN : median(ok);
    }

    /** Fills in the namespace names the row commands refer to as %A and %B. */
    private static BenchCase bind(BenchCase c, Topology topo) {
        if (c instanceof BenchCase.TunBridge t) return t.withNamespaces(topo.nsA, topo.nsB);
        return c;
    }

    private void report(Map<String, double[]> results, String loadName, boolean json, List<String> only) {
        double[] direct = results.get("direct");
        if (json) {
            out.println(jsonRows(results, loadName));
            out.flush();
            return;
        }
        out.printf("tunctl bench — %s, %d round(s) x %d s, %d stream(s), load: %s%n",
                OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), runs, seconds,
                streams, loadName);
        out.printf("%-18s %8s %8s %8s %8s %10s%n", "row", "min", "median", "max", "ratio", "kpps");
        for (var e : results.entrySet()) {
            double[] v = e.getValue();
            if (v == null) {
                out.printf("%-18s %s%n", e.getKey(), "did not start (see messages above)");
                continue;
            }
            double[] s = sorted(v);
            double pps = medianPps(e.getKey());
            out.printf("%-18s %8.2f %8.2f %8.2f %8.3f %10s%n", e.getKey(), s[0], median(s), s[s.length - 1],
                    pairedRatio(v, direct), Double.isNaN(pps) ? "-" : String.format("%.0f", pps / 1000));
        }
        if (only == null || only.isEmpty()) {
            unavailable.forEach((row, why) -> out.printf("%-18s %s%n", row, "not run: " + why));
        }
        out.println("(Gbit/s; ratio = median over rounds of row / direct in the same round; kpps = thousands of");
        out.println(" packets/s through a TUN bridge, both directions, as its own counters saw them)");
        out.flush();
    }

    private String jsonRows(Map<String, double[]> results, String loadName) {
        double[] direct = results.get("direct");
        ObjectMapper m = new ObjectMapper();
        ArrayNode rows = m.createArrayNode();
        for (var e : results.entrySet()) {
            ObjectNode o = rows.addObject();
            o.put("version", 1);
            o.put("name", e.getKey());
            double[] v = e.getValue();
            if (v == null) {
                o.put("error", "did not start");
                continue;
            }
            double[] s = sorted(v);
            o.put("min", round(s[0]));
            o.put("median", round(median(s)));
            o.put("max", round(s[s.length - 1]));
            o.put("ratio", round(pairedRatio(v, direct)));
            ArrayNode rs = o.putArray("runs");
            for (double x : v) rs.add(round(x));
            o.put("load", loadName);
            double pps = medianPps(e.getKey());
            if (!Double.isNaN(pps)) o.put("pps", Math.round(pps));
        }
        return rows.toPrettyString();
    }

    private static double[] sorted(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s;
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static double pairedRatio(double[] v, double[] direct) {
        if (direct == null) return Double.NaN;
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) r[i] = v[i] / direct[i];
        return median(sorted(r));
    }

    private static double round(double x) { return Double.isNaN(x) ? -1 : Math.round(x * 1000) / 1000.0; }

    private static boolean isRoot() {
        try {
            return "0".equals(new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes()).strip());
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteTree(Path p) {
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // temp files; the OS cleans /tmp
        }
    }
}
