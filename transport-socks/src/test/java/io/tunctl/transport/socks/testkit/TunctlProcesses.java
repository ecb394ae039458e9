package io.tunctl.transport.socks.testkit;

import io.tunctl.core.testkit.Netns;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The packaged {@code ./tunctl} as the namespace ITs run it: started in a namespace with a log of its own, waited
 * for until it says "tunnel up" (or dies), and stopped with SIGTERM so it removes what it made (SIGKILL after 10 s).
 */
public final class TunctlProcesses {
    private final List<Process> running = new ArrayList<>();

    /** {@code ./tunctl} of this build ({@code -Dtunctl.repo}, else the parent of the module directory). */
    public static Path launcher() {
        return Path.of(System.getProperty("tunctl.repo", "..")).resolve("tunctl").toAbsolutePath();
    }

    /** Runs {@code ./tunctl args...} in {@code ns} with output to {@code log}; returns once it says "tunnel up". */
    public Process start(Netns ns, Path log, String... args) throws InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(launcher().toString()));
        cmd.addAll(List.of(args));
        Process p = ns.start(log.toFile(), cmd.toArray(String[]::new));
        running.add(p);
        waitFor(log.getFileName() + ": tunnel up", 60_000, () -> read(log).contains("tunnel up") || !p.isAlive());
        assertTrue(p.isAlive(), "tunctl " + String.join(" ", args) + " died:\n" + read(log));
        return p;
    }

    /** SIGTERM to every process started here, then SIGKILL to what is still running after 10 s. */
    public void stopAll() {
        for (Process p : running) p.destroy();
        for (Process p : running) {
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        running.clear();
    }

    /** A file's text, or "" while it does not exist. */
    public static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    /** Polls {@code cond} every 100 ms; fails the test after {@code millis}. */
    public static void waitFor(String what, long millis, BooleanSupplier cond) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (!cond.getAsBoolean()) {
            if (System.currentTimeMillis() > end) fail("timed out waiting for " + what);
            Thread.sleep(100);
        }
    }

    /** Copies test resource {@code /socks-it/<name>} (a helper program run in a namespace) into {@code dir}. */
    public static Path resource(Path dir, String name) throws IOException {
        Path p = dir.resolve(name);
        try (InputStream in = TunctlProcesses.class.getResourceAsStream("/socks-it/" + name)) {
            if (in == null) throw new IOException("no test resource /socks-it/" + name);
            Files.write(p, in.readAllBytes());
        }
        return p;
    }
}
