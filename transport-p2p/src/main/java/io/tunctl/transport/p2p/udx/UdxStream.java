package io.tunctl.transport.p2p.udx;

import static io.tunctl.transport.p2p.udx.UdxHeader.DATA;
import static io.tunctl.transport.p2p.udx.UdxHeader.DESTROY;
import static io.tunctl.transport.p2p.udx.UdxHeader.END;
import static io.tunctl.transport.p2p.udx.UdxHeader.HEARTBEAT;
import static io.tunctl.transport.p2p.udx.UdxHeader.MESSAGE;
import static io.tunctl.transport.p2p.udx.UdxHeader.SACK;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A reliable, ordered byte stream with unreliable message frames, multiplexed with others over one
 * {@link UdxSocket} and wire-compatible with libudx / udx-native.
 *
 * <p>There is no handshake: each end creates a stream with its own id and {@link #connect connects} it to the
 * peer's id and address; both start at sequence 0. Loss is detected by RACK, tail-loss probes and a
 * retransmission timeout, congestion is controlled by BBR (as libudx) with pacing, and the MTU is probed from
 * 1200 up to 1500 bytes by padding data packets, as libudx does.
 *
 * <p>All protocol state is confined to the socket's event loop. The public methods may be called from any
 * thread. Received bytes go either to an {@link #onData} callback (on the event loop) or, when none is set, to
 * a bounded queue read by {@link #inputStream()}; the advertised receive window shrinks as that queue fills.
 *
 * <p>Closing follows libudx: {@link #end()} half-closes (an END packet); the stream closes normally once both
 * ENDs are delivered and acknowledged. {@link #destroy()} sends one DESTROY and closes at once; the peer then
 * closes with {@code ECONNRESET}. A stream whose data goes unacknowledged through six retransmission timeouts
 * closes with {@code ETIMEDOUT}.
 */
public final class UdxStream {

    /** Bytes advertised as the receive window when the reader keeps up (libudx's default, 4 MiB). */
    public static final int RECEIVE_WINDOW = 4 << 20;
    /** Largest message body udx-native can receive (it reads datagrams into 2048-byte buffers). */
    public static final int MAX_MESSAGE_SIZE = 2048 - UdxHeader.SIZE;

    static final int BASE_MTU = 1200;
    static final int MAX_MTU = 1500;
    private static final int MTU_STEP = 32;
    private static final int MTU_PROBE_FAILURES = 3;
    private static final int REORDER_CAPACITY = 8192;
    private static final long WRITE_HIGH_WATER = 8L << 20;
    private static final long INITIAL_RTO_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long MIN_RTO_NS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long MAX_RTO_NS = TimeUnit.SECONDS.toNanos(30);
    private static final int MAX_TIMEOUTS = 6;
    private static final long LINGER_NS = TimeUnit.SECONDS.toNanos(3);
    private static final int MAX_SACK_SCAN = 65536;

    private enum Recovery { OPEN, RECOVERY, LOSS }

    private final UdxSocket socket;
    private final EventLoop loop;
    private final ByteBufAllocator alloc;
    private final int localId;

    // --- connection (event loop)
    private int remoteId;
    private InetSocketAddress remote;
    private boolean connected;
    private int ipOverhead = 28;
    private boolean closed;
    private boolean lingering;
    private volatile boolean closedFlag;
    private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();

    // --- receive side (event loop)
    private int rcvNxt;
    private int highestReceived;
    private ByteBuf[] reorder;
    private byte[] reorderFlags;
    private int reorderCount;
    private boolean remoteEndKnown;
    private int remoteEndSeq;
    private boolean eofDelivered;
    private boolean ackDue;
    private boolean ackOwedUntilConnect;
    private volatile Firewall firewall;
    private volatile UdxStream relayTarget;
    private final java.util.concurrent.CopyOnWriteArrayList<UdxStream> relayers =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile Consumer<ByteBuf> dataHandler;
    private volatile Consumer<ByteBuf> messageHandler;
    private volatile Runnable endHandler;

    // --- reader queue (shared with the reading thread, guarded by readLock)
    private final Object readLock = new Object();
    private final ArrayDeque<ByteBuf> readQueue = new ArrayDeque<>();
    private volatile long readBuffered;
    private boolean readEof;
    private boolean readerClosed;
    private IOException readError;
    private volatile boolean windowLow;

    // --- send side (event loop)
    private int sndNxt;
    private int sndUna;
    private SentPacket[] sent = new SentPacket[1024];
    private final ArrayDeque<ByteBuf> writeQueue = new ArrayDeque<>();
    private long writeQueued;
    private long bytesPacketized;
    private boolean endRequested;
    private boolean endSent;
    private boolean endAcked;
    private final CompletableFuture<Void> endFuture = new CompletableFuture<>();
    private volatile boolean endCalled;
    private long sendRwnd = RECEIVE_WINDOW;
    private int wl1;
    private int wl2;

    // --- write back-pressure (shared)
    private final AtomicLong unackedBytes = new AtomicLong();
    private final Object writeMonitor = new Object();
    private volatile boolean writerWaiting;

    // --- loss recovery (event loop)
    private Recovery recovery = Recovery.OPEN;
    private int highSeq;
    private SentPacket timeHead;
    private SentPacket timeTail;
    private final ArrayDeque<SentPacket> lostQueue = new ArrayDeque<>();
    private int inflight;
    private int sackedOutstanding;
    private boolean hasRtt;
    private long srttNs;
    private long rttvarNs;
    private long rtoNs = INITIAL_RTO_NS;
    private long rackSentNs = Long.MIN_VALUE;
    private int rackSeq;
    private long rackRttNs;
    private boolean reorderingSeen;
    private int highestDeliveredSeq = -1;
    private boolean anyDelivered;
    private boolean tlpInFlight;
    private boolean rttSinceProbe = true;

    // --- delivery rate (event loop)
    private long delivered;
    private long deliveredNs;
    private long firstSentNs;
    private long appLimitedUntil;
    private final Bbr bbr = new Bbr();
    private final Bbr.Sample sample = new Bbr.Sample();
    private boolean acksPending;
    private boolean ackAdvanced;
    private long ackedBytesPending;

    // --- pacing (event loop)
    private double tokens = 25000;
    private long tokensNs;

    // --- MTU (event loop)
    private int mtu = BASE_MTU;
    private int mtuMax = MAX_MTU;
    private int mtuState; // 0 base, 1 searching, 2 done
    private CompletableFuture<Void> remoteChange;
    private int remoteChangeSeq;
    private int probeSize;
    private int probeFailures;
    private boolean probeInFlight;

    // --- timers (event loop); 0 = not armed
    private long rtoDeadline;
    private long tlpDeadline;
    private long reorderDeadline;
    private long paceDeadline;
    private long zeroWindowDeadline;
    private long lingerDeadline;
    private long keepaliveDeadline;
    private long keepaliveNs;
    private ScheduledFuture<?> timer;
    private long timerAt;

    // --- statistics
    private long packetsSent;
    private long packetsRetransmitted;
    private long packetsReceived;

    UdxStream(UdxSocket socket, int localId) {
        this.socket = socket;
        this.loop = socket.eventLoop();
        this.alloc = socket.allocator();
        this.localId = localId;
        this.tokensNs = System.nanoTime();
    }

    /** This stream's own id: what the peer puts at offset 4 of the packets it sends here. */
    public int localId() {
        return localId;
    }

    /** The socket this stream sends and receives through. */
    public UdxSocket socket() {
        return socket;
    }

    /**
     * Connects to the peer stream {@code remoteId} at {@code remoteAddress}. Sends nothing by itself (UDX has no
     * handshake) except an ACK owed for data that arrived before the connect.
     */
    public void connect(int remoteId, InetSocketAddress remoteAddress) {
        Objects.requireNonNull(remoteAddress, "remoteAddress");
        if (remoteAddress.isUnresolved() || remoteAddress.getPort() == 0) {
            throw new IllegalArgumentException("UDX stream " + Integer.toUnsignedString(localId)
                    + ": remote address must be resolved with a non-zero port: " + remoteAddress);
        }
        onLoop(() -> {
            if (closed) {
                return;
            }
            if (connected) {
                throw new IllegalStateException("UDX stream " + Integer.toUnsignedString(localId)
                        + " is already connected to " + remote);
            }
            this.remoteId = remoteId;
            this.remote = remoteAddress;
            this.ipOverhead = remoteAddress.getAddress() instanceof Inet6Address ? 48 : 28;
            this.connected = true;
            if (ackOwedUntilConnect) {
                ackDue = true;
            }
            afterBatch();
        });
    }

    /**
     * libudx's firewall hook: decides about packets that arrive for this stream while it is not connected.
     * Return true to drop the packet. The hook may call {@link #connect} itself (as hyperdht's server does to
     * learn the peer's NATed address); the packet is then processed on the connected stream. Without a hook,
     * such packets are processed and their ACK waits for {@code connect} (raw libudx behaviour).
     */
    @FunctionalInterface
    public interface Firewall {
        boolean drop(UdxStream stream, InetSocketAddress from);
    }

    /** Installs the {@link Firewall} hook (null removes it). */
    public UdxStream firewall(Firewall hook) {
        this.firewall = hook;
        return this;
    }

    /**
     * Moves a connected stream to a new peer id and address (libudx {@code changeRemote}; hyperdht uses it to go
     * from a relayed to a direct path). New packets go to the new remote at once; packets already sent are
     * retransmitted to their old address with their old id. The future completes ("remote-changed") once
     * everything sent before the change is acknowledged, at once if nothing is outstanding. The MTU search
     * restarts.
     */
    public CompletableFuture<Void> changeRemote(int remoteId, InetSocketAddress remoteAddress) {
        Objects.requireNonNull(remoteAddress, "remoteAddress");
        CompletableFuture<Void> changed = new CompletableFuture<>();
        onLoop(() -> {
            if (closed || !connected) {
                changed.completeExceptionally(new IllegalStateException("UDX stream "
                        + Integer.toUnsignedString(localId) + ": changeRemote needs a connected, open stream"));
                return;
            }
            if (remoteChange != null) {
                remoteChange.completeExceptionally(new IllegalStateException("superseded by another changeRemote"));
            }
            this.remoteId = remoteId;
            this.remote = remoteAddress;
            this.ipOverhead = remoteAddress.getAddress() instanceof Inet6Address ? 48 : 28;
            mtu = BASE_MTU;
            mtuState = 0;
            probeFailures = 0;
            probeInFlight = false;
            remoteChange = changed;
            remoteChangeSeq = sndNxt;
            if (sndUna == sndNxt) {
                completeRemoteChange();
            }
        });
        return changed;
    }

    private void completeRemoteChange() {
        CompletableFuture<Void> f = remoteChange;
        remoteChange = null;
        f.complete(null);
    }

    /**
     * Makes this stream a blind relay (libudx {@code relayTo}, used by hyperdht's blind relays): every packet it
     * accepts is forwarded unchanged through {@code destination}'s socket to {@code destination}'s remote, with
     * only the id rewritten to {@code destination}'s remote id. Sequence numbers and ACKs stay end to end between
     * the outer peers; this stream never ACKs. A forwarded DESTROY closes it with {@code ECONNRESET}; closing
     * {@code destination} destroys it (without sending anything).
     */
    public void relayTo(UdxStream destination) {
        Objects.requireNonNull(destination, "destination");
        if (destination == this) {
            throw new IllegalArgumentException("a UDX stream cannot relay to itself");
        }
        onLoop(() -> {
            if (closed) {
                return;
            }
            relayTarget = destination;
            destination.relayers.add(this);
            if (destination.isClosed()) {
                close(null, false);
            }
        });
    }

    private void relay(ByteBuf pkt, int type, UdxStream target) {
        InetSocketAddress to = target.remote;
        if (to == null || target.isClosed()) {
            return;
        }
        ByteBuf copy = target.alloc.directBuffer(pkt.readableBytes()).writeBytes(pkt, pkt.readerIndex(),
                pkt.readableBytes());
        copy.setIntLE(4, target.remoteId);
        target.socket.send(copy, to);
        if ((type & DESTROY) != 0) {
            close(new UdxStreamException("ECONNRESET", "UDX stream " + Integer.toUnsignedString(localId)
                    + ": relayed stream destroyed by the peer"), false);
        }
    }

    /** Sets the callback for received stream bytes (event loop; the buffer is released after the call). */
    public UdxStream onData(Consumer<ByteBuf> handler) {
        this.dataHandler = handler;
        return this;
    }

    /** Sets the callback for received message frames (event loop; the buffer is released after the call). */
    public UdxStream onMessage(Consumer<ByteBuf> handler) {
        this.messageHandler = handler;
        return this;
    }

    /** Sets the callback for the peer's END (event loop), called once after all its bytes were delivered. */
    public UdxStream onEnd(Runnable handler) {
        this.endHandler = handler;
        return this;
    }

    /**
     * Completes when the stream is closed: normally after both ENDs or a local {@link #destroy()}, exceptionally
     * with {@link UdxStreamException} ({@code ECONNRESET}, {@code ETIMEDOUT}) or the socket's close cause.
     */
    public CompletableFuture<Void> closeFuture() {
        return closeFuture;
    }

    public boolean isClosed() {
        return closedFlag;
    }

    /**
     * Queues {@code data} for sending and takes ownership of it. Never blocks: check {@link #isWritable()} or
     * call {@link #awaitWritable(Duration)} to respect back-pressure.
     *
     * @throws IOException if the stream is closed
     * @throws IllegalStateException after {@link #end()}
     */
    public void write(ByteBuf data) throws IOException {
        if (endCalled) {
            data.release();
            throw new IllegalStateException("UDX stream " + Integer.toUnsignedString(localId) + ": write after end");
        }
        if (closedFlag) {
            data.release();
            throw closedException();
        }
        int len = data.readableBytes();
        if (len == 0) {
            data.release();
            return;
        }
        unackedBytes.addAndGet(len);
        onLoop(() -> {
            if (closed) {
                data.release();
                return;
            }
            writeQueue.add(data);
            writeQueued += len;
            trySend(System.nanoTime());
        });
    }

    /** Whether fewer than the high-water mark of written bytes are still unacknowledged. */
    public boolean isWritable() {
        return unackedBytes.get() < WRITE_HIGH_WATER || closedFlag;
    }

    /** Bytes written but not yet acknowledged by the peer. */
    public long unacknowledgedBytes() {
        return unackedBytes.get();
    }

    /**
     * Blocks until {@link #isWritable()}.
     *
     * @return false if the timeout expired first
     */
    public boolean awaitWritable(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (writeMonitor) {
            while (true) {
                writerWaiting = true; // set before the check: the event loop lowers the count, then reads this
                if (isWritable()) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(writeMonitor, left);
            }
        }
    }

    /**
     * Half-closes: after the queued bytes, sends END. The future completes when the peer acknowledged the END.
     */
    public CompletableFuture<Void> end() {
        endCalled = true;
        onLoop(() -> {
            if (closed || endRequested) {
                return;
            }
            endRequested = true;
            trySend(System.nanoTime());
        });
        return endFuture;
    }

    /** Sends one DESTROY to the peer (if connected) and closes at once; queued and unacked data is dropped. */
    public void destroy() {
        onLoop(() -> {
            if (closed) {
                if (lingering) {
                    socket.forget(this);
                    lingering = false;
                }
                return;
            }
            if (connected && relayTarget == null) {
                ByteBuf b = alloc.directBuffer(UdxHeader.SIZE);
                UdxHeader.write(b, DESTROY, 0, remoteId, rwnd(), sndNxt, rcvNxt);
                socket.write(b, remote);
            }
            close(null, false);
        });
    }

    /**
     * Sends one unreliable message frame (MESSAGE packet) to the connected peer; not retransmitted, not
     * congestion controlled. Takes ownership of {@code body}.
     *
     * @throws IllegalArgumentException if the body is longer than {@link #MAX_MESSAGE_SIZE}
     * @throws IOException if the stream is closed
     * @throws IllegalStateException if the stream is not connected yet
     */
    public void send(ByteBuf body) throws IOException {
        int len = body.readableBytes();
        if (len > MAX_MESSAGE_SIZE) {
            body.release();
            throw new IllegalArgumentException("UDX message of " + len + " bytes exceeds " + MAX_MESSAGE_SIZE
                    + " (udx-native truncates datagrams above 2048 bytes)");
        }
        if (closedFlag) {
            body.release();
            throw closedException();
        }
        onLoop(() -> {
            try {
                if (closed) {
                    return;
                }
                if (!connected) {
                    throw new IllegalStateException("UDX stream " + Integer.toUnsignedString(localId)
                            + ": send before connect");
                }
                ByteBuf b = alloc.directBuffer(UdxHeader.SIZE + len);
                UdxHeader.write(b, MESSAGE, 0, remoteId, rwnd(), sndNxt, rcvNxt);
                b.writeBytes(body, body.readerIndex(), len);
                socket.write(b, remote);
            } finally {
                body.release();
            }
        });
    }

    /** A blocking view of the received bytes; usable only while no {@link #onData} callback is set. */
    public InputStream inputStream() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return UdxStream.this.read(b, off, len);
            }

            @Override
            public int available() {
                return (int) Math.min(Integer.MAX_VALUE, readBuffered);
            }

            /** Discards what is buffered and whatever arrives later; the stream itself stays open. */
            @Override
            public void close() {
                synchronized (readLock) {
                    readerClosed = true;
                    discardReadQueue();
                }
            }
        };
    }

    /** A blocking view for writing: each call waits for {@link #isWritable()}, then queues a copy. */
    public OutputStream outputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                while (len > 0) {
                    try {
                        while (!awaitWritable(Duration.ofSeconds(1))) {
                            if (closedFlag) {
                                break;
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted waiting to write to UDX stream");
                    }
                    int n = Math.min(len, 65536);
                    ByteBuf buf = alloc.directBuffer(n);
                    buf.writeBytes(b, off, n);
                    UdxStream.this.write(buf);
                    off += n;
                    len -= n;
                }
            }

            @Override
            public void close() {
                end();
            }
        };
    }

    /** Caller holds readLock. */
    private void discardReadQueue() {
        for (ByteBuf b : readQueue) {
            b.release();
        }
        readQueue.clear();
        readBuffered = 0;
    }

    private int read(byte[] b, int off, int len) throws IOException {
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
        if (windowLow && RECEIVE_WINDOW - readBuffered >= RECEIVE_WINDOW / 2) {
            windowLow = false;
            onLoop(() -> {
                if (!closed && connected) {
                    sendAck();
                }
            });
        }
        return n;
    }

    /** Statistics for tests and benchmarks (event-loop values read without synchronisation). */
    public String stats() {
        return String.format("udx[%s] mtu=%d cwnd=%d inflight=%d srtt=%dus rto=%dms sent=%d retx=%d recv=%d bbr=%s",
                Integer.toUnsignedString(localId), mtu, bbr.cwnd, inflight, srttNs / 1000, rtoNs / 1_000_000,
                packetsSent, packetsRetransmitted, packetsReceived, bbr.mode);
    }

    public int mtu() {
        return mtu;
    }

    /**
     * While connected and idle, sends a HEARTBEAT every {@code interval} (zero turns it off), as udx-native's
     * {@code setKeepalive}. The peer ACKs each one; that keeps NAT bindings open but detects nothing.
     */
    public void setKeepalive(Duration interval) {
        long ns = interval.toNanos();
        if (ns < 0) {
            throw new IllegalArgumentException("keepalive interval must not be negative: " + interval);
        }
        onLoop(() -> {
            keepaliveNs = ns;
            keepaliveDeadline = ns == 0 ? 0 : System.nanoTime() + ns;
        });
    }

    /** UDX packets received for this stream (data, ACKs, messages, heartbeats). */
    public long packetsReceived() {
        return packetsReceived;
    }

    public long packetsRetransmitted() {
        return packetsRetransmitted;
    }

    // ------------------------------------------------------------------------------------------------------------
    // event loop: incoming packets

    boolean isLingering() {
        return lingering;
    }

    boolean isLive() {
        return !closed;
    }

    /** A UDX datagram addressed to this stream's id. Returns false if it should go to the socket's handler. */
    boolean onDatagram(ByteBuf pkt, InetSocketAddress from, long now) {
        if (!connected && !closed) {
            Firewall hook = firewall;
            if (hook != null && hook.drop(this, from)) {
                return true;
            }
        }
        UdxHeader h;
        try {
            h = UdxHeader.decode(pkt);
        } catch (UdxCodecException e) {
            return true; // malformed: dropped, as libudx drops an overrunning data offset
        }
        if (closed) {
            if (lingering && (h.type() & (DATA | END)) != 0) {
                ackDue = true; // re-ACK a retransmitted END whose ACK was lost
                return true;
            }
            return false;
        }
        packetsReceived++;
        int type = h.type();
        UdxStream target = relayTarget;
        if (target != null) {
            relay(pkt, type, target);
            return true;
        }
        if ((type & HEARTBEAT) != 0) {
            ackDue = true;
            return true;
        }
        boolean dataOrEnd = (type & (DATA | END)) != 0;
        int seq = h.seq();
        if (seq - rcvNxt >= 0) {
            if (dataOrEnd && !(remoteEndKnown && seq - remoteEndSeq > 0)) {
                int start = h.payloadStart();
                if (seq == rcvNxt) {
                    consume(type, seq, pkt, start);
                    rcvNxt++;
                    drainReorder();
                } else if (seq - rcvNxt < REORDER_CAPACITY) {
                    store(type, seq, pkt, start);
                }
            }
            if ((type & DESTROY) != 0) {
                close(new UdxStreamException("ECONNRESET", "UDX stream " + Integer.toUnsignedString(localId)
                        + " destroyed by the peer"), false);
                return true;
            }
        }
        if ((type & MESSAGE) != 0) {
            deliverMessage(pkt, h.payloadStart());
            if (closed) {
                return true;
            }
        }
        if ((type & DESTROY) == 0) {
            processAck(h, pkt, now);
        }
        if (closed) {
            return true;
        }
        if (dataOrEnd) {
            if (connected) {
                ackDue = true;
            } else {
                ackOwedUntilConnect = true;
            }
        }
        if (remoteEndKnown && !eofDelivered && remoteEndSeq - rcvNxt < 0) {
            deliverEof();
        }
        return true;
    }

    private void consume(int type, int seq, ByteBuf pkt, int start) {
        if ((type & END) != 0) {
            remoteEndKnown = true;
            remoteEndSeq = seq;
        }
        if ((type & DATA) != 0) {
            int len = pkt.readableBytes() - start;
            if (len > 0) {
                deliverData(pkt.retainedSlice(pkt.readerIndex() + start, len));
            }
        }
    }

    private void store(int type, int seq, ByteBuf pkt, int start) {
        if (reorder == null) {
            reorder = new ByteBuf[REORDER_CAPACITY];
            reorderFlags = new byte[REORDER_CAPACITY];
        }
        int i = seq & (REORDER_CAPACITY - 1);
        if (reorderFlags[i] != 0) {
            return; // duplicate
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
                deliverData(b);
            } else {
                b.release();
            }
        }
    }

    private void deliverData(ByteBuf data) {
        Consumer<ByteBuf> h = dataHandler;
        if (h != null) {
            try {
                h.accept(data);
            } finally {
                data.release();
            }
            return;
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

    private void deliverMessage(ByteBuf pkt, int start) {
        Consumer<ByteBuf> h = messageHandler;
        if (h == null || start > pkt.readableBytes()) {
            return;
        }
        ByteBuf body = pkt.retainedSlice(pkt.readerIndex() + start, pkt.readableBytes() - start);
        try {
            h.accept(body);
        } finally {
            body.release();
        }
    }

    private void deliverEof() {
        eofDelivered = true;
        synchronized (readLock) {
            readEof = true;
            readLock.notifyAll();
        }
        Runnable h = endHandler;
        if (h != null) {
            h.run();
        }
        if (endAcked && !closed) {
            flushAck();
            close(null, true);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // event loop: acknowledgements

    /**
     * Applies the ack fields of one incoming header: window update, cumulative ack and SACK ranges. The rest
     * (RTT, loss detection, BBR, timers) runs once per read batch in {@link #finishAcks}, as one aggregated ACK.
     */
    private void processAck(UdxHeader h, ByteBuf pkt, long now) {
        int ack = h.ack();
        if (ack - sndNxt > 0) {
            return;
        }
        if (ack - sndUna >= 0 && (wl1 - h.seq() < 0 || (wl1 == h.seq() && wl2 - ack <= 0))) {
            sendRwnd = Integer.toUnsignedLong(h.rwnd());
            wl1 = h.seq();
            wl2 = ack;
            if (sendRwnd > 0) {
                zeroWindowDeadline = 0;
            }
        }
        if (mtuState == 0 && connected) {
            mtuState = mtuMax > BASE_MTU ? 1 : 2;
            probeSize = Math.min(BASE_MTU + MTU_STEP, mtuMax);
        }
        if (recovery != Recovery.OPEN && ack - highSeq > 0) {
            recovery = Recovery.OPEN;
            bbr.onExitRecovery();
        }
        Bbr.Sample rs = sample;
        if (!acksPending) {
            rs.priorDelivered = -1;
            rs.delivered = 0;
            rs.intervalNs = 0;
            rs.appLimited = false;
            rs.rttNs = -1;
            rs.acked = 0;
            rs.lost = 0;
        }
        while (sndUna - ack < 0) {
            SentPacket p = slot(sndUna);
            if (p != null) {
                if (!p.sacked) {
                    deliver(p, now, rs);
                } else {
                    sackedOutstanding--;
                }
                ackedBytesPending += p.payloadLength;
                if (p.end) {
                    endAcked = true;
                }
                release(p);
                sent[sndUna & (sent.length - 1)] = null;
            }
            sndUna++;
            ackAdvanced = true;
            acksPending = true;
        }
        if ((h.type() & SACK) != 0 && sndUna != sndNxt) {
            int[] ranges = UdxHeader.decodeSackRanges(pkt, h);
            for (int k = 0; k + 1 < ranges.length; k += 2) {
                int start = ranges[k];
                int end = ranges[k + 1];
                if (start - sndUna < 0 || end - start <= 0 || end - sndNxt > 0) {
                    continue;
                }
                for (int s = start; s != end; s++) {
                    SentPacket p = slot(s);
                    if (p != null && !p.sacked) {
                        p.sacked = true;
                        sackedOutstanding++;
                        deliver(p, now, rs);
                        release(p);
                        acksPending = true;
                    }
                }
            }
        }
    }

    /** The once-per-batch half of ACK processing. */
    private void finishAcks(long now) {
        if (!acksPending) {
            return;
        }
        acksPending = false;
        boolean advanced = ackAdvanced;
        ackAdvanced = false;
        Bbr.Sample rs = sample;
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
        detectLoss(now, rs);
        if (appLimitedUntil > 0 && delivered > appLimitedUntil) {
            appLimitedUntil = 0;
        }
        bbr.onAck(now, delivered, rs, inflight, recovery != Recovery.OPEN);
        if (advanced) {
            rtoDeadline = sndUna != sndNxt ? now + rtoNs : 0;
        }
        long ackedBytes = ackedBytesPending;
        ackedBytesPending = 0;
        if (ackedBytes > 0) {
            long left = unackedBytes.addAndGet(-ackedBytes);
            if (writerWaiting && left < WRITE_HIGH_WATER) {
                synchronized (writeMonitor) {
                    writerWaiting = false;
                    writeMonitor.notifyAll();
                }
            }
        }
        if (remoteChange != null && sndUna - remoteChangeSeq >= 0) {
            completeRemoteChange();
        }
        if (endAcked && !endFuture.isDone()) {
            endFuture.complete(null);
            if (eofDelivered) {
                flushAck();
                close(null, true);
                return;
            }
            ackDue = true; // libudx's "final state" ACK
        }
        armTlp(now);
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
            p.mtuProbe = false;
            probeInFlight = false;
            if (p.mtuProbeSize > mtu) {
                mtu = p.mtuProbeSize;
            }
            if (mtu >= mtuMax) {
                mtuState = 2;
            } else {
                probeSize = Math.min(mtu + MTU_STEP, mtuMax);
            }
        }
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

    /** RACK: a packet sent before the most recently delivered one is lost once it is older than rtt + reo_wnd. */
    private void detectLoss(long now, Bbr.Sample rs) {
        reorderDeadline = 0;
        if (rackSentNs == Long.MIN_VALUE) {
            return;
        }
        long minRtt = bbr.minRttNs() == Long.MAX_VALUE ? 0 : bbr.minRttNs();
        long reoWnd = !reorderingSeen && (recovery != Recovery.OPEN || sackedOutstanding >= 3)
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
                reorderDeadline = deadline;
                break;
            }
            p = next;
        }
    }

    private void markLost(SentPacket p, Bbr.Sample rs) {
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
            p.mtuProbe = false;
            probeInFlight = false;
            unprobe(p);
            if (++probeFailures >= MTU_PROBE_FAILURES) {
                mtuState = 2;
            }
        } else if (recovery == Recovery.OPEN) {
            recovery = Recovery.RECOVERY;
            highSeq = sndNxt;
            bbr.onEnterRecovery(inflight, rs.acked, delivered);
        }
    }

    /** A lost MTU probe is re-sent without its padding. */
    private void unprobe(SentPacket p) {
        ByteBuf old = p.datagram;
        int pad = old.getUnsignedByte(3);
        ByteBuf d = alloc.directBuffer(old.readableBytes() - pad);
        d.writeBytes(old, 0, UdxHeader.SIZE);
        d.setByte(3, 0);
        d.writeBytes(old, UdxHeader.SIZE + pad, old.readableBytes() - UdxHeader.SIZE - pad);
        old.release();
        p.datagram = d;
    }

    // ------------------------------------------------------------------------------------------------------------
    // event loop: sending

    /** Called after a batch of received datagrams and after every local event: send what is due. */
    void afterBatch() {
        if (closed) {
            if (lingering && ackDue) {
                flushAck();
            }
            return;
        }
        long now = System.nanoTime();
        finishAcks(now);
        if (closed) {
            return;
        }
        trySend(now);
        if (ackDue && !closed) {
            flushAck();
        }
        armTimer(now);
    }

    private void flushAck() {
        if (connected) {
            sendAck();
        }
    }

    private void sendAck() {
        ackDue = false;
        ackOwedUntilConnect = false;
        int ranges = 0;
        int[] r = null;
        if (reorderCount > 0) {
            r = new int[UdxHeader.MAX_SACK_RANGES * 2];
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
        }
        int win = rwnd();
        if (win < RECEIVE_WINDOW / 2) {
            windowLow = true;
        }
        ByteBuf b = alloc.directBuffer(UdxHeader.SIZE + 8 * ranges);
        UdxHeader.write(b, ranges > 0 ? SACK : 0, 0, remoteId, win, sndNxt, rcvNxt);
        if (ranges > 0) {
            UdxHeader.writeSackRanges(b, r, ranges);
        }
        socket.write(b, remote);
    }

    private int rwnd() {
        return (int) Math.max(0, RECEIVE_WINDOW - readBuffered);
    }

    private int maxPayload() {
        return mtu - ipOverhead - UdxHeader.SIZE;
    }

    private boolean hasNewData() {
        return writeQueued > 0 || (endRequested && !endSent);
    }

    private void trySend(long now) {
        if (!connected || closed) {
            return;
        }
        while (!lostQueue.isEmpty() && inflight < bbr.cwnd) {
            SentPacket p = lostQueue.peek();
            if (p.delivered() || !p.lost) {
                lostQueue.poll();
                continue;
            }
            if (!paceAllows(now)) {
                return;
            }
            lostQueue.poll();
            p.lost = false;
            p.retransmitted = true;
            packetsRetransmitted++;
            transmit(p, now);
        }
        long rwndPackets = sendRwnd == 0 ? 0 : Math.max(1, sendRwnd / maxPayload());
        while (hasNewData()) {
            if (inflight >= Math.min(bbr.cwnd, rwndPackets)) {
                if (rwndPackets == 0 && zeroWindowDeadline == 0) {
                    sendHeartbeat();
                    zeroWindowDeadline = now + rtoNs;
                }
                return;
            }
            if (!paceAllows(now)) {
                return;
            }
            transmit(buildPacket(), now);
        }
        if (inflight < bbr.cwnd) {
            appLimitedUntil = Math.max(delivered + inflight, 1);
        }
    }

    private void sendHeartbeat() {
        ByteBuf b = alloc.directBuffer(UdxHeader.SIZE);
        UdxHeader.write(b, HEARTBEAT, 0, remoteId, rwnd(), sndNxt, rcvNxt);
        socket.write(b, remote);
    }

    private boolean paceAllows(long now) {
        double rate = bbr.pacingRatePacketsPerNs(srttNs) * (mtu - ipOverhead);
        if (rate <= 0) {
            return true;
        }
        double cap = Math.max(rate * 1_000_000, 10.0 * mtu);
        tokens = Math.min(cap, tokens + (now - tokensNs) * rate);
        tokensNs = now;
        if (tokens > 0) {
            return true;
        }
        long wait = (long) ((-tokens + mtu) / rate);
        paceDeadline = now + Math.clamp(wait, 20_000L, 5_000_000L);
        return false;
    }

    private SentPacket buildPacket() {
        int cap = maxPayload();
        int len = (int) Math.min(cap, writeQueued);
        boolean end = endRequested && writeQueued == len;
        int pad = 0;
        boolean probe = false;
        if (mtuState == 1 && !probeInFlight && len > 0) {
            int n = probeSize - (ipOverhead + UdxHeader.SIZE + len);
            if (n >= 0 && n <= 255) {
                pad = n;
                probe = true;
            }
        }
        ByteBuf d = alloc.directBuffer(UdxHeader.SIZE + pad + len);
        int type = (len > 0 ? DATA : 0) | (end ? END : 0);
        UdxHeader.write(d, type, pad, remoteId, rwnd(), sndNxt, rcvNxt);
        d.writeZero(pad);
        int left = len;
        while (left > 0) {
            ByteBuf head = writeQueue.peek();
            int k = Math.min(left, head.readableBytes());
            d.writeBytes(head, k);
            left -= k;
            if (!head.isReadable()) {
                writeQueue.poll().release();
            }
        }
        writeQueued -= len;
        bytesPacketized += len;
        SentPacket p = new SentPacket(sndNxt, d, len, end, bytesPacketized);
        p.destination = remote;
        if (probe) {
            p.mtuProbe = true;
            p.mtuProbeSize = probeSize;
            probeInFlight = true;
        }
        if (end) {
            endSent = true;
        }
        if (sndNxt - sndUna >= sent.length) {
            growSent();
        }
        sent[sndNxt & (sent.length - 1)] = p;
        sndNxt++;
        return p;
    }

    private void growSent() {
        SentPacket[] bigger = new SentPacket[sent.length * 2];
        for (int s = sndUna; s != sndNxt; s++) {
            bigger[s & (bigger.length - 1)] = sent[s & (sent.length - 1)];
        }
        sent = bigger;
    }

    private SentPacket slot(int seq) {
        if (seq - sndUna < 0 || seq - sndNxt >= 0) {
            return null;
        }
        return sent[seq & (sent.length - 1)];
    }

    private void transmit(SentPacket p, long now) {
        ByteBuf d = p.datagram;
        d.setIntLE(8, rwnd());
        d.setIntLE(16, rcvNxt);
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
        tokens -= d.readableBytes();
        packetsSent++;
        if (reorderCount == 0) {
            ackDue = false; // the header carries the current cumulative ack
        }
        socket.writeData(d.retainedDuplicate(), p.destination);
        if (rtoDeadline == 0) {
            rtoDeadline = now + rtoNs;
        }
        armTlp(now);
    }

    private void armTlp(long now) {
        if (recovery == Recovery.OPEN && sackedOutstanding == 0 && inflight > 0 && !tlpInFlight) {
            long pto = hasRtt ? Math.max(2 * srttNs, 1_000_000L) : INITIAL_RTO_NS;
            if (inflight == 1) {
                pto += 2_000_000L;
            }
            long d = now + pto;
            tlpDeadline = rtoDeadline != 0 && rtoDeadline - d < 0 ? rtoDeadline : d;
        } else {
            tlpDeadline = 0;
        }
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

    private static void release(SentPacket p) {
        if (p.datagram != null) {
            p.datagram.release();
            p.datagram = null;
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // event loop: timers

    private void armTimer(long now) {
        long d = Long.MAX_VALUE;
        for (long t : new long[] {rtoDeadline, tlpDeadline, reorderDeadline, paceDeadline, zeroWindowDeadline,
                lingerDeadline, keepaliveDeadline}) {
            if (t != 0 && t - d < 0) {
                d = t;
            }
        }
        if (d == Long.MAX_VALUE) {
            return;
        }
        if (timer != null && timerAt - d <= 0) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        timerAt = d;
        timer = loop.schedule(this::onTimer, Math.max(0, d - now), TimeUnit.NANOSECONDS);
    }

    private void onTimer() {
        timer = null;
        long now = System.nanoTime();
        if (lingerDeadline != 0 && lingerDeadline - now <= 0) {
            lingerDeadline = 0;
            lingering = false;
            socket.forget(this);
            return;
        }
        if (closed) {
            if (lingering) {
                armTimer(now);
            }
            return;
        }
        if (paceDeadline != 0 && paceDeadline - now <= 0) {
            paceDeadline = 0;
        }
        if (reorderDeadline != 0 && reorderDeadline - now <= 0) {
            sample.lost = 0;
            sample.acked = 0;
            detectLoss(now, sample);
        }
        if (tlpDeadline != 0 && tlpDeadline - now <= 0) {
            onTlp(now);
        }
        if (rtoDeadline != 0 && rtoDeadline - now <= 0) {
            onRto(now);
        }
        if (keepaliveDeadline != 0 && keepaliveDeadline - now <= 0 && !closed) {
            if (connected && inflight == 0 && !hasNewData()) {
                sendHeartbeat();
            }
            keepaliveDeadline = now + keepaliveNs;
        }
        if (zeroWindowDeadline != 0 && zeroWindowDeadline - now <= 0 && !closed) {
            if (sendRwnd == 0 && hasNewData()) {
                sendHeartbeat();
                zeroWindowDeadline = now + 2 * rtoNs;
            } else {
                zeroWindowDeadline = 0;
            }
        }
        if (!closed) {
            afterBatch();
        }
        socket.flush();
    }

    private void onTlp(long now) {
        tlpDeadline = 0;
        if (!rttSinceProbe || tlpInFlight || inflight == 0) {
            return;
        }
        rttSinceProbe = false;
        tlpInFlight = true;
        if (hasNewData() && sendRwnd > 0) {
            transmit(buildPacket(), now);
        } else {
            SentPacket p = slot(sndNxt - 1);
            if (p != null && !p.delivered()) {
                p.lost = false; // if it was queued for retransmission, this probe is that retransmission
                p.retransmitted = true;
                packetsRetransmitted++;
                transmit(p, now);
            }
        }
        rtoDeadline = now + rtoNs;
        tlpDeadline = 0;
    }

    private void onRto(long now) {
        rtoDeadline = 0;
        if (sndUna == sndNxt) {
            return;
        }
        recovery = Recovery.LOSS;
        highSeq = sndNxt;
        sample.lost = 0;
        sample.acked = 0;
        SentPacket oldest = slot(sndUna);
        if (oldest != null && !oldest.delivered()) {
            if (oldest.timeouts >= MAX_TIMEOUTS) {
                close(new UdxStreamException("ETIMEDOUT", "UDX stream " + Integer.toUnsignedString(localId)
                        + ": no acknowledgement from " + remote + " after " + MAX_TIMEOUTS + " timeouts"), false);
                return;
            }
            oldest.timeouts++;
            markLost(oldest, sample);
        }
        detectLoss(now, sample);
        bbr.onRto(inflight);
        tlpInFlight = false;
        rtoDeadline = now + 2 * rtoNs;
    }

    // ------------------------------------------------------------------------------------------------------------
    // event loop: closing

    private void close(Throwable cause, boolean linger) {
        if (closed) {
            return;
        }
        closed = true;
        closedFlag = true;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        rtoDeadline = tlpDeadline = reorderDeadline = paceDeadline = zeroWindowDeadline = 0;
        for (int s = sndUna; s != sndNxt; s++) {
            SentPacket p = sent[s & (sent.length - 1)];
            if (p != null) {
                release(p);
                sent[s & (sent.length - 1)] = null;
            }
        }
        lostQueue.clear();
        timeHead = timeTail = null;
        for (ByteBuf b : writeQueue) {
            b.release();
        }
        writeQueue.clear();
        writeQueued = 0;
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
        unackedBytes.set(0);
        synchronized (writeMonitor) {
            writeMonitor.notifyAll();
        }
        IOException readCause = cause == null ? null
                : cause instanceof IOException io ? io : new IOException(cause.getMessage(), cause);
        synchronized (readLock) {
            if (readCause != null && !readEof) {
                readError = readCause;
            }
            if (!linger) {
                discardReadQueue(); // destroyed, reset or timed out: unread bytes are dropped, as in libudx
            }
            readEof = true;
            readLock.notifyAll();
        }
        if (remoteChange != null) {
            remoteChange.completeExceptionally(cause != null ? cause : closedException());
            remoteChange = null;
        }
        if (endAcked) {
            endFuture.complete(null);
        } else if (!endFuture.isDone()) {
            endFuture.completeExceptionally(cause != null ? cause : closedException());
        }
        if (linger && connected) {
            lingering = true;
            lingerDeadline = System.nanoTime() + LINGER_NS;
            armTimer(System.nanoTime());
        } else {
            socket.forget(this);
        }
        socket.streamClosed(this);
        for (UdxStream r : relayers) {
            r.onLoop(() -> r.close(null, false));
        }
        relayers.clear();
        if (cause == null) {
            closeFuture.complete(null);
        } else {
            closeFuture.completeExceptionally(cause);
        }
    }

    /** The socket is closing: destroy (sending DESTROY) with {@code cause}. */
    void closeBySocket(Throwable cause) {
        if (closed) {
            if (lingering) {
                lingering = false;
                if (timer != null) {
                    timer.cancel(false);
                }
            }
            return;
        }
        if (connected) {
            ByteBuf b = alloc.directBuffer(UdxHeader.SIZE);
            UdxHeader.write(b, DESTROY, 0, remoteId, rwnd(), sndNxt, rcvNxt);
            socket.write(b, remote);
        }
        close(cause, false);
    }

    private IOException closedException() {
        return new IOException("UDX stream " + Integer.toUnsignedString(localId) + " is closed");
    }

    private void onLoop(Runnable task) {
        if (loop.inEventLoop()) {
            runLocal(task);
        } else {
            loop.execute(() -> runLocal(task));
        }
    }

    private void runLocal(Runnable task) {
        try {
            task.run();
        } finally {
            if (!closed) {
                armTimer(System.nanoTime());
            }
            socket.flush();
        }
    }
}
