package io.tunctl.transport.p2p.udx;

import io.netty.buffer.ByteBuf;

/** One DATA/END packet the sender keeps until it is acknowledged (whole datagram, ready to re-send). */
final class SentPacket {
    final int seq;
    /** Header (+ probe padding) + payload. The header's rwnd/ack are rewritten before each re-send. */
    ByteBuf datagram;
    final int payloadLength;
    final boolean end;
    /** Cumulative count of stream bytes up to and including this packet (for write accounting). */
    final long byteEnd;
    /** Where it was first sent: a retransmission goes there even after changeRemote, as in libudx. */
    java.net.InetSocketAddress destination;

    /** When the latest transmission left. */
    long sentNs;
    /** When the first transmission left. */
    long firstSentNs;
    int transmissions;
    /**
     * For a retransmission: the {@link LossRecovery#SPURIOUS_PROBE} newest first transmissions sent before it
     * (null entries if there were fewer), see {@link LossRecovery}.
     */
    SentPacket[] probes;
    /** For a retransmission delivered: how much later than RACK expected its original would have been. */
    long lateNs;
    /** The loss-recovery episode in which this packet was last marked lost, 0 if none (see undo). */
    int lossEpisode;
    boolean retransmitted;
    boolean sacked;
    boolean lost;
    boolean inflight;
    boolean mtuProbe;
    int mtuProbeSize;
    int timeouts;

    // rate sample state at (re)transmission (Linux tcp_rate style)
    long deliveredAtSend;
    long deliveredNsAtSend;
    long firstSentNsAtSend;
    boolean appLimitedAtSend;

    // intrusive list in send-time order, for RACK
    SentPacket prev;
    SentPacket next;
    boolean linked;

    SentPacket(int seq, ByteBuf datagram, int payloadLength, boolean end, long byteEnd) {
        this.seq = seq;
        this.datagram = datagram;
        this.payloadLength = payloadLength;
        this.end = end;
        this.byteEnd = byteEnd;
    }

    boolean delivered() {
        return datagram == null || sacked;
    }
}
