package io.tunctl.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.PrintWriter;
import java.util.List;

/** The bench's output: a table for people, JSON (versioned) for scripts. */
final class Report {
    private Report() {}

    static void table(PrintWriter out, String header, List<RowResult> rows) {
        RowResult direct = direct(rows);
        out.println(header);
        out.printf("%-20s %8s %8s %8s %8s %10s%n", "row", "min", "median", "max", "ratio", "kpps");
        for (RowResult row : rows) {
            double[] s = row.measuredSorted();
            if (row.status != RowResult.Status.MEASURED || s.length == 0) {
                out.printf("%-20s %s%n", row.name, row.status == RowResult.Status.MEASURED
                        ? "failed: " + row.errors.getFirst() : row.errors.getFirst());
                continue;
            }
            double pps = row.medianPps();
            int failed = row.failedRounds();
            out.printf("%-20s %8.2f %8.2f %8.2f %8.3f %10s%s%n", row.name, s[0], RowResult.median(s),
                    s[s.length - 1], row.pairedRatio(direct), Double.isNaN(pps) ? "-" : String.format("%.0f", pps / 1000),
                    failed == 0 ? "" : "  (" + failed + " of " + row.gbps.length + " rounds failed)");
        }
        out.println("(Gbit/s; ratio = median over rounds of row / direct in the same round; kpps = thousands of");
        out.println(" packets/s through a TUN bridge, both directions, as its own counters saw them)");
        for (RowResult row : rows) {
            if (row.comparedWith == null) continue;
            double r = row.pairedRatio(measured(rows, row.comparedWith));
            out.printf("%s / %s: %s (median over rounds of the two in the same round)%n", row.name, row.comparedWith,
                    Double.isNaN(r) ? "-" : String.format("%.3f", r));
        }
        java.util.Map<String, List<String>> otherLoads = new java.util.LinkedHashMap<>();
        for (RowResult row : rows) {
            if (row.load != null) otherLoads.computeIfAbsent(row.load, k -> new java.util.ArrayList<>()).add(row.name);
        }
        otherLoads.forEach((load, names) -> out.printf("(%s measured with %s)%n", String.join(", ", names), load));
        // rows with a stream count of their own (the multi-queue pair), where it differs from the run's
        int usual = rows.stream().filter(r -> r.name.equals("direct")).mapToInt(r -> r.streams).findFirst().orElse(0);
        java.util.Map<Integer, List<String>> otherStreams = new java.util.TreeMap<>();
        for (RowResult row : rows) {
            if (row.streams > 0 && row.streams != usual) {
                otherStreams.computeIfAbsent(row.streams, k -> new java.util.ArrayList<>()).add(row.name);
            }
        }
        otherStreams.forEach((n, names) -> out.printf("(%s measured with %d parallel streams)%n",
                String.join(", ", names), n));
        out.flush();
    }

    /**
     * One object per row, {@code version} 1: {@code name}, {@code load}, {@code runs} (Gbit/s per round, null for a
     * round that failed), {@code min}/{@code median}/{@code max} over the rounds that gave a number and
     * {@code ratio} (null when none did), {@code pps} for bridge rows, {@code streams} (parallel TCP streams of the load), and {@code error} when anything went wrong
     * (failed rounds, a row that did not start, a row not run for want of a program). A row compared with another
     * (e.g. {@code socks} with {@code socks-proxy-direct}) has {@code comparedWith} (that row's name) and
     * {@code comparedRatio} (median over rounds of this row / that row in the same round, null when no round of
     * both gave a number).
     */
    static String json(List<RowResult> rows, String loadName) {
        RowResult direct = direct(rows);
        ArrayNode array = new ObjectMapper().createArrayNode();
        for (RowResult row : rows) {
            ObjectNode o = array.addObject();
            o.put("version", 1);
            o.put("name", row.name);
            if (row.status == RowResult.Status.MEASURED) {
                double[] s = row.measuredSorted();
                number(o, "min", s.length == 0 ? Double.NaN : s[0]);
                number(o, "median", RowResult.median(s));
                number(o, "max", s.length == 0 ? Double.NaN : s[s.length - 1]);
                number(o, "ratio", row.pairedRatio(direct));
                ArrayNode runs = o.putArray("runs");
                for (double g : row.gbps) {
                    if (Double.isFinite(g)) runs.add(round(g)); else runs.addNull();
                }
                o.put("load", row.load != null ? row.load : loadName);
                if (row.streams > 0) o.put("streams", row.streams);
                if (row.comparedWith != null) {
                    o.put("comparedWith", row.comparedWith);
                    number(o, "comparedRatio", row.pairedRatio(measured(rows, row.comparedWith)));
                }
                double pps = row.medianPps();
                if (Double.isFinite(pps)) o.put("pps", Math.round(pps));
            }
            if (!row.errors.isEmpty()) o.put("error", String.join("; ", row.errors));
        }
        return array.toPrettyString();
    }

    private static void number(ObjectNode o, String field, double v) {
        if (Double.isFinite(v)) o.put(field, round(v)); else o.putNull(field);
    }

    private static double round(double x) { return Math.round(x * 1000) / 1000.0; }

    private static RowResult direct(List<RowResult> rows) {
        return measured(rows, "direct");
    }

    private static RowResult measured(List<RowResult> rows, String name) {
        return rows.stream().filter(r -> r.name.equals(name) && r.status == RowResult.Status.MEASURED)
                .findFirst().orElse(null);
    }
}
