package io.tunctl.transport.socks.it;

import io.tunctl.core.testkit.Netns;
import io.tunctl.core.testkit.ProcessRunner;
import io.tunctl.core.testkit.Root;
import io.tunctl.transport.socks.testkit.TunctlProcesses;
import io.tunctl.transport.socks.testkit.ProxyLab;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.tunctl.transport.socks.testkit.TunctlProcesses.read;
import static io.tunctl.transport.socks.testkit.TunctlProcesses.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * nano-tun's way of running, through the packaged {@code ./tunctl}: its YAML file as it is ({@code --config}),
 * and its flags alone, against a real Dante. The target sits on the IPv6 documentation prefix 3fff::/20 (RFC 9637),
 * which nano-tun's reserved list (and so tunctl's {@code reserved}) does not hold, so it goes to the proxy even
 * though a nano-tun file cannot empty the direct list. The route into the TUN is added by the test
 * (autoDefaultRoute is another piece of work).
 *
 * <pre>
 *   cli [TUN 198.18.0.1/30] ── 10.201.0.1/30 fd00:201::1 ── prx (dante) 3fff:2::1/64 ── 3fff:2::10/64 srv
 * </pre>
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NanoTunNetnsIT {
    static final String TARGET = "3fff:2::10";

    static Netns cli, prx, srv;
    static ProxyLab lab;
    static Path dir;
    static final TunctlProcesses started = new TunctlProcesses();
    /** Connections held open through the tunnel (bash /dev/tcp), ended after each test. */
    static final List<Process> held = new ArrayList<>();

    @BeforeAll
    static void topology() throws Exception {
        Root.require();
        Root.ensureCommand("curl", "curl");
        dir = Files.createDirectories(Path.of("target", "nanotun-it-" + ProcessHandle.current().pid()).toAbsolutePath());
        cli = Netns.create("ntn-c");
        prx = Netns.create("ntn-p");
        srv = Netns.create("ntn-s");
        Netns.veth(cli, "vcp", "10.201.0.1/30", prx, "vpc", "10.201.0.2/30");
        Netns.veth(prx, "vps", "10.202.0.1/30", srv, "vsp", "10.202.0.2/30");
        cli.exec("ip", "-6", "addr", "add", "fd00:201::1/64", "dev", "vcp", "nodad").orThrow();
        prx.exec("ip", "-6", "addr", "add", "fd00:201::2/64", "dev", "vpc", "nodad").orThrow();
        prx.exec("ip", "-6", "addr", "add", "3fff:2::1/64", "dev", "vps", "nodad").orThrow();
        srv.exec("ip", "-6", "addr", "add", TARGET + "/64", "dev", "vsp", "nodad").orThrow();
        Path www = Files.createDirectories(dir.resolve("www"));
        Files.writeString(www.resolve("small.txt"), "hello-nanotun\n");
        srv.start(dir.resolve("web.log").toFile(), System.getProperty("java.home") + "/bin/jwebserver",
                "-b", TARGET, "-p", "8000", "-d", www.toString());
        waitFor("the target", 30_000, () -> srv.exec("ss", "-Htln", "sport = :8000").stdout().contains("8000"));
        lab = new ProxyLab(prx, "10.201.0.2", "fd00:201::2").danteExternal("vps");
    }

    @AfterEach
    void stop() {
        started.stopAll();
        for (Process p : held) p.destroyForcibly();
        held.clear();
    }

    @AfterAll
    static void tearDown() {
        if (lab != null) lab.close();
        for (Netns n : new Netns[] {cli, prx, srv}) if (n != null) n.close();
    }

    /** Runs {@code ./tunctl args...} in cli and waits for "tunnel up". */
    static Process tunctl(Path log, String... args) throws Exception { return started.start(cli, log, args); }

    /** curl in cli to the target through the TUN named {@code tun}, after routing the target's prefix into it. */
    static void curlThrough(String tun) {
        cli.exec("ip", "-6", "route", "replace", "3fff:2::/64", "dev", tun).orThrow();
        ProcessRunner.Result r = cli.exec(Duration.ofSeconds(40), "curl", "-sS", "--max-time", "20", "-g",
                "http://[" + TARGET + "]:8000/small.txt");
        assertEquals("hello-nanotun", r.stdout().strip(), r.stderr() + "\n" + lab.logs());
    }

    @Test
    void nanoTunsYamlRunsAsItIsThroughDante() throws Exception {
        String dante = lab.dante();
        Path logs = dir.resolve("logs-file");
        Path yaml = dir.resolve("nano.yaml");
        Files.writeString(yaml, String.join("\n",
                "tunName: ntf0",
                "mtu: 1400",
                "stackMode: gvisor",
                "proxy: " + dante.substring("socks5://".length()), // no scheme: socks5:// is assumed
                "dns: 8.8.8.8:53",
                "autoDefaultRoute: false",
                "udpTimeout: 30s",
                "excludedProcesses: []",
                "excludeRefresh: 15s",
                "logLevel: debug",
                "logDir: " + logs,
                "futureKey: ignored",
                ""));
        Path log = dir.resolve("file.log");
        Process p = tunctl(log, "up", "--config", yaml.toString());
        String link = cli.exec("ip", "-o", "link", "show", "ntf0").orThrow();
        assertTrue(link.contains("mtu 1400"), link);
        assertTrue(cli.exec("ip", "-o", "addr", "show", "dev", "ntf0").stdout().contains("198.18.0.1/30"));
        curlThrough("ntf0");
        assertTrue(lab.logs().contains(TARGET), "dante carried it:\n" + lab.logs());
        String out = read(log);
        assertTrue(out.contains("unknown key 'futureKey' ignored"), out);
        assertTrue(out.contains("stackMode gvisor: runs on the system engine"), out);
        // the per-flow line went through the same logger, into the date-named file
        waitFor("the flow line in the file", 5_000, () -> read(todaysLog(logs)).contains("[TCP]"));

        // a few flows held open, then SIGTERM: tunctl must be gone within 2 s, its interface removed
        for (int i = 0; i < 3; i++) {
            held.add(cli.start(dir.resolve("hold" + i + ".log").toFile(), "bash", "-c",
                    "exec 3<>/dev/tcp/" + TARGET + "/8000; sleep 60"));
        }
        waitFor("3 held flows", 10_000, () -> cli.exec("ss", "-Htn", "state", "established", "dst", "[" + TARGET + "]")
                .stdout().lines().count() >= 3);
        long t0 = System.nanoTime();
        p.destroy();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "tunctl did not stop");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("NanoTunNetnsIT: SIGTERM to exit with 3 flows open: " + ms + " ms");
        assertTrue(ms <= 2_000, "shutdown took " + ms + " ms:\n" + read(log));
        assertTrue(cli.exec("ip", "link", "show", "ntf0").exitCode() != 0, "the TUN is gone");
    }

    @Test
    void nanoTunsFlagsAloneRunThroughDante() throws Exception {
        Path logs = dir.resolve("logs-flags");
        Path log = dir.resolve("flags.log");
        tunctl(log, "up", "--transport", "socks", "--proxy", lab.dante(), "--tun", "nt0", "--log-dir", logs.toString());
        String link = cli.exec("ip", "-o", "link", "show", "nt0").orThrow();
        assertTrue(link.contains("mtu 1500"), link);
        curlThrough("nt0");
        assertTrue(read(todaysLog(logs)).contains("tunnel up"), "the file has what stderr has");
    }

    static Path todaysLog(Path logs) {
        try (Stream<Path> s = Files.list(logs)) {
            return s.filter(f -> f.getFileName().toString().startsWith("tunctl-" + LocalDate.now() + "."))
                    .findFirst().orElse(logs.resolve("none"));
        } catch (IOException e) {
            return logs.resolve("none");
        }
    }

}
