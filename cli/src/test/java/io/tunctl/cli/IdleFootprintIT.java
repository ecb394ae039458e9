package io.tunctl.cli;

import io.tunctl.core.testkit.Netns;
import io.tunctl.core.testkit.Root;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * An idle {@code tunctl up} as a user starts it (the launcher, its default JVM options, the udp transport between two
 * namespaces) fits a small box: resident memory and threads once it has settled. The figures are the kernel's
 * ({@code /proc/<pid>/status}), sampled after the process stopped using CPU, median of three.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IdleFootprintIT {
    private static final Path REPO = Path.of(System.getProperty("tunctl.repo", "..")).toAbsolutePath().normalize();
    private static final String LAUNCHER = REPO.resolve("tunctl").toString();
    /**
     * What the launcher's defaults hold today (≈70 MiB measured, docs/benchmarks.md) with a margin for the machine;
     * issue #19 asks for 64 MiB, which this does not reach yet: the AOT cache is resident whole (≈28 MiB).
     */
    private static final long MAX_IDLE_RSS = 80L << 20;
    /** JVM (VM, GC, JIT, signal, cleaner, trimmer ...) plus main and one pumping thread per pulled direction. */
    private static final int MAX_THREADS = 20;

    private Netns a;
    private Netns b;
    private Path dir;
    private final List<Process> started = new ArrayList<>();

    @BeforeEach
    void topology() throws IOException {
        Root.require();
        a = Netns.create("tn-idle");
        b = Netns.create("tn-idle");
        Netns.veth(a, "va", "192.0.2.1/24", b, "vb", "192.0.2.2/24");
        dir = Files.createTempDirectory("tunctl-idle-it");
    }

    @AfterEach
    void cleanup() throws InterruptedException {
        for (Process p : started) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly();
        }
        if (a != null) a.close();
        if (b != null) b.close();
    }

    private Process up(Netns ns, String name, String self, String peer, String tun) throws Exception {
        Path cfg = dir.resolve(name + ".yaml");
        Files.writeString(cfg, """
                transport: udp
                interface: { name: ti0, mtu: 1420, addresses: ["%s/24"] }
                udp: { listen: "%s:51820", peer: "%s:51820" }
                """.formatted(tun, self, peer));
        Path log = dir.resolve(name + ".log");
        Process p = ns.start(log.toFile(), LAUNCHER, "up", cfg.toString());
        started.add(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline && p.isAlive()) {
            if (Files.exists(log) && Files.readString(log).contains("tunnel up")) return p;
            Thread.sleep(50);
        }
        fail("no 'tunnel up' from " + name + ": " + (Files.exists(log) ? Files.readString(log) : "(no log)"));
        return p;
    }

    @Test
    void idleUdpTunnelStaysWithinItsMemoryAndThreadBudget() throws Exception {
        Process pa = up(a, "a", "192.0.2.1", "192.0.2.2", "198.51.100.1");
        up(b, "b", "192.0.2.2", "192.0.2.1", "198.51.100.2");
        // `ip netns exec` and the launcher both exec: the started process is the JVM
        long pid = pa.pid();
        assertTrue(a.exec("ping", "-c", "2", "-i", "0.2", "-W", "2", "198.51.100.2").ok(), "tunnel does not carry");

        awaitIdle(pid);
        long[] rss = new long[3];
        long[] threads = new long[3];
        for (int i = 0; i < 3; i++) {
            String status = Files.readString(Path.of("/proc/" + pid + "/status"));
            rss[i] = field(status, "VmRSS") * 1024;
            threads[i] = field(status, "Threads");
            Thread.sleep(500);
        }
        long medianRss = median(rss), medianThreads = median(threads);
        String figures = "idle RSS " + (medianRss >> 20) + " MiB, " + medianThreads + " threads";
        System.out.println("IdleFootprintIT: " + figures);
        assertTrue(medianRss <= MAX_IDLE_RSS, figures + " (budget " + (MAX_IDLE_RSS >> 20) + " MiB)");
        assertTrue(medianThreads <= MAX_THREADS, figures + " (budget " + MAX_THREADS + " threads)");
    }

    /** Until the process's CPU time stays the same for 2 s (at most 30 s: then measure what there is). */
    private static void awaitIdle(long pid) throws Exception {
        long before = cpuTicks(pid);
        for (int i = 0; i < 15; i++) {
            Thread.sleep(2000);
            long after = cpuTicks(pid);
            if (after == before) return;
            before = after;
        }
    }

    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        // fields after the command name, which is in parentheses and may hold spaces: utime and stime are 14 and 15
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static long field(String status, String key) {
        return status.lines().filter(l -> l.startsWith(key + ":")).findFirst()
                .map(l -> Long.parseLong(l.substring(key.length() + 1).trim().split("\\s+")[0]))
                .orElseThrow(() -> new AssertionError("no " + key + " in /proc status"));
    }

    private static long median(long[] v) {
        long[] s = v.clone();
        java.util.Arrays.sort(s);
        return s[s.length / 2];
    }
}
