package io.tunctl.transport.http.server;

import io.tunctl.core.runtime.ProcessFootprint;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** {@code /metrics} carries the process's own footprint, so an operator sees what the daemon holds. */
class AdminProcessMetricsTest {

    @Test
    void processLinesAreTypedGauges() {
        StringBuilder sb = new StringBuilder();
        AdminEndpoint.process(sb, new ProcessFootprint(50 << 20, 14, 40));
        String text = sb.toString();
        assertTrue(text.contains("# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes 52428800\n"), text);
        assertTrue(text.contains("process_threads 14\n"), text);
        assertTrue(text.contains("process_open_fds 40\n"), text);
    }

    @Test
    void metricsWithoutServersStillReportTheProcess() {
        String text = AdminEndpoint.metrics(List.of());
        long rss = Long.parseLong(text.lines().filter(l -> l.startsWith("process_resident_memory_bytes "))
                .findFirst().orElseThrow().split(" ")[1]);
        assertTrue(rss > 1 << 20, text);
    }
}
