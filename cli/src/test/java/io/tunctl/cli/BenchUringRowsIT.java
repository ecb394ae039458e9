package io.tunctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tunctl.core.testkit.ProcessRunner;
import io.tunctl.core.testkit.Root;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bench's io_uring rows (C multishot and Java, plain and TSO) and the multi-queue pair (4 streams through one
 * queue, then through 4 queues) in one short run: every row measured, the pair with its own stream count and the
 * 4-queue row reported as a ratio to the 1-queue one.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class BenchUringRowsIT {
    private static final Path REPO = Path.of(System.getProperty("tunctl.repo", "..")).toAbsolutePath().normalize();
    private static final List<String> ROWS = List.of("bridge-c-uring", "bridge-c-uring-tso", "bridge-java-p4",
            "bridge-java-mq4", "bridge-java-uring", "bridge-java-uring-tso");

    @Test
    void uringRowsAndTheMultiQueuePair() throws Exception {
        Root.require();
        Root.ensureCommand("iperf3", "iperf3");
        Root.ensureCommand("gcc", "gcc"); // the C rows compile bench/c/tunloop.c
        Root.ensureFile(Path.of("/usr/include/liburing.h"), "liburing-dev"); // tunloop --io mshot
        ProcessRunner.Result r = ProcessRunner.run(Duration.ofSeconds(280), List.of(REPO.resolve("tunctl").toString(),
                "bench", "--only", String.join(",", ROWS), "--runs", "1", "--seconds", "1", "--json"));
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        JsonNode rows = new ObjectMapper().readTree(r.stdout());
        List<String> names = new ArrayList<>();
        for (JsonNode row : rows) {
            String name = row.get("name").asText();
            names.add(name);
            assertFalse(row.has("error"), "row " + row);
            assertTrue(row.get("median").asDouble() > 0.01, "row " + row);
            if (name.startsWith("bridge-")) assertTrue(row.get("pps").asLong() > 0, "row " + row);
            int streams = name.equals("bridge-java-p4") || name.equals("bridge-java-mq4") ? 4 : 1;
            assertEquals(streams, row.get("streams").asInt(), "row " + row);
        }
        List<String> expected = new ArrayList<>(List.of("direct"));
        expected.addAll(List.of("bridge-c-uring", "bridge-c-uring-tso", "bridge-java-p4", "bridge-java-mq4",
                "bridge-java-uring", "bridge-java-uring-tso"));
        assertEquals(expected, names);
        JsonNode mq = rows.get(names.indexOf("bridge-java-mq4"));
        assertEquals("bridge-java-p4", mq.get("comparedWith").asText(), mq.toString());
        assertTrue(mq.get("comparedRatio").asDouble() > 0, mq.toString());
        System.out.println(r.stdout());
    }
}
