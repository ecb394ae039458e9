package io.tunctl.transport.http.it;

import io.tunctl.core.testkit.Netns;
import io.tunctl.core.testkit.ProcessRunner;
import io.tunctl.core.testkit.Root;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * End to end with real TUNs: each tunnel is its own JVM started with {@code ip netns exec} in a test namespace,
 * namespaces joined by veths (documentation addresses). tapotun's README configs run unchanged; ping and iperf3
 * cross the tunnel, also through nginx with TLS. The tunnels run {@link TunnelMain} (the provider exactly as
 * {@code tunctl up} drives it, from this build); {@code -Dtunctl.it.cli=true} runs the packaged {@code ./tunctl up}.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class HttpNetnsIT {
    private final List<Netns> namespaces = new ArrayList<>();
    private final List<Process> tunnels = new ArrayList<>();
    private Path dir;

    @BeforeEach
    void setUp() throws IOException {
        Root.require();
        Root.ensureCommand("ping", "iputils-ping");
        dir = Files.createDirectories(Path.of("target", "it-" + ProcessHandle.current().pid() + "-"
                + System.nanoTime()).toAbsolutePath());
    }

    @AfterEach
    void tearDown() {
        // SIGTERM first so the tunnels remove their rules; Netns.close then kills what is left
        for (Process p : tunnels) p.destroy();
        for (Process p : tunnels) {
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Netns n : namespaces.reversed()) n.close();
    }

    private Netns ns() {
        Netns n = Netns.create("tn-http");
        namespaces.add(n);
        return n;
    }

    static String resource(String name) throws IOException {
        try (InputStream in = HttpNetnsIT.class.getResourceAsStream("/tapotun/" + name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** A running tunnel process and its log. */
    record Tunnel(Process process, Path log) {
        String output() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                return "";
            }
        }

        int count(String text) {
            return output().split(Pattern.quote(text), -1).length - 1;
        }
    }

    private Tunnel start(Netns ns, String tag, String configJson) throws Exception {
        Path config = dir.resolve(tag + ".json");
        Files.writeString(config, configJson);
        Path log = dir.resolve(tag + ".log");
        Process p;
        String ready;
        if (Boolean.getBoolean("tunctl.it.cli")) {
            // the real CLI (build it first: ./build.sh -q -DskipTests package -pl cli -am)
            Path launcher = Path.of(System.getProperty("tunctl.repo", "..")).resolve("tunctl");
            p = ns.start(log.toFile(), launcher.toString(), "up", config.toString());
            ready = "tunnel up";
        } else {
            String java = ProcessHandle.current().info().command().orElse("java");
            String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            p = ns.start(log.toFile(), java, "--enable-native-access=ALL-UNNAMED", "-Xmx256m",
                    "-cp", cp, TunnelMain.class.getName(), config.toString());
            ready = "UP";
        }
        tunnels.add(p);
        Tunnel t = new Tunnel(p, log);
        waitFor(tag + " up", 20_000, () -> t.output().contains(ready) || !p.isAlive());
        assertTrue(p.isAlive(), tag + " died:\n" + t.output());
        return t;
    }

    /** The names of a process's threads (as the kernel keeps them: 15 characters at most). */
    static List<String> threadNames(Process p) throws IOException {
        List<String> names = new ArrayList<>();
        try (var tasks = Files.list(Path.of("/proc", String.valueOf(p.pid()), "task"))) {
            for (Path t : tasks.toList()) {
                try {
                    names.add(Files.readString(t.resolve("comm")).strip());
                } catch (IOException gone) {
                    // the thread ended meanwhile
                }
            }
        }
        return names;
    }

    static void waitFor(String what, long millis, BooleanSupplier cond) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (!cond.getAsBoolean()) {
            if (System.currentTimeMillis() > end) fail("timed out waiting for " + what);
            Thread.sleep(100);
        }
    }

    static void waitForAddress(Netns ns, String dev, String cidr) throws InterruptedException {
        waitFor(cidr + " on " + dev + " in " + ns.name(), 20_000,
                () -> ns.exec("ip", "addr", "show", "dev", dev).stdout().contains(cidr));
    }

    /** Three pings must all come back; a stream that is still reconnecting gets up to 15 s to be ready first. */
    static void ping(Netns from, String to, String... extra) {
        List<String> probe = new ArrayList<>(List.of("ping", "-c", "1", "-W", "1"));
        probe.addAll(List.of(extra));
        probe.add(to);
        long end = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < end && !from.exec(probe.toArray(String[]::new)).ok()) {
            // not yet: the GET or PUT of a client may still be connecting
        }
        List<String> cmd = new ArrayList<>(List.of("ping", "-c", "3", "-i", "0.2", "-W", "2"));
        cmd.addAll(List.of(extra));
        cmd.add(to);
        ProcessRunner.Result r = from.exec(Duration.ofSeconds(30), cmd.toArray(String[]::new));
        assertEquals(0, r.exitCode(), "ping " + to + " from " + from.name() + ":\n" + r.stdout() + r.stderr());
    }

    /** iperf3 for a few seconds; returns Gbit/s received (measured, never asserted). */
    static double iperf(Netns client, String server, int seconds) {
        // unmeasured warm-up: the JVMs compile their hot paths (and the JDK's TLS) in the first seconds
        client.exec(Duration.ofSeconds(20), "iperf3", "-c", server, "-p", "5201", "-t", "2");
        ProcessRunner.Result r = client.exec(Duration.ofSeconds(seconds + 20), "iperf3", "-c", server, "-p", "5201",
                "-t", String.valueOf(seconds), "-O", "1", "-J");
        Matcher m = Pattern.compile("\"sum_received\":\\s*\\{[^}]*\"bits_per_second\":\\s*([0-9.e+]+)").matcher(r.stdout());
        assertTrue(m.find(), "iperf3 output:\n" + r.stdout() + r.stderr());
        return Double.parseDouble(m.group(1)) / 1e9;
    }

    @Test
    void readmeCorp0HubWithTwoClientsRoutesAndMark() throws Exception {
        Netns s = ns(), a = ns(), b = ns();
        Netns.veth(a, "tha", "192.0.2.2/24", s, "ths1", "192.0.2.1/24");
        Netns.veth(b, "thb", "198.51.100.2/24", s, "ths2", "198.51.100.1/24");
        Tunnel ts = start(s, "server", resource("readme-corp0.json"));
        String clientA = resource("readme-client-mark.json").replace("https://edge.example.com/ip", "http://192.0.2.1:8080/ip");
        String clientB = resource("readme-client.json").replace("https://edge.example.com/ip", "http://198.51.100.1:8080/ip")
                .replace("\"tun0\"", "\"corp0\"").replace("\"test\"", "\"foo\"");
        Tunnel ta = start(a, "client-a", clientA);
        Tunnel tb = start(b, "client-b", clientB);
        waitForAddress(a, "corp0", "10.50.0.2/24");
        waitForAddress(b, "corp0", "10.50.0.3/24");
        assertTrue(a.exec("ip", "link", "show", "corp0").stdout().contains("mtu 1400"), "MTU from x-tun-conf");

        ping(a, "10.50.0.1");       // the server
        ping(a, "10.50.0.254");     // the server's extra address (ips)
        ping(a, "10.50.0.3");       // the second client, through the server
        ping(b, "10.50.0.2");

        // clients[].routes steer a routed prefix to the right client: only B owns 10.70.0.1
        b.ip("addr", "add", "10.70.0.1/32", "dev", "lo");
        a.ip("route", "add", "10.70.0.0/24", "dev", "corp0");
        ping(a, "10.70.0.1");
        // and from the server host itself, through the kernel route tunctl installed for A's routes
        a.ip("addr", "add", "10.61.0.1/32", "dev", "lo");
        assertTrue(s.ip("route", "show", "10.61.0.0/24").contains("dev corp0"));
        ping(s, "10.61.0.1");

        // mark: fwmark policy routing as tapotun sets it up, on the server and on client A
        for (Netns n : List.of(s, a)) {
            assertTrue(n.ip("rule", "show").contains("fwmark 0x64 lookup 100"), n.ip("rule", "show"));
            assertTrue(n.ip("route", "show", "table", "100").contains("default dev corp0"), n.ip("route", "show", "table", "100"));
        }

        // the server restarts: clients reconnect and re-run their address/rule/route steps without "File exists"
        int before = ta.count("GET stream up");
        ts.process().destroy();
        assertTrue(ts.process().waitFor(10, TimeUnit.SECONDS), "server stopped on SIGTERM");
        start(s, "server2", resource("readme-corp0.json"));
        waitFor("client A reconnected", 30_000, () -> ta.count("GET stream up") > before);
        waitFor("client B reconnected", 30_000, () -> tb.count("GET stream up") > 1);
        ping(a, "10.50.0.3");
        assertTrue(ta.process().isAlive() && tb.process().isAlive(), ta.output());
        assertFalse(ta.output().contains("File exists"), ta.output());
        assertEquals(1, a.ip("rule", "show").split("fwmark 0x64", -1).length - 1, "one rule, not one per GET");

        Root.ensureCommand("iperf3", "iperf3");
        s.start(dir.resolve("iperf3-s.log").toFile(), "iperf3", "-s", "-p", "5201");
        Thread.sleep(300);
        System.out.printf("http (readme corp0, mtu 1400, TSO on): client -> server %.2f Gbit/s%n", iperf(a, "10.50.0.1", 3));
    }

    @Test
    void wrongTokenIsRefusedWithoutParametersAndRetried() throws Exception {
        Netns s = ns(), a = ns();
        Netns.veth(a, "tha", "192.0.2.2/24", s, "ths", "192.0.2.1/24");
        start(s, "server", resource("readme-server.json"));
        String bad = resource("readme-client.json").replace("https://edge.example.com/ip", "http://192.0.2.1:8080/ip")
                .replace("\"test\"", "\"not-the-token\"");
        Tunnel t = start(a, "client-bad", bad);
        waitFor("three refusals", 30_000, () -> t.count("refused the token") >= 3);
        assertFalse(a.exec("ip", "link", "show", "tun0").ok(), "no interface without parameters");
        assertTrue(t.process().isAlive());
        // the good token works against the same server
        Tunnel good = start(a, "client-good", resource("readme-client.json").replace("https://edge.example.com/ip",
                "http://192.0.2.1:8080/ip").replace("\"tun0\"", "\"tun1\""));
        waitForAddress(a, "tun1", "10.10.0.2/24");
        ping(a, "10.10.0.1");
        assertTrue(good.process().isAlive());
    }

    @Test
    void throughNginxWithTlsPingIperfAndReload() throws Exception {
        Root.ensureCommand("iperf3", "iperf3");
        Netns s = ns(), a = ns();
        Netns.veth(a, "tha", "192.0.2.2/24", s, "ths", "192.0.2.1/24");
        Path tls = dir.resolve("nginx");
        Path ca = Nginx.makeCertificates(tls, "192.0.2.1");
        start(s, "server", resource("readme-server.json").replace("\"port\": 8080,", "\"port\": 8080, \"listen\": \"127.0.0.1\","));
        try (Nginx nginx = Nginx.start(tls, s, "192.0.2.1:8443", "127.0.0.1:8080")) {
            String client = """
                    [ { "name": "tun0", "server": "https://192.0.2.1:8443/ip", "token": "test", "ca": "%s" } ]
                    """.formatted(ca);
            Tunnel t = start(a, "client-tls", client);
            waitForAddress(a, "tun0", "10.10.0.2/24");
            ping(a, "10.10.0.1");
            s.start(dir.resolve("iperf3-s.log").toFile(), "iperf3", "-s", "-p", "5201");
            Thread.sleep(300);
            System.out.printf("http-tls (nginx, TSO on): client -> server %.2f Gbit/s%n", iperf(a, "10.10.0.1", 3));
            // the client reads its TUN on the PUT stream's event loop (TunUplink): no pumping thread for tun0 -> PUT
            assertFalse(threadNames(t.process()).stream().anyMatch(n -> n.startsWith("bridge tun0")),
                    "a bridge thread pumps tun0: " + threadNames(t.process()));

            int before = t.count("GET stream up");
            nginx.reload();
            waitFor("client reconnected after nginx reload", 30_000, () -> t.count("GET stream up") > before);
            ping(a, "10.10.0.1");
            assertTrue(Files.readString(tls.resolve("access.log")).contains("\"GET /ip HTTP/1.1\" 200"),
                    "the stream went through nginx");
        }
    }

    @Test
    void ipv6MetricsAndReloadOnSighup() throws Exception {
        Netns s = ns(), a = ns();
        Netns.veth(a, "tha", "192.0.2.2/24", s, "ths", "192.0.2.1/24");
        String server = """
                [ { "name": "tun6", "port": 8080, "net": "10.10.0.1/24", "net6": "2001:db8:10::1/64",
                    "admin": "127.0.0.1:9180",
                    "clients": [ { "token": "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3", "ip": "10.10.0.2", "ip6": "2001:db8:10::2" } ] } ]
                """;
        Tunnel ts = start(s, "server6", server);
        Tunnel c1 = start(a, "client6", """
                [ { "name": "tun6", "server": "http://192.0.2.1:8080/ip", "token": "test" } ]
                """);
        waitForAddress(a, "tun6", "2001:db8:10::2/64");
        waitFor("IPv6 DAD", 10_000, () -> !a.exec("ip", "-6", "addr", "show", "dev", "tun6").stdout().contains("tentative")
                && !s.exec("ip", "-6", "addr", "show", "dev", "tun6").stdout().contains("tentative"));
        ping(a, "2001:db8:10::1", "-6");

        Root.ensureCommand("curl", "curl");
        String metrics = s.exec("curl", "-sS", "http://127.0.0.1:9180/metrics").orThrow();
        assertTrue(metrics.contains("tunctl_http_client_connected{interface=\"tun6\",client=\"10.10.0.2\"} 1"), metrics);
        assertTrue(metrics.contains("tunctl_http_client_rx_packets_total{interface=\"tun6\",client=\"10.10.0.2\"}"), metrics);
        assertTrue(s.exec("curl", "-sS", "http://127.0.0.1:9180/healthz").orThrow().contains("\"status\":\"ok\""));

        // SIGHUP: add a second client; the first keeps its stream
        Files.writeString(dir.resolve("server6.json"), server.replace("} ] } ]",
                "}, { \"token\": \"0beec7b5ea3f0fdbc95d0dd47f3c5bc275da8a33\", \"ip\": \"10.10.0.3\" } ] } ]"));
        Netns.host("kill", "-HUP", String.valueOf(ts.process().pid())).orThrow();
        try {
            waitFor("reload logged", 30_000, () -> ts.output().contains("reloaded"));
        } catch (AssertionError e) {
            // seen once in a CI run, not reproduced: keep what the server's threads were doing
            String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
            throw new AssertionError(e.getMessage() + "\nserver log:\n" + ts.output() + "\nserver threads:\n"
                    + Netns.host(jcmd, String.valueOf(ts.process().pid()), "Thread.print").stdout(), e);
        }
        Tunnel c2 = start(a, "client6b", """
                [ { "name": "tun7", "server": "http://192.0.2.1:8080/ip", "token": "foo" } ]
                """);
        waitForAddress(a, "tun7", "10.10.0.3/24");
        String after = s.exec("curl", "-sS", "http://127.0.0.1:9180/metrics").orThrow();
        assertTrue(after.contains("tunctl_http_client_connects_total{interface=\"tun6\",client=\"10.10.0.2\"} 1"), after);
        assertTrue(after.contains("tunctl_http_client_connected{interface=\"tun6\",client=\"10.10.0.3\"} 1"), after);
        assertEquals(1, c1.count("GET stream up"), c1.output());
        assertTrue(c2.process().isAlive());
    }

    /**
     * Allowed sources (a tunctl check; tapotun forwards any source): the client gives its TUN a second address
     * outside what the server allows it (its own 10.10.0.2 and 2001:db8:10::2) and pings the server from it.
     * Nothing reaches the server's kernel (its ICMP echo counters stand still), the server counts each packet
     * as a spoofed source, and pings from the client's own addresses still work.
     */
    @Test
    void aClientSendingFromOutsideItsAllowedSourcesGetsNothingThrough() throws Exception {
        Root.ensureCommand("curl", "curl");
        Netns s = ns(), a = ns();
        Netns.veth(a, "tha", "192.0.2.2/24", s, "ths", "192.0.2.1/24");
        start(s, "server-spoof", """
                [ { "name": "tun6", "port": 8080, "net": "10.10.0.1/24", "net6": "2001:db8:10::1/64",
                    "admin": "127.0.0.1:9180",
                    "clients": [ { "token": "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3", "ip": "10.10.0.2", "ip6": "2001:db8:10::2" } ] } ]
                """);
        start(a, "client-spoof", """
                [ { "name": "tun6", "server": "http://192.0.2.1:8080/ip", "token": "test" } ]
                """);
        waitForAddress(a, "tun6", "2001:db8:10::2/64");
        waitFor("IPv6 DAD", 10_000, () -> !a.exec("ip", "-6", "addr", "show", "dev", "tun6").stdout().contains("tentative")
                && !s.exec("ip", "-6", "addr", "show", "dev", "tun6").stdout().contains("tentative"));
        ping(a, "10.10.0.1");
        ping(a, "2001:db8:10::1", "-6");

        // addresses inside the tunnel's networks, so no reverse-path filter on the server could be what drops them
        a.ip("addr", "add", "10.10.0.77/32", "dev", "tun6");
        a.ip("addr", "add", "2001:db8:10::77/128", "dev", "tun6", "nodad");
        long echoes4 = snmp(s, "/proc/net/snmp", "Icmp", "InEchos");
        long echoes6 = snmp(s, "/proc/net/snmp6", null, "Icmp6InEchos");
        long spoofed = metric(s, "tunctl_http_routing_drops_total{interface=\"tun6\",reason=\"spoofed_source\"}");
        ProcessRunner.Result r4 = a.exec(Duration.ofSeconds(20), "ping", "-c", "5", "-i", "0.2", "-W", "1", "-I", "10.10.0.77", "10.10.0.1");
        ProcessRunner.Result r6 = a.exec(Duration.ofSeconds(20), "ping", "-6", "-c", "5", "-i", "0.2", "-W", "1", "-I", "2001:db8:10::77",
                "2001:db8:10::1");
        assertNotEquals(0, r4.exitCode(), "no answer from 10.10.0.77:\n" + r4.stdout());
        assertNotEquals(0, r6.exitCode(), "no answer from 2001:db8:10::77:\n" + r6.stdout());
        assertTrue(r4.stdout().contains("5 packets transmitted"), r4.stdout() + r4.stderr());
        assertTrue(r6.stdout().contains("5 packets transmitted"), r6.stdout() + r6.stderr());
        waitFor("10 spoofed packets counted", 10_000, () -> metric(s, "tunctl_http_routing_drops_total{interface=\"tun6\",reason=\"spoofed_source\"}") >= spoofed + 10);
        assertEquals(echoes4, snmp(s, "/proc/net/snmp", "Icmp", "InEchos"), "an echo request from 10.10.0.77 reached the server");
        assertEquals(echoes6, snmp(s, "/proc/net/snmp6", null, "Icmp6InEchos"), "an echo request from 2001:db8:10::77 reached the server");
        assertTrue(metric(s, "tunctl_http_client_drops_total{interface=\"tun6\",client=\"10.10.0.2\"}") >= 10);

        // the client's own addresses still get through, with the extra ones still on its TUN (named with -I: the
        // kernel may pick an extra one as the source)
        ping(a, "10.10.0.1", "-I", "10.10.0.2");
        ping(a, "2001:db8:10::1", "-6", "-I", "2001:db8:10::2");
        assertTrue(snmp(s, "/proc/net/snmp", "Icmp", "InEchos") >= echoes4 + 3);
        assertTrue(snmp(s, "/proc/net/snmp6", null, "Icmp6InEchos") >= echoes6 + 3);
    }

    /**
     * A counter of the namespace's IP stack: {@code /proc/net/snmp} has a header line and a value line per
     * protocol ({@code group}); {@code /proc/net/snmp6} has one "name value" line per counter.
     */
    static long snmp(Netns ns, String file, String group, String name) {
        String[] lines = ns.exec("cat", file).orThrow().split("\n");
        for (int i = 0; i < lines.length; i++) {
            String[] f = lines[i].trim().split("\\s+");
            if (group == null) {
                if (f.length == 2 && f[0].equals(name)) return Long.parseLong(f[1]);
            } else if (f[0].equals(group + ":") && i + 1 < lines.length) {
                String[] v = lines[i + 1].trim().split("\\s+");
                for (int k = 1; k < f.length; k++) if (f[k].equals(name)) return Long.parseLong(v[k]);
            }
        }
        throw new AssertionError(name + " not in " + file + " of " + ns.name());
    }

    /** A sample of the server's admin /metrics (on the namespace's own loopback). */
    static long metric(Netns ns, String sample) {
        String m = ns.exec("curl", "-sS", "http://127.0.0.1:9180/metrics").orThrow();
        for (String line : m.split("\n")) {
            if (line.startsWith(sample + " ")) return Long.parseLong(line.substring(sample.length() + 1).trim());
        }
        throw new AssertionError(sample + " not in /metrics:\n" + m);
    }
}
