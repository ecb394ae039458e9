package io.tunctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tunctl.core.testkit.ProcessRunner;
import io.tunctl.core.testkit.Root;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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

    @Test
    void builtinLoadWhenIperf3IsMissingSaysSo() throws Exception {
        Root.require();
        ProcessBuilder pb = new ProcessBuilder(REPO.resolve("tunctl").toString(), "bench", "--only", "bridge-java",
                "--runs", "1", "--seconds", "1");
        pb.environment().put("TUNCTL_BENCH_LOAD", "builtin");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(200, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("load: builtin TCP load"), out);
        String row = out.lines().filter(l -> l.startsWith("bridge-java ")).findFirst().orElseThrow();
        double median = Double.parseDouble(row.trim().split("\\s+")[2]);
        assertTrue(median > 0.01, row);
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
