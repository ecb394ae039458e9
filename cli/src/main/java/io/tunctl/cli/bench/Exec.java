package io.tunctl.cli.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the helper programs a bench needs ({@code ip}, {@code iperf3}, {@code gcc}, child tunctl processes),
 * always with a time limit, and keeps the PIDs of background ones so they are ended by PID.
 */
final class Exec implements AutoCloseable {
    private final List<Process> background = new ArrayList<>();
    private final Path logDir;

    Exec(Path logDir) {
        this.logDir = logDir;
    }

    /** Runs to completion within {@code timeoutSec}; returns stdout; throws with stderr on failure. */
    String run(long timeoutSec, String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        try {
            p.getOutputStream().close();
            var out = p.getInputStream().readAllBytes();
            var err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(timeoutSec, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + ": timed out after " + timeoutSec + " s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + ": exit " + p.exitValue() + ": "
                        + new String(err, StandardCharsets.UTF_8).strip());
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd));
        }
    }

    /** Runs and ignores failure (cleanup paths). */
    void quiet(String... cmd) {
        try {
            run(10, cmd);
        } catch (IOException ignored) {
            // best effort: the thing may already be gone
        }
    }

    /** Starts a background process whose output goes to {@code logDir/name.log}. */
    Process start(String name, String... cmd) throws IOException {
        File log = logDir.resolve(name + ".log").toFile();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
        background.add(p);
        return p;
    }

    /** Waits until the log of a background process contains {@code marker}, or fails with the log's tail. */
    void awaitLog(Process p, String name, String marker, long timeoutMs) throws IOException {
        Path log = logDir.resolve(name + ".log");
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains(marker)) return;
            if (!p.isAlive()) break;
            sleep(50);
        }
        String text = Files.exists(log) ? Files.readString(log) : "";
        String tail = text.length() > 2000 ? text.substring(text.length() - 2000) : text;
        throw new IOException(name + " did not get ready (" + (p.isAlive() ? "timeout" : "exit " + p.exitValue())
                + "): " + tail.strip());
    }

    Path logDir() { return logDir; }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) return true;
        }
        return Files.isExecutable(Path.of("/usr/sbin", program)) || Files.isExecutable(Path.of("/sbin", program));
    }

    /** Ends every background process: SIGTERM, then SIGKILL after 3 s. */
    @Override
    public void close() {
        for (Process p : background) p.destroy();
        for (Process p : background) {
            try {
                if (!p.waitFor(3, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        background.clear();
    }
}
