package io.tunctl.transport.p2p.udx;

/**
 * BBR v1 congestion control counted in packets, as libudx runs it (a port of Linux {@code tcp_bbr}): windowed
 * max bandwidth over 10 rounds, min RTT over 10 s, STARTUP / DRAIN / PROBE_BW / PROBE_RTT, ack aggregation
 * allowance, and a pacing rate. It is sender-local, so it only has to be sane to interoperate.
 *
 * <p>Times are nanoseconds. The RTT used for the bandwidth-delay product is floored at 1 ms: libudx's clock
 * ticks in milliseconds, so its BDP never uses less, and on loopback the real sub-millisecond RTT would
 * shrink the window below what the event-loop batching of both ends needs.
 */
final class Bbr {
    static final int MIN_CWND = 4;
    static final int INITIAL_CWND = 10;
    private static final double HIGH_GAIN = 2.88539;
    private static final double DRAIN_GAIN = 1 / HIGH_GAIN;
    private static final double CWND_GAIN = 2.0;
    private static final double[] CYCLE = {1.25, 0.75, 1, 1, 1, 1, 1, 1};
    private static final int BW_WINDOW_ROUNDS = 10;
    private static final long MIN_RTT_WINDOW_NS = 10_000_000_000L;
    private static final long PROBE_RTT_NS = 200_000_000L;
    private static final long BDP_RTT_FLOOR_NS = 1_000_000L;
    private static final int EXTRA_ACKED_ROUNDS = 5;

    enum Mode { STARTUP, DRAIN, PROBE_BW, PROBE_RTT }

    Mode mode = Mode.STARTUP;
    int cwnd = INITIAL_CWND;
    double pacingGain = HIGH_GAIN;
    private double cwndGain = HIGH_GAIN;

    /** Packets per nanosecond; 0 until the first sample. */
    private final double[] bwByRound = new double[BW_WINDOW_ROUNDS];
    private double maxBw;
    private long minRttNs = Long.MAX_VALUE;
    private long minRttStampNs;
    private long probeRttDoneNs;
    private boolean probeRttRoundDone;
    private boolean idleRestart;

    private long roundCount;
    private long nextRoundDelivered;
    private boolean roundStart;

    private double fullBw;
    private int fullBwCount;
    boolean fullBwReached;

    private int cycleIndex;
    private long cycleStampNs;

    private int priorCwnd;
    private boolean packetConservation;

    private final int[] extraAcked = new int[2];
    private int extraAckedIndex;
    private long extraAckedRoundStart;
    private long ackEpochNs;
    private long ackEpochAcked;

    /** Everything the stream learnt from one incoming ACK. */
    static final class Sample {
        long priorDelivered = -1;
        long delivered;
        long intervalNs;
        boolean appLimited;
        long rttNs = -1;
        int acked;
        int lost;
    }

    double maxBw() {
        return maxBw;
    }

    long minRttNs() {
        return minRttNs;
    }

    /** Pacing rate in packets per nanosecond, given the smoothed RTT (ns) for the pre-sample estimate. */
    double pacingRatePacketsPerNs(long srttNs) {
        if (maxBw <= 0) {
            return HIGH_GAIN * cwnd / Math.max(srttNs, BDP_RTT_FLOOR_NS);
        }
        return pacingGain * maxBw * 0.99;
    }

    void onAck(long nowNs, long totalDelivered, Sample rs, int inflight, boolean inRecovery) {
        // round counting
        roundStart = false;
        if (rs.priorDelivered >= 0 && rs.priorDelivered >= nextRoundDelivered) {
            nextRoundDelivered = totalDelivered;
            roundCount++;
            roundStart = true;
            packetConservation = false;
            bwByRound[(int) (roundCount % BW_WINDOW_ROUNDS)] = 0;
        }
        // bandwidth filter
        if (rs.delivered > 0 && rs.intervalNs > 0) {
            double bw = (double) rs.delivered / rs.intervalNs;
            if (!rs.appLimited || bw >= maxBw) {
                int slot = (int) (roundCount % BW_WINDOW_ROUNDS);
                if (bw > bwByRound[slot]) {
                    bwByRound[slot] = bw;
                }
                double m = 0;
                for (double b : bwByRound) {
                    m = Math.max(m, b);
                }
                maxBw = m;
            }
        }
        updateAckAggregation(nowNs, rs.acked);
        // cycle gains in PROBE_BW
        if (mode == Mode.PROBE_BW && isNextCyclePhase(nowNs, rs, inflight)) {
            cycleIndex = (cycleIndex + 1) % CYCLE.length;
            cycleStampNs = nowNs;
            pacingGain = CYCLE[cycleIndex];
        }
        // full pipe detection
        if (!fullBwReached && roundStart && !rs.appLimited) {
            if (maxBw >= fullBw * 1.25) {
                fullBw = maxBw;
                fullBwCount = 0;
            } else if (++fullBwCount >= 3) {
                fullBwReached = true;
            }
        }
        if (mode == Mode.STARTUP && fullBwReached) {
            mode = Mode.DRAIN;
            pacingGain = DRAIN_GAIN;
            cwndGain = HIGH_GAIN;
        }
        if (mode == Mode.DRAIN && inflight <= bdp(1.0)) {
            enterProbeBw(nowNs);
        }
        // min RTT and PROBE_RTT
        boolean expired = minRttNs != Long.MAX_VALUE && nowNs - minRttStampNs > MIN_RTT_WINDOW_NS;
        if (rs.rttNs >= 0 && (rs.rttNs < minRttNs || expired)) {
            minRttNs = rs.rttNs;
            minRttStampNs = nowNs;
        }
        if (expired && !idleRestart && mode != Mode.PROBE_RTT) {
            mode = Mode.PROBE_RTT;
            pacingGain = 1;
            cwndGain = 1;
            saveCwnd(inRecovery);
            probeRttDoneNs = 0;
        }
        if (mode == Mode.PROBE_RTT) {
            if (probeRttDoneNs == 0 && inflight <= MIN_CWND) {
                probeRttDoneNs = nowNs + PROBE_RTT_NS;
                probeRttRoundDone = false;
                nextRoundDelivered = totalDelivered;
            } else if (probeRttDoneNs != 0) {
                if (roundStart) {
                    probeRttRoundDone = true;
                }
                if (probeRttRoundDone && nowNs >= probeRttDoneNs) {
                    minRttStampNs = nowNs;
                    cwnd = Math.max(cwnd, priorCwnd);
                    if (fullBwReached) {
                        enterProbeBw(nowNs);
                    } else {
                        mode = Mode.STARTUP;
                        pacingGain = HIGH_GAIN;
                        cwndGain = HIGH_GAIN;
                    }
                }
            }
        }
        idleRestart = false;
        setCwnd(rs, inflight, inRecovery);
    }

    private void enterProbeBw(long nowNs) {
        mode = Mode.PROBE_BW;
        cwndGain = CWND_GAIN;
        cycleIndex = 4;
        cycleStampNs = nowNs;
        pacingGain = CYCLE[cycleIndex];
    }

    private boolean isNextCyclePhase(long nowNs, Sample rs, int inflight) {
        long phase = Math.max(minRttNs == Long.MAX_VALUE ? 0 : minRttNs, BDP_RTT_FLOOR_NS);
        boolean fullLength = nowNs - cycleStampNs > phase;
        if (pacingGain == 1) {
            return fullLength;
        }
        if (pacingGain > 1) {
            return fullLength && (rs.lost > 0 || inflight >= bdp(pacingGain));
        }
        return fullLength || inflight <= bdp(1.0);
    }

    private int bdp(double gain) {
        if (maxBw <= 0 || minRttNs == Long.MAX_VALUE) {
            return INITIAL_CWND;
        }
        double rtt = Math.max(minRttNs, BDP_RTT_FLOOR_NS);
        return (int) Math.ceil(maxBw * rtt * gain);
    }

    private void updateAckAggregation(long nowNs, int acked) {
        if (acked <= 0 || maxBw <= 0) {
            return;
        }
        if (roundStart && roundCount - extraAckedRoundStart >= EXTRA_ACKED_ROUNDS) {
            extraAckedRoundStart = roundCount;
            extraAckedIndex ^= 1;
            extraAcked[extraAckedIndex] = 0;
        }
        long expected = (long) (maxBw * (nowNs - ackEpochNs));
        if (ackEpochAcked <= expected || ackEpochAcked + acked >= 1 << 20) {
            ackEpochAcked = 0;
            ackEpochNs = nowNs;
            expected = 0;
        }
        ackEpochAcked += acked;
        long extra = Math.min(ackEpochAcked - expected, cwnd);
        extra = Math.min(extra, (long) (maxBw * 100_000_000L));
        if (extra > extraAcked[extraAckedIndex]) {
            extraAcked[extraAckedIndex] = (int) extra;
        }
    }

    private void setCwnd(Sample rs, int inflight, boolean inRecovery) {
        int acked = rs.acked;
        if (rs.lost > 0) {
            cwnd = Math.max(cwnd - rs.lost, 1);
        }
        if (inRecovery && packetConservation) {
            cwnd = Math.max(cwnd, inflight + acked);
        } else {
            int target = bdp(cwndGain) + Math.max(extraAcked[0], extraAcked[1]) + 3;
            if (fullBwReached) {
                cwnd = Math.min(cwnd + acked, target);
            } else if (cwnd < target || roundCount < 2) {
                cwnd += acked;
            }
        }
        cwnd = Math.max(cwnd, MIN_CWND);
        if (mode == Mode.PROBE_RTT && !inRecovery) {
            // not during loss recovery: packets a receiver holds but cannot name (more holes than SACK ranges)
            // stay counted in flight, so with 4 the lost ones could never be re-sent, nor PROBE_RTT drain
            cwnd = Math.min(cwnd, MIN_CWND);
        }
    }

    /** Entering fast recovery: keep sending one packet per packet delivered for a round. */
    void onEnterRecovery(int inflight, int acked, long totalDelivered) {
        saveCwnd(false);
        cwnd = Math.max(inflight + Math.max(acked, 1), MIN_CWND);
        packetConservation = true;
        nextRoundDelivered = totalDelivered;
    }

    void onExitRecovery() {
        cwnd = Math.max(cwnd, priorCwnd);
        packetConservation = false;
    }

    /**
     * The recovery episode (or timeout) turned out spurious: every packet it took for lost was delivered. Takes
     * back its reduction, as Linux's undo does for BBR: the window from before the episode, no packet
     * conservation.
     */
    void undoRecovery() {
        cwnd = Math.max(cwnd, priorCwnd);
        packetConservation = false;
    }

    /** Retransmission timeout: the bandwidth estimate may be stale, start over the full-pipe search. */
    void onRto(int inflight) {
        saveCwnd(false);
        cwnd = Math.max(inflight + 1, MIN_CWND);
        fullBw = 0;
        fullBwCount = 0;
        packetConservation = true;
    }

    void onRestartFromIdle() {
        idleRestart = true;
    }

    private void saveCwnd(boolean inRecovery) {
        priorCwnd = inRecovery || mode == Mode.PROBE_RTT ? Math.max(priorCwnd, cwnd) : cwnd;
    }
}
