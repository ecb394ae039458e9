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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static io.tunctl.transport.socks.testkit.TunctlProcesses.read;
import static io.tunctl.transport.socks.testkit.TunctlProcesses.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The socks transport end to end, through the packaged {@code ./tunctl up}, against real proxies. Three
 * namespaces: {@code cli} runs tunctl with its TUN (the applications — curl, dig, ping — are the real kernel's),
 * {@code prx} runs dante, microsocks, tinyproxy and ss-local/ss-server, {@code srv} holds the targets (jwebserver
 * with a 100 MiB file, dnsmasq, a UDP echo) on documentation addresses that {@code cli} routes into its TUN. The
 * config lists {@code direct: []} so those documentation destinations go to the proxy.
 *
 * <pre>
 *   cli [socks0 198.18.0.1/30] ── 10.200.0.1/30 ── 10.200.0.2 prx 192.0.2.1/24 ── 192.0.2.10/24 srv
 *                                 fd00:200::1/64      fd00:200::2    2001:db8:2::1/64   2001:db8:2::10/64
 * </pre>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class SocksNetnsIT {
    static final String TARGET4 = "192.0.2.10", TARGET6 = "2001:db8:2::10";
    static final int MIB = 1 << 20;
    static final int FILE_MIB = 100;

    static Netns cli, prx, srv;
    static ProxyLab lab;
    static Path dir;
    static String fileSha;
    static final TunctlProcesses tunnels = new TunctlProcesses();
    /** Each tunnel gets an interface of its own: a stopping one may still be removing its own. */
    static int tunnelCount;

    @BeforeAll
    static void topology() throws Exception {
        Root.require();
        Root.ensureCommand("curl", "curl");
        Root.ensureCommand("dig", "dnsutils");
        Root.ensureCommand("ping", "iputils-ping");
        Root.ensureCommand("dnsmasq", "dnsmasq-base");
        dir = Files.createDirectories(Path.of("target", "socks-it-" + ProcessHandle.current().pid()).toAbsolutePath());
        cli = Netns.create("tn-sc");
        prx = Netns.create("tn-sp");
        srv = Netns.create("tn-ss");
        Netns.veth(cli, "vcp", "10.200.0.1/30", prx, "vpc", "10.200.0.2/30");
        Netns.veth(prx, "vps", "192.0.2.1/24", srv, "vsp", "192.0.2.10/24");
        cli.exec("ip", "-6", "addr", "add", "fd00:200::1/64", "dev", "vcp", "nodad").orThrow();
        prx.exec("ip", "-6", "addr", "add", "fd00:200::2/64", "dev", "vpc", "nodad").orThrow();
        prx.exec("ip", "-6", "addr", "add", "2001:db8:2::1/64", "dev", "vps", "nodad").orThrow();
        srv.exec("ip", "-6", "addr", "add", "2001:db8:2::10/64", "dev", "vsp", "nodad").orThrow();
        // targets: a 100 MiB file over HTTP (v4 and v6), DNS, UDP echo
        Path www = Files.createDirectories(dir.resolve("www"));
        Path big = www.resolve("big.bin");
        byte[] chunk = new byte[MIB];
        java.util.Random rnd = new java.util.Random(7);
        var sha = java.security.MessageDigest.getInstance("SHA-256");
        try (var out = Files.newOutputStream(big)) {
            for (int i = 0; i < FILE_MIB; i++) {
                rnd.nextBytes(chunk);
                sha.update(chunk);
                out.write(chunk);
            }
        }
        fileSha = java.util.HexFormat.of().formatHex(sha.digest());
        Files.writeString(www.resolve("small.txt"), "hello-socks\n");
        String javaHome = System.getProperty("java.home");
        srv.start(dir.resolve("web4.log").toFile(), javaHome + "/bin/jwebserver", "-b", TARGET4, "-p", "8000", "-d", www.toString());
        srv.start(dir.resolve("web6.log").toFile(), javaHome + "/bin/jwebserver", "-b", TARGET6, "-p", "8000", "-d", www.toString());
        srv.start(dir.resolve("dnsmasq.log").toFile(), "dnsmasq", "--no-daemon", "--no-resolv", "--no-hosts",
                "--listen-address=" + TARGET4, "--bind-interfaces", "--address=/host.test/192.0.2.99", "--port=53");
        srv.start(dir.resolve("tinyhttp.log").toFile(), javaHome + "/bin/java", resource("TinyHttp.java").toString(), TARGET4, "8001");
        Path echo = resource("UdpEcho.java");
        srv.start(dir.resolve("udpecho.log").toFile(), javaHome + "/bin/java", echo.toString(), TARGET4, "9999");
        waitFor("targets", 30_000, () -> srv.exec("ss", "-Htln", "sport = :8000").stdout().lines().count() >= 2
                && srv.exec("ss", "-Htln", "sport = :8001").stdout().contains("8001")
                && srv.exec("ss", "-Huln", "sport = :9999").stdout().contains("9999")
                && srv.exec("ss", "-Huln", "sport = :53").stdout().contains("53"));
        lab = new ProxyLab(prx, "10.200.0.2", "fd00:200::2").danteExternal("vps");
    }

    @AfterAll
    static void tearDown() {
        stopTunnels();
        if (lab != null) lab.close();
        for (Netns n : new Netns[] {cli, prx, srv}) if (n != null) n.close();
    }

    static void stopTunnels() { tunnels.stopAll(); }

    static Path resource(String name) throws IOException { return TunctlProcesses.resource(dir, name); }

    /** Starts {@code ./tunctl up} in cli with {@code proxy}; returns its log. */
    static Path up(String name, String proxy, String extra) throws Exception {
        return up(name, proxy, extra, true);
    }

    static Path up(String name, String proxy, String extra, boolean offload) throws Exception {
        stopTunnels();
        String tag = name + "-" + tunnelCount; // a log of its own: "tunnel up" must be this process's
        Path config = dir.resolve(tag + ".yaml");
        Files.writeString(config, String.join("\n",
                "transport: socks",
                "interface:",
                "  name: socks" + tunnelCount++,
                "  mtu: 1500",
                "  offload: " + offload,
                "  addresses: [198.18.0.1/30, fdfe:dcba:9876::1/126]",
                "  routes: [{ to: 192.0.2.0/24 }, { to: '2001:db8:2::/64' }]",
                "socks:",
                "  proxy: " + proxy,
                "  direct: []",
                "  metrics: 127.0.0.1:9102",
                extra,
                ""));
        Path log = dir.resolve(tag + ".log");
        tunnels.start(cli, log, "up", config.toString());
        return log;
    }

    /** curl in cli, through the TUN; returns the result (stdout = what -w printed, or the body). */
    static ProcessRunner.Result curl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "60"));
        cmd.addAll(List.of(args));
        return cli.exec(Duration.ofSeconds(90), cmd.toArray(String[]::new));
    }

    /** Downloads the 100 MiB file from {@code host} through the TUN and checks its SHA-256. */
    static void fetchBigFile(String proxyName, String host) {
        ProcessRunner.Result r = cli.exec(Duration.ofSeconds(120), "sh", "-c",
                "curl -sS --max-time 90 http://" + host + ":8000/big.bin | sha256sum");
        assertEquals(0, r.exitCode(), proxyName + " " + host + ": " + r.stderr());
        assertEquals(fileSha, r.stdout().split(" ")[0], proxyName + " " + host + ": checksum");
    }

    static Map<String, Long> metrics() throws Exception {
        ProcessRunner.Result r = cli.exec("curl", "-s", "--max-time", "5", "http://127.0.0.1:9102/metrics");
        Map<String, Long> m = new TreeMap<>();
        for (String line : r.stdout().split("\n")) {
            int sp = line.lastIndexOf(' ');
            if (sp > 0) m.put(line.substring(0, sp).replace("tunctl_socks_", ""), Long.parseLong(line.substring(sp + 1)));
        }
        return m;
    }

    @Test
    @Order(1)
    void curlFetches100MibThroughEveryTcpProxyOverIpv4AndIpv6() throws Exception {
        Map<String, String> proxies = new java.util.LinkedHashMap<>();
        proxies.put("dante socks5", lab.dante());
        proxies.put("dante socks5 auth", lab.danteAuth());
        proxies.put("dante socks4", ProxyLab.asSocks4(lab.dante()));
        proxies.put("microsocks", lab.microsocks());
        proxies.put("microsocks auth", lab.microsocksAuth());
        proxies.put("tinyproxy http", lab.tinyproxy());
        proxies.put("tinyproxy http auth", lab.tinyproxyAuth());
        proxies.put("ss-local", lab.ssLocal());
        for (var e : proxies.entrySet()) {
            up("tcp-" + e.getKey().replace(' ', '-'), e.getValue(), "");
            fetchBigFile(e.getKey(), TARGET4);
            // socks4 carries no IPv6 destination: that one gets a refusal instead
            if (e.getKey().contains("socks4")) {
                ProcessRunner.Result r = curl("-o", "/dev/null", "http://[" + TARGET6 + "]:8000/small.txt");
                assertTrue(r.exitCode() != 0, "socks4 to IPv6 must fail");
            } else {
                fetchBigFile(e.getKey(), "[" + TARGET6 + "]");
            }
        }
    }

    @Test
    @Order(2)
    void dnsOverUdpGetsItsAnswerThroughDanteAndSsLocalAndMicrosocksGivesPortUnreachable() throws Exception {
        for (String proxy : List.of(lab.dante(), lab.ssLocal())) {
            up("dns", proxy, "");
            ProcessRunner.Result r = cli.exec(Duration.ofSeconds(20), "dig", "+short", "+tries=1", "+time=3",
                    "@" + TARGET4, "host.test", "A");
            assertEquals("192.0.2.99", r.stdout().strip(), proxy + ": " + r.stdout() + r.stderr());
        }
        Path log = up("dns-microsocks", lab.microsocks(), "");
        ProcessRunner.Result r = cli.exec(Duration.ofSeconds(20), "dig", "+tries=1", "+time=3", "@" + TARGET4,
                "host.test", "A");
        assertTrue((r.stdout() + r.stderr()).contains("connection refused"),
                "dig through microsocks should see ICMP port unreachable:\n" + r.stdout() + r.stderr());
        waitFor("the log line", 5_000, () -> read(log).contains("does not carry UDP"));
    }

    @Test
    @Order(3)
    void aWrongProxyPasswordIsARefusedConnectionAndTheLogNamesTheProxysAnswer() throws Exception {
        String bad = lab.danteAuth().replaceFirst("://([^:]+):[^@]+@", "://$1:wrong@");
        Path log = up("badpass", bad, "");
        ProcessRunner.Result r = curl("-o", "/dev/null", "http://" + TARGET4 + ":8000/small.txt");
        assertEquals(7, r.exitCode(), "curl should see a refused connection: " + r.stderr());
        assertTrue(r.stderr().contains("refused") || r.stderr().contains("Couldn't connect"), r.stderr());
        waitFor("the log line", 5_000, () -> read(log).contains("authentication"));
    }

    @Test
    @Order(4)
    void aThousandConcurrentShortConnectionsCompleteAndTheTablesEmpty() throws Exception {
        up("many", lab.dante(), "  limits: { pendingDials: 2048 }");
        Path prog = resource("ManyConnections.java");
        ProcessRunner.Result r = cli.exec(Duration.ofSeconds(180), System.getProperty("java.home") + "/bin/java",
                prog.toString(), TARGET4, "8001", "1000", "/");
        assertEquals("ok=1000 failed=0", r.stdout().strip(), r.stderr() + "\n" + lab.logs());
        waitFor("NAT and flow tables to empty", 40_000, () -> {
            try {
                Map<String, Long> m = metrics();
                return m.getOrDefault("nat_entries", -1L) == 0 && m.getOrDefault("flow_tcp_relays", -1L) == 0
                        && m.getOrDefault("flow_tcp_dials", -1L) == 0;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    @Order(5)
    void theGatewayAnswersPingAndUdpEchoComesBack() throws Exception {
        up("ping", lab.dante(), "");
        ProcessRunner.Result p4 = cli.exec("ping", "-c", "2", "-i", "0.2", "-W", "2", "198.18.0.2");
        assertEquals(0, p4.exitCode(), p4.stdout() + p4.stderr());
        ProcessRunner.Result p6 = cli.exec("ping", "-6", "-c", "2", "-i", "0.2", "-W", "2", "fdfe:dcba:9876::2");
        assertEquals(0, p6.exitCode(), p6.stdout() + p6.stderr());
        // a UDP echo through dante's UDP ASSOCIATE, from bash's /dev/udp
        ProcessRunner.Result u = cli.exec(Duration.ofSeconds(20), "bash", "-c",
                "exec 3<>/dev/udp/" + TARGET4 + "/9999; printf ping-udp >&3; timeout 5 head -c 13 <&3");
        assertEquals("echo:ping-udp", u.stdout(), u.stderr());
        // 4000 bytes: the kernel fragments the datagram into the TUN, the engine reassembles it, and fragments the
        // 4005-byte answer, which the kernel reassembles
        ProcessRunner.Result big = cli.exec(Duration.ofSeconds(20), "bash", "-c",
                "exec 3<>/dev/udp/" + TARGET4 + "/9999; printf '%4000s' '' | tr ' ' x >&3; timeout 5 head -c 4005 <&3 | wc -c");
        assertEquals("4005", big.stdout().strip(), big.stderr());
    }

    /** Without IFF_VNET_HDR nothing is a super-packet, and the bridge copies what the engine only refers to. */
    @Test
    @Order(7)
    void aTunWithoutOffloadCarriesTheSameFlows() throws Exception {
        up("plain-tun", lab.dante(), "", false);
        fetchBigFile("dante socks5 without offload", TARGET4);
        ProcessRunner.Result p4 = cli.exec("ping", "-c", "2", "-i", "0.2", "-W", "2", "198.18.0.2");
        assertEquals(0, p4.exitCode(), p4.stdout() + p4.stderr());
    }

    @Test
    @Order(6)
    void aClosedPortIsRefusedBeforeTheHandshakeDialFirstAndResetAfterItAcceptFirst() throws Exception {
        up("dial-first", lab.dante(), "");
        ProcessRunner.Result refused = curl("-o", "/dev/null", "http://" + TARGET4 + ":9/");
        assertEquals(7, refused.exitCode(), "dial-first: connect() itself fails: " + refused.stderr());
        up("accept-first", lab.dante(), "  handshake: accept-first");
        ProcessRunner.Result reset = curl("-o", "/dev/null", "http://" + TARGET4 + ":9/");
        assertTrue(reset.exitCode() == 56 || reset.exitCode() == 52,
                "accept-first: connected, then reset or closed (curl 56 or 52), not " + reset.exitCode() + ": " + reset.stderr());
    }
}
