package io.tunctl.cli;

import io.tunctl.cli.bench.Bench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code tunctl bench}: throughput of every path tunctl offers, each as a ratio to the bare veth. */
@Command(name = "bench", description = {
        "Measure TCP throughput across two network namespaces: the bare veth (direct), the C and Java TUN bridges,",
        "and every installed transport that supports benchmarking. Rounds are interleaved; each ratio is the",
        "median of (row / direct) over rounds. Needs root. Row names: direct, bridge-c, bridge-c-tso,",
        "bridge-c-uring, bridge-c-uring-tso (tunloop's io_uring multishot mode; needs liburing-dev),",
        "bridge-c-uring-fixed, bridge-c-uring-fixed-tso (the same writing into fixed files; run only when",
        "named in --only, also as a ratio to the row without),",
        "bridge-java, bridge-java-tso, bridge-java-p4 (4 streams, one queue), bridge-java-mq4 (4 streams,",
        "4 queues, also as a ratio to bridge-java-p4), bridge-java-uring, bridge-java-uring-tso, udp, rows",
        "added by transports (http, http-tls, socks, p2p, ...), and wireguard-go (user-space WireGuard, the",
        "reference VPN; needs wireguard-go and wg from wireguard-tools).",
        "",
        "Rows start in parallel; then every row gets an unmeasured warm-up (1 s by default, all rows before",
        "the first measured round, so each JIT has compiled its hot path), then 2 rounds of 1 s: about 3 s a",
        "row plus start-up, under 90 s for 14 rows on 2 cores. For steadier numbers use more, longer rounds,",
        "e.g. --runs 5 --seconds 4 --warmup 5.",
        "",
        "Needs only root, iproute2 (ip, ss), procps and, for the bridge-c rows, gcc: reachability is checked",
        "in-process, and without iperf3 a built-in TCP load is used (its name is shown with the table). Rows",
        "whose programs are missing (http-tls: nginx, openssl; wireguard-go) are shown as not run, with the",
        "install command.",
        "Environment: TUNCTL_BENCH_LOAD=builtin|iperf3 picks the load."})
final class BenchCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--only", split = ",", paramLabel = "ROW",
            description = "Run only these rows (direct always runs as the baseline).")
    List<String> only;

    @Option(names = "--json", description = "Print the rows as a JSON array of objects "
            + "(name, min, median, max in Gbit/s, ratio, runs). A round that failed is null in runs and the row "
            + "gets an 'error' field, as do rows that did not start or were not run. The format is versioned by "
            + "'version': 1.")
    boolean json;

    @Option(names = "--json-file", paramLabel = "FILE", description = "Also write the JSON rows to FILE.")
    java.nio.file.Path jsonFile;

    @Option(names = "--runs", defaultValue = "2", description = "Measured rounds per row (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--seconds", defaultValue = "1", description = "Seconds per round (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--warmup", defaultValue = "1", paramLabel = "SECONDS",
            description = "Unmeasured load per row before its first round, 0 for none (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--streams", defaultValue = "1", description = "Parallel TCP streams (default ${DEFAULT-VALUE}).")
    int streams;

    @Option(names = "--list", description = "List the rows this machine can run and exit (rows it cannot run, "
            + "with what they need, go to stderr).")
    boolean list;

    @Override
    public Integer call() throws Exception {
        if (runs < 1 || runs > 50) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--runs must be 1..50");
        if (seconds < 1 || seconds > 600) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--seconds must be 1..600");
        }
        if (warmup < 0 || warmup > 600) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--warmup must be 0..600");
        }
        if (streams < 1 || streams > 32) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--streams must be 1..32");
        Bench bench = new Bench(spec.commandLine().getOut(), spec.commandLine().getErr(), runs, seconds, warmup,
                streams);
        if (list) {
            bench.list();
            return ExitCodes.OK;
        }
        return bench.run(only, json, jsonFile);
    }
}
