package io.tunctl.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The bench's JSON and table for rows with failed rounds, rows that did not start and rows not run. */
class ReportTest {
    private static List<RowResult> rows() {
        RowResult direct = RowResult.measured("direct", 3);
        direct.gbps[0] = 20;
        direct.gbps[1] = 10;
        direct.gbps[2] = 20;
        RowResult http = RowResult.measured("http", 3);
        http.gbps[0] = 5;
        http.roundFailed(1, "load to 203.0.113.18:5299 stalled");
        http.gbps[2] = 8;
        RowResult bridge = RowResult.measured("bridge-c", 3);
        for (int i = 0; i < 3; i++) {
            bridge.gbps[i] = 2;
            bridge.pps[i] = 200_000 + i;
        }
        RowResult dead = RowResult.measured("udp", 3);
        for (int i = 0; i < 3; i++) dead.roundFailed(i, "refused");
        return List.of(direct, bridge, http, dead, RowResult.didNotStart("p2p", "p2p-b did not get ready (timeout)"),
                RowResult.notRun("http-tls", "needs nginx (apt-get install -y nginx)"));
    }

    @Test
    void aFailedRoundIsNullWithAnErrorNeverMinusOne() throws Exception {
        JsonNode json = new ObjectMapper().readTree(Report.json(rows(), "builtin TCP load (iperf3 not installed)"));
        assertFalse(json.toString().contains("-1"), json.toPrettyString());

        JsonNode direct = json.get(0);
        assertEquals("direct", direct.get("name").asText());
        assertEquals(1.0, direct.get("ratio").asDouble());
        assertFalse(direct.has("error"));

        JsonNode bridge = json.get(1);
        assertEquals(200_001, bridge.get("pps").asLong());
        assertEquals(0.1, bridge.get("ratio").asDouble(), 1e-9); // 2/20, 2/10, 2/20 → median 0.1

        JsonNode http = json.get(2);
        assertEquals("http", http.get("name").asText());
        assertEquals(3, http.get("runs").size());
        assertEquals(5.0, http.get("runs").get(0).asDouble());
        assertTrue(http.get("runs").get(1).isNull(), http.toString());
        assertEquals(8.0, http.get("runs").get(2).asDouble());
        assertEquals(5.0, http.get("min").asDouble());
        assertEquals(6.5, http.get("median").asDouble());
        assertEquals(8.0, http.get("max").asDouble());
        assertEquals(0.325, http.get("ratio").asDouble(), 1e-9); // median of 5/20 and 8/20, round 2 left out
        assertEquals("round 2: load to 203.0.113.18:5299 stalled", http.get("error").asText());
        assertEquals("builtin TCP load (iperf3 not installed)", http.get("load").asText());

        JsonNode dead = json.get(3);
        for (JsonNode run : dead.get("runs")) assertTrue(run.isNull(), dead.toString());
        for (String f : List.of("min", "median", "max", "ratio")) assertTrue(dead.get(f).isNull(), f + " in " + dead);
        assertEquals("round 1: refused; round 2: refused; round 3: refused", dead.get("error").asText());

        assertEquals("did not start: p2p-b did not get ready (timeout)", json.get(4).get("error").asText());
        assertFalse(json.get(4).has("runs"));
        assertEquals("not run: needs nginx (apt-get install -y nginx)", json.get(5).get("error").asText());
        for (JsonNode row : json) assertEquals(1, row.get("version").asInt());
    }

    @Test
    void tableShowsFailedRoundsAndWhyRowsDidNotRun() {
        StringWriter sw = new StringWriter();
        Report.table(new PrintWriter(sw), "header", rows());
        List<String> lines = sw.toString().lines().toList();
        assertEquals("header", lines.get(0));
        assertTrue(lines.get(3).matches("bridge-c +2\\.00 +2\\.00 +2\\.00 +0\\.100 +200"), lines.get(3));
        assertTrue(lines.get(4).matches("http +5\\.00 +6\\.50 +8\\.00 +0\\.325 +-  \\(1 of 3 rounds failed\\)"),
                lines.get(4));
        assertTrue(lines.get(5).matches("udp +failed: round 1: refused"), lines.get(5));
        assertTrue(lines.get(6).matches("p2p +did not start: p2p-b did not get ready \\(timeout\\)"), lines.get(6));
        assertTrue(lines.get(7).matches("http-tls +not run: needs nginx \\(apt-get install -y nginx\\)"), lines.get(7));
    }

    @Test
    void failedMeansARowThatShouldHaveBeenMeasured() {
        List<RowResult> r = rows();
        assertEquals(List.of(false, false, true, true, true, false), r.stream().map(RowResult::failed).toList());
    }

    /** socks against socks-proxy-direct, both measured with the built-in load while the run's load is iperf3. */
    private static List<RowResult> pair(double... proxyDirect) {
        RowResult direct = RowResult.measured("direct", 3);
        RowResult socks = RowResult.measured("socks", 3);
        RowResult proxy = RowResult.measured("socks-proxy-direct", 3);
        for (int i = 0; i < 3; i++) {
            direct.gbps[i] = 20;
            socks.gbps[i] = 3 + i;
            proxy.gbps[i] = proxyDirect[i];
        }
        socks.comparedWith = "socks-proxy-direct";
        socks.load = proxy.load = "builtin TCP load (rows socks, socks-proxy-direct need it)";
        return List.of(direct, socks, proxy);
    }

    @Test
    void aComparedRowGetsItsPairedRatioAndEachRowItsLoad() throws Exception {
        JsonNode json = new ObjectMapper().readTree(Report.json(pair(4, 4, 8), "iperf3"));
        assertEquals("iperf3", json.get(0).get("load").asText());
        JsonNode socks = json.get(1);
        assertEquals("builtin TCP load (rows socks, socks-proxy-direct need it)", socks.get("load").asText());
        assertEquals("socks-proxy-direct", socks.get("comparedWith").asText());
        assertEquals(0.75, socks.get("comparedRatio").asDouble(), 1e-9); // 3/4, 4/4, 5/8 → median 0.75
        assertEquals(0.2, socks.get("ratio").asDouble(), 1e-9); // still against direct
        assertFalse(json.get(2).has("comparedWith"));
        assertFalse(json.get(0).has("comparedRatio"));

        List<String> lines = new java.util.ArrayList<>();
        StringWriter sw = new StringWriter();
        Report.table(new PrintWriter(sw), "header", pair(4, 4, 8));
        sw.toString().lines().forEach(lines::add);
        assertTrue(lines.contains("socks / socks-proxy-direct: 0.750 (median over rounds of the two in the same round)"),
                sw.toString());
        assertTrue(lines.contains("(socks, socks-proxy-direct measured with builtin TCP load (rows socks,"
                + " socks-proxy-direct need it))"), sw.toString());
    }

    @Test
    void aComparedRowWithoutItsPartnerHasNoRatio() throws Exception {
        List<RowResult> rows = List.of(pair(1, 1, 1).get(0), pair(1, 1, 1).get(1),
                RowResult.didNotStart("socks-proxy-direct", "danted did not listen"));
        JsonNode socks = new ObjectMapper().readTree(Report.json(rows, "iperf3")).get(1);
        assertTrue(socks.get("comparedRatio").isNull(), socks.toString());
        StringWriter sw = new StringWriter();
        Report.table(new PrintWriter(sw), "header", rows);
        assertTrue(sw.toString().contains("socks / socks-proxy-direct: - ("), sw.toString());
    }
}
