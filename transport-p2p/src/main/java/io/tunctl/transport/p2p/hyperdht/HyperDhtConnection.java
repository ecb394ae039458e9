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
    private static final System.Logger LOG = System.getLogger(HyperDhtConnection.class.getName());

    /** How the UDX stream reached the peer. */
    public enum Path {
        /** One side is reachable (OPEN): the other sent straight to the address the DHT saw. */
        DIRECT("directly"),
        /** Both behind the same public address: through the peer's LAN address (hyperdht's same-network shortcut). */
        LAN("through the LAN"),
        /** Both firewalled: the stream runs on a holepunch socket whose NAT mapping the peers punched open. */
        HOLEPUNCH("by hole punching");

        private final String text;

        Path(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /**
     * What a hole punch found: our and the peer's NAT as hyperdht classifies them (UNKNOWN, OPEN, CONSISTENT,
     * RANDOM) and the strategy that ran: {@code none} (the first probe got through: the server's "fast open"),
     * {@code consistent} (probes to the peer's address every second), {@code random} (probes to random ports of a
     * randomizing peer) or {@code birthday} (256 sockets towards a consistent peer).
     */
    public record Punch(String localFirewall, String remoteFirewall, String strategy) {
    }

    private final byte[] publicKey;
    private final byte[] remotePublicKey;
    private final boolean initiator;
    private final InetSocketAddress remoteAddress;
    private final Path path;
    private volatile Punch punch;
    private long remoteFeatures;
    private final SecureStream stream;
    private final Forwarder forwarder;

    private HyperDhtConnection(HyperdhtHandshakeResult result, InetSocketAddress remoteAddress, Path path,
            SecureStream stream, Forwarder forwarder) {
        this.publicKey = result.publicKey().clone();
        this.remotePublicKey = result.remotePublicKey().clone();
        this.initiator = result.initiator();
        this.remoteAddress = remoteAddress;
        this.path = path;
        this.stream = stream;
        this.forwarder = forwarder;
    }

    /**
     * Event loop of {@code udx}: starts secret-stream on the connected UDX stream, reading paused. {@link #logOpened}
     * then logs how the peer was reached (after the connection is handed over: a log line is not free).
     */
    static HyperDhtConnection open(UdxStream udx, HyperdhtHandshakeResult result, InetSocketAddress remoteAddress,
            Path path) {
        Forwarder f = new Forwarder();
        SecureStream s = SecureStream.start(udx, result, f);
        s.pauseReading();
        s.setKeepAlive(java.time.Duration.ofMillis(io.tunctl.transport.p2p.secretstream.SecretStream.KEEP_ALIVE_MILLIS));
        return new HyperDhtConnection(result, remoteAddress, path, s, f);
    }

    /** Logs (INFO) whom this connection reached, where, how, on which local socket. */
    void logOpened() {
        LOG.log(System.Logger.Level.INFO, "{0} {1} at {2} {3} (UDX on local {4})",
                initiator ? "connected to" : "accepted", HexFormat.of().formatHex(remotePublicKey), remoteAddress,
                path, stream.udx().socket().localAddress());
    }

    /** How the stream reached the peer: directly, through the LAN, or by hole punching. */
    public Path path() {
        return path;
    }

    /** The hole punch that made this connection, or null when it came up another way. */
    public Punch punch() {
        return punch;
    }

    HyperDhtConnection withPunch(Puncher p) {
        if (p != null) {
            punch = new Punch(p.state().nat().firewall().name(), p.state().remoteFirewall().name(), p.strategy());
        }
        return this;
    }

    HyperDhtConnection withRemoteFeatures(long features) {
        remoteFeatures = features;
        return this;
    }

    /**
     * The tunctl features the peer announced in its handshake payload ({@code NoisePayload.FEATURE_*}); 0 for a Node
     * peer and for a tunctl that announced none.
     */
    public long remoteFeatures() {
        return remoteFeatures;
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
                + " " + path + (initiator ? ", initiator" : "") + "]";
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
