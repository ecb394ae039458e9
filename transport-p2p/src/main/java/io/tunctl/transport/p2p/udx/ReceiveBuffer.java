package io.tunctl.transport.p2p.udx;

import static io.tunctl.transport.p2p.udx.UdxHeader.DATA;
import static io.tunctl.transport.p2p.udx.UdxHeader.END;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The receive side of a {@link UdxStream}: in-order delivery, the reorder ring that holds packets arriving ahead
 * of a hole (and the SACK ranges it implies), the advertised window, and the bounded queue a blocking reader
 * drains. Everything is confined to the event loop except the reader queue, which the reading thread shares
 * under {@link #readLock}.
 */
final class ReceiveBuffer {
    static final int REORDER_CAPACITY = 8192;
    private static final int MAX_SACK_SCAN = 65536;
    private static final int RECEIVE_WINDOW = UdxStream.RECEIVE_WINDOW;

    private final ByteBufAllocator alloc;

    // --- event loop
    /** The next sequence number expected in order: the cumulative ack. */
    int rcvNxt;
    private int highestReceived;
    private ByteBuf[] reorder;
    private byte[] reorderFlags;
    private int[] sackRanges;
    /** DATA/END packets that arrived again: already delivered or already held (statistics). */
    long duplicates;
    /** Packets held in the reorder ring; 0 when nothing arrived ahead of a hole. */
    int reorderCount;
    private boolean remoteEndKnown;
    private int remoteEndSeq;
    volatile Consumer<ByteBuf> dataHandler;
    /** The data handler asked for a pause: bytes wait in the reader queue (shrinking the window) until resumed. */
    private boolean paused;

    // --- reader queue (shared with the reading thread, guarded by readLock)
    private final Object readLock = new Object();
    private final ArrayDeque<ByteBuf> readQueue = new ArrayDeque<>();
    private volatile long readBuffered;
    private boolean readEof;
    private boolean readerClosed;
    private IOException readError;
    private volatile boolean windowLow;

    ReceiveBuffer(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    /** Whether {@code seq} lies past the peer's END, so it carries nothing to deliver. */
    boolean beyondEnd(int seq) {
        return remoteEndKnown && seq - remoteEndSeq > 0;
    }

    /** Whether everything up to and including the peer's END has been delivered in order. */
    boolean endReached() {
        return remoteEndKnown && remoteEndSeq - rcvNxt < 0;
    }

    /**
     * A DATA and/or END packet at or after {@link #rcvNxt}: delivered at once when it is the next one (with
     * whatever it unblocks from the ring), else stored in the ring if it fits.
     */
    void accept(int type, int seq, ByteBuf pkt, int start) {
        if (seq == rcvNxt) {
            consume(type, seq, pkt, start);
            rcvNxt++;
            drainReorder();
        } else if (seq - rcvNxt < REORDER_CAPACITY) {
            store(type, seq, pkt, start);
        }
    }

    private void consume(int type, int seq, ByteBuf pkt, int start) {
        if ((type & END) != 0) {
            remoteEndKnown = true;
            remoteEndSeq = seq;
        }
        if ((type & DATA) != 0) {
            int len = pkt.readableBytes() - start;
            if (len > 0) {
                deliver(pkt.retainedSlice(pkt.readerIndex() + start, len));
            }
        }
    }

    private void store(int type, int seq, ByteBuf pkt, int start) {
        if (reorder == null) {
            reorder = new ByteBuf[REORDER_CAPACITY];
            reorderFlags = new byte[REORDER_CAPACITY];
            sackRanges = new int[UdxHeader.MAX_SACK_RANGES * 2];
        }
        int i = seq & (REORDER_CAPACITY - 1);
        if (reorderFlags[i] != 0) {
            duplicates++;
            return;
        }
        int len = pkt.readableBytes() - start;
        // a copy, not a slice: a slice would pin the whole recvmmsg batch buffer while the hole stays open
        reorder[i] = (type & DATA) != 0 && len > 0
                ? alloc.directBuffer(len).writeBytes(pkt, pkt.readerIndex() + start, len) : Unpooled.EMPTY_BUFFER;
        reorderFlags[i] = (byte) (0x80 | (type & (DATA | END)));
        reorderCount++;
        if (seq - highestReceived > 0) {
            highestReceived = seq;
        }
        if ((type & END) != 0) {
            remoteEndKnown = true;
            remoteEndSeq = seq;
        }
    }

    private void drainReorder() {
        while (reorderCount > 0) {
            int i = rcvNxt & (REORDER_CAPACITY - 1);
            if (reorderFlags[i] == 0) {
                return;
            }
            ByteBuf b = reorder[i];
            reorder[i] = null;
            reorderFlags[i] = 0;
            reorderCount--;
            rcvNxt++;
            if (b.isReadable()) {
                deliver(b);
            } else {
                b.release();
            }
        }
    }

    private void deliver(ByteBuf data) {
        Consumer<ByteBuf> h = dataHandler;
        if (h != null && !paused && readBuffered == 0) {
            try {
                h.accept(data);
            } finally {
                data.release();
            }
            return;
        }
        if (h != null) {
            // held for a paused handler: a compact copy, so the held bytes do not pin whole recvmmsg batch buffers
            ByteBuf copy = alloc.directBuffer(data.readableBytes()).writeBytes(data);
            data.release();
            data = copy;
        }
        synchronized (readLock) {
            if (readerClosed) {
                data.release();
                return;
            }
            readBuffered += data.readableBytes();
            readQueue.add(data);
            if (readQueue.size() == 1) {
                readLock.notifyAll();
            }
        }
    }

    /**
     * The runs of packets held in the ring, as {@code [start, end)} pairs for an ACK's SACK field (at most
     * {@link UdxHeader#MAX_SACK_RANGES}), kept for {@link #writeSackRanges}. Returns the number of ranges.
     */
    int sackRanges() {
        if (reorderCount == 0) {
            return 0;
        }
        int[] r = sackRanges;
        int ranges = 0;
        int s = rcvNxt + 1;
        int limit = Math.min(highestReceived - rcvNxt, Math.min(REORDER_CAPACITY, MAX_SACK_SCAN));
        int runStart = 0;
        boolean inRun = false;
        for (int k = 1; k <= limit && ranges < UdxHeader.MAX_SACK_RANGES; k++, s++) {
            boolean have = reorderFlags[s & (REORDER_CAPACITY - 1)] != 0;
            if (have && !inRun) {
                runStart = s;
                inRun = true;
            } else if (!have && inRun) {
                r[2 * ranges] = runStart;
                r[2 * ranges + 1] = s;
                ranges++;
                inRun = false;
            }
        }
        if (inRun && ranges < UdxHeader.MAX_SACK_RANGES) {
            r[2 * ranges] = runStart;
            r[2 * ranges + 1] = s;
            ranges++;
        }
        return ranges;
    }

    /** Writes the first {@code ranges} ranges {@link #sackRanges()} found after an ACK's header. */
    void writeSackRanges(ByteBuf ack, int ranges) {
        UdxHeader.writeSackRanges(ack, sackRanges, ranges);
    }

    /** The receive window: what the reader queue can still take. */
    int rwnd() {
        return (int) Math.max(0, RECEIVE_WINDOW - readBuffered);
    }

    /** The window for an ACK; a low one is remembered so that the reader's progress sends a window update. */
    int ackWindow() {
        int win = rwnd();
        if (win < RECEIVE_WINDOW / 2) {
            windowLow = true;
        }
        return win;
    }

    /** After a read: whether the window was advertised low and has half reopened (clears the flag). */
    boolean windowReopened() {
        if (windowLow && RECEIVE_WINDOW - readBuffered >= RECEIVE_WINDOW / 2) {
            windowLow = false;
            return true;
        }
        return false;
    }

    // --- push delivery (event loop)

    void pause() {
        paused = true;
    }

    boolean isPaused() {
        return paused;
    }

    /** Whether bytes wait for the data handler (it paused, or has not drained since it resumed). */
    boolean holdsForHandler() {
        return dataHandler != null && readBuffered > 0;
    }

    /**
     * Resumes handing bytes to the data handler: first those queued while paused, in order, until the queue is empty
     * or the handler pauses again. Returns true when nothing is left queued.
     */
    boolean resume() {
        paused = false;
        while (!paused) {
            Consumer<ByteBuf> h = dataHandler;
            ByteBuf b;
            synchronized (readLock) {
                if (h == null || readQueue.isEmpty()) {
                    return readQueue.isEmpty();
                }
                b = readQueue.poll();
                readBuffered -= b.readableBytes();
            }
            try {
                h.accept(b);
            } finally {
                b.release();
            }
        }
        return readBuffered == 0;
    }

    // --- the reading thread

    /** Blocks until bytes, EOF (-1) or the stream's error. */
    int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        int n = 0;
        synchronized (readLock) {
            while (readQueue.isEmpty()) {
                if (readError != null) {
                    throw readError;
                }
                if (readEof) {
                    return -1;
                }
                try {
                    readLock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted reading UDX stream");
                }
            }
            while (n < len && !readQueue.isEmpty()) {
                ByteBuf head = readQueue.peek();
                int k = Math.min(len - n, head.readableBytes());
                head.readBytes(b, off + n, k);
                n += k;
                if (!head.isReadable()) {
                    readQueue.poll().release();
                }
            }
            readBuffered -= n;
        }
        return n;
    }

    long buffered() {
        return readBuffered;
    }

    /** The reader is gone: drops what is buffered and whatever arrives later. */
    void closeReader() {
        synchronized (readLock) {
            readerClosed = true;
            discardReadQueue();
        }
    }

    /** Caller holds readLock. */
    private void discardReadQueue() {
        for (ByteBuf b : readQueue) {
            b.release();
        }
        readQueue.clear();
        readBuffered = 0;
    }

    /** The peer's END was delivered: the reader sees EOF after the queued bytes. */
    void eof() {
        synchronized (readLock) {
            readEof = true;
            readLock.notifyAll();
        }
    }

    // --- closing (event loop)

    /** Releases the packets held in the ring. */
    void releaseReorder() {
        if (reorder != null) {
            for (int i = 0; i < REORDER_CAPACITY; i++) {
                if (reorder[i] != null) {
                    reorder[i].release();
                    reorder[i] = null;
                }
                reorderFlags[i] = 0;
            }
            reorderCount = 0;
        }
    }

    /**
     * Ends the reader: with {@code cause} as its error unless it saw EOF already, and with the unread bytes
     * dropped unless {@code keepUnread} (a normal close lets the reader finish).
     */
    void closeReader(IOException cause, boolean keepUnread) {
        synchronized (readLock) {
            if (cause != null && !readEof) {
                readError = cause;
            }
            if (!keepUnread) {
                discardReadQueue(); // destroyed, reset or timed out: unread bytes are dropped, as in libudx
            }
            readEof = true;
            readLock.notifyAll();
        }
    }
}
