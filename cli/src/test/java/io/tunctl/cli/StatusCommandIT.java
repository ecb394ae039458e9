package io.tunctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tunctl.core.testkit.Netns;
import io.tunctl.core.testkit.ProcessRunner;
import io.tunctl.core.testkit.Root;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code tunctl status} against a running {@code tunctl up} (the launcher, the udp transport between two namespaces):
 * the control socket appears with the tunnel (0600, under the state directory, per namespace), answers with the
 * interface, its counters moving after a ping, and the process's memory and threads as the kernel counts them; a
 * user who is not root is told so; the socket goes with a clean exit; a killed run's socket is reported as stale and
 * replaced by the next {@code tunctl up}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StatusCommandIT {
    private static final Path REPO = Path.of(System.getProperty("tunctl.repo", "..")).toAbsolutePath().normalize();
    private static final String LAUNCHER = REPO.resolve("tunctl").toString();
    private static final ObjectMapper JSON = new ObjectMapper();

    private Netns a;
    private Netns b;
    private Path dir;
    private Path state;
    private final List<Process> started = new ArrayList<>();

    @BeforeEach
    void topology() throws IOException {
        Root.require();
        Root.ensureCommand("ping", "iputils-ping");
        Root.ensureCommand("setpriv", "util-linux");
        a = Netns.create("tn-st");
        b = Netns.create("tn-st");
        Netns.veth(a, "va", "192.0.2.1/24", b, "vb", "192.0.2.2/24");
        dir = Files.createTempDirectory("tunctl-status-it");
        // as /run is: others may look in (and find the socket theirs to read, or not)
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        state = dir.resolve("run"); // the state directory, instead of /run/tunctl
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
                interface: { name: ts0, mtu: 1420, addresses: ["%s/24"] }
                udp: { listen: "%s:51820", peer: "%s:51820" }
                """.formatted(tun, self, peer));
        Path log = dir.resolve(name + ".log");
        Files.deleteIfExists(log);
        Process p = ns.start(log.toFile(), "env", "TUNCTL_STATE_DIR=" + state, LAUNCHER, "up", cfg.toString());
        started.add(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline && p.isAlive()) {
            if (Files.exists(log) && Files.readString(log).contains("tunnel up")) return p;
            Thread.sleep(50);
        }
        fail("no 'tunnel up' from " + name + ": " + (Files.exists(log) ? Files.readString(log) : "(no log)"));
        return p;
    }

    private ProcessRunner.Result status(Netns ns, String... args) {
        List<String> cmd = new ArrayList<>(List.of("env", "TUNCTL_STATE_DIR=" + state, LAUNCHER, "status"));
        cmd.addAll(List.of(args));
        return ns.exec(cmd.toArray(String[]::new));
    }

    private JsonNode statusJson(Netns ns) throws IOException {
        ProcessRunner.Result r = status(ns, "ts0", "--json");
        assertEquals(0, r.exitCode(), r.toString());
        return JSON.readTree(r.stdout());
    }

    private List<Path> sockets() throws IOException {
        if (!Files.isDirectory(state)) return List.of();
        try (Stream<Path> s = Files.walk(state)) {
            return s.filter(p -> p.toString().endsWith(".sock")).toList();
        }
    }

    @Test
    void statusOfARunningUdpTunnel() throws Exception {
        Process pa = up(a, "a", "192.0.2.1", "192.0.2.2", "198.51.100.1");
        up(b, "b", "192.0.2.2", "192.0.2.1", "198.51.100.2");
        List<Path> socks = sockets();
        assertEquals(2, socks.size(), "one socket per namespace: " + socks);
        for (Path s : socks) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(s)), s.toString());
            assertTrue(s.getParent().getFileName().toString().startsWith("netns-"), s.toString());
        }

        JsonNode before = statusJson(a);
        assertEquals(1, before.get("version").asInt());
        assertEquals(pa.pid(), before.get("pid").asLong(), "ip netns exec and the launcher exec: the JVM's pid");
        assertEquals("udp", before.get("transport").asText());
        JsonNode i = before.get("interface");
        assertEquals("ts0", i.get("name").asText());
        assertEquals(1420, i.get("mtu").asInt());
        assertTrue(i.get("addresses").toString().contains("\"198.51.100.1/24\""), i.toString());
        assertEquals(0, before.get("peers").size(), "the udp transport reports no peers: the default");

        assertTrue(a.exec("ping", "-c", "5", "-i", "0.2", "-W", "2", "198.51.100.2").ok(), "tunnel does not carry");
        JsonNode after = statusJson(a);
        JsonNode j = after.get("interface");
        assertTrue(j.get("txPackets").asLong() >= i.get("txPackets").asLong() + 5, j.toString());
        assertTrue(j.get("rxPackets").asLong() >= i.get("rxPackets").asLong() + 5, j.toString());
        assertTrue(j.get("rxBytes").asLong() >= i.get("rxBytes").asLong() + 5 * 84, j.toString());
        JsonNode proc = after.get("process");
        long rss = proc.get("residentBytes").asLong();
        int threads = proc.get("threads").asInt();
        assertTrue(rss > 8 << 20 && rss < 1L << 30, "RSS " + rss);
        int kernelThreads = Integer.parseInt(Files.readString(Path.of("/proc/" + pa.pid() + "/status")).lines()
                .filter(l -> l.startsWith("Threads:")).findFirst().orElseThrow().split("\\s+")[1]);
        assertTrue(Math.abs(threads - kernelThreads) <= 2, threads + " vs the kernel's " + kernelThreads);
        assertTrue(proc.get("openFds").asInt() > 3, proc.toString());
        assertTrue(after.get("uptimeSeconds").asLong() >= 0);
        System.out.println("StatusCommandIT: RSS " + (rss >> 20) + " MiB, " + threads + " threads, "
                + proc.get("openFds").asInt() + " fds");

        ProcessRunner.Result human = status(a);
        assertEquals(0, human.exitCode(), human.toString());
        assertTrue(human.stdout().startsWith("interface: ts0\n  transport: udp, pid " + pa.pid()), human.stdout());
        assertTrue(human.stdout().contains("  addresses: 198.51.100.1/24"), human.stdout());
        ProcessRunner.Result all = status(a, "--json");
        assertEquals(0, all.exitCode(), all.toString());
        JsonNode arr = JSON.readTree(all.stdout());
        assertTrue(arr.isArray() && arr.size() == 1, "only this namespace's tunnel: " + all.stdout());

        // not root: the socket is root's alone
        ProcessRunner.Result denied = a.exec("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "env", "TUNCTL_STATE_DIR=" + state, LAUNCHER, "status", "ts0");
        assertEquals(1, denied.exitCode(), denied.toString());
        assertTrue(denied.stderr().contains("needs root (run as root)"), denied.toString());

        // clean exit: the socket goes
        pa.destroy();
        assertTrue(pa.waitFor(10, TimeUnit.SECONDS));
        assertEquals(1, sockets().size(), "a's socket is removed: " + sockets());
        ProcessRunner.Result none = status(a);
        assertEquals(1, none.exitCode(), none.toString());
        assertTrue(none.stderr().contains("no tunnel running in this network namespace"), none.toString());

        // killed: the socket stays, status says it is stale, the next run replaces it
        Process again = up(a, "a2", "192.0.2.1", "192.0.2.2", "198.51.100.1");
        again.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        again.destroyForcibly();
        assertTrue(again.waitFor(10, TimeUnit.SECONDS));
        assertEquals(2, sockets().size(), "a SIGKILLed run leaves its socket");
        ProcessRunner.Result stale = status(a, "ts0");
        assertEquals(1, stale.exitCode(), stale.toString());
        assertTrue(stale.stderr().contains("left from a stopped run"), stale.toString());
        Process third = up(a, "a3", "192.0.2.1", "192.0.2.2", "198.51.100.1");
        assertEquals(third.pid(), statusJson(a).get("pid").asLong());
    }
}
