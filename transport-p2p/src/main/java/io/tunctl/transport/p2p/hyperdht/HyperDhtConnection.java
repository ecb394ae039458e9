package io.tunctl.transport.p2p.hyperdht;

import io.netty.buffer.ByteBuf;
import io.tunctl.transport.p2p.noise.HyperdhtHandshakeResult;
import io.tunctl.transport.p2p.stream.SecureStream;
import io.tunctl.transport.p2p.udx.UdxStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;

/**
 * One encrypted connection made by {@link HyperDht#connect} or accepted by a {@link HyperDhtServer}: a
 * {@link SecureStream} over the UDX stream the handshake set up, plus who is at the other end.
 *
 * <p>The stream starts with reading paused, so nothing is lost before the application is ready: {@link #handler}
 * installs the message handler and starts delivery. The peer's end or a close that happened before that is reported
 * to the handler when it is installed. Writes may start at once.
 */
public final class HyperDhtConnection {
    private final byte[] publicKey;
    private final byte[] remotePublicKey;
    private final boolean initiator;
    private final InetSocketAddress remoteAddress;
    private final SecureStream stream;
    private final Forwarder forwarder;

    private HyperDhtConnection(HyperdhtHandshakeResult result, InetSocketAddress remoteAddress, SecureStream stream,
            Forwarder forwarder) {
        this.publicKey = result.publicKey().clone();
        this.remotePublicKey = result.remotePublicKey().clone();
        this.initiator = result.initiator();
        this.remoteAddress = remoteAddress;
        this.stream = stream;
        this.forwarder = forwarder;
    }

    /** Event loop of {@code udx}: starts secret-stream on the connected UDX stream, reading paused. */
    static HyperDhtConnection open(UdxStream udx, HyperdhtHandshakeResult result, InetSocketAddress remoteAddress) {
        Forwarder f = new Forwarder();
        SecureStream s = SecureStream.start(udx, result, f);
        s.pauseReading();
        s.setKeepAlive(java.time.Duration.ofMillis(io.tunctl.transport.p2p.secretstream.SecretStream.KEEP_ALIVE_MILLIS));
        return new HyperDhtConnection(result, remoteAddress, s, f);
    }

    /** Our static public key. */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** The peer's static public key, proven by the Noise handshake. */
    public byte[] remotePublicKey() {
        return remotePublicKey.clone();
    }

    /** True on the connecting (client) side. */
    public boolean isInitiator() {
        return initiator;
    }

    /** Where the UDX stream sends to. */
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    /** The secret-stream itself (writes, half-close, keep-alive, statistics). */
    @SuppressWarnings("exports")
    public SecureStream stream() {
        return stream;
    }

    /**
     * Installs the handler for the peer's messages (callbacks on the stream's event loop) and starts delivering;
     * once only.
     */
    @SuppressWarnings("exports")
    public void handler(SecureStream.Handler handler) {
        java.util.Objects.requireNonNull(handler, "handler");
        stream.eventLoop().execute(() -> {
            if (forwarder.delegate != null) {
                throw new IllegalStateException("handler already set");
            }
            forwarder.delegate = handler;
            if (forwarder.ended) {
                handler.onEnd(stream);
            }
            if (forwarder.closed) {
                handler.onClose(stream, forwarder.closeCause);
            } else {
                stream.resumeReading();
            }
        });
    }

    /** Sends one message (copied); see {@link SecureStream#write(ByteBuf)}. */
    public void write(byte[] b, int off, int len) throws IOException {
        stream.write(b, off, len);
    }

    /** Half-closes our side. */
    public CompletableFuture<Void> end() {
        return stream.end();
    }

    public void destroy() {
        stream.destroy();
    }

    public CompletableFuture<Void> closeFuture() {
        return stream.closeFuture();
    }

    public boolean isClosed() {
        return stream.isClosed();
    }

    @Override
    public String toString() {
        return "HyperDhtConnection[remote=" + HexFormat.of().formatHex(remotePublicKey) + " at " + remoteAddress
                + (initiator ? ", initiator" : "") + "]";
    }

    /** Holds events until the application's handler is installed (all on the event loop). */
    private static final class Forwarder implements SecureStream.Handler {
        SecureStream.Handler delegate;
        boolean ended;
        boolean closed;
        Throwable closeCause;

        @Override
        public void onMessage(SecureStream stream, byte[] buf, int off, int len) {
            if (delegate == null) {
                stream.pauseReading(); // cannot happen while paused; keep it so anyway
                return;
            }
            delegate.onMessage(stream, buf, off, len);
        }

        @Override
        public void onEnd(SecureStream stream) {
            if (delegate == null) {
                ended = true;
            } else {
                delegate.onEnd(stream);
            }
        }

        @Override
        public void onClose(SecureStream stream, Throwable cause) {
            if (delegate == null) {
                closed = true;
                closeCause = cause;
            } else {
                delegate.onClose(stream, cause);
            }
        }
    }
}
