package io.tunctl.transport.p2p.udx;

import static io.tunctl.transport.p2p.udx.UdxHeader.DATA;
import static io.tunctl.transport.p2p.udx.UdxHeader.DESTROY;
import static io.tunctl.transport.p2p.udx.UdxHeader.END;
import static io.tunctl.transport.p2p.udx.UdxHeader.HEARTBEAT;
import static io.tunctl.transport.p2p.udx.UdxHeader.MESSAGE;
import static io.tunctl.transport.p2p.udx.UdxHeader.SACK;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
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
 *
 * <p>This class holds the public API, the connection and the per-packet flow between its parts, each a
 * package-private class of its own: {@link ReceiveBuffer} (in-order delivery, reordering, SACK ranges, the
 * reader's queue), {@link SendBuffer} (write queue, sent packets, END, peer window), {@link LossRecovery} (RACK,
 * retransmission queue, RTT/RTO, tail-loss probes, delivery rate), {@link Pacer}, {@link MtuProbe} and
 * {@link Timers}, next to {@link Bbr}.
 */
public final class UdxStream {

    /** Bytes advertised as the receive window when the reader keeps up (libudx's default, 4 MiB). */
    public static final int RECEIVE_WINDOW = 4 << 20;
    /** Largest message body udx-native can receive (it reads datagrams into 2048-byte buffers). */
    public static final int MAX_MESSAGE_SIZE = 2048 - UdxHeader.SIZE;

    private static final long WRITE_HIGH_WATER = 8L << 20;
    private static final int MAX_TIMEOUTS = 6;
    private static final long LINGER_NS = TimeUnit.SECONDS.toNanos(3);

    /** The socket this stream sends through: where it was made, or the sibling {@link #connect} named. */
    private UdxSocket socket;
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
    private CompletableFuture<Void> remoteChange;
    private int remoteChangeSeq;

    // --- receive side (event loop, and the reader's queue); see ReceiveBuffer
    private final ReceiveBuffer rcv;
    private boolean eofDelivered;
    /** The peer's END is reached but the paused data handler still has bytes to take first. */
    private boolean eofPending;
    private boolean endReported;
    private boolean ackDue;
    private boolean ackOwedUntilConnect;
    private volatile Firewall firewall;
    private volatile UdxStream relayTarget;
    private final java.util.concurrent.CopyOnWriteArrayList<UdxStream> relayers =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile Consumer<ByteBuf> messageHandler;
    private volatile Runnable endHandler;

    // --- send side (event loop); see SendBuffer
    private final SendBuffer snd = new SendBuffer();
    private final CompletableFuture<Void> endFuture = new CompletableFuture<>();
    private volatile boolean endCalled;

    // --- write back-pressure (shared)
    private final AtomicLong unackedBytes = new AtomicLong();
    private final Object writeMonitor = new Object();
    private volatile boolean writerWaiting;

    // --- congestion control, loss recovery, pacing, MTU (event loop)
    private final Bbr bbr = new Bbr();
    private final MtuProbe pmtu = new MtuProbe();
    private final LossRecovery loss;
    private final Pacer pacer;
    // one aggregated ACK per read batch: processAck collects, finishAcks applies
    private final Bbr.Sample sample = new Bbr.Sample();
    private boolean acksPending;
    private boolean ackAdvanced;
    private long ackedBytesPending;

    // --- timers (event loop)
    private final Timers timers;

    // --- statistics
    private long packetsSent;
    private long packetsRetransmitted;
    private long bytesRetransmitted;
    private long packetsReceived;

    UdxStream(UdxSocket socket, int localId) {
        this.socket = socket;
        this.loop = socket.eventLoop();
        this.alloc = socket.allocator();
        this.localId = localId;
        this.rcv = new ReceiveBuffer(alloc);
        this.loss = new LossRecovery(snd, bbr, pmtu, alloc);
        this.pacer = new Pacer(System.nanoTime());
        this.timers = new Timers(loop, this::onTimer);
    }

    /** This stream's own id: what the peer puts at offset 4 of the packets it sends here. */
    public int localId() {
        return localId;
    }

    /** The socket this stream sends through (it receives on that one and on its siblings). Event loop. */
    public UdxSocket socket() {
        return socket;
    }

    /**
     * Connects like {@link #connect(int, InetSocketAddress)}, sending through {@code via}: this stream's socket or
     * one of its {@linkplain UdxSocket#bindSibling siblings} (libudx's {@code udx_stream_connect(stream, socket,
     * ...)}; hyperdht connects a holepunched stream on the puncher socket the probe came through).
     */
    public void connect(UdxSocket via, int remoteId, InetSocketAddress remoteAddress) {
        Objects.requireNonNull(via, "via");
        if (via.eventLoop() != loop) {
            throw new IllegalArgumentException("UDX stream " + Integer.toUnsignedString(localId)
                    + ": socket " + via.localAddress() + " is not a sibling of " + socket.localAddress());
        }
        onLoop(() -> {
            if (!closed && !connected) {
                socket = via;
            }
        });
        connect(remoteId, remoteAddress);
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
        /** A packet from {@code from} arrived on {@code socket} (this stream's or a sibling). */
        boolean drop(UdxStream stream, UdxSocket socket, InetSocketAddress from);
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
            pmtu.restart();
            remoteChange = changed;
            remoteChangeSeq = snd.sndNxt;
            if (snd.sndUna == snd.sndNxt) {
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

    /**
     * Sets the callback for received stream bytes (event loop; the buffer is released after the call). Bytes that
     * arrived before it was set are handed to it first.
     */
    public UdxStream onData(Consumer<ByteBuf> handler) {
        rcv.dataHandler = handler;
        if (handler != null) {
            onLoopIfRunning(() -> {
                if (!rcv.isPaused() && rcv.holdsForHandler()) {
                    rcv.pause();
                    resumeLocal();
                }
            });
        }
        return this;
    }

    /**
     * Stops handing received bytes to the {@link #onData} callback (push back-pressure): until
     * {@link #resumeReading()}, they wait in this stream's receive queue, and the window advertised to the peer
     * shrinks by what waits, down to zero, so the peer stops sending rather than this side dropping. The peer's END
     * waits behind the queued bytes. May be called from the callback itself, which then receives nothing more.
     */
    public void pauseReading() {
        onLoop(rcv::pause);
    }

    /**
     * Hands the bytes that waited to the {@link #onData} callback, in order (on the event loop), then the END if it
     * came, and tells the peer the reopened window.
     */
    public void resumeReading() {
        onLoop(() -> {
            if (rcv.isPaused()) {
                resumeLocal();
            }
        });
    }

    private void resumeLocal() {
        boolean drained = rcv.resume();
        if (drained && eofPending && !closed) {
            eofPending = false;
            deliverEof();
        }
        if (!closed && connected && rcv.windowReopened()) {
            sendAck();
        }
    }

    /** Sets the callback for received message frames (event loop; the buffer is released after the call). */
    public UdxStream onMessage(Consumer<ByteBuf> handler) {
        this.messageHandler = handler;
        return this;
    }

    /**
     * Sets the callback for the peer's END (event loop), called once after all its bytes were delivered; at once if
     * that happened before it was set.
     */
    public UdxStream onEnd(Runnable handler) {
        this.endHandler = handler;
        if (handler != null) {
            onLoopIfRunning(() -> {
                if (eofDelivered && !endReported && endHandler == handler) {
                    endReported = true;
                    handler.run();
                }
            });
        }
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
            snd.enqueue(data, len);
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
            if (closed || snd.endRequested) {
                return;
            }
            snd.endRequested = true;
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
                UdxHeader.write(b, DESTROY, 0, remoteId, rcv.rwnd(), snd.sndNxt, rcv.rcvNxt);
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
                UdxHeader.write(b, MESSAGE, 0, remoteId, rcv.rwnd(), snd.sndNxt, rcv.rcvNxt);
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
                return (int) Math.min(Integer.MAX_VALUE, rcv.buffered());
            }

            /** Discards what is buffered and whatever arrives later; the stream itself stays open. */
            @Override
            public void close() {
                rcv.closeReader();
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

    private int read(byte[] b, int off, int len) throws IOException {
        int n = rcv.read(b, off, len);
        if (n > 0 && rcv.windowReopened()) {
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
        Counters c = counters();
        return String.format("udx[%s] mtu=%d cwnd=%d inflight=%d srtt=%dus minrtt=%dus reownd=%dus rto=%dms sent=%d"
                        + " retx=%d retxbytes=%d spurious=%d spuriouslost=%d undone=%d recv=%d dup=%d bbr=%s",
                Integer.toUnsignedString(localId), pmtu.mtu, bbr.cwnd, loss.inflight, loss.srttNs / 1000,
                bbr.minRttNs() == Long.MAX_VALUE ? -1 : bbr.minRttNs() / 1000, loss.reorderingWindowNs() / 1000,
                loss.rtoNs / 1_000_000, c.packetsSent(), c.packetsRetransmitted(), c.bytesRetransmitted(),
                c.spuriousRetransmits(), c.spuriousLossMarks(), c.undoneRecoveries(), c.packetsReceived(),
                c.duplicatesReceived(), bbr.mode);
    }

    /**
     * This stream's packet counters (event-loop values read without synchronisation: exact once the stream is
     * closed, or when read on the event loop).
     *
     * @param packetsSent         DATA/END datagrams sent, retransmissions included
     * @param packetsRetransmitted DATA/END datagrams sent again (loss recovery and tail-loss probes)
     * @param bytesRetransmitted  stream bytes in those
     * @param spuriousRetransmits retransmissions found in vain: the receiver reported the packet before the
     *                            packets sent just ahead of its retransmission, so it had the original. A lower
     *                            bound: a retransmission that overtakes a delayed original cannot be told apart
     *                            without help from the receiver, which UDX does not give
     * @param spuriousLossMarks   packets marked lost whose original was acknowledged before they were re-sent
     * @param undoneRecoveries    loss-recovery episodes undone because every loss they assumed was spurious
     * @param packetsReceived     UDX packets received for this stream
     * @param duplicatesReceived  DATA/END packets received that were already delivered or held
     */
    public record Counters(long packetsSent, long packetsRetransmitted, long bytesRetransmitted,
            long spuriousRetransmits, long spuriousLossMarks, long undoneRecoveries, long packetsReceived,
            long duplicatesReceived) {
    }

    /** A snapshot of this stream's {@link Counters}. */
    public Counters counters() {
        return new Counters(packetsSent, packetsRetransmitted, bytesRetransmitted, loss.spuriousRetransmits,
                loss.spuriousLossMarks, loss.undoneRecoveries, packetsReceived, rcv.duplicates);
    }

    public int mtu() {
        return pmtu.mtu;
    }

    /**
     * The smoothed round-trip time (RFC 6298's SRTT from this stream's acknowledgements), in nanoseconds, or 0 before
     * the first sample. An event-loop value read without synchronisation: for status displays.
     */
    public long smoothedRttNanos() {
        return loss.srttNs;
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
            timers.keepaliveInterval = ns;
            timers.keepalive = ns == 0 ? 0 : System.nanoTime() + ns;
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
    boolean onDatagram(UdxSocket arrivedOn, ByteBuf pkt, InetSocketAddress from, long now) {
        if (!connected && !closed) {
            Firewall hook = firewall;
            if (hook != null && hook.drop(this, arrivedOn, from)) {
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
        if (seq - rcv.rcvNxt < 0 && dataOrEnd) {
            rcv.duplicates++;
        }
        if (seq - rcv.rcvNxt >= 0) {
            if (dataOrEnd && !rcv.beyondEnd(seq)) {
                rcv.accept(type, seq, pkt, h.payloadStart());
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
        if (!eofDelivered && !eofPending && rcv.endReached()) {
            deliverEof();
        }
        return true;
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
        if (rcv.holdsForHandler()) {
            eofPending = true; // after the bytes the paused handler has yet to take
            return;
        }
        eofDelivered = true;
        rcv.eof();
        Runnable h = endHandler;
        if (h != null) {
            endReported = true;
            h.run();
        }
        if (snd.endAcked && !closed) {
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
        if (ack - snd.sndNxt > 0) {
            return;
        }
        if (snd.updateWindow(h.seq(), ack, Integer.toUnsignedLong(h.rwnd()))) {
            timers.zeroWindow = 0;
        }
        if (connected) {
            pmtu.start();
        }
        loss.exitIfRecovered(ack);
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
        while (snd.sndUna - ack < 0) {
            SentPacket p = snd.slot(snd.sndUna);
            if (p != null) {
                loss.cumulativelyAcked(p, now, rs);
                ackedBytesPending += p.payloadLength;
                if (p.end) {
                    snd.endAcked = true;
                }
                SendBuffer.release(p);
                snd.clear(snd.sndUna);
            }
            snd.sndUna++;
            ackAdvanced = true;
            acksPending = true;
        }
        boolean truncated = false;
        if ((h.type() & SACK) != 0 && snd.sndUna != snd.sndNxt) {
            int[] ranges = UdxHeader.decodeSackRanges(pkt, h);
            if (ranges.length >= 2 * UdxHeader.MAX_SACK_RANGES) {
                truncated = true;
                loss.sackTruncated(ranges[ranges.length - 1]);
            }
            for (int k = 0; k + 1 < ranges.length; k += 2) {
                int start = ranges[k];
                int end = ranges[k + 1];
                if (start - snd.sndUna < 0 || end - start <= 0 || end - snd.sndNxt > 0) {
                    continue;
                }
                for (int s = start; s != end; s++) {
                    SentPacket p = snd.slot(s);
                    if (p != null && !p.sacked) {
                        loss.sacked(p, now, rs);
                        SendBuffer.release(p);
                        acksPending = true;
                    }
                }
            }
        }
        if (!truncated) {
            loss.sackComplete();
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
        timers.reorder = loss.onAcks(now, sample, advanced);
        if (advanced) {
            timers.rto = snd.sndUna != snd.sndNxt ? now + loss.rtoNs : 0;
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
        if (remoteChange != null && snd.sndUna - remoteChangeSeq >= 0) {
            completeRemoteChange();
        }
        if (snd.endAcked && !endFuture.isDone()) {
            endFuture.complete(null);
            if (eofDelivered) {
                flushAck();
                close(null, true);
                return;
            }
            ackDue = true; // libudx's "final state" ACK
        }
        timers.tlp = loss.tlpDeadline(now, timers.rto);
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
        timers.arm(now);
    }

    private void flushAck() {
        if (connected) {
            sendAck();
        }
    }

    private void sendAck() {
        ackDue = false;
        ackOwedUntilConnect = false;
        int ranges = rcv.sackRanges();
        int win = rcv.ackWindow();
        ByteBuf b = alloc.directBuffer(UdxHeader.SIZE + 8 * ranges);
        UdxHeader.write(b, ranges > 0 ? SACK : 0, 0, remoteId, win, snd.sndNxt, rcv.rcvNxt);
        if (ranges > 0) {
            rcv.writeSackRanges(b, ranges);
        }
        socket.write(b, remote);
    }

    private int maxPayload() {
        return pmtu.mtu - ipOverhead - UdxHeader.SIZE;
    }

    private void trySend(long now) {
        if (!connected || closed) {
            return;
        }
        SentPacket lost;
        // re-sends are paced but go past the window while it is full of packets the receiver holds unreported
        while ((loss.inflight < bbr.cwnd || loss.inflightOverstated()) && (lost = loss.nextLost()) != null) {
            if (!paceAllows(now)) {
                return;
            }
            loss.retransmitting(lost);
            packetsRetransmitted++;
            bytesRetransmitted += lost.payloadLength;
            transmit(lost, now);
        }
        long rwndPackets = snd.sendRwnd == 0 ? 0 : Math.max(1, snd.sendRwnd / maxPayload());
        while (snd.hasNewData()) {
            if (loss.inflight >= Math.min(bbr.cwnd, rwndPackets)) {
                if (rwndPackets == 0 && timers.zeroWindow == 0) {
                    sendHeartbeat();
                    timers.zeroWindow = now + loss.rtoNs;
                }
                return;
            }
            if (!paceAllows(now)) {
                return;
            }
            transmit(buildPacket(), now);
        }
        loss.appLimited();
    }

    private void sendHeartbeat() {
        ByteBuf b = alloc.directBuffer(UdxHeader.SIZE);
        UdxHeader.write(b, HEARTBEAT, 0, remoteId, rcv.rwnd(), snd.sndNxt, rcv.rcvNxt);
        socket.write(b, remote);
    }

    private boolean paceAllows(long now) {
        int mtu = pmtu.mtu;
        long delay = pacer.delay(now, bbr.pacingRatePacketsPerNs(loss.srttNs) * (mtu - ipOverhead), mtu);
        if (delay == 0) {
            return true;
        }
        timers.pace = now + delay;
        return false;
    }

    private SentPacket buildPacket() {
        int len = (int) Math.min(maxPayload(), snd.writeQueued);
        boolean end = snd.endRequested && snd.writeQueued == len;
        int pad = pmtu.padding(len, ipOverhead);
        boolean probe = pad >= 0;
        if (!probe) {
            pad = 0;
        }
        ByteBuf d = alloc.directBuffer(UdxHeader.SIZE + pad + len);
        int type = (len > 0 ? DATA : 0) | (end ? END : 0);
        UdxHeader.write(d, type, pad, remoteId, rcv.rwnd(), snd.sndNxt, rcv.rcvNxt);
        d.writeZero(pad);
        SentPacket p = snd.packetize(d, len, end, remote);
        if (probe) {
            pmtu.sent(p);
        }
        return p;
    }

    private void transmit(SentPacket p, long now) {
        ByteBuf d = p.datagram;
        d.setIntLE(8, rcv.rwnd());
        d.setIntLE(16, rcv.rcvNxt);
        loss.onSend(p, now);
        pacer.spent(d.readableBytes());
        packetsSent++;
        if (rcv.reorderCount == 0) {
            ackDue = false; // the header carries the current cumulative ack
        }
        socket.writeData(d.retainedDuplicate(), p.destination);
        if (timers.rto == 0) {
            timers.rto = now + loss.rtoNs;
        }
        timers.tlp = loss.tlpDeadline(now, timers.rto);
    }

    // ------------------------------------------------------------------------------------------------------------
    // event loop: timers

    private void onTimer() {
        timers.fired();
        long now = System.nanoTime();
        if (Timers.passed(timers.linger, now)) {
            timers.linger = 0;
            lingering = false;
            socket.forget(this);
            return;
        }
        if (closed) {
            if (lingering) {
                timers.arm(now);
            }
            return;
        }
        if (Timers.passed(timers.pace, now)) {
            timers.pace = 0;
        }
        if (Timers.passed(timers.reorder, now)) {
            sample.lost = 0;
            sample.acked = 0;
            timers.reorder = loss.detectLoss(now, sample);
        }
        if (Timers.passed(timers.tlp, now)) {
            onTlp(now);
        }
        if (Timers.passed(timers.rto, now)) {
            onRto(now);
        }
        if (Timers.passed(timers.keepalive, now) && !closed) {
            if (connected && loss.inflight == 0 && !snd.hasNewData()) {
                sendHeartbeat();
            }
            timers.keepalive = now + timers.keepaliveInterval;
        }
        if (Timers.passed(timers.zeroWindow, now) && !closed) {
            if (snd.sendRwnd == 0 && snd.hasNewData()) {
                sendHeartbeat();
                timers.zeroWindow = now + 2 * loss.rtoNs;
            } else {
                timers.zeroWindow = 0;
            }
        }
        if (!closed) {
            afterBatch();
        }
        socket.flush();
    }

    private void onTlp(long now) {
        timers.tlp = 0;
        if (!loss.startTlp()) {
            return;
        }
        if (snd.hasNewData() && snd.sendRwnd > 0) {
            transmit(buildPacket(), now);
        } else {
            SentPacket p = snd.slot(snd.sndNxt - 1);
            if (p != null && !p.delivered()) {
                p.lost = false; // if it was queued for retransmission, this probe is that retransmission
                p.retransmitted = true;
                packetsRetransmitted++;
                bytesRetransmitted += p.payloadLength;
                transmit(p, now);
            }
        }
        timers.rto = now + loss.rtoNs;
        timers.tlp = 0;
    }

    private void onRto(long now) {
        timers.rto = 0;
        if (snd.sndUna == snd.sndNxt) {
            return;
        }
        loss.enterLoss();
        sample.lost = 0;
        sample.acked = 0;
        SentPacket oldest = snd.slot(snd.sndUna);
        if (oldest != null && !oldest.delivered()) {
            if (oldest.timeouts >= MAX_TIMEOUTS) {
                close(new UdxStreamException("ETIMEDOUT", "UDX stream " + Integer.toUnsignedString(localId)
                        + ": no acknowledgement from " + remote + " after " + MAX_TIMEOUTS + " timeouts"), false);
                return;
            }
            oldest.timeouts++;
            loss.markLost(oldest, sample);
        }
        timers.reorder = loss.detectLoss(now, sample);
        bbr.onRto(loss.inflight);
        loss.tlpInFlight = false;
        timers.rto = now + 2 * loss.rtoNs;
    }

    // ------------------------------------------------------------------------------------------------------------
    // event loop: closing

    private void close(Throwable cause, boolean linger) {
        if (closed) {
            return;
        }
        closed = true;
        closedFlag = true;
        timers.cancel();
        timers.clearSending();
        snd.releaseSent();
        loss.clear();
        snd.releaseQueue();
        rcv.releaseReorder();
        unackedBytes.set(0);
        synchronized (writeMonitor) {
            writeMonitor.notifyAll();
        }
        IOException readCause = cause == null ? null
                : cause instanceof IOException io ? io : new IOException(cause.getMessage(), cause);
        rcv.closeReader(readCause, linger);
        if (remoteChange != null) {
            remoteChange.completeExceptionally(cause != null ? cause : closedException());
            remoteChange = null;
        }
        if (snd.endAcked) {
            endFuture.complete(null);
        } else if (!endFuture.isDone()) {
            endFuture.completeExceptionally(cause != null ? cause : closedException());
        }
        if (linger && connected) {
            lingering = true;
            timers.linger = System.nanoTime() + LINGER_NS;
            timers.arm(System.nanoTime());
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
                timers.cancel();
            }
            return;
        }
        if (connected) {
            ByteBuf b = alloc.directBuffer(UdxHeader.SIZE);
            UdxHeader.write(b, DESTROY, 0, remoteId, rcv.rwnd(), snd.sndNxt, rcv.rcvNxt);
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

    /** {@link #onLoop}, or nothing once the socket's loop is gone (a setter called after the socket closed). */
    private void onLoopIfRunning(Runnable task) {
        try {
            onLoop(task);
        } catch (java.util.concurrent.RejectedExecutionException loopGone) {
            // nothing can arrive any more
        }
    }

    private void runLocal(Runnable task) {
        try {
            task.run();
        } finally {
            if (!closed) {
                timers.arm(System.nanoTime());
            }
            socket.flush();
        }
    }
}
