package io.tunctl.transport.p2p.secretstream;

import io.tunctl.transport.p2p.crypto.CryptoException;
import io.tunctl.transport.p2p.noise.HyperdhtHandshake;
import io.tunctl.transport.p2p.noise.HyperdhtHandshakeResult;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The framing side of @hyperswarm/secret-stream once the Noise handshake is done (I/O-free).
 *
 * <p>Wire: every frame is {@code uint24 LE length || body}. Each side's first frame is 56 bytes,
 * {@code streamId(self.isInitiator)(32) || secretstream header(24)}, sent without waiting for the peer's. The first frame
 * received must be exactly 56 bytes and carry {@code streamId(!self.isInitiator)}. Every later frame is one
 * {@link SecretStreamCipher} message (17 bytes overhead); an empty message is a keep-alive, which the receiver drops
 * (hyperdht enables keep-alive, 5 s, on every connection). Closing encrypts nothing: the transport's end-of-stream is the
 * end.
 *
 * <p>Tags: @hyperswarm/secret-stream never sends PUSH, REKEY or FINAL and ignores the tag it receives, so a message
 * after a FINAL is still decrypted and delivered here, as Node does (the REKEY bit still rekeys: libsodium's pull does
 * that itself, and both sides must stay in step). {@link #isRemoteFinal()} only reports that a FINAL was seen.
 *
 * <p>Outgoing: {@link #headerFrame()}, then {@link #seal}. Incoming: feed transport bytes to {@link #receive}, which
 * reassembles frames across arbitrary chunk boundaries and hands out plaintexts; the {@link PlaintextHandler} variant
 * decrypts in place in a reused frame buffer and lends the plaintext, allocating nothing per message. Not thread-safe;
 * one sender and one receiver thread may each use their half if they synchronise externally.
 */
public final class SecretStream {
    /** Length of the first frame's body: stream id + secretstream header. */
    public static final int ID_HEADER_BYTES = 32 + SecretStreamCipher.HEADER_BYTES;
    /** Largest frame body the uint24 length allows. */
    public static final int MAX_FRAME_BODY = 0xffffff;
    /** Largest plaintext one frame carries. */
    public static final int MAX_MESSAGE = MAX_FRAME_BODY - SecretStreamCipher.ABYTES;
    /** hyperdht's {@code connectionKeepAlive} default: an empty message after this long without writes. */
    public static final int KEEP_ALIVE_MILLIS = 5000;
    /** A reused frame buffer larger than this is given back after its frame, so one huge frame is not kept. */
    private static final int KEPT_FRAME_BUFFER = 65536 + 64;

    /**
     * Receives one decrypted message, lent: {@code buf[off, off+len)} is valid only during the call (the buffer is
     * reused for the next frame). Returns false to stop {@link #receive} right after this message (a paused reader).
     */
    @FunctionalInterface
    public interface PlaintextHandler {
        boolean message(byte[] buf, int off, int len);
    }

    private final boolean initiator;
    private final byte[] rxKey;
    private final byte[] expectedRemoteId;
    private final byte[] headerFrame;
    private final SecretStreamCipher encrypt;
    private final ChaChaBackend backend;
    private final boolean dropKeepAlives;
    private SecretStreamCipher decrypt;
    private boolean ended;
    private boolean remoteFinal;
    private boolean failed;

    // frame reassembly. The reused body buffer grows with the bytes that arrive (up to the announced length): a
    // 3-byte length prefix alone must not make the receiver allocate 16 MiB.
    private final byte[] lenBuf = new byte[3];
    private int lenHave;
    private byte[] frameBuf = new byte[2048];
    private int bodyLen = -1; // -1: reading a length prefix
    private int bodyHave;
    private long keepAlivesReceived;

    /**
     * @param tx this side's sending key, {@code rx} the receiving key (32 bytes each, from the Noise split)
     * @param pushHeader the 24-byte secretstream header to send ({@link SecretStreamCipher#newHeader} in production)
     * @param dropKeepAlives whether empty messages are swallowed instead of delivered
     */
    public SecretStream(boolean initiator, byte[] tx, byte[] rx, byte[] handshakeHash, byte[] pushHeader,
            ChaChaBackend backend, boolean dropKeepAlives) {
        if (handshakeHash == null || handshakeHash.length != 64) {
            throw new IllegalArgumentException("handshake hash must be 64 bytes");
        }
        if (rx == null || rx.length != SecretStreamCipher.KEY_BYTES) {
            throw new IllegalArgumentException("rx key must be 32 bytes");
        }
        this.initiator = initiator;
        this.backend = backend;
        this.dropKeepAlives = dropKeepAlives;
        this.rxKey = rx.clone();
        this.encrypt = SecretStreamCipher.initPush(tx, pushHeader, backend);
        this.expectedRemoteId = HyperdhtHandshake.streamId(handshakeHash, !initiator);
        headerFrame = new byte[3 + ID_HEADER_BYTES];
        writeUint24(ID_HEADER_BYTES, headerFrame, 0);
        System.arraycopy(HyperdhtHandshake.streamId(handshakeHash, initiator), 0, headerFrame, 3, 32);
        System.arraycopy(pushHeader, 0, headerFrame, 35, SecretStreamCipher.HEADER_BYTES);
    }

    /** The stream hyperdht opens after its handshake: a random header, the fastest key stream, keep-alives dropped. */
    public static SecretStream of(HyperdhtHandshakeResult handshake, SecureRandom random) {
        return new SecretStream(handshake.initiator(), handshake.tx(), handshake.rx(), handshake.handshakeHash(),
                SecretStreamCipher.newHeader(random), ChaChaBackend.fastest(), true);
    }

    public boolean isInitiator() {
        return initiator;
    }

    /** The 59-byte first frame this side sends. */
    public byte[] headerFrame() {
        return headerFrame.clone();
    }

    /** Bytes on the wire for a plaintext of {@code messageLength}: 3 + length + 17. */
    public static int frameLength(int messageLength) {
        return 3 + messageLength + SecretStreamCipher.ABYTES;
    }

    /** One framed message ({@code TAG_MESSAGE}). */
    public byte[] seal(byte[] message) {
        byte[] out = new byte[frameLength(message.length)];
        seal(message, 0, message.length, SecretStreamCipher.TAG_MESSAGE, out, 0);
        return out;
    }

    /**
     * Frames and encrypts {@code message[off, off+len)} with {@code tag} into {@code out}. A {@code TAG_FINAL} message
     * ends the sending side. Node peers ignore received tags, so only tunctl peers give PUSH/REKEY/FINAL a meaning.
     *
     * @return bytes written ({@link #frameLength(int)})
     */
    public int seal(byte[] message, int off, int len, int tag, byte[] out, int outOff) {
        if (ended) {
            throw new IllegalStateException("secret stream already ended; nothing more can be sent");
        }
        if (len > MAX_MESSAGE) {
            throw new IllegalArgumentException("Message is too large for an atomic write: " + len
                    + " bytes, maximum " + MAX_MESSAGE);
        }
        writeUint24(len + SecretStreamCipher.ABYTES, out, outOff);
        encrypt.push(message, off, len, tag, out, outOff + 3);
        if (tag == SecretStreamCipher.TAG_FINAL) {
            ended = true;
        }
        return frameLength(len);
    }

    /** The 20-byte keep-alive frame (an empty message). */
    public byte[] keepAliveFrame() {
        return seal(new byte[0]);
    }

    /** Marks the sending side finished (the transport's end follows); later {@link #seal} calls fail. */
    public void end() {
        ended = true;
    }

    public boolean isEnded() {
        return ended;
    }

    /** Whether the peer sent a {@code TAG_FINAL} message (later messages are delivered all the same). */
    public boolean isRemoteFinal() {
        return remoteFinal;
    }

    /** Whether the peer's header frame has been received and checked. */
    public boolean isRemoteHeaderReceived() {
        return decrypt != null;
    }

    /**
     * Feeds bytes from the transport and delivers each complete message's plaintext, in order, as a new array. Frames
     * may be split across calls at any byte.
     *
     * @throws CryptoException on a wrong first frame (size or stream id), a frame shorter than 17 bytes or a failed
     *     MAC; the stream is unusable afterwards, as Node destroys it
     */
    public void receive(byte[] data, int off, int len, Consumer<byte[]> onMessage) throws CryptoException {
        receive(data, off, len, (b, o, n) -> {
            onMessage.accept(Arrays.copyOfRange(b, o, o + n));
            return true;
        });
    }

    /**
     * Like {@link #receive(byte[], int, int, Consumer)}, but each plaintext is lent to {@code handler} out of the
     * frame buffer it was decrypted in (in place), with no allocation per message.
     *
     * @return the bytes consumed: {@code len}, or fewer when the handler returned false (feed the rest later)
     */
    public int receive(byte[] data, int off, int len, PlaintextHandler handler) throws CryptoException {
        if (failed) {
            throw new CryptoException("secret stream already failed");
        }
        int start = off;
        int end = off + len;
        while (off < end) {
            if (bodyLen < 0) {
                while (lenHave < 3 && off < end) {
                    lenBuf[lenHave++] = data[off++];
                }
                if (lenHave < 3) {
                    return len;
                }
                bodyLen = (lenBuf[0] & 0xff) | (lenBuf[1] & 0xff) << 8 | (lenBuf[2] & 0xff) << 16;
                lenHave = 0;
                if (decrypt == null && bodyLen != ID_HEADER_BYTES) {
                    failed = true; // said before the body arrives: nothing of it could be used
                    throw new CryptoException("Invalid header message received: first frame is " + bodyLen
                            + " bytes, expected " + ID_HEADER_BYTES);
                }
                bodyHave = 0;
            }
            int take = Math.min(bodyLen - bodyHave, end - off);
            if (bodyHave + take > frameBuf.length) {
                frameBuf = Arrays.copyOf(frameBuf, (int) Math.min(bodyLen, Math.max(bodyHave + take, 2L * frameBuf.length)));
            }
            System.arraycopy(data, off, frameBuf, bodyHave, take);
            bodyHave += take;
            off += take;
            if (bodyHave == bodyLen) {
                int n = bodyLen;
                bodyLen = -1;
                boolean goOn = true;
                try {
                    int plain = open(frameBuf, n);
                    if (plain >= 0) {
                        goOn = handler.message(frameBuf, 1, plain);
                    }
                } catch (CryptoException e) {
                    failed = true;
                    throw e;
                } finally {
                    if (frameBuf.length > KEPT_FRAME_BUFFER) {
                        frameBuf = new byte[2048];
                    }
                }
                if (!goOn) {
                    return off - start;
                }
            }
        }
        return len;
    }

    /** Whether a frame is partly received (an end-of-stream now would cut it). */
    public boolean hasPartialFrame() {
        return bodyLen >= 0 || lenHave > 0;
    }

    /** Empty messages received (keep-alives, whether dropped or delivered). */
    public long keepAlivesReceived() {
        return keepAlivesReceived;
    }

    /**
     * Handles one frame body {@code frame[0, n)}: the header, or a message decrypted in place to {@code frame[1,
     * 1 + length)}. Returns the plaintext length, or -1 when nothing is delivered (header, dropped keep-alive).
     */
    private int open(byte[] frame, int n) throws CryptoException {
        if (decrypt == null) {
            if (n != ID_HEADER_BYTES) {
                throw new CryptoException("Invalid header message received: first frame is " + n
                        + " bytes, expected " + ID_HEADER_BYTES);
            }
            if (!MessageDigest.isEqual(Arrays.copyOf(frame, 32), expectedRemoteId)) {
                throw new CryptoException("Invalid header received: stream id does not match the handshake");
            }
            decrypt = SecretStreamCipher.initPull(rxKey, Arrays.copyOfRange(frame, 32, ID_HEADER_BYTES), backend);
            Arrays.fill(rxKey, (byte) 0);
            return -1;
        }
        if (n < SecretStreamCipher.ABYTES) {
            throw new CryptoException("Invalid message received: frame of " + n + " bytes is below 17");
        }
        int tag = decrypt.pull(frame, 0, n, frame, 1);
        if (tag == SecretStreamCipher.TAG_FINAL) {
            remoteFinal = true; // Node ignores tags: what follows a FINAL is still delivered
        }
        int plain = n - SecretStreamCipher.ABYTES;
        if (plain == 0) {
            keepAlivesReceived++;
            if (dropKeepAlives) {
                return -1;
            }
        }
        return plain;
    }

    /** Wipes key material. */
    public void destroy() {
        encrypt.destroy();
        if (decrypt != null) {
            decrypt.destroy();
        }
        Arrays.fill(rxKey, (byte) 0);
        ended = true;
        failed = true;
    }

    static void writeUint24(int n, byte[] b, int off) {
        b[off] = (byte) n;
        b[off + 1] = (byte) (n >>> 8);
        b[off + 2] = (byte) (n >>> 16);
    }
}
