package io.tunctl.transport.p2p.udx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link LossRecovery} driven by synthetic send and ACK sequences, without sockets: RACK's reordering window,
 * telling spurious retransmissions from the order the receiver reports packets in, and undoing a recovery episode
 * whose every loss was spurious. Times are in microseconds from 0.
 */
class LossRecoveryTest {
    private static final long US = 1_000;

    private final SendBuffer snd = new SendBuffer();
    private final Bbr bbr = new Bbr();
    private final LossRecovery loss = new LossRecovery(snd, bbr, new MtuProbe(), UnpooledByteBufAllocator.DEFAULT);
    private final List<SentPacket> packets = new ArrayList<>();

    /** Sends {@code n} new packets at {@code atUs}. */
    private void send(int n, long atUs) {
        for (int i = 0; i < n; i++) {
            snd.enqueue(Unpooled.buffer(100).writeZero(100), 100);
            SentPacket p = snd.packetize(Unpooled.buffer(UdxHeader.SIZE).writeZero(UdxHeader.SIZE), 100, false, null);
            loss.onSend(p, atUs * US);
            packets.add(p);
        }
    }

    /** Re-sends whatever RACK queued, at {@code atUs}; returns those packets' seqs. */
    private List<Integer> retransmit(long atUs) {
        List<Integer> seqs = new ArrayList<>();
        SentPacket p;
        while ((p = loss.nextLost()) != null) {
            loss.retransmitting(p);
            loss.onSend(p, atUs * US);
            seqs.add(p.seq);
        }
        return seqs;
    }

    /**
     * One ACK arriving at {@code atUs}: cumulative up to {@code ack}, then SACK ranges as [start, end) pairs, then
     * the once-per-batch processing, as {@link UdxStream} does it.
     */
    private void ack(long atUs, int ack, int... ranges) {
        ack(atUs, ack, false, ranges);
    }

    /** {@link #ack(long, int, int...)}; {@code truncated}: the ACK used every SACK range it could carry. */
    private void ack(long atUs, int ack, boolean truncated, int... ranges) {
        long now = atUs * US;
        Bbr.Sample rs = new Bbr.Sample();
        boolean advanced = false;
        loss.exitIfRecovered(ack);
        if (truncated) {
            loss.sackTruncated(ranges[ranges.length - 1]);
        }
        while (snd.sndUna - ack < 0) {
            SentPacket p = snd.slot(snd.sndUna);
            loss.cumulativelyAcked(p, now, rs);
            SendBuffer.release(p);
            snd.clear(snd.sndUna);
            snd.sndUna++;
            advanced = true;
        }
        for (int k = 0; k + 1 < ranges.length; k += 2) {
            for (int s = ranges[k]; s != ranges[k + 1]; s++) {
                SentPacket p = snd.slot(s);
                if (p != null && !p.sacked) {
                    loss.sacked(p, now, rs);
                    SendBuffer.release(p);
                }
            }
        }
        if (!truncated) {
            loss.sackComplete();
        }
        loss.onAcks(now, rs, advanced);
    }

    @Test
    void aPacketMarkedLostWhoseOriginalArrivesWidensTheWindowAndUndoesTheEpisode() {
        send(10, 0);
        send(10, 4_000);
        ack(5_000, 0, 1, 10); // 1..9 arrive, 0 is behind: RACK takes it for lost (no reordering seen yet)
        assertEquals(0, loss.nextLost().seq);
        int cwndInRecovery = bbr.cwnd;
        ack(8_000, 10); // ... and then the original turns up, 3 ms late, before it was re-sent
        assertEquals(1, loss.undoneRecoveries, "the episode's only loss was spurious, undone before it ended");
        assertNull(loss.nextLost(), "delivered, nothing left to re-send");
        assertEquals(1, loss.spuriousLossMarks);
        assertTrue(bbr.cwnd >= cwndInRecovery);
        ack(9_000, 20);
        assertTrue(loss.reorderingExtentNs() >= 2_900 * US, "extent " + loss.reorderingExtentNs());
        assertTrue(loss.reorderingWindowNs() >= 3_000 * US, "window " + loss.reorderingWindowNs());
        // the same 3 ms of reordering no longer looks like loss
        send(10, 9_000);
        ack(14_000, 20, 21, 30);
        assertNull(loss.nextLost());
        ack(17_000, 30);
        assertEquals(1, loss.spuriousLossMarks);
    }

    @Test
    void aRetransmissionReportedBeforeThePacketsSentAheadOfItWasSpurious() {
        send(10, 0);
        ack(5_000, 0, 1, 10);
        send(10, 5_000); // 10..19
        assertEquals(List.of(0), retransmit(5_010)); // probes: 17, 18, 19
        ack(6_000, 10); // 0 reported 1 ms after its re-send, long before 10..19 (RTT 5 ms): the original arrived
        assertEquals(0, loss.spuriousRetransmits, "undecided until 17..19 turn out delivered, not lost");
        ack(10_000, 10, 11, 20); // they do (10 is still missing, so the recovery episode is not over)
        assertEquals(1, loss.spuriousRetransmits);
        assertEquals(1, loss.undoneRecoveries, "its only loss was spurious");
        assertTrue(loss.reorderingWindowNs() > 0);
    }

    @Test
    void aRetransmissionReportedWithThePacketsSentAheadOfItIsWhatArrived() {
        send(10, 0);
        ack(5_000, 0, 1, 10);
        send(10, 5_000);
        assertEquals(List.of(0), retransmit(5_010));
        ack(10_010, 20); // 10..19 and the re-sent 0 together, one RTT later: the retransmission was needed
        assertEquals(0, loss.spuriousRetransmits);
        assertEquals(0, loss.undoneRecoveries);
    }

    @Test
    void aBurstLossThatTookTheProbesTooStaysUndecided() {
        send(10, 0);
        ack(5_000, 0, 1, 10);
        send(10, 5_000);
        assertEquals(List.of(0), retransmit(5_010));
        // 0 is reported without 17..19; 10..16 and 20.. arrive later, 17..19 never: they were lost with 0
        send(10, 6_000);
        ack(10_010, 17, 20, 30);
        assertEquals(List.of(17, 18, 19), retransmit(10_020));
        ack(15_100, 30);
        assertEquals(0, loss.spuriousRetransmits, "17..19 had to be re-sent: nothing tells which copy of 0 arrived");
    }

    @Test
    void anAckForTheLateOriginalDoesNotMarkTheWindowSentBeforeTheRetransmissionLost() {
        // RTT 5 ms. Packet 0 is taken for lost; 10..39 go out while it waits, then it is re-sent.
        send(10, 0);
        ack(5_000, 0, 1, 10);
        send(30, 5_000);
        assertEquals(List.of(0), retransmit(5_500));
        // the late original of 0 is reported 1.5 ms after the re-send. Taking the re-send's time as RACK's
        // reference would make 10..39 (sent 5.0 ms, expected back at 10 ms) look 1.5 ms overdue at 7 ms.
        ack(7_000, 10);
        assertNull(loss.nextLost(), "nothing sent before the retransmission may be marked lost by it");
        assertEquals(30, loss.inflight);
        ack(10_000, 40);
        assertEquals(0, loss.inflight);
        assertEquals(1, loss.spuriousRetransmits);
    }

    @Test
    void aRetransmissionReportedWhileATruncatedSackHidesItsProbesIsNotCalledSpurious() {
        send(10, 0);
        ack(5_000, 0, 1, 10);
        send(200, 5_000); // 10..209
        assertEquals(List.of(0), retransmit(5_010)); // probes: 207..209
        // one RTT later the re-sent 0 arrives with everything else, but the ACK has room for 50 ranges only:
        // [11,12) [13,14) ... [109,110); 110..209 are held, unreported
        int[] ranges = new int[100];
        for (int k = 0; k < 50; k++) {
            ranges[2 * k] = 11 + 2 * k;
            ranges[2 * k + 1] = 12 + 2 * k;
        }
        ack(10_010, 10, true, ranges);
        ack(10_100, 10, false, 110, 210); // the next ACK names them
        assertEquals(0, loss.spuriousRetransmits, "the probes were only reported late, not received late");
        assertEquals(0, loss.undoneRecoveries);
    }

    @Test
    void theWindowIsHalvedWhileTheReceiverCannotReportAllItHolds() {
        send(10, 0);
        ack(1_000, 0, 1, 10);
        ack(4_000, 10); // 0 was 3 ms late
        long widened = loss.reorderingWindowNs();
        assertTrue(widened >= 3_000 * US, "window " + widened);
        send(200, 4_000);
        int[] ranges = new int[100];
        for (int k = 0; k < 50; k++) {
            ranges[2 * k] = 11 + 2 * k;
            ranges[2 * k + 1] = 12 + 2 * k;
        }
        ack(5_000, 10, true, ranges);
        long truncated = loss.reorderingWindowNs();
        assertTrue(truncated < widened * 3 / 4 && truncated >= widened / 2 - US, "window " + truncated);
        ack(5_100, 10, false, 11, 210);
        assertEquals(widened, loss.reorderingWindowNs());
    }

    @Test
    void theWideningIsCappedAndDecaysAfterEpisodesWithoutReordering() {
        send(10, 0);
        ack(1_000, 0, 1, 10); // RTT 1 ms; 0 taken for lost
        ack(60_000, 10); // its original 59 ms late
        assertTrue(loss.reorderingExtentNs() > 50_000 * US);
        // eight RTTs would be 8 ms; the window stops at the 25 ms floor of the cap
        assertEquals(25_000 * US, loss.reorderingWindowNs());
        long extent = loss.reorderingExtentNs();
        // 16 recovery episodes, each a real loss with no reordering
        long t = 60_000;
        for (int i = 0; i < 16; i++) {
            int base = snd.sndNxt;
            send(11, t);
            ack(t + 1_000, base, base + 1, base + 11);
            ack(t + 30_000, base, base + 1, base + 11); // past any reordering window: 'base' is lost
            assertEquals(List.of(base), retransmit(t + 30_000));
            send(1, t + 30_000);
            ack(t + 31_000, base + 12); // covers what was sent when the loss was found: the episode ends
            t += 32_000;
        }
        assertEquals(extent / 2, loss.reorderingExtentNs());
        assertEquals(0, loss.spuriousRetransmits);
    }
}
