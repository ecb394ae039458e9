package io.tunctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tunctl.core.testkit.ProcessRunner;
import io.tunctl.core.testkit.Root;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** {@code tunctl bench} as a script uses it: a short run, JSON out, every requested row measured. */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class BenchCommandIT {
    private static final Path REPO = Path.of(System.getProperty("tunctl.repo", "..")).toAbsolutePath().normalize();

    @Test
    void jsonRowsForDirectUdpAndBothBridges() throws Exception {
        Root.require();
        Root.ensureCommand("iperf3", "iperf3");
        Root.ensureCommand("gcc", "gcc"); // bridge-c compiles bench/c/tunloop.c
        ProcessRunner.Result r = ProcessRunner.run(Duration.ofSeconds(200), List.of(REPO.resolve("tunctl").toString(),
                "bench", "--only", "udp,bridge-java,bridge-java-tso,bridge-c", "--runs", "1", "--seconds", "1", "--json"));
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        JsonNode rows = new ObjectMapper().readTree(r.stdout());
        List<String> names = new java.util.ArrayList<>();
        for (JsonNode row : rows) {
            names.add(row.get("name").asText());
            assertEquals(1, row.get("version").asInt());
            assertTrue(row.get("median").asDouble() > 0.01, "row " + row);
            assertTrue(row.get("min").asDouble() <= row.get("median").asDouble());
            assertTrue(row.get("median").asDouble() <= row.get("max").asDouble());
            assertTrue(row.get("ratio").asDouble() > 0, "row " + row);
        }
        assertEquals(List.of("direct", "bridge-c", "bridge-java", "bridge-java-tso", "udp"), names);
        for (JsonNode row : rows) {
            assertFalse(row.has("error"), "row " + row);
            for (JsonNode run : row.get("runs")) assertTrue(run.isNumber(), "row " + row);
        }
        for (JsonNode row : rows) {
            if (row.get("name").asText().startsWith("bridge-")) assertTrue(row.get("pps").asLong() > 0, "row " + row);
        }
    }

    @Test
    void httpRowsPlainAndThroughNginxWithTls() throws Exception {
        Root.require();
        Root.ensureCommand("iperf3", "iperf3");
        Root.ensureCommand("nginx", "nginx-light");
        Root.ensureCommand("openssl", "openssl");
        ProcessRunner.Result r = ProcessRunner.run(Duration.ofSeconds(200), List.of(REPO.resolve("tunctl").toString(),
                "bench", "--only", "http,http-tls", "--runs", "1", "--seconds", "1", "--json"));
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        JsonNode rows = new ObjectMapper().readTree(r.stdout());
        assertEquals(3, rows.size(), r.stdout());
        for (JsonNode row : rows) assertTrue(row.get("median").asDouble() > 0.01, "row " + row);
        assertEquals("http-tls", rows.get(2).get("name").asText());
    }

    /**
     * The socks pair in one run: the load through a TUN and the socks transport to dante in B, and the same load
     * speaking SOCKS5 to the same dante itself; both measured with the built-in load while direct uses iperf3 (and
     * said so), {@code socks} reported as a ratio to {@code socks-proxy-direct}.
     */
    @Test
    void socksAndTheProxyAloneThroughDante() throws Exception {
        Root.require();
        Root.ensureCommand("iperf3", "iperf3");
        Root.ensureCommand("danted", "dante-server");
        ProcessRunner.Result r = ProcessRunner.run(Duration.ofSeconds(200), List.of(REPO.resolve("tunctl").toString(),
                "bench", "--only", "socks,socks-proxy-direct", "--runs", "2", "--seconds", "1", "--json"));
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        JsonNode rows = new ObjectMapper().readTree(r.stdout());
        assertEquals(List.of("direct", "socks", "socks-proxy-direct"),
                java.util.stream.StreamSupport.stream(rows.spliterator(), false).map(n -> n.get("name").asText()).toList());
        assertEquals("iperf3", rows.get(0).get("load").asText());
        for (JsonNode row : List.of(rows.get(1), rows.get(2))) {
            assertEquals("builtin TCP load (rows socks, socks-proxy-direct need it)", row.get("load").asText());
            assertFalse(row.has("error"), row.toString());
            for (JsonNode run : row.get("runs")) assertTrue(run.asDouble() > 0.01, row.toString());
        }
        JsonNode socks = rows.get(1);
        assertEquals("socks-proxy-direct", socks.get("comparedWith").asText());
        // the median of two per-round ratios is their mean (runs are rounded to 3 decimals, hence the tolerance)
        double r0 = socks.get("runs").get(0).asDouble() / rows.get(2).get("runs").get(0).asDouble();
        double r1 = socks.get("runs").get(1).asDouble() / rows.get(2).get("runs").get(1).asDouble();
        assertEquals((r0 + r1) / 2, socks.get("comparedRatio").asDouble(), 0.01, socks.toString());
    }

    /** The reference VPN row: wireguard-go in both namespaces, keyed and configured by the bench itself. */
    @Test
    void wireguardGoReferenceRow() throws Exception {
        Root.require();
        Root.ensureCommand("iperf3", "iperf3");
        Root.ensureCommand("wireguard-go", "wireguard-go");
        Root.ensureCommand("wg", "wireguard-tools");
        ProcessRunner.Result r = ProcessRunner.run(Duration.ofSeconds(200), List.of(REPO.resolve("tunctl").toString(),
                "bench", "--only", "wireguard-go", "--runs", "1", "--seconds", "1", "--json"));
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        JsonNode rows = new ObjectMapper().readTree(r.stdout());
        assertEquals(List.of("direct", "wireguard-go"),
                java.util.stream.StreamSupport.stream(rows.spliterator(), false).map(n -> n.get("name").asText()).toList());
        JsonNode wg = rows.get(1);
        assertFalse(wg.has("error"), wg.toString());
        assertTrue(wg.get("median").asDouble() > 0.01, wg.toString());
    }

    /**
     * The p2p rows and the reference in one run: tunctl ↔ tunctl with nospoon's configs on a private DHT, tunctl ↔
     * the Node nospoon-framing peer (hyperdht from npm, installed by the row itself), and wireguard-go.
     */
    @Test
    void p2pRowsAgainstEachOtherAndWireguardGo() throws Exception {
        Root.require();
        Root.ensureCommand("iperf3", "iperf3");
        Root.ensureCommand("wireguard-go", "wireguard-go");
        Root.ensureCommand("wg", "wireguard-tools");
        Root.ensureCommand("node", "nodejs");
        Root.ensureCommand("npm", "npm");
        ProcessRunner.Result r = ProcessRunner.run(Duration.ofSeconds(220), List.of(REPO.resolve("tunctl").toString(),
                "bench", "--only", "p2p,p2p-node,wireguard-go", "--runs", "1", "--seconds", "1", "--json"));
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        JsonNode rows = new ObjectMapper().readTree(r.stdout());
        assertEquals(List.of("direct", "p2p", "p2p-node", "wireguard-go"),
                java.util.stream.StreamSupport.stream(rows.spliterator(), false).map(n -> n.get("name").asText()).toList());
        for (JsonNode row : rows) {
            assertFalse(row.has("error"), row.toString());
            // Gbit/s: the Node peer moves a few Mbit/s on a loaded machine, so only "something crossed" is asserted
            assertTrue(row.get("median").asDouble() > 0.001, row.toString());
        }
    }

    @Test
    void builtinLoadWhenForcedSaysSo() throws Exception {
        Root.require();
        ProcessBuilder pb = new ProcessBuilder(REPO.resolve("tunctl").toString(), "bench", "--only", "bridge-java",
                "--runs", "1", "--seconds", "1");
        pb.environment().put("TUNCTL_BENCH_LOAD", "builtin");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(200, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("load: builtin TCP load (TUNCTL_BENCH_LOAD=builtin)"), out);
        String row = out.lines().filter(l -> l.startsWith("bridge-java ")).findFirst().orElseThrow();
        double median = Double.parseDouble(row.trim().split("\\s+")[2]);
        assertTrue(median > 0.01, row);
    }

    /**
     * The README's main command on a fresh machine: PATH holds only what such a machine has (a shell, coreutils the
     * launcher uses, iproute2, procps' kill, gcc with binutils, apt-get), so no ping, iperf3, nginx or openssl, even
     * where this machine has them. The JDK is found in /usr/lib/jvm, not on PATH.
     */
    @Test
    void freshMachineWithoutPingIperf3OrNginx() throws Exception {
        Root.require();
        ProcessRunner.Result r = runWithFreshPath(true, Duration.ofSeconds(200), "bench", "--runs", "1",
                "--seconds", "1", "--warmup", "1");
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        String table = r.stdout();
        assertTrue(table.contains("load: builtin TCP load (iperf3 not installed)"), table);
        for (String name : List.of("direct", "bridge-c", "bridge-c-tso", "bridge-java", "bridge-java-tso", "http", "udp")) {
            String row = table.lines().filter(l -> l.startsWith(name + " ")).findFirst().orElseThrow(() -> new AssertionError(name + ": " + table));
            double median = Double.parseDouble(row.trim().split("\\s+")[2]);
            assertTrue(median > 0.01, row);
        }
        String tls = table.lines().filter(l -> l.startsWith("http-tls ")).findFirst().orElseThrow(() -> new AssertionError(table));
        assertTrue(tls.matches("http-tls +not run: needs openssl, nginx \\(apt-get install -y openssl nginx\\)"), tls);
        String wg = table.lines().filter(l -> l.startsWith("wireguard-go ")).findFirst().orElseThrow(() -> new AssertionError(table));
        assertTrue(wg.matches("wireguard-go +not run: needs wireguard-go, wg \\(apt-get install -y wireguard-go wireguard-tools\\)"), wg);
        assertTrue(r.stderr().contains("warm-up   http "), r.stderr());
    }

    @Test
    void withoutGccTheCBridgeRowsAreNotRunAndSayWhy() throws Exception {
        ProcessRunner.Result r = runWithFreshPath(false, Duration.ofSeconds(60), "bench", "--list");
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        assertTrue(r.stdout().lines().toList().containsAll(List.of("direct", "bridge-java", "http")), r.stdout());
        assertFalse(r.stdout().contains("bridge-c"), r.stdout());
        assertTrue(r.stderr().contains("bridge-c: not run: needs gcc (apt-get install -y gcc)"), r.stderr());
        assertTrue(r.stderr().contains("bridge-c-tso: not run: needs gcc (apt-get install -y gcc)"), r.stderr());
    }

    /**
     * Runs the launcher with {@code args} and a PATH of one directory linking only the programs of a fresh machine
     * (gcc and binutils if {@code gcc}), and no other environment.
     */
    private static ProcessRunner.Result runWithFreshPath(boolean gcc, Duration timeout, String... args) throws Exception {
        List<String> programs = new java.util.ArrayList<>(List.of("bash", "sh", "env", "readlink", "dirname", "ls",
                "sort", "sed", "head", "ip", "ss", "kill", "apt-get"));
        if (gcc) programs.addAll(List.of("gcc", "as", "ld"));
        Path bin = Files.createTempDirectory("tunctl-fresh-path-");
        try {
            for (String p : programs) {
                Path target = null;
                for (String dir : List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
                    if (Files.isExecutable(Path.of(dir, p))) {
                        target = Path.of(dir, p);
                        break;
                    }
                }
                assertNotNull(target, "a fresh machine has " + p);
                Files.createSymbolicLink(bin.resolve(p), target);
            }
            List<String> cmd = new java.util.ArrayList<>(List.of("/usr/bin/env", "-i", "PATH=" + bin, "HOME=/root",
                    REPO.resolve("tunctl").toString()));
            cmd.addAll(List.of(args));
            return ProcessRunner.run(timeout, cmd);
        } finally {
            for (String p : programs) Files.deleteIfExists(bin.resolve(p)); // the links, not what they point to
            Files.delete(bin);
        }
    }

    @Test
    void unknownRowIsAUsageError() {
        Root.require();
        ProcessRunner.Result r = ProcessRunner.run(Duration.ofSeconds(60), List.of(REPO.resolve("tunctl").toString(),
                "bench", "--only", "no-such-row"));
        assertEquals(2, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("no row 'no-such-row'"), r.stderr());
    }
}
