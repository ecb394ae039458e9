package io.tunctl.transport.p2p.udx;

import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Loss recovery for a {@link UdxStream}'s sender: the packets in flight in send-time order, RACK loss detection
 * (a packet sent before the most recently delivered one is lost once older than an RTT plus a reordering window),
 * the queue of packets to retransmit, the RTT estimator and retransmission timeout, tail-loss probe state, and
 * the delivery-rate sample BBR runs on (Linux {@code tcp_rate}), which is kept per packet in flight too.
 * Confined to the event loop.
 */
final class LossRecovery {
    static final long INITIAL_RTO_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long MIN_RTO_NS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long MAX_RTO_NS = TimeUnit.SECONDS.toNanos(30);

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
            state = State.OPEN;
            bbr.onExitRecovery();
        }
    }

    /** A retransmission timeout: everything in flight is suspect until what was sent by now is acknowledged. */
    void enterLoss() {
        state = State.LOSS;
        highSeq = snd.sndNxt;
    }

    /** {@code p} goes on the wire now (first time or again). */
    void onSend(SentPacket p, long now) {
        if (inflight == 0) {
            firstSentNs = now;
            deliveredNs = now;
        }
        p.sentNs = now;
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
        p.lost = false;
        delivered++;
        deliveredNs = now;
        rs.acked++;
        long rtt = now - p.sentNs;
        long minRtt = bbr.minRttNs();
        if (!p.retransmitted || rtt >= minRtt) {
            rackRttNs = rtt;
            if (p.sentNs > rackSentNs || (p.sentNs == rackSentNs && p.seq - rackSeq > 0)) {
                rackSentNs = p.sentNs;
                rackSeq = p.seq;
            }
        }
        if (!p.retransmitted) {
            rs.rttNs = rtt;
            if (anyDelivered && p.seq - highestDeliveredSeq < 0) {
                reorderingSeen = true;
            }
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

    /**
     * The once-per-batch half of ACK processing: RTT, the rate sample, loss detection and BBR.
     *
     * @param advanced whether the cumulative ack moved
     * @return the RACK reordering deadline, 0 if none
     */
    long onAcks(long now, Bbr.Sample rs, boolean advanced) {
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
        long minRtt = bbr.minRttNs() == Long.MAX_VALUE ? 0 : bbr.minRttNs();
        long reoWnd = !reorderingSeen && (state != State.OPEN || sackedOutstanding >= 3)
                ? 0 : Math.min(minRtt / 4, srttNs);
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
        } else if (state == State.OPEN) {
            state = State.RECOVERY;
            highSeq = snd.sndNxt;
            bbr.onEnterRecovery(inflight, rs.acked, delivered);
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
