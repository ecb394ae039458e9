package io.tunctl.transport.p2p.udx;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * The send side of a {@link UdxStream}: written bytes not yet cut into packets, the ring of sent packets awaiting
 * acknowledgement (indexed by sequence number, grown when a window outgrows it), the END flags, and the peer's
 * advertised window. Confined to the event loop.
 */
final class SendBuffer {
    /** The next sequence number to send. */
    int sndNxt;
    /** The oldest unacknowledged sequence number. */
    int sndUna;
    private SentPacket[] sent = new SentPacket[1024];
    private final ArrayDeque<ByteBuf> writeQueue = new ArrayDeque<>();
    /** Bytes in the write queue. */
    long writeQueued;
    private long bytesPacketized;

    boolean endRequested;
    boolean endSent;
    boolean endAcked;

    // the peer's receive window and the segment that last updated it (RFC 793's SND.WL1/WL2)
    long sendRwnd = UdxStream.RECEIVE_WINDOW;
    private int wl1;
    private int wl2;

    /** Takes ownership of {@code data} ({@code len} readable bytes). */
    void enqueue(ByteBuf data, int len) {
        writeQueue.add(data);
        writeQueued += len;
    }

    /** Whether there is something new to send: queued bytes, or an END not sent yet. */
    boolean hasNewData() {
        return writeQueued > 0 || (endRequested && !endSent);
    }

    /**
     * Moves the next {@code len} queued bytes behind the header already in {@code datagram} and keeps the result
     * as packet {@link #sndNxt}, which it returns.
     */
    SentPacket packetize(ByteBuf datagram, int len, boolean end, InetSocketAddress destination) {
        int left = len;
        while (left > 0) {
            ByteBuf head = writeQueue.peek();
            int k = Math.min(left, head.readableBytes());
            datagram.writeBytes(head, k);
            left -= k;
            if (!head.isReadable()) {
                writeQueue.poll().release();
            }
        }
        writeQueued -= len;
        bytesPacketized += len;
        SentPacket p = new SentPacket(sndNxt, datagram, len, end, bytesPacketized);
        p.destination = destination;
        if (end) {
            endSent = true;
        }
        if (sndNxt - sndUna >= sent.length) {
            grow();
        }
        sent[sndNxt & (sent.length - 1)] = p;
        sndNxt++;
        return p;
    }

    private void grow() {
        SentPacket[] bigger = new SentPacket[sent.length * 2];
        for (int s = sndUna; s != sndNxt; s++) {
            bigger[s & (bigger.length - 1)] = sent[s & (sent.length - 1)];
        }
        sent = bigger;
    }

    /** The packet with sequence number {@code seq} while it is outstanding, else null. */
    SentPacket slot(int seq) {
        if (seq - sndUna < 0 || seq - sndNxt >= 0) {
            return null;
        }
        return sent[seq & (sent.length - 1)];
    }

    /** Forgets the packet at {@code seq} (cumulatively acknowledged). */
    void clear(int seq) {
        sent[seq & (sent.length - 1)] = null;
    }

    /**
     * RFC 793's window update: the peer's window is taken from the newest segment that acknowledges something
     * at or after {@link #sndUna}. Returns true when the window was updated to a non-zero value.
     */
    boolean updateWindow(int seq, int ack, long rwnd) {
        if (ack - sndUna >= 0 && (wl1 - seq < 0 || (wl1 == seq && wl2 - ack <= 0))) {
            sendRwnd = rwnd;
            wl1 = seq;
            wl2 = ack;
            return sendRwnd > 0;
        }
        return false;
    }

    /** Releases every outstanding packet and queued byte (the stream closed). */
    void releaseSent() {
        for (int s = sndUna; s != sndNxt; s++) {
            SentPacket p = sent[s & (sent.length - 1)];
            if (p != null) {
                release(p);
                sent[s & (sent.length - 1)] = null;
            }
        }
    }

    /** Releases the queued bytes not yet packetized. */
    void releaseQueue() {
        for (ByteBuf b : writeQueue) {
            b.release();
        }
        writeQueue.clear();
        writeQueued = 0;
    }

    static void release(SentPacket p) {
        if (p.datagram != null) {
            p.datagram.release();
            p.datagram = null;
        }
    }
}
