package io.tunctl.transport.socks.it;

import io.tunctl.core.testkit.Netns;
import io.tunctl.core.testkit.ProcessRunner;
import io.tunctl.core.testkit.Root;
import io.tunctl.transport.socks.testkit.TunctlProcesses;
import io.tunctl.transport.socks.testkit.ProxyLab;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.tunctl.transport.socks.testkit.TunctlProcesses.read;
import static io.tunctl.transport.socks.testkit.TunctlProcesses.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway's DNS relay end to end, through the packaged {@code ./tunctl up}: dig, glibc ({@code getent}) and a
 * pipelining client in {@code cli} ask 198.18.0.2 / fdfe:dcba:9876::2; dnsmasq in {@code dns} answers. Directly,
 * the relay reaches dnsmasq over its own veth (10.201.0.2, not routed into the TUN); through the proxy, dante in
 * {@code prx} reaches dnsmasq on 192.0.2.53, which {@code cli} has no route to at all. dnsmasq logs every query
 * with its source, which shows the path taken.
 *
 * <pre>
 *   cli [tun 198.18.0.1/30] ── 10.201.0.1/30 ───────────────── 10.201.0.2/30 dns
 *                           ── 10.200.0.1/30 ── 10.200.0.2 prx 192.0.2.1/24 ── 192.0.2.53/24 dns
 * </pre>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class DnsRelayNetnsIT {
    static final String GW4 = "198.18.0.2", GW6 = "fdfe:dcba:9876::2";
    static final String DIRECT_DNS = "10.201.0.2", PROXIED_DNS = "192.0.2.53";
    static final int TXT_RECORDS = 10;

    static Netns cli, prx, dns;
    static ProxyLab lab;
    static Path dir, dnsLog, netnsEtc;
    static boolean madeEtcNetns;
    static final TunctlProcesses tunnels = new TunctlProcesses();
    static int tunnelCount;

    @BeforeAll
    static void topology() throws Exception {
        Root.require();
        Root.ensureCommand("dig", "dnsutils");
        Root.ensureCommand("dnsmasq", "dnsmasq-base");
        Root.ensureCommand("curl", "curl");
        dir = Files.createDirectories(Path.of("target", "dnsrelay-it-" + ProcessHandle.current().pid()).toAbsolutePath());
        cli = Netns.create("tn-drc");
        prx = Netns.create("tn-drp");
        dns = Netns.create("tn-drd");
        Netns.veth(cli, "vcd", "10.201.0.1/30", dns, "vdc", DIRECT_DNS + "/30");
        Netns.veth(cli, "vcp", "10.200.0.1/30", prx, "vpc", "10.200.0.2/30");
        Netns.veth(prx, "vpd", "192.0.2.1/24", dns, "vdp", PROXIED_DNS + "/24");
        // glibc in cli asks the gateway: ip netns exec bind-mounts /etc/netns/<ns>/resolv.conf over /etc/resolv.conf
        madeEtcNetns = !Files.exists(Path.of("/etc/netns"));
        netnsEtc = Files.createDirectories(Path.of("/etc/netns", cli.name()));
        Files.writeString(netnsEtc.resolve("resolv.conf"), "nameserver " + GW4 + "\noptions timeout:5 attempts:1\n");
        // --keep-in-foreground, not --no-daemon: the latter serves TCP in its main process, so one open TCP
        // connection (the relay keeps one) would stall every UDP query
        List<String> cmd = new ArrayList<>(List.of("dnsmasq", "--keep-in-foreground", "--pid-file=", "--user=root",
                "--log-facility=-", "--log-queries", "--no-resolv", "--no-hosts", "--bind-interfaces",
                "--listen-address=" + DIRECT_DNS, "--listen-address=" + PROXIED_DNS,
                "--address=/x.test/192.0.2.99", "--address=/x.test/2001:db8::99"));
        String text = "t".repeat(200);
        for (int i = 0; i < TXT_RECORDS; i++) cmd.add("--txt-record=big.test," + i + text);
        dnsLog = dir.resolve("dnsmasq.log");
        dns.start(dnsLog.toFile(), cmd.toArray(String[]::new));
        waitFor("dnsmasq", 20_000, () -> dns.exec("ss", "-Htln", "sport = :53").stdout().lines().count() >= 2);
        lab = new ProxyLab(prx, "10.200.0.2", null).danteExternal("vpd");
    }

    @AfterAll
    static void tearDown() throws IOException {
        stopTunnels();
        if (lab != null) lab.close();
        for (Netns n : new Netns[] {cli, prx, dns}) if (n != null) n.close();
        if (netnsEtc != null && Files.exists(netnsEtc)) {
            try (Stream<Path> s = Files.walk(netnsEtc)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
            }
            if (madeEtcNetns) {
                try {
                    Files.deleteIfExists(netnsEtc.getParent());
                } catch (java.nio.file.DirectoryNotEmptyException e) {
                    // another namespace's files arrived meanwhile: theirs to remove
                }
            }
        }
    }

    static void stopTunnels() { tunnels.stopAll(); }

    static Path resource(String name) throws IOException { return TunctlProcesses.resource(dir, name); }

    /** Starts {@code ./tunctl up} in cli with {@code proxy} and the {@code dns:} section; returns its log. */
    static Path up(String name, String proxy, String dnsSection) throws Exception {
        stopTunnels();
        String tag = name + "-" + tunnelCount;
        Path config = dir.resolve(tag + ".yaml");
        Files.writeString(config, String.join("\n",
                "transport: socks",
                "interface:",
                "  name: dnsr" + tunnelCount++,
                "  mtu: 1500",
                "  offload: true",
                "  addresses: [198.18.0.1/30, fdfe:dcba:9876::1/126]",
                "socks:",
                "  proxy: " + proxy,
                "  metrics: 127.0.0.1:9103",
                "  dns: " + dnsSection,
                ""));
        Path log = dir.resolve(tag + ".log");
        tunnels.start(cli, log, "up", config.toString());
        return log;
    }

    static ProcessRunner.Result dig(String... args) {
        List<String> cmd = new ArrayList<>(List.of("dig", "+tries=1", "+time=3"));
        cmd.addAll(List.of(args));
        return cli.exec(Duration.ofSeconds(20), cmd.toArray(String[]::new));
    }

    static void assertShort(String want, ProcessRunner.Result r) {
        assertEquals(want, r.stdout().strip(), String.join(" ", r.command()) + ":\n" + r.stdout() + r.stderr()
                + "\ndnsmasq:\n" + tail(read(dnsLog)));
    }

    static String tail(String s) { return s.length() > 3000 ? s.substring(s.length() - 3000) : s; }

    static Map<String, Long> metrics() {
        ProcessRunner.Result r = cli.exec("curl", "-s", "--max-time", "5", "http://127.0.0.1:9103/metrics");
        Map<String, Long> m = new TreeMap<>();
        for (String line : r.stdout().split("\n")) {
            int sp = line.lastIndexOf(' ');
            if (sp > 0 && !line.startsWith("#")) {
                try {
                    m.put(line.substring(0, sp).replace("tunctl_socks_", ""), Long.parseLong(line.substring(sp + 1)));
                } catch (NumberFormatException e) {
                    // not a counter line
                }
            }
        }
        return m;
    }

    static long dnsmasqQueriesFrom(String source) {
        return read(dnsLog).lines().filter(l -> l.contains("query[") && l.endsWith(" from " + source)).count();
    }

    @Test
    @Order(1)
    void directRelayAnswersDigGlibcPipelinedTcpAndLargeAnswers() throws Exception {
        up("direct", "socks5://10.200.0.2:1", "{ upstream: " + DIRECT_DNS + " }"); // the proxy is never used
        long before = dnsmasqQueriesFrom("10.201.0.1");
        assertShort("192.0.2.99", dig("+short", "@" + GW4, "x.test", "A"));
        assertShort("2001:db8::99", dig("+short", "@" + GW4, "x.test", "AAAA"));
        assertShort("192.0.2.99", dig("+short", "@" + GW6, "x.test", "A"));
        assertShort("2001:db8::99", dig("+short", "+tcp", "@" + GW4, "x.test", "AAAA"));
        assertShort("192.0.2.99", dig("+short", "+tcp", "@" + GW6, "x.test", "A"));
        assertTrue(dnsmasqQueriesFrom("10.201.0.1") >= before + 5, "dnsmasq saw the relay's own marked socket:\n"
                + tail(read(dnsLog)));

        // glibc sends A and AAAA back to back from one socket: both answered at once, no 5 s retry
        long t0 = System.nanoTime();
        ProcessRunner.Result g = cli.exec(Duration.ofSeconds(20), "getent", "ahosts", "x.test");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(0, g.exitCode(), g.stdout() + g.stderr());
        assertTrue(g.stdout().contains("192.0.2.99") && g.stdout().contains("2001:db8::99"), g.stdout());
        assertTrue(ms < 1000, "getent took " + ms + " ms");

        // two queries in one TCP segment, both answered on that connection
        ProcessRunner.Result p = cli.exec(Duration.ofSeconds(30), System.getProperty("java.home") + "/bin/java",
                resource("DnsPipeline.java").toString(), GW4, "53", "x.test");
        List<String> lines = p.stdout().lines().sorted().toList();
        assertEquals(List.of("id=5151 type=1 answers=1 rcode=0", "id=5152 type=28 answers=1 rcode=0"), lines,
                p.stdout() + p.stderr());

        // a 2 KB answer: whole over TCP; over UDP without EDNS cut to 512 bytes with TC
        ProcessRunner.Result big = dig("+tcp", "@" + GW4, "big.test", "TXT");
        assertTrue(big.stdout().contains("ANSWER: " + TXT_RECORDS + ","), big.stdout());
        int size = Integer.parseInt(big.stdout().replaceAll("(?s).*MSG SIZE\\s+rcvd: (\\d+).*", "$1"));
        assertTrue(size > 2000, "size " + size);
        ProcessRunner.Result cut = dig("+noedns", "+ignore", "@" + GW4, "big.test", "TXT");
        assertTrue(cut.stdout().matches("(?s).*flags: qr[a-z ]* tc.*"), cut.stdout());
        int cutSize = Integer.parseInt(cut.stdout().replaceAll("(?s).*MSG SIZE\\s+rcvd: (\\d+).*", "$1"));
        assertTrue(cutSize <= 512, "size " + cutSize);
        // and dig's own fallback (EDNS 1232 over UDP, TC, then TCP) ends with the whole answer
        assertTrue(dig("@" + GW4, "big.test", "TXT").stdout().contains("ANSWER: " + TXT_RECORDS + ","));

        // the gateway's other ports stay closed: UDP gets port unreachable, TCP a reset
        ProcessRunner.Result other = dig("-p", "5454", "@" + GW4, "x.test");
        assertTrue((other.stdout() + other.stderr()).contains("connection refused"), other.stdout() + other.stderr());
        ProcessRunner.Result tcp80 = cli.exec("curl", "-sS", "--max-time", "5", "http://" + GW4 + ":80/");
        assertEquals(7, tcp80.exitCode(), tcp80.stderr());

        Map<String, Long> m = metrics();
        assertEquals(0L, m.getOrDefault("flow_dns_timeouts", 0L), m.toString());
        assertEquals(0L, m.getOrDefault("flow_dns_retries", 0L), m.toString());
        assertTrue(m.getOrDefault("flow_dns_queries_udp", 0L) >= 6, m.toString());
        assertTrue(m.getOrDefault("flow_dns_queries_tcp", 0L) >= 5, m.toString());
        assertEquals(m.getOrDefault("flow_dns_queries_udp", 0L) + m.getOrDefault("flow_dns_queries_tcp", 0L),
                m.getOrDefault("flow_dns_answers", 0L), m.toString());
    }

    @Test
    @Order(2)
    void throughDanteUdpAndTcpQueriesReachAResolverOnlyTheProxyCanReach() throws Exception {
        up("dante", lab.dante(), "{ upstream: " + PROXIED_DNS + ", via: proxy }");
        long before = dnsmasqQueriesFrom("192.0.2.1");
        assertShort("192.0.2.99", dig("+short", "@" + GW4, "x.test", "A"));
        assertShort("2001:db8::99", dig("+short", "+tcp", "@" + GW4, "x.test", "AAAA"));
        long t0 = System.nanoTime();
        ProcessRunner.Result g = cli.exec(Duration.ofSeconds(20), "getent", "ahosts", "x.test");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(g.stdout().contains("192.0.2.99") && g.stdout().contains("2001:db8::99"), g.stdout() + g.stderr());
        assertTrue(ms < 1000, "getent took " + ms + " ms");
        assertTrue(dnsmasqQueriesFrom("192.0.2.1") >= before + 4, "dnsmasq saw dante's address:\n" + tail(read(dnsLog)));
    }

    @Test
    @Order(3)
    void throughAProxyWithoutUdpUdpQueriesGoOverTcp() throws Exception {
        Path log = up("microsocks", lab.microsocks(), "{ upstream: " + PROXIED_DNS + ", via: proxy }");
        assertShort("192.0.2.99", dig("+short", "@" + GW4, "x.test", "A"));
        assertShort("2001:db8::99", dig("+short", "@" + GW4, "x.test", "AAAA"));
        waitFor("the log line", 5_000, () -> read(log).contains("carries no UDP; queries to"));
    }
}
