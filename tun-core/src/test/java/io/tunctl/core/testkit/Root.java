package io.tunctl.core.testkit;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Gate for integration tests that need root (network namespaces, TUN, netlink). When the system property
 * {@code tunctl.it.require} is {@code true} (CI) a missing prerequisite fails the test; otherwise it is skipped
 * with a JUnit assumption.
 */
public final class Root {
    private Root() {}

    /** True when the property {@code tunctl.it.require=true}: prerequisites must be there. */
    public static boolean required() {
        return Boolean.getBoolean("tunctl.it.require");
    }

    /** Fails (CI) or skips (locally) unless the JVM runs with effective uid 0. */
    public static void require() {
        requireThat(isRoot(), "needs root (effective uid 0) for namespaces and TUN devices");
    }

    /** Fails (CI) or skips the test with {@code reason} unless {@code condition}. */
    public static void requireThat(boolean condition, String reason) {
        if (condition) return;
        if (required()) Assertions.fail(reason + " (tunctl.it.require=true)");
        Assumptions.abort(reason); // a local non-root run skips; CI (tunctl.it.require) failed above
    }

    /** Effective uid from /proc/self/status (no native call, works without native access). */
    public static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    String[] f = line.substring(4).trim().split("\\s+");
                    return f.length > 1 && f[1].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /**
     * Makes sure {@code command} is on the PATH, installing Debian package {@code aptPackage} if it is not
     * (apt-get update once if the first install fails). Then requires it (fail in CI, skip otherwise).
     */
    public static synchronized void ensureCommand(String command, String aptPackage) {
        if (onPath(command)) return;
        if (isRoot()) {
            // parallel test runs share dpkg: wait for its lock instead of failing at once
            List<String> install = List.of("apt-get", "-o", "DPkg::Lock::Timeout=180", "install", "-y", "-q", aptPackage);
            ProcessRunner.run(Duration.ofMinutes(5), install);
            if (!onPath(command)) {
                ProcessRunner.run(Duration.ofMinutes(5), List.of("apt-get", "-o", "DPkg::Lock::Timeout=180", "update", "-q"));
                ProcessRunner.run(Duration.ofMinutes(5), install);
            }
        }
        requireThat(onPath(command), "command '" + command + "' not found (apt-get install " + aptPackage + ")");
    }

    /**
     * Makes sure node and npm are on the PATH (Debian's nodejs and npm), for the tests that install pinned npm
     * packages (hyperdht, udx-native) and run them as the real peer.
     */
    public static void ensureNpm() {
        ensureCommand("node", "nodejs");
        ensureCommand("npm", "npm");
    }

    /**
     * Makes sure {@code file} exists (a header, a library), installing Debian package {@code aptPackage} if it does
     * not, as {@link #ensureCommand} does for a program. Then requires it.
     */
    public static synchronized void ensureFile(Path file, String aptPackage) {
        if (Files.exists(file)) return;
        if (isRoot()) {
            List<String> install = List.of("apt-get", "-o", "DPkg::Lock::Timeout=180", "install", "-y", "-q", aptPackage);
            ProcessRunner.run(Duration.ofMinutes(5), install);
            if (!Files.exists(file)) {
                ProcessRunner.run(Duration.ofMinutes(5), List.of("apt-get", "-o", "DPkg::Lock::Timeout=180", "update", "-q"));
                ProcessRunner.run(Duration.ofMinutes(5), install);
            }
        }
        requireThat(Files.exists(file), file + " not found (apt-get install " + aptPackage + ")");
    }

    public static boolean onPath(String command) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : (path + ":/usr/sbin:/sbin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) return true;
        }
        return false;
    }
}
