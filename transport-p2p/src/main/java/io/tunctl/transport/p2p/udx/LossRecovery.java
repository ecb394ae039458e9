package io.tunctl.transport.p2p.udx;

import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Loss recovery for a {@link UdxStream}'s sender: the packets in flight in send-time order, RACK loss detection
 * (a packet sent before the most recently delivered one is lost once older than an RTT plus a reordering window),
 * the queue of packets to retransmit, the RTT estimator and retransmission timeout, tail-loss probe state, and
 * the delivery-rate sample BBR runs on (Linux {@code tcp_rate}), which is kept per packet in flight too.
 * Confined to the event loop.
 *
 * <p><b>Reordering and spurious retransmissions.</b> UDX has neither timestamps nor DSACK on the wire, so an ACK
 * for a retransmitted packet does not say which copy arrived. This class tells them apart from the order of
 * arrival instead: a retransmission leaves after the packets sent just before it, so on a (mostly) FIFO path the
 * receiver gets those first. When the receiver reports the retransmitted packet before any of the
 * {@link #SPURIOUS_PROBE} first transmissions sent just before the retransmission, and each of those is reported
 * later still without having been re-sent (so it was not lost, only behind), the receiver had the original: the
 * retransmission was spurious. (A burst loss that took those packets too makes them re-sent, and the case stays
 * undecided.) Spurious retransmissions
 * <ul>
 * <li>never move the RACK reference (their send time would make everything sent before look overdue: on a queued
 *     path that marked most of a window lost at once);
 * <li>feed the reordering window: RFC 8985's {@code min_rtt/4} is widened to the largest reordering delay seen
 *     recently ({@link #reorderingExtentNs()}, from late originals and spurious retransmissions), with a quarter
 *     of margin, within {@link #reorderingWindowNs()}'s caps, and halved again after 16 recovery episodes without
 *     such reordering;
 * <li>undo the congestion response: once every packet marked lost in a recovery episode turned out delivered by
 *     its original, the episode ends and BBR gets its window from before the episode back.
 * </ul>
 * A packet marked lost whose original is acknowledged before it was re-sent counts the same way.
 *
 * <p><b>Truncated SACK.</b> An ACK names at most 50 ranges. With more holes than that, the receiver holds packets
 * it cannot report: their later report says nothing about reordering, RTT or which copy arrived (ignored), they
 * stay counted in {@link #inflight} ({@link #inflightOverstated()}: the stream then re-sends lost packets past the
 * window), and the widened reordering window is halved to close holes faster.
 */
final class LossRecovery {
    static final long INITIAL_RTO_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long MIN_RTO_NS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long MAX_RTO_NS = TimeUnit.SECONDS.toNanos(30);
    /** How many first transmissions before a retransmission must all be unreported to call it spurious. */
    static final int SPURIOUS_PROBE = 3;
    /** The widened reordering window stays within this many smoothed RTTs ... */
    private static final int REORDER_CAP_RTTS = 8;
    /** ... but may reach this much on a short path. */
    private static final long MIN_REORDER_CAP_NS = TimeUnit.MILLISECONDS.toNanos(25);
    /** Bound on {@link #undecided}; the oldest is given up beyond it. */
    private static final int MAX_UNDECIDED = 4096;
    /** Recovery episodes without reordering of at least half the extent before the extent is halved. */
    private static final int REORDER_DECAY_EPISODES = 16;

    private enum State { OPEN, RECOVERY, LOSS }

    private final SendBuffer snd;
    private final Bbr bbr;
    private final MtuProbe pmtu;
    private final ByteBufAllocator alloc;

    private State state = State.OPEN;
    private int highSeq;
    private SentPacket timeHead;
    private SentPacket timeTail;
    private final ArrayDeque<SentPacket> lostQueue = new ArrayDeque<>();
    /** Packets sent and neither delivered nor marked lost. */
    int inflight;
    private int sackedOutstanding;

    // --- RTT and retransmission timeout
    private boolean hasRtt;
    long srttNs;
    private long rttvarNs;
    long rtoNs = INITIAL_RTO_NS;

    // --- RACK
    private long rackSentNs = Long.MIN_VALUE;
    private int rackSeq;
    private long rackRttNs;
    private boolean reorderingSeen;
    private int highestDeliveredSeq = -1;
    private boolean anyDelivered;
    /** The largest reordering delay seen recently: how much later than RACK expected a packet was delivered. */
    private long reorderExtentNs;
    private int episodesWithoutReordering;
    private boolean reorderedThisEpisode;

    // --- telling spurious retransmissions (sender-side, no DSACK on the wire)
    /** The newest first transmissions, a ring of {@link #SPURIOUS_PROBE}. */
    private final SentPacket[] recentFirstTx = new SentPacket[SPURIOUS_PROBE];
    private int recentFirstTxCount;
    /** Retransmitted packets delivered in the current ACK batch, looked at once the whole batch is applied. */
    private final ArrayList<SentPacket> retransDelivered = new ArrayList<>();
    /** Retransmitted packets reported before their probes, waiting for the probes' fate. */
    private final ArrayDeque<SentPacket> undecided = new ArrayDeque<>();
    /**
     * The last ACK used every SACK range, so the receiver may hold packets from {@link #reportedUpTo} on that it
     * did not report: when they are reported later, that says nothing about reordering or which copy arrived.
     */
    private boolean sackTruncated;
    private int reportedUpTo;

    // --- undo: a recovery episode whose every loss mark was spurious
    private int episode;
    private int episodeLossMarks;

    // --- statistics
    long spuriousRetransmits;
    long spuriousLossMarks;
    long undoneRecoveries;

    // --- tail-loss probe
    boolean tlpInFlight;
    private boolean rttSinceProbe = true;

    // --- delivery rate
    private long delivered;
    private long deliveredNs;
    private long firstSentNs;
    private long appLimitedUntil;

    LossRecovery(SendBuffer snd, Bbr bbr, MtuProbe pmtu, ByteBufAllocator alloc) {
        this.snd = snd;
        this.bbr = bbr;
        this.pmtu = pmtu;
        this.alloc = alloc;
    }

    /** An ACK for {@code ack} ends recovery once it covers what was sent when recovery began. */
    void exitIfRecovered(int ack) {
        if (state != State.OPEN && ack - highSeq > 0) {
            endEpisode();
            bbr.onExitRecovery();
        }
    }

    /** A retransmission timeout: everything in flight is suspect until what was sent by now is acknowledged. */
    void enterLoss() {
        if (state == State.OPEN) {
            startEpisode();
        }
        state = State.LOSS;
        highSeq = snd.sndNxt;
    }

    private void startEpisode() {
        episode++;
        episodeLossMarks = 0;
        reorderedThisEpisode = false;
    }

    private void endEpisode() {
        state = State.OPEN;
        if (reorderedThisEpisode) {
            episodesWithoutReordering = 0;
        } else if (++episodesWithoutReordering >= REORDER_DECAY_EPISODES) {
            episodesWithoutReordering = 0;
            reorderExtentNs /= 2;
        }
    }

    /** {@code p} goes on the wire now (first time or again). */
    void onSend(SentPacket p, long now) {
        if (inflight == 0) {
            firstSentNs = now;
            deliveredNs = now;
        }
        p.sentNs = now;
        if (p.transmissions == 0) {
            p.firstSentNs = now;
            recentFirstTx[recentFirstTxCount++ % SPURIOUS_PROBE] = p;
        } else {
            p.probes = recentFirstTxCount >= SPURIOUS_PROBE ? recentFirstTx.clone() : null;
        }
        p.transmissions++;
        p.deliveredAtSend = delivered;
        p.deliveredNsAtSend = deliveredNs;
        p.firstSentNsAtSend = firstSentNs;
        p.appLimitedAtSend = appLimitedUntil > 0;
        if (!p.inflight) {
            p.inflight = true;
            inflight++;
        }
        unlinkTime(p);
        linkTime(p);
    }

    /** The sender had room in its window but nothing to send: rate samples up to here are app-limited. */
    void appLimited() {
        if (inflight < bbr.cwnd) {
            appLimitedUntil = Math.max(delivered + inflight, 1);
        }
    }

    /** The cumulative ack passed {@code p}. */
    void cumulativelyAcked(SentPacket p, long now, Bbr.Sample rs) {
        if (!p.sacked) {
            deliver(p, now, rs);
        } else {
            sackedOutstanding--;
        }
    }

    /** A SACK range covers {@code p}, which was not sacked before. */
    void sacked(SentPacket p, long now, Bbr.Sample rs) {
        p.sacked = true;
        sackedOutstanding++;
        deliver(p, now, rs);
    }

    private void deliver(SentPacket p, long now, Bbr.Sample rs) {
        if (p.inflight) {
            p.inflight = false;
            inflight--;
        }
        unlinkTime(p);
        boolean markedLost = p.lost;
        p.lost = false;
        delivered++;
        deliveredNs = now;
        rs.acked++;
        if (!p.retransmitted) {
            long rtt = now - p.sentNs;
            boolean beforeReference = p.sentNs < rackSentNs || (p.sentNs == rackSentNs && p.seq - rackSeq < 0);
            if (beforeReference && !maybeReportedLate(p)) {
                sampleReordering(now - p.sentNs - rackRttNs);
            }
            if (markedLost) {
                spuriousLossMarks++;
                spuriousLoss(p);
            }
            advanceRack(p, rtt);
            // RTT from packets delivered in send order, the most recent of the batch: a reordered one's time
            // includes the reordering delay, which the reordering window is there to cover
            if (!beforeReference && !maybeReportedLate(p) && (rs.rttNs < 0 || rtt < rs.rttNs)) {
                rs.rttNs = rtt;
            }
            if (anyDelivered && p.seq - highestDeliveredSeq < 0) {
                reorderingSeen = true;
            }
        } else if (!probesMaybeReportedLate(p)) {
            retransDelivered.add(p); // which copy arrived is judged once the whole batch is applied
        } else {
            p.probes = null; // undecidable, and not to be trusted as the RACK reference either
        }
        if (!anyDelivered || p.seq - highestDeliveredSeq > 0) {
            highestDeliveredSeq = p.seq;
            anyDelivered = true;
        }
        if (p.deliveredAtSend >= rs.priorDelivered) {
            rs.priorDelivered = p.deliveredAtSend;
            rs.appLimited = p.appLimitedAtSend;
            rs.intervalNs = Math.max(p.sentNs - p.firstSentNsAtSend, now - p.deliveredNsAtSend);
            firstSentNs = p.sentNs;
        }
        if (p.mtuProbe) {
            pmtu.acked(p);
        }
    }

    /** RACK's reference: the most recently sent packet known delivered, and its RTT. */
    private void advanceRack(SentPacket p, long rtt) {
        rackRttNs = rtt;
        if (p.sentNs > rackSentNs || (p.sentNs == rackSentNs && p.seq - rackSeq > 0)) {
            rackSentNs = p.sentNs;
            rackSeq = p.seq;
        }
    }

    /** A packet arrived {@code lateNs} after RACK would have expected it: the reordering window should cover it. */
    private void sampleReordering(long lateNs) {
        if (lateNs <= 0) {
            return;
        }
        if (lateNs >= reorderExtentNs / 2) {
            reorderedThisEpisode = true;
        }
        reorderExtentNs = Math.max(reorderExtentNs, lateNs);
    }

    /**
     * An ACK used every SACK range it could carry, the last ending at {@code end}: the receiver may hold packets
     * from there on that it did not report. Call before applying its ranges.
     */
    void sackTruncated(int end) {
        sackTruncated = true;
        reportedUpTo = end;
    }

    /**
     * Whether the receiver's last ACK could not name all it holds. {@link #inflight} then counts packets that
     * arrived, and may exceed the window for good: with no ACK clock left, lost packets would wait for the RTO.
     */
    boolean inflightOverstated() {
        return sackTruncated;
    }

    /** An ACK reported everything the receiver holds. Call after applying it. */
    void sackComplete() {
        sackTruncated = false;
    }

    private boolean maybeReportedLate(SentPacket p) {
        return sackTruncated && p.seq - reportedUpTo >= 0;
    }

    private boolean probesMaybeReportedLate(SentPacket p) {
        if (!sackTruncated || p.probes == null) {
            return false;
        }
        for (SentPacket q : p.probes) {
            if (maybeReportedLate(q)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Looks at the retransmitted packets this batch delivered. If one of the packets sent just before the
     * retransmission is known delivered too, the retransmission is what arrived, and it may move the RACK
     * reference. Otherwise the packet waits in {@link #undecided} for those packets' fate.
     */
    private void judgeRetransmissions(long now) {
        long minRtt = bbr.minRttNs();
        for (SentPacket p : retransDelivered) {
            if (p.probes == null || anyDelivered(p.probes)) {
                p.probes = null;
                long rtt = now - p.sentNs;
                if (rtt >= minRtt) {
                    advanceRack(p, rtt);
                }
            } else {
                p.lateNs = now - p.firstSentNs - rackRttNs;
                if (undecided.size() >= MAX_UNDECIDED) {
                    undecided.poll().probes = null;
                }
                undecided.add(p);
            }
        }
        retransDelivered.clear();
        decide();
    }

    private static boolean anyDelivered(SentPacket[] probes) {
        for (SentPacket q : probes) {
            if (q != null && q.delivered()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Settles the {@link #undecided} packets whose probes' fate is known: spurious when every probe was delivered
     * by its first transmission (it was behind, not lost), undecided for good when one had to be re-sent.
     */
    private void decide() {
        for (var it = undecided.iterator(); it.hasNext();) {
            SentPacket p = it.next();
            int firstTx = 0;
            boolean resent = false;
            for (SentPacket q : p.probes) {
                if (q.retransmitted) {
                    resent = true;
                    break;
                }
                if (q.delivered()) {
                    firstTx++;
                }
            }
            if (!resent && firstTx < p.probes.length) {
                continue;
            }
            it.remove();
            p.probes = null;
            if (!resent) {
                spuriousRetransmits++;
                reorderingSeen = true;
                sampleReordering(p.lateNs);
                spuriousLoss(p);
            }
        }
    }

    /**
     * {@code p}'s original was delivered although {@code p} was marked lost. Once that holds for every packet
     * marked lost in the current episode, the episode was spurious: it ends and BBR's reduction is undone.
     */
    private void spuriousLoss(SentPacket p) {
        if (p.lossEpisode == 0 || p.lossEpisode != episode || state == State.OPEN) {
            return;
        }
        p.lossEpisode = 0;
        if (--episodeLossMarks == 0) {
            undoneRecoveries++;
            endEpisode();
            bbr.undoRecovery();
        }
    }

    /**
     * The once-per-batch half of ACK processing: RTT, the rate sample, loss detection and BBR.
     *
     * @param advanced whether the cumulative ack moved
     * @return the RACK reordering deadline, 0 if none
     */
    long onAcks(long now, Bbr.Sample rs, boolean advanced) {
        judgeRetransmissions(now);
        if (rs.rttNs >= 0) {
            updateRtt(rs.rttNs);
            rttSinceProbe = true;
        }
        if (rs.priorDelivered >= 0) {
            rs.delivered = delivered - rs.priorDelivered;
            long minRtt = bbr.minRttNs();
            if (minRtt != Long.MAX_VALUE && rs.intervalNs < minRtt) {
                rs.delivered = 0;
            }
        }
        if (advanced) {
            tlpInFlight = false;
        }
        long reorderDeadline = detectLoss(now, rs);
        if (appLimitedUntil > 0 && delivered > appLimitedUntil) {
            appLimitedUntil = 0;
        }
        bbr.onAck(now, delivered, rs, inflight, state != State.OPEN);
        return reorderDeadline;
    }

    private void updateRtt(long r) {
        if (!hasRtt) {
            hasRtt = true;
            srttNs = r;
            rttvarNs = r / 2;
        } else {
            rttvarNs = (3 * rttvarNs + Math.abs(srttNs - r)) / 4;
            srttNs = (7 * srttNs + r) / 8;
        }
        rtoNs = Math.clamp(srttNs + 4 * rttvarNs, MIN_RTO_NS, MAX_RTO_NS);
    }

    /**
     * RACK: a packet sent before the most recently delivered one is lost once it is older than rtt + reo_wnd.
     *
     * @return when the oldest packet not yet lost will be, 0 if none is waiting on the reordering window
     */
    long detectLoss(long now, Bbr.Sample rs) {
        if (rackSentNs == Long.MIN_VALUE) {
            return 0;
        }
        long reoWnd = reorderingWindowNs();
        SentPacket p = timeHead;
        while (p != null) {
            SentPacket next = p.next;
            if (p.sentNs > rackSentNs || (p.sentNs == rackSentNs && p.seq - rackSeq >= 0)) {
                break;
            }
            long deadline = p.sentNs + rackRttNs + reoWnd;
            if (deadline - now <= 0) {
                markLost(p, rs);
            } else {
                return deadline;
            }
            p = next;
        }
        return 0;
    }

    /**
     * RFC 8985's reordering window, {@code min(min_rtt/4, srtt)}, 0 while no reordering was seen and loss is
     * likely; widened to the recent reordering extent plus a quarter when reordering outlasts it (where this
     * parts from the RFC, whose {@code srtt} cap cannot cover a path that delays packets by more than an RTT), up to
     * eight RTTs or 25 ms, whichever is more, and never beyond half the RTO, so RACK still acts before the timeout.
     * Half of that while the receiver's SACK is truncated.
     */
    long reorderingWindowNs() {
        if (!reorderingSeen && (state != State.OPEN || sackedOutstanding >= 3)) {
            return 0;
        }
        long minRtt = bbr.minRttNs() == Long.MAX_VALUE ? 0 : bbr.minRttNs();
        long rfc = Math.min(minRtt / 4, srttNs);
        long cap = Math.min(Math.max(REORDER_CAP_RTTS * srttNs, MIN_REORDER_CAP_NS), rtoNs / 2);
        long extent = Math.min(reorderExtentNs + reorderExtentNs / 4, cap);
        if (sackTruncated) {
            // the receiver has more holes than an ACK can name: waiting as long would only make more of them and
            // leave packets it holds counted in flight, so repair faster until it can report everything
            extent /= 2;
        }
        return Math.max(rfc, extent);
    }

    /** The largest reordering delay seen recently (decays), in nanoseconds. */
    long reorderingExtentNs() {
        return reorderExtentNs;
    }

    /** Takes {@code p} out of flight and queues it for retransmission; the first loss starts recovery. */
    void markLost(SentPacket p, Bbr.Sample rs) {
        unlinkTime(p);
        if (p.inflight) {
            p.inflight = false;
            inflight--;
        }
        if (p.lost) {
            return;
        }
        p.lost = true;
        rs.lost++;
        lostQueue.add(p);
        if (p.mtuProbe) {
            pmtu.lost(p, alloc);
            return;
        }
        if (state == State.OPEN) {
            startEpisode();
            state = State.RECOVERY;
            highSeq = snd.sndNxt;
            bbr.onEnterRecovery(inflight, rs.acked, delivered);
        }
        if (p.lossEpisode != episode) {
            p.lossEpisode = episode;
            episodeLossMarks++;
        }
    }

    /** The next packet queued for retransmission, dropping entries delivered or re-sent meanwhile; null if none. */
    SentPacket nextLost() {
        SentPacket p;
        while ((p = lostQueue.peek()) != null && (p.delivered() || !p.lost)) {
            lostQueue.poll();
        }
        return p;
    }

    /** {@link #nextLost()} is about to be re-sent. */
    void retransmitting(SentPacket p) {
        lostQueue.poll();
        p.lost = false;
        p.retransmitted = true;
    }

    /**
     * The tail-loss probe deadline after a send or an ACK: armed while in flight with no loss or SACK seen,
     * never after the RTO; 0 when not armed.
     */
    long tlpDeadline(long now, long rtoDeadline) {
        if (state == State.OPEN && sackedOutstanding == 0 && inflight > 0 && !tlpInFlight) {
            long pto = hasRtt ? Math.max(2 * srttNs, 1_000_000L) : INITIAL_RTO_NS;
            if (inflight == 1) {
                pto += 2_000_000L;
            }
            long d = now + pto;
            return rtoDeadline != 0 && rtoDeadline - d < 0 ? rtoDeadline : d;
        }
        return 0;
    }

    /** The probe timer fired: whether to send a probe (one per RTT sample, none while one is out). */
    boolean startTlp() {
        if (!rttSinceProbe || tlpInFlight || inflight == 0) {
            return false;
        }
        rttSinceProbe = false;
        tlpInFlight = true;
        return true;
    }

    /** The stream closed: the packets themselves are released with the send buffer. */
    void clear() {
        lostQueue.clear();
        retransDelivered.clear();
        undecided.clear();
        java.util.Arrays.fill(recentFirstTx, null);
        timeHead = timeTail = null;
    }

    private void linkTime(SentPacket p) {
        p.prev = timeTail;
        p.next = null;
        if (timeTail != null) {
            timeTail.next = p;
        } else {
            timeHead = p;
        }
        timeTail = p;
        p.linked = true;
    }

    private void unlinkTime(SentPacket p) {
        if (!p.linked) {
            return;
        }
        if (p.prev != null) {
            p.prev.next = p.next;
        } else {
            timeHead = p.next;
        }
        if (p.next != null) {
            p.next.prev = p.prev;
        } else {
            timeTail = p.prev;
        }
        p.prev = null;
        p.next = null;
        p.linked = false;
    }
}
