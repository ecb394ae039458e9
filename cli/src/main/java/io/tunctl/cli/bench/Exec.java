package io.tunctl.cli.bench;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
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

    /**
     * Runs to completion within {@code timeoutSec}; returns stdout; throws with stderr on failure. Both pipes are
     * read while the command runs, so a chatty command cannot block on a full pipe; on timeout the command and its
     * descendants are killed.
     */
    String run(long timeoutSec, String... cmd) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        } catch (IOException e) {
            throw new IOException("cannot run " + String.join(" ", cmd) + ": " + e.getMessage(), e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread outReader = drain(p.getInputStream(), out, p.pid(), "stdout");
        Thread errReader = drain(p.getErrorStream(), err, p.pid(), "stderr");
        try {
            if (!p.waitFor(timeoutSec, TimeUnit.SECONDS)) {
                int killed = killTree(p);
                throw new IOException(String.join(" ", cmd) + ": timed out after " + timeoutSec + " s; killed PID "
                        + p.pid() + (killed > 0 ? " and " + killed + " descendant(s)" : "") + tail(err));
            }
            // a descendant that outlived the command may still hold the pipes open: do not wait for it for long
            outReader.join(5_000);
            errReader.join(5_000);
        } catch (InterruptedException e) {
            killTree(p);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd));
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + ": exit " + p.exitValue() + tail(err));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static Thread drain(InputStream in, ByteArrayOutputStream to, long pid, String which) {
        return Thread.ofPlatform().daemon().name("exec-" + pid + "-" + which).start(() -> {
            try (in) {
                in.transferTo(to);
            } catch (IOException ignored) {
                // the pipe closes under us when the command is killed; what was read so far is kept
            }
        });
    }

    /** The last 2,000 characters of stderr, as a suffix for an error message. */
    private static String tail(ByteArrayOutputStream err) {
        String text = err.toString(StandardCharsets.UTF_8).strip(); // ByteArrayOutputStream is synchronized
        if (text.isEmpty()) return "";
        return ": " + (text.length() > 2000 ? "..." + text.substring(text.length() - 2000) : text);
    }

    /**
     * SIGKILLs {@code p} and every descendant it has now (listed first: once {@code p} dies they are re-parented
     * and no longer found through it); returns how many descendants were killed.
     */
    private static int killTree(Process p) {
        List<ProcessHandle> descendants = p.descendants().toList();
        p.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return descendants.size();
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
        synchronized (background) {
            background.add(p);
        }
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

    /**
     * Whether {@code program} is in a directory of PATH: the same search the commands started here get, so a
     * program found here is one they can run.
     */
    static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) return true;
        }
        return false;
    }

    /** Ends every background process: SIGTERM, then SIGKILL (with its descendants) after 3 s. */
    @Override
    public void close() {
        List<Process> all;
        synchronized (background) {
            all = List.copyOf(background);
            background.clear();
        }
        for (Process p : all) p.destroy();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        for (Process p : all) {
            try {
                long left = deadline - System.nanoTime();
                if (!p.waitFor(Math.max(left, 0), TimeUnit.NANOSECONDS)) killTree(p);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                killTree(p);
            }
        }
    }
}
