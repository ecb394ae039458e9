package io.tunctl.cli.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What one bench row gave: Gbit/s and packets/s per round ({@code NaN} where a round failed or counted nothing),
 * and what went wrong. A row that did not start or was not run has no rounds, only its reason.
 */
final class RowResult {
    enum Status { MEASURED, DID_NOT_START, NOT_RUN }

    final String name;
    final Status status;
    final double[] gbps;
    final double[] pps;
    /** "round 2: ..." for every failed round, or the reason a row did not start or was not run. */
    final List<String> errors = new ArrayList<>();
    /** The load that measured this row, where it is not the run's load; else null. */
    String load;
    /** Parallel streams the row was measured with (0 where not measured). */
    int streams;
    /** The row this one is also compared with ({@link #pairedRatio} to it), or null. */
    String comparedWith;

    private RowResult(String name, Status status, int runs) {
        this.name = name;
        this.status = status;
        this.gbps = new double[runs];
        this.pps = new double[runs];
        Arrays.fill(gbps, Double.NaN);
        Arrays.fill(pps, Double.NaN);
    }

    static RowResult measured(String name, int runs) {
        return new RowResult(name, Status.MEASURED, runs);
    }

    static RowResult didNotStart(String name, String why) {
        RowResult r = new RowResult(name, Status.DID_NOT_START, 0);
        r.errors.add("did not start: " + why);
        return r;
    }

    static RowResult notRun(String name, String why) {
        RowResult r = new RowResult(name, Status.NOT_RUN, 0);
        r.errors.add("not run: " + why);
        return r;
    }

    void roundFailed(int round, String why) {
        gbps[round] = Double.NaN;
        pps[round] = Double.NaN;
        errors.add("round " + (round + 1) + ": " + why);
    }

    /** A row that should have been measured and was not, wholly or in part (not-run rows are not failures). */
    boolean failed() {
        return status == Status.DID_NOT_START || status == Status.MEASURED && !errors.isEmpty();
    }

    int failedRounds() {
        return (int) Arrays.stream(gbps).filter(Double::isNaN).count();
    }

    /** The rounds that gave a number, ascending. */
    double[] measuredSorted() {
        return sortedFinite(gbps);
    }

    /**
     * Median over rounds of this row / {@code other} (direct, or the row this one is compared with) in the same
     * round, over rounds where both gave a number; or NaN.
     */
    double pairedRatio(RowResult other) {
        if (other == null || other.gbps.length != gbps.length) return Double.NaN;
        double[] r = new double[gbps.length];
        for (int i = 0; i < r.length; i++) r[i] = gbps[i] / other.gbps[i];
        return median(sortedFinite(r));
    }

    /** Median packets/s over the rounds that counted packets, or NaN (rows without their own counters). */
    double medianPps() {
        return median(sortedFinite(pps));
    }

    private static double[] sortedFinite(double[] v) {
        return Arrays.stream(v).filter(Double::isFinite).sorted().toArray();
    }

    /** Median of an ascending array; NaN if empty. */
    static double median(double[] sorted) {
        int n = sorted.length;
        if (n == 0) return Double.NaN;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
