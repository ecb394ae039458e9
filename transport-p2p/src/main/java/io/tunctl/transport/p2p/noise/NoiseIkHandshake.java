package io.tunctl.transport.p2p.noise;

import io.tunctl.transport.p2p.crypto.CryptoException;
import io.tunctl.transport.p2p.crypto.Ed25519Dh;
import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

/**
 * The Noise IK pattern with Ed25519 DH ({@code noise-curve-ed}), ChaCha20-Poly1305 and BLAKE2b, as noise-handshake
 * runs it:
 * <pre>
 *   &lt;- s
 *   ...
 *   -&gt; e, es, s, ss     message 1: e.pub(32) || enc(s.pub)(48) || enc(payload)(len+16)
 *   &lt;- e, ee, se         message 2: e.pub(32) || enc(payload)(len+16)
 * </pre>
 * The initiator calls {@link #writeMessage} then {@link #readMessage}; the responder the other way round. After the
 * second message {@link #result()} holds the split keys. A failed step throws and leaves the handshake unusable.
 */
public final class NoiseIkHandshake {
    public static final String PROTOCOL_NAME = "Noise_IK_Ed25519_ChaChaPoly_BLAKE2b";
    private static final int KEY = Ed25519KeyPair.PUBLIC_KEY_BYTES;

    private final boolean initiator;
    private final Ed25519KeyPair s;
    private final SymmetricState ss;
    private final SecureRandom random;
    private Ed25519KeyPair e;
    private byte[] re;
    private byte[] rs;
    /** re and rs decoded and checked once each, though each serves two DH. */
    private Ed25519Dh.PublicPoint rePoint;
    private Ed25519Dh.PublicPoint rsPoint;
    /** Initiator: {@code e || enc(s)} of message 1, made ahead by {@link #precomputeMessage1}. */
    private byte[] message1Prefix;
    private int step; // messages processed so far; 2 = done, -1 = failed
    private NoiseResult result;

    private NoiseIkHandshake(boolean initiator, Ed25519KeyPair s, byte[] rs, byte[] prologue, SecureRandom random) {
        this.initiator = initiator;
        this.s = Objects.requireNonNull(s, "static key pair");
        this.random = random;
        this.ss = new SymmetricState(PROTOCOL_NAME);
        this.rs = rs;
        ss.mixHash(prologue.clone());
        // pre-message "<- s": both sides hash the responder's static key
        ss.mixHash(initiator ? rs : s.publicKey());
    }

    /** The side that knows the responder's static key in advance and sends message 1. */
    public static NoiseIkHandshake initiator(Ed25519KeyPair staticKeyPair, byte[] remoteStaticKey, byte[] prologue,
            SecureRandom random) {
        if (remoteStaticKey == null || remoteStaticKey.length != KEY) {
            throw new IllegalArgumentException("remote static key must be 32 bytes");
        }
        return new NoiseIkHandshake(true, staticKeyPair, remoteStaticKey.clone(), prologue, random);
    }

    public static NoiseIkHandshake responder(Ed25519KeyPair staticKeyPair, byte[] prologue, SecureRandom random) {
        return new NoiseIkHandshake(false, staticKeyPair, null, prologue, random);
    }

    /**
     * An initiator whose responder key was already checked ({@link Ed25519Dh#publicPoint}), e.g. for an earlier
     * connect to the same server.
     */
    public static NoiseIkHandshake initiator(Ed25519KeyPair staticKeyPair, Ed25519Dh.PublicPoint remoteStaticKey,
            byte[] prologue, SecureRandom random) {
        NoiseIkHandshake h = initiator(staticKeyPair, remoteStaticKey.encoded(), prologue, random);
        h.rsPoint = remoteStaticKey;
        return h;
    }

    /** Uses a fixed ephemeral key pair instead of a random one (test vectors and transcript comparison). */
    public NoiseIkHandshake withEphemeral(Ed25519KeyPair ephemeral) {
        if (step != 0 || message1Prefix != null || (!initiator && re != null)) {
            throw new IllegalStateException("the ephemeral key must be set before the handshake starts");
        }
        e = ephemeral;
        return this;
    }

    /** Observes every symmetric-state step (tests only; it sees key material). */
    public NoiseIkHandshake withTrace(NoiseTrace trace) {
        ss.trace(trace);
        return this;
    }

    public boolean isInitiator() {
        return initiator;
    }

    public boolean isComplete() {
        return result != null;
    }

    /** The peer's static key once known (initiator: from the start; responder: after message 1), else null. */
    public byte[] remoteStaticKey() {
        return rs == null ? null : rs.clone();
    }

    /**
     * Initiator: does the expensive part of message 1 now, before its payload is known (an ephemeral key pair, the
     * es and ss DH, the encrypted static key), so that {@link #writeMessage} only encrypts the payload. A client can
     * thus have its next handshake with a server ready before it dials. Idempotent.
     *
     * @throws CryptoException if the responder's static key is not an acceptable point
     */
    public NoiseIkHandshake precomputeMessage1() throws CryptoException {
        if (!initiator || step != 0) {
            throw new IllegalStateException(stateError("precompute message 1"));
        }
        if (message1Prefix != null) {
            return this;
        }
        step = -1;
        if (rsPoint == null) {
            rsPoint = Ed25519Dh.publicPoint(rs);
        }
        if (e == null) {
            e = Ed25519KeyPair.generate(random);
        }
        byte[] epub = e.publicKey();
        ss.mixHash(epub);
        ss.mixKey(Ed25519Dh.dh(rsPoint, e));                      // es
        byte[] encS = ss.encryptAndHash(s.publicKey());
        ss.mixKey(Ed25519Dh.dh(rsPoint, s));                      // ss
        message1Prefix = concat(epub, encS);
        step = 0;
        return this;
    }

    /** Writes the next message (initiator: message 1; responder: message 2) carrying {@code payload}. */
    public byte[] writeMessage(byte[] payload) throws CryptoException {
        int expected = initiator ? 0 : 1;
        if (step != expected) {
            throw new IllegalStateException(stateError("write"));
        }
        if (initiator) {
            precomputeMessage1();
            step = -1;
            byte[] out = concat(message1Prefix, ss.encryptAndHash(payload));
            message1Prefix = null;
            step = 1;
            return out;
        }
        step = -1;
        if (e == null) {
            e = Ed25519KeyPair.generate(random);
        }
        byte[] epub = e.publicKey();
        ss.mixHash(epub);
        ss.mixKey(Ed25519Dh.dh(rePoint, e));                      // ee
        ss.mixKey(Ed25519Dh.dh(rsPoint, e));                      // se
        byte[] out = concat(epub, ss.encryptAndHash(payload));
        finish();
        return out;
    }

    /** Reads the peer's message and returns its decrypted payload. */
    public byte[] readMessage(byte[] message) throws CryptoException {
        int expected = initiator ? 1 : 0;
        if (step != expected) {
            throw new IllegalStateException(stateError("read"));
        }
        step = -1;
        int min = initiator ? KEY + CipherState.MAC_BYTES : KEY + KEY + 2 * CipherState.MAC_BYTES;
        if (message.length < min) {
            throw new CryptoException("Noise IK message " + (initiator ? 2 : 1) + " too short: " + message.length
                    + " bytes, needs at least " + min);
        }
        re = Arrays.copyOf(message, KEY);
        ss.mixHash(re);
        rePoint = Ed25519Dh.publicPoint(re);
        byte[] payload;
        if (initiator) {
            ss.mixKey(Ed25519Dh.dh(rePoint, e));                  // ee
            ss.mixKey(Ed25519Dh.dh(rePoint, s));                  // se
            payload = ss.decryptAndHash(Arrays.copyOfRange(message, KEY, message.length));
            finish();
        } else {
            ss.mixKey(Ed25519Dh.dh(rePoint, s));                  // es
            rs = ss.decryptAndHash(Arrays.copyOfRange(message, KEY, KEY + KEY + CipherState.MAC_BYTES));
            rsPoint = Ed25519Dh.publicPoint(rs);
            ss.mixKey(Ed25519Dh.dh(rsPoint, s));                  // ss
            payload = ss.decryptAndHash(Arrays.copyOfRange(message, KEY + KEY + CipherState.MAC_BYTES,
                    message.length));
            step = 1;
        }
        return payload;
    }

    private void finish() {
        byte[][] k = ss.split();
        result = new NoiseResult(initiator, initiator ? k[0] : k[1], initiator ? k[1] : k[0], ss.handshakeHash(),
                rs.clone());
        ss.clear();
        e = null;
        rePoint = null;
        step = 2;
    }

    /** The split keys and handshake hash; only after the second message. */
    public NoiseResult result() {
        if (result == null) {
            throw new IllegalStateException("Noise handshake is not complete");
        }
        return result;
    }

    private String stateError(String op) {
        if (step == -1) {
            return "Noise handshake already failed";
        }
        if (step == 2) {
            return "Noise handshake is already complete";
        }
        return "the " + (initiator ? "initiator" : "responder") + " cannot " + op + " now (messages done: " + step
                + ")";
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }
}
