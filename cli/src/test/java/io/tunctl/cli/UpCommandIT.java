package io.tunctl.cli;

import io.tunctl.core.testkit.Netns;
import io.tunctl.core.testkit.ProcessRunner;
import io.tunctl.core.testkit.Root;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code tunctl up} end to end, as a user runs it: the launcher in two network namespaces joined by a veth,
 * the UDP reference transport between them, the kernel's ping across, then SIGTERM and nothing left behind.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UpCommandIT {
    private static final Path REPO = Path.of(System.getProperty("tunctl.repo", "..")).toAbsolutePath().normalize();
    private static final String LAUNCHER = REPO.resolve("tunctl").toString();

    private Netns a;
    private Netns b;
    private Path dir;

    @BeforeEach
    void topology() throws IOException {
        Root.require();
        Root.ensureCommand("ping", "iputils-ping");
        a = Netns.create("tn-cli");
        b = Netns.create("tn-cli");
        Netns.veth(a, "va", "192.0.2.1/24", b, "vb", "192.0.2.2/24");
        dir = Files.createTempDirectory("tunctl-up-it");
    }

    @AfterEach
    void cleanup() {
        if (a != null) a.close();
        if (b != null) b.close();
    }

    private Path config(String name, String self, String peer, String tun4, String tun6) throws IOException {
        Path f = dir.resolve(name + ".yaml");
        Files.writeString(f, """
                transport: udp
                interface:
                  name: tt0
                  mtu: 1420
                  addresses: ["%s", "%s"]
                  routes:
                    - to: 198.51.100.192/26
                      metric: 7
                  rules:
                    - {family: 4, fwmark: 0x1234, table: 4660, priority: 3210}
                udp:
                  listen: "%s:51820"
                  peer: "%s:51820"
                """.formatted(tun4, tun6, self, peer));
        return f;
    }

    private Process up(Netns ns, Path config, String log) {
        return ns.start(dir.resolve(log).toFile(), LAUNCHER, "up", config.toString());
    }

    private void awaitLog(String log, String marker, Process p) throws Exception {
        Path f = dir.resolve(log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (Files.exists(f) && Files.readString(f).contains(marker)) return;
            if (!p.isAlive()) break;
            Thread.sleep(100);
        }
        fail("no '" + marker + "' in " + log + ": " + (Files.exists(f) ? Files.readString(f) : "(no log)"));
    }

    private static void awaitPing(Netns from, String... pingArgs) throws InterruptedException {
        ProcessRunner.Result r = null;
        for (int i = 0; i < 40; i++) {
            String[] cmd = new String[pingArgs.length + 1];
            cmd[0] = "ping";
            System.arraycopy(pingArgs, 0, cmd, 1, pingArgs.length);
            r = from.exec(Duration.ofSeconds(10), cmd);
            if (r.ok()) return;
            Thread.sleep(250);
        }
        fail("ping " + String.join(" ", pingArgs) + " failed: " + r.stdout() + r.stderr());
    }

    @Test
    void udpTunnelCarriesIpv4AndIpv6AndCleansUpOnSigterm() throws Exception {
        Process pa = up(a, config("a", "192.0.2.1", "192.0.2.2", "198.51.100.1/24", "2001:db8:7::1/64"), "a.log");
        Process pb = up(b, config("b", "192.0.2.2", "192.0.2.1", "198.51.100.2/24", "2001:db8:7::2/64"), "b.log");
        awaitLog("a.log", "tunnel up", pa);
        awaitLog("b.log", "tunnel up", pb);

        // the interface, its addresses, route and rule as the config says
        String link = a.ip("link", "show", "tt0");
        assertTrue(link.contains("mtu 1420") && link.contains("UP"), link);
        assertTrue(a.ip("route", "show", "dev", "tt0").contains("198.51.100.192/26"), a.ip("route"));
        assertTrue(a.ip("rule").contains("fwmark 0x1234 lookup 4660"), a.ip("rule"));

        awaitPing(a, "-c", "3", "-i", "0.2", "-W", "2", "198.51.100.2");
        awaitPing(b, "-c", "3", "-i", "0.2", "-W", "2", "198.51.100.1");
        awaitPing(a, "-6", "-c", "3", "-i", "0.2", "-W", "2", "2001:db8:7::2");
        awaitPing(a, "-c", "2", "-s", "1372", "-M", "do", "-W", "2", "198.51.100.2"); // a full 1400-byte packet

        long t0 = System.nanoTime();
        pa.destroy(); // SIGTERM
        assertTrue(pa.waitFor(5, TimeUnit.SECONDS), "tunctl up did not exit after SIGTERM");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms < 2000 + 1500, "teardown took " + ms + " ms"); // 2 s budget plus JVM exit
        String log = Files.readString(dir.resolve("a.log"));
        assertTrue(log.contains("removed everything the tunnel created"), log);
        assertFalse(a.exec("ip", "link", "show", "tt0").ok(), "tt0 still exists");
        assertFalse(a.ip("rule").contains("0x1234"), "rule left behind: " + a.ip("rule"));
        assertFalse(a.ip("route").contains("198.51.100"), "route left behind: " + a.ip("route"));
        pb.destroy();
        assertTrue(pb.waitFor(5, TimeUnit.SECONDS));
        assertFalse(b.ip("rule").contains("0x1234"));
    }

    @Test
    void withoutCapNetAdminUpPrintsTheHintAndLeavesNothing() throws Exception {
        Root.ensureCommand("capsh", "libcap2-bin");
        Path cfg = config("a", "192.0.2.1", "192.0.2.2", "198.51.100.1/24", "2001:db8:7::1/64");
        ProcessRunner.Result r = a.exec(Duration.ofSeconds(60), "capsh", "--drop=cap_net_admin", "--",
                "-c", LAUNCHER + " up " + cfg);
        assertEquals(1, r.exitCode(), r.stdout() + r.stderr());
        assertTrue(r.stderr().contains("needs CAP_NET_ADMIN (run as root)"), r.stderr());
        assertFalse(a.exec("ip", "link", "show", "tt0").ok(), "tt0 exists after a failed up");
        assertFalse(a.ip("rule").contains("0x1234"));
    }

    @Test
    void validateNeedsNoPrivilege() throws Exception {
        Root.ensureCommand("capsh", "libcap2-bin");
        Path cfg = config("a", "192.0.2.1", "192.0.2.2", "198.51.100.1/24", "2001:db8:7::1/64");
        ProcessRunner.Result r = ProcessRunner.run(Duration.ofSeconds(60),
                java.util.List.of("capsh", "--drop=cap_net_admin", "--", "-c", LAUNCHER + " validate " + cfg));
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("ok", r.stdout().strip());
        assertTrue(new File(LAUNCHER).canExecute());
    }
}
