package io.tunctl.transport.p2p.stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.tunctl.transport.p2p.crypto.CryptoException;
import io.tunctl.transport.p2p.noise.HyperdhtHandshakeResult;
import io.tunctl.transport.p2p.secretstream.ChaChaBackend;
import io.tunctl.transport.p2p.secretstream.SecretStream;
import io.tunctl.transport.p2p.secretstream.SecretStreamCipher;
import io.tunctl.transport.p2p.udx.UdxStream;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * @hyperswarm/secret-stream over a {@link UdxStream}, as hyperdht runs it after its handshake: what the VPN layer
 * reads and writes.
 *
 * <p><b>Push delivery.</b> Every decrypted message is handed to the {@link Handler} on the UDX socket's event loop, in
 * the read that brought its last byte: no thread per stream, no hand-off queue, no allocation per message (the
 * plaintext is lent out of a reused buffer). One event loop serves every stream of its socket.
 *
 * <p><b>Back-pressure.</b> {@link #pauseReading()} (also from inside {@link Handler#onMessage}, which then gets
 * nothing more) stops delivery: what is already received waits, and UDX's advertised window shrinks by what waits
 * until the peer stops sending. {@link #resumeReading()} delivers what waited, in order, and reopens the window.
 * Writes never block: {@link #isWritable()} says when the peer is behind.
 *
 * <p><b>Keep-alive and timeout</b> (Node's {@code setKeepAlive(ms)} / {@code setTimeout(ms)}): with a keep-alive, an
 * empty encrypted message (a 20-byte frame) is sent whenever {@code ms} passed without a write, and received empty
 * messages are dropped (Node drops them too once its keep-alive is on, which hyperdht always turns on, 5 s). With a
 * timeout, the stream is destroyed ("Stream timed out") when no stream bytes arrived for that long; keep-alives count
 * as bytes, UDX ACKs do not.
 *
 * <p><b>Half-close.</b> {@link #end()} sends UDX END after what was written (nothing is encrypted for it; the
 * keep-alive stops, as in Node); the peer reads end-of-stream and may still write. {@link Handler#onEnd} reports the
 * peer's end. Once both sides ended the stream closes with no error. {@link #destroy()} resets it at once.
 *
 * <p>Thread-safety: every public method may be called from any thread. Encryption runs on the event loop, so
 * messages written from one thread keep their order.
 */
public final class SecureStream {

    /** Callbacks, all on the UDX socket's event loop. */
    public interface Handler {
        /**
         * One decrypted message, lent: {@code buf[off, off+len)} is valid only during the call. Call
         * {@link SecureStream#pauseReading()} here to take no more for now.
         */
        void onMessage(SecureStream stream, byte[] buf, int off, int len);

        /** The peer ended its side (after its last message): nothing more arrives; this side may still write. */
        default void onEnd(SecureStream stream) {
        }

        /**
         * The stream closed: {@code cause} is null after both sides ended or a local {@link SecureStream#destroy()},
         * else why (an {@code ECONNRESET}/{@code ETIMEDOUT} {@link io.tunctl.transport.p2p.udx.UdxStreamException},
         * a {@link CryptoException} for a bad frame, an {@link IOException} "Stream timed out").
         */
        default void onClose(SecureStream stream, Throwable cause) {
        }
    }

    private static final long WRITE_QUEUE_HIGH_WATER = 4L << 20;
    private static final ByteBufAllocator FRAMES = PooledByteBufAllocator.DEFAULT;
    /** Shared (SecureRandom is thread-safe): a new one per stream costs a provider lookup on the connect path. */
    private static final SecureRandom HEADER_RANDOM = new SecureRandom();

    private final UdxStream udx;
    private final EventLoop loop;
    private final SecretStream secret;
    private final Handler handler;
    private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
    private final AtomicLong queuedToLoop = new AtomicLong();
    private volatile boolean endCalled;
    private volatile boolean closedFlag;

    // --- event loop
    private byte[] scratch = new byte[2048];
    private byte[] pending; // received bytes not yet fed to the decoder because the handler paused
    private boolean paused;
    private boolean peerEnded; // the UDX END arrived
    private boolean endDelivered;
    private boolean closeSeen; // the UDX stream closed; reported once pending bytes are delivered
    private Throwable closeCause;
    private boolean closed;
    private long keepAliveNs;
    private long timeoutNs;
    private long lastWriteNs;
    private long lastReadNs;
    private ScheduledFuture<?> keepAliveTask;
    private ScheduledFuture<?> timeoutTask;
    private long keepAlivesSent;
    private long messagesSent;
    private long messagesReceived;

    private SecureStream(UdxStream udx, SecretStream secret, Handler handler) {
        this.udx = udx;
        this.loop = udx.socket().eventLoop();
        this.secret = secret;
        this.handler = handler;
    }

    /**
     * Starts secret-stream on {@code udx} (created, connected or about to be): sends this side's header frame at once
     * and delivers the peer's messages to {@code handler} from now on. Empty messages are dropped, as hyperdht's
     * streams (keep-alive on) do.
     */
    public static SecureStream start(UdxStream udx, HyperdhtHandshakeResult handshake, Handler handler) {
        return start(udx, handshake.initiator(), handshake.tx(), handshake.rx(), handshake.handshakeHash(), handler);
    }

    /** {@link #start(UdxStream, HyperdhtHandshakeResult, Handler)} with the handshake's values given one by one. */
    public static SecureStream start(UdxStream udx, boolean initiator, byte[] tx, byte[] rx, byte[] handshakeHash,
            Handler handler) {
        Objects.requireNonNull(udx, "udx");
        Objects.requireNonNull(handler, "handler");
        SecretStream secret = new SecretStream(initiator, tx, rx, handshakeHash,
                SecretStreamCipher.newHeader(HEADER_RANDOM), ChaChaBackend.fastest(), true);
        SecureStream s = new SecureStream(udx, secret, handler);
        s.onLoop(s::startOnLoop);
        return s;
    }

    private void startOnLoop() {
        long now = System.nanoTime();
        lastWriteNs = now;
        lastReadNs = now;
        udx.onData(this::onRaw);
        udx.onEnd(this::onRawEnd);
        udx.closeFuture().whenComplete((v, e) -> onLoop(() -> onRawClose(e)));
        if (udx.isClosed()) {
            return;
        }
        try {
            udx.write(io.netty.buffer.Unpooled.wrappedBuffer(secret.headerFrame()));
        } catch (IOException e) {
            fail(e);
        }
    }

    /** The UDX stream underneath (for its statistics, {@code changeRemote}, its socket). */
    public UdxStream udx() {
        return udx;
    }

    /** The event loop every callback of this stream runs on. */
    public EventLoop eventLoop() {
        return loop;
    }

    public boolean isInitiator() {
        return secret.isInitiator();
    }

    // ------------------------------------------------------------------------------------------------------------
    // writing

    /**
     * Encrypts and sends {@code message} as one secret-stream message (taking ownership of it). Never blocks; see
     * {@link #isWritable()}. An empty message is legal but is what a keep-alive looks like.
     *
     * @throws IOException if the stream is closed
     * @throws IllegalStateException after {@link #end()}
     * @throws IllegalArgumentException above {@link SecretStream#MAX_MESSAGE} bytes
     */
    public void write(ByteBuf message) throws IOException {
        int len = message.readableBytes();
        if (endCalled) {
            message.release();
            throw new IllegalStateException("secure stream " + describe() + ": write after end");
        }
        if (closedFlag) {
            message.release();
            throw new IOException("secure stream " + describe() + " is closed");
        }
        if (len > SecretStream.MAX_MESSAGE) {
            message.release();
            throw new IllegalArgumentException("Message is too large for an atomic write: " + len + " bytes, maximum "
                    + SecretStream.MAX_MESSAGE);
        }
        queuedToLoop.addAndGet(len);
        onLoop(() -> {
            queuedToLoop.addAndGet(-len);
            try {
                if (!closed) {
                    send(message, message.readerIndex(), len);
                    messagesSent++;
                }
            } finally {
                message.release();
            }
        });
    }

    /** Copies {@code b[off, off+len)} and sends it as one message; see {@link #write(ByteBuf)}. */
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        write(io.netty.buffer.Unpooled.wrappedBuffer(Arrays.copyOfRange(b, off, off + len)));
    }

    /** Whether written bytes are few enough (not yet on the loop plus unacknowledged by UDX) to write more. */
    public boolean isWritable() {
        return closedFlag || (queuedToLoop.get() < WRITE_QUEUE_HIGH_WATER && udx.isWritable());
    }

    /** Event loop: frames {@code src[idx, idx+len)} into a new frame buffer and hands it to UDX. */
    private void send(ByteBuf src, int idx, int len) {
        int frameLen = SecretStream.frameLength(len);
        ByteBuf frame = FRAMES.heapBuffer(frameLen);
        byte[] a = frame.array();
        int base = frame.arrayOffset() + frame.writerIndex();
        // the plaintext sits where the ciphertext goes (after length and tag byte): encrypted in place
        src.getBytes(idx, a, base + 4, len);
        try {
            secret.seal(a, base + 4, len, SecretStreamCipher.TAG_MESSAGE, a, base);
        } catch (RuntimeException e) {
            frame.release();
            throw e;
        }
        frame.writerIndex(frame.writerIndex() + frameLen);
        lastWriteNs = System.nanoTime();
        try {
            udx.write(frame);
        } catch (IOException | IllegalStateException e) {
            // the UDX stream closed or ended under us: its close is reported through onRawClose
        }
    }

    /**
     * Half-closes: after what was written, the peer reads end-of-stream (UDX END); messages still arrive until the
     * peer ends too. The keep-alive stops. The future completes when the peer acknowledged the END.
     */
    public CompletableFuture<Void> end() {
        endCalled = true;
        CompletableFuture<Void> done = new CompletableFuture<>();
        onLoop(() -> {
            cancelKeepAlive();
            keepAliveNs = 0;
            secret.end();
            udx.end().whenComplete((v, e) -> {
                if (e == null) {
                    done.complete(null);
                } else {
                    done.completeExceptionally(e);
                }
            });
        });
        return done;
    }

    /** Closes at once: UDX DESTROY to the peer (which sees a reset); nothing queued is sent. */
    public void destroy() {
        onLoop(() -> {
            if (!closed) {
                udx.destroy();
            }
        });
    }

    /** Completes when the stream closed: normally, or exceptionally with the {@link Handler#onClose} cause. */
    public CompletableFuture<Void> closeFuture() {
        return closeFuture;
    }

    public boolean isClosed() {
        return closedFlag;
    }

    // ------------------------------------------------------------------------------------------------------------
    // keep-alive and timeout

    /**
     * Sends an empty message whenever {@code interval} passed without a write (Node {@code setKeepAlive(ms)});
     * zero turns it off. Received empty messages are dropped either way.
     */
    public void setKeepAlive(Duration interval) {
        long ns = nonNegative(interval, "keep-alive");
        onLoop(() -> {
            cancelKeepAlive();
            keepAliveNs = endCalled ? 0 : ns;
            if (keepAliveNs > 0 && !closed) {
                scheduleKeepAlive(lastWriteNs + keepAliveNs);
            }
        });
    }

    /**
     * Destroys the stream with "Stream timed out" once {@code timeout} passed without receiving stream bytes (Node
     * {@code setTimeout(ms)}; the peer's keep-alives keep it open); zero turns it off.
     */
    public void setTimeout(Duration timeout) {
        long ns = nonNegative(timeout, "timeout");
        onLoop(() -> {
            if (timeoutTask != null) {
                timeoutTask.cancel(false);
                timeoutTask = null;
            }
            timeoutNs = ns;
            if (ns > 0 && !closed) {
                lastReadNs = System.nanoTime(); // as Node: the timer starts when it is set
                scheduleTimeout(lastReadNs + ns);
            }
        });
    }

    private static long nonNegative(Duration d, String what) {
        long ns = d.toNanos();
        if (ns < 0) {
            throw new IllegalArgumentException(what + " must not be negative: " + d);
        }
        return ns;
    }

    private void scheduleKeepAlive(long at) {
        keepAliveTask = loop.schedule(this::onKeepAliveTimer, Math.max(0, at - System.nanoTime()),
                TimeUnit.NANOSECONDS);
    }

    private void onKeepAliveTimer() {
        keepAliveTask = null;
        if (closed || keepAliveNs == 0 || secret.isEnded()) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastWriteNs >= keepAliveNs) {
            send(io.netty.buffer.Unpooled.EMPTY_BUFFER, 0, 0);
            keepAlivesSent++;
        }
        scheduleKeepAlive(lastWriteNs + keepAliveNs);
    }

    private void cancelKeepAlive() {
        if (keepAliveTask != null) {
            keepAliveTask.cancel(false);
            keepAliveTask = null;
        }
    }

    private void scheduleTimeout(long at) {
        timeoutTask = loop.schedule(this::onTimeoutTimer, Math.max(0, at - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void onTimeoutTimer() {
        timeoutTask = null;
        if (closed || timeoutNs == 0) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastReadNs >= timeoutNs) {
            fail(new IOException("Stream timed out: nothing received for " + timeoutNs / 1_000_000 + " ms"));
            return;
        }
        scheduleTimeout(lastReadNs + timeoutNs);
    }

    // ------------------------------------------------------------------------------------------------------------
    // reading (event loop)

    /** Stops delivering messages until {@link #resumeReading()}; the peer is slowed by UDX's window. */
    public void pauseReading() {
        onLoop(() -> {
            if (!paused && !closed) {
                paused = true;
                udx.pauseReading();
            }
        });
    }

    /** Delivers what waited, then reads on. */
    public void resumeReading() {
        onLoop(() -> {
            if (!paused || closed) {
                return;
            }
            paused = false;
            byte[] rest = pending;
            pending = null;
            if (rest != null) {
                decode(rest, 0, rest.length);
            }
            if (!paused) {
                udx.resumeReading(); // may deliver (onRaw) and pause again
            }
            if (!paused && pending == null) {
                finishEndAndClose();
            }
        });
    }

    private void onRaw(ByteBuf data) {
        lastReadNs = System.nanoTime();
        int n = data.readableBytes();
        if (paused || pending != null) {
            byte[] p = pending == null ? new byte[0] : pending;
            byte[] grown = Arrays.copyOf(p, p.length + n);
            data.getBytes(data.readerIndex(), grown, p.length, n);
            pending = grown;
            return;
        }
        if (scratch.length < n) {
            scratch = new byte[Math.max(n, 2 * scratch.length)];
        }
        data.getBytes(data.readerIndex(), scratch, 0, n);
        decode(scratch, 0, n);
    }

    /** Feeds the decoder until done or paused; keeps an unconsumed rest in {@link #pending}. */
    private void decode(byte[] b, int off, int len) {
        if (closed) {
            return;
        }
        int used;
        try {
            used = secret.receive(b, off, len, this::deliver);
        } catch (CryptoException e) {
            fail(e);
            return;
        } catch (RuntimeException e) {
            fail(e); // a handler bug: no silent loss, the stream goes down with the cause
            return;
        }
        if (used < len) {
            pending = Arrays.copyOfRange(b, off + used, off + len);
        }
    }

    private boolean deliver(byte[] buf, int off, int len) {
        if (closed) {
            return false;
        }
        messagesReceived++;
        handler.onMessage(this, buf, off, len);
        return !paused;
    }

    private void onRawEnd() {
        peerEnded = true;
        if (!paused && pending == null) {
            finishEndAndClose();
        }
    }

    private void onRawClose(Throwable cause) {
        closedFlag = true;
        cancelKeepAlive();
        if (timeoutTask != null) {
            timeoutTask.cancel(false);
            timeoutTask = null;
        }
        closeSeen = true;
        if (closeCause == null) {
            closeCause = cause;
        }
        if (cause != null || (!paused && pending == null)) {
            pending = null;
            finishEndAndClose();
        }
    }

    /** Reports the peer's end and the close once every message before them was delivered. */
    private void finishEndAndClose() {
        if (peerEnded && !endDelivered && closeCause == null) {
            if (secret.hasPartialFrame()) {
                fail(new IOException("secure stream " + describe() + ": peer ended inside a frame"));
                return;
            }
            endDelivered = true;
            handler.onEnd(this);
        }
        if (closeSeen && !closed) {
            closed = true;
            secret.destroy();
            Throwable c = closeCause;
            try {
                handler.onClose(this, c);
            } finally {
                if (c == null) {
                    closeFuture.complete(null);
                } else {
                    closeFuture.completeExceptionally(c);
                }
            }
        }
    }

    /** Destroys the UDX stream (DESTROY to the peer) and reports {@code cause}. */
    private void fail(Throwable cause) {
        if (closed) {
            return;
        }
        if (closeCause == null) {
            closeCause = cause;
        }
        udx.destroy(); // completes the UDX close future, which lands in onRawClose with our cause kept
    }

    // ------------------------------------------------------------------------------------------------------------
    // statistics

    /** Keep-alives (empty messages) sent. Read on the event loop or after close for exact values. */
    public long keepAlivesSent() {
        return keepAlivesSent;
    }

    /** Empty messages received (the peer's keep-alives), dropped. */
    public long keepAlivesReceived() {
        return secret.keepAlivesReceived();
    }

    public long messagesSent() {
        return messagesSent;
    }

    public long messagesReceived() {
        return messagesReceived;
    }

    private String describe() {
        return Integer.toUnsignedString(udx.localId());
    }

    private void onLoop(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }
}
