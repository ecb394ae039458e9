package io.tunctl.core.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs one fuzz target under the standalone Jazzer driver ({@code com.code_intelligence.jazzer.Jazzer}) in a child
 * JVM with this JVM's class path, for a bounded time or number of inputs, starting from the target's checked-in
 * corpus ({@code <package>/<Class>Inputs/fuzz/} among the test resources: the directory jazzer-junit replays in
 * the unit run, and which the driver finds on the class path itself); new inputs go to a temporary directory or the
 * campaign's kept corpus. A finding — an exception the target does not allow, a broken property,
 * a hang past the per-input timeout, or memory past the RSS limit — comes back with the crashing input as hex and
 * the driver's report (stack trace).
 *
 * <p>Shared by every module's {@code FuzzTargetsIT} and by {@code bench/fuzz.sh}. System properties:
 * {@code tunctl.fuzz.seconds} (per target, default 10), {@code tunctl.fuzz.runs} (inputs per target; when set,
 * the time bound is lifted unless seconds is given too), {@code tunctl.fuzz.report} (a file that gets one
 * markdown table row per target), {@code tunctl.fuzz.targets} (comma-separated simple class names: only these run;
 * empty means all — how {@code bench/fuzz.sh} spreads a campaign over several runs), {@code tunctl.fuzz.corpus} (a
 * directory that keeps each target's new inputs in a subdirectory across runs, so a campaign resumes where it
 * stopped; default a fresh temporary directory).
 */
public final class FuzzRunner {
    private FuzzRunner() {}

    /**
     * Seconds before one input counts as a hang: generous, because the first inputs of a run also load and
     * instrument classes (10 s for the first config input on a busy 2-core machine).
     */
    public static final int INPUT_TIMEOUT_SECONDS = 60;
    /** The child's memory limit (libFuzzer's RSS check); the Java heap is a little below it. */
    public static final int RSS_LIMIT_MB = 2560;

    /** How long, or how many inputs. {@code seconds == 0} and {@code runs == 0} both mean unbounded on that axis. */
    public record Budget(long seconds, long runs) {
        public static Budget fromProperties() {
            String runs = System.getProperty("tunctl.fuzz.runs", "");
            String seconds = System.getProperty("tunctl.fuzz.seconds", "");
            long r = runs.isBlank() ? 0 : Long.parseLong(runs.strip());
            long s = seconds.isBlank() ? (r > 0 ? 0 : 10) : Long.parseLong(seconds.strip());
            return new Budget(s, r);
        }
    }

    /**
     * @param runs        inputs executed (libFuzzer's count)
     * @param seconds     the child's whole wall time, start-up included
     * @param crashHex    the input that failed, as hex, or null
     * @param report      the driver's finding report (exception and stack), or null
     */
    public record Result(String target, long runs, double seconds, int corpusFiles, int exitCode, String crashHex,
                         String report, Path log) {
        public boolean finding() { return exitCode != 0; }

        public double execPerSecond() { return seconds > 0 ? runs / seconds : 0; }

        public String describe() {
            if (!finding()) return target + ": " + runs + " inputs in " + String.format("%.1f s", seconds) + ", no finding";
            return target + ": FINDING after " + runs + " inputs (exit " + exitCode + ")\ninput (hex): "
                    + (crashHex == null ? "(none saved)" : crashHex) + "\n" + (report == null ? "" : report)
                    + "\nfull log: " + log;
        }

        /** One row of the results table: target, runs, seconds, exec/s, findings. */
        public String markdownRow() {
            return String.format("| `%s` | %,d | %.0f | %,.0f | %s |", target, runs, seconds, execPerSecond(),
                    finding() ? "**1** (see log)" : "0");
        }
    }

    /**
     * Fuzzes {@code target} (a class with {@code public static void fuzzerTestOneInput}).
     *
     * @param instrument Jazzer {@code --instrumentation_includes} patterns, e.g. {@code io.tunctl.**}
     */
    public static Result run(Class<?> target, Budget budget, String... instrument) {
        try {
            Path work = Files.createTempDirectory("tunctl-fuzz-" + target.getSimpleName() + "-");
            // new inputs go here; the driver reads the checked-in corpus itself from the class path
            String keep = System.getProperty("tunctl.fuzz.corpus", "").strip();
            Path corpus = Files.createDirectories(keep.isEmpty() ? work.resolve("corpus")
                    : Path.of(keep).toAbsolutePath().resolve(target.getSimpleName()));
            Path artifacts = Files.createDirectories(work.resolve("artifacts"));
            Path seedDir = seeds(target);
            int seeds = 0;
            if (seedDir != null) {
                try (Stream<Path> files = Files.list(seedDir)) {
                    seeds = (int) files.count();
                }
            }
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-Xmx" + (RSS_LIMIT_MB / 2) + "m");
            cmd.add("-Xss4m");
            cmd.add("-XX:+EnableDynamicAgentLoading"); // Jazzer attaches its instrumentation agent at start
            cmd.add("-Djdk.attach.allowAttachSelf=true");
            cmd.add("--enable-native-access=ALL-UNNAMED");
            cmd.add("-cp");
            cmd.add(classPath());
            cmd.add("com.code_intelligence.jazzer.Jazzer");
            cmd.add("--target_class=" + target.getName());
            // Jazzer's regex hooks guide every regex node match toward equality: they made the config targets,
            // whose error texts go through a few replaceAll calls, 15 times slower (570 against 8,600 inputs a
            // second), and injection into a regex is not what these parsers can suffer
            cmd.add("--disabled_hooks=com.code_intelligence.jazzer.sanitizers.RegexRoadblocks"
                    + ":com.code_intelligence.jazzer.sanitizers.RegexInjection");
            cmd.add("--instrumentation_includes=" + String.join(":", instrument.length == 0
                    ? new String[] {"io.tunctl.**"} : instrument));
            cmd.add("--reproducer_path=" + artifacts);
            cmd.add("-artifact_prefix=" + artifacts + "/");
            cmd.add("-timeout=" + INPUT_TIMEOUT_SECONDS);
            cmd.add("-rss_limit_mb=" + RSS_LIMIT_MB);
            cmd.add("-print_final_stats=1");
            // always explicit: the standalone driver otherwise takes the target's @FuzzTest maxDuration (10 s)
            cmd.add("-max_total_time=" + (budget.seconds() > 0 ? budget.seconds() : TimeUnit.DAYS.toSeconds(2)));
            if (budget.runs() > 0) cmd.add("-runs=" + budget.runs());
            // a fixed seed by default, so two CI runs of one commit explore alike (a finding shows again, instead of
            // one run in n); campaigns pass -Dtunctl.fuzz.seed=0 for libFuzzer's own random seed
            String seed = System.getProperty("tunctl.fuzz.seed", "1");
            if (!seed.equals("0")) cmd.add("-seed=" + seed);
            cmd.add(corpus.toString());
            Path log = work.resolve("jazzer.log");
            // the exact driver command, to rerun one target by hand
            Files.writeString(work.resolve("command.txt"), String.join(" ", cmd) + "\n");
            long start = System.nanoTime();
            Process p = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            // a hang inside the driver itself (not one input, which -timeout catches): give up well past the budget
            long limit = budget.seconds() > 0 ? budget.seconds() + 300 : TimeUnit.DAYS.toSeconds(2);
            if (!p.waitFor(limit, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            String out = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
            int exit = p.isAlive() ? -1 : p.exitValue();
            String crash = null;
            try (Stream<Path> files = Files.list(artifacts)) {
                Path c = files.filter(f -> f.getFileName().toString().matches("(crash|timeout|oom|slow-unit|leak)-.*"))
                        .findFirst().orElse(null);
                if (c != null) crash = HexFormat.of().formatHex(Files.readAllBytes(c));
            }
            return new Result(target.getSimpleName(), runs(out), seconds, seeds, exit, crash,
                    exit == 0 ? null : report(out), log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while fuzzing " + target.getName(), e);
        }
    }

    /**
     * Fuzzes {@code target} within the budget the system properties give, prints and reports the result, and
     * fails with the crashing input and stack when there was a finding. The body of each module's
     * {@code FuzzTargetsIT}.
     */
    public static void assertNoFinding(Class<?> target, String... instrument) {
        Result r = run(target, Budget.fromProperties(), instrument);
        System.out.println(r.describe() + " [" + r.corpusFiles() + " seed files]");
        report(r);
        if (r.finding()) throw new AssertionError(r.describe());
        if (r.runs() <= r.corpusFiles()) {
            throw new AssertionError(r.target() + " ran only " + r.runs() + " inputs (the driver did not fuzz); log: "
                    + r.log());
        }
    }

    /** Whether the target of this simple class name is among {@code tunctl.fuzz.targets} (all when that is empty). */
    public static boolean selected(String target) {
        String only = System.getProperty("tunctl.fuzz.targets", "").strip();
        if (only.isEmpty()) return true;
        for (String t : only.split(",")) {
            if (t.strip().equals(target)) return true;
        }
        return false;
    }

    /** Appends the result's table row to the file {@code tunctl.fuzz.report} names, if any. */
    public static void report(Result r) {
        String file = System.getProperty("tunctl.fuzz.report", "");
        if (file.isBlank()) return;
        try {
            Files.writeString(Path.of(file), r.markdownRow() + "\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The test class path: surefire/failsafe name it in a property when java.class.path is their booter jar. */
    private static String classPath() {
        String cp = System.getProperty("surefire.test.class.path", "");
        return cp.isBlank() ? System.getProperty("java.class.path") : cp;
    }

    /** The target's checked-in corpus directory, or null (none, or inside a jar). */
    private static Path seeds(Class<?> target) {
        URL url = target.getClassLoader().getResource(inputsDir(target));
        if (url == null || !"file".equals(url.getProtocol())) return null;
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private static String inputsDir(Class<?> target) {
        return target.getPackageName().replace('.', '/') + "/" + target.getSimpleName() + "Inputs/fuzz";
    }

    private static final Pattern DONE = Pattern.compile("Done (\\d+) runs in");
    private static final Pattern STAT = Pattern.compile("stat::number_of_executed_units: (\\d+)");
    private static final Pattern PROGRESS = Pattern.compile("#(\\d+)\\s");

    private static long runs(String out) {
        for (Pattern p : List.of(STAT, DONE)) {
            Matcher m = p.matcher(out);
            long last = -1;
            while (m.find()) last = Long.parseLong(m.group(1));
            if (last >= 0) return last;
        }
        Matcher m = PROGRESS.matcher(out);
        long last = 0;
        while (m.find()) last = Long.parseLong(m.group(1));
        return last;
    }

    /** From the driver's first finding line to the artifact line: the exception and its stack. */
    private static String report(String out) {
        int from = indexOfAny(out, "== Java Exception", "==ERROR", "ERROR: libFuzzer", "== Java Assertion");
        if (from < 0) from = Math.max(0, out.length() - 6000);
        int to = out.indexOf("artifact_prefix", from);
        to = to < 0 ? Math.min(out.length(), from + 8000) : Math.min(out.length(), to + 200);
        return out.substring(from, to);
    }

    private static int indexOfAny(String s, String... needles) {
        int best = -1;
        for (String n : needles) {
            int i = s.indexOf(n);
            if (i >= 0 && (best < 0 || i < best)) best = i;
        }
        return best;
    }
}
