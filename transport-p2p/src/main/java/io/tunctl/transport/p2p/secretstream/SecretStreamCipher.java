package io.tunctl.transport.p2p.secretstream;

import io.tunctl.transport.p2p.crypto.CryptoException;
import io.tunctl.transport.p2p.crypto.HChaCha20;

import java.security.SecureRandom;
import java.util.Arrays;

/**
 * libsodium's {@code crypto_secretstream_xchacha20poly1305}, byte for byte.
 *
 * <p>State: a 32-byte key {@code k} and a 12-byte ChaCha20 nonce {@code counter(uint32 LE) || inonce(8)}. Init:
 * {@code k = HChaCha20(key, header[0..16])}, {@code counter = 1}, {@code inonce = header[16..24]}. Each message:
 * Poly1305 key from block 0; block 1 encrypts the tag byte (its first byte is sent); the message is encrypted from
 * block 2; the MAC covers {@code block1(64) || c || zeros(mlen mod 16) || le64(0) || le64(64 + mlen)} (libsodium's own
 * padding rule, not RFC 8439's). Output: {@code tag' || c || mac} (17 bytes overhead). Then {@code inonce ^= mac[0..8]},
 * {@code counter++}, and a rekey when the tag has the REKEY bit or the counter wrapped to 0.
 *
 * <p>The same class serves both directions; a push state and the pull state built from the same key and header stay
 * in step. Not thread-safe. A failed {@link #pull} leaves the state unchanged, as libsodium does.
 */
public final class SecretStreamCipher {
    public static final int KEY_BYTES = 32;
    public static final int HEADER_BYTES = 24;
    public static final int ABYTES = 17;
    public static final int TAG_MESSAGE = 0;
    public static final int TAG_PUSH = 1;
    public static final int TAG_REKEY = 2;
    public static final int TAG_FINAL = 3;
    /** libsodium's {@code MESSAGEBYTES_MAX} for this construction: 64 * (2^32 - 2) bytes, beyond any Java array. */
    public static final long MESSAGE_BYTES_MAX = 64L * ((1L << 32) - 2);

    private static final byte[] ZERO64 = new byte[64];

    private final KeyStream stream;
    private final byte[] k = new byte[32];
    private final byte[] nonce = new byte[12];
    private final byte[] block = new byte[64];
    private final byte[] lengths = new byte[16];
    private final byte[] mac = new byte[16];
    private final Poly1305 poly = new Poly1305();

    private SecretStreamCipher(byte[] key, byte[] header, ChaChaBackend backend) {
        if (key == null || key.length != KEY_BYTES) {
            throw new IllegalArgumentException("secretstream key must be 32 bytes");
        }
        if (header == null || header.length != HEADER_BYTES) {
            throw new IllegalArgumentException("secretstream header must be 24 bytes");
        }
        stream = backend.newKeyStream();
        HChaCha20.hash(key, 0, header, 0, k, 0);
        nonce[0] = 1;
        System.arraycopy(header, 16, nonce, 4, 8);
    }

    /** A fresh random header, as {@code init_push} picks it. */
    public static byte[] newHeader(SecureRandom random) {
        byte[] h = new byte[HEADER_BYTES];
        random.nextBytes(h);
        return h;
    }

    /** {@code init_push} with a given header (send {@code header} to the peer). */
    public static SecretStreamCipher initPush(byte[] key, byte[] header, ChaChaBackend backend) {
        return new SecretStreamCipher(key, header, backend);
    }

    /** {@code init_pull} with the header received from the peer. */
    public static SecretStreamCipher initPull(byte[] key, byte[] header, ChaChaBackend backend) {
        return new SecretStreamCipher(key, header, backend);
    }

    /**
     * Encrypts {@code m[mOff, mOff+mLen)} with {@code tag} into {@code out} at {@code outOff} ({@code mLen + 17} bytes).
     * {@code out} must not overlap the input except for the exact in-place layout {@code outOff + 1 == mOff}.
     *
     * @return the number of bytes written
     */
    public int push(byte[] m, int mOff, int mLen, int tag, byte[] out, int outOff) {
        if (tag < 0 || tag > 255) {
            throw new IllegalArgumentException("secretstream tag must be one byte: " + tag);
        }
        if (out.length - outOff < mLen + ABYTES) {
            throw new IllegalArgumentException("output too small: needs " + (mLen + ABYTES) + " bytes");
        }
        startMessage();
        Arrays.fill(block, (byte) 0);
        block[0] = (byte) tag;
        stream.xor(block, 0, 64, block, 0);
        poly.update(block, 0, 64);
        out[outOff] = block[0];
        stream.xor(m, mOff, mLen, out, outOff + 1);
        finishMac(out, outOff + 1, mLen);
        System.arraycopy(mac, 0, out, outOff + 1 + mLen, 16);
        advance(tag);
        return mLen + ABYTES;
    }

    public byte[] push(byte[] m, int tag) {
        byte[] out = new byte[m.length + ABYTES];
        push(m, 0, m.length, tag, out, 0);
        return out;
    }

    /**
     * Authenticates and decrypts {@code c[cOff, cOff+cLen)} into {@code out} at {@code outOff} ({@code cLen - 17}
     * bytes; {@code out} must not overlap the input except exactly in place at {@code outOff == cOff + 1}).
     *
     * @return the tag of the message
     * @throws CryptoException if the message is shorter than 17 bytes or fails authentication (state unchanged)
     */
    public int pull(byte[] c, int cOff, int cLen, byte[] out, int outOff) throws CryptoException {
        if (cLen < ABYTES) {
            throw new CryptoException("secretstream message shorter than 17 bytes: " + cLen);
        }
        int mLen = cLen - ABYTES;
        if (out.length - outOff < mLen) {
            throw new IllegalArgumentException("output too small: needs " + mLen + " bytes");
        }
        startMessage();
        Arrays.fill(block, (byte) 0);
        block[0] = c[cOff];
        stream.xor(block, 0, 64, block, 0);
        int tag = block[0] & 0xff;
        block[0] = c[cOff];
        poly.update(block, 0, 64);
        finishMac(c, cOff + 1, mLen);
        int diff = 0;
        for (int i = 0; i < 16; i++) {
            diff |= mac[i] ^ c[cOff + 1 + mLen + i];
        }
        if (diff != 0) {
            Arrays.fill(mac, (byte) 0);
            throw new CryptoException("secretstream message failed authentication");
        }
        stream.xor(c, cOff + 1, mLen, out, outOff);
        advance(tag);
        return tag;
    }

    /** Decrypts a whole message; returns its tag and plaintext. */
    public Message pull(byte[] c) throws CryptoException {
        byte[] out = new byte[Math.max(0, c.length - ABYTES)];
        int tag = pull(c, 0, c.length, out, 0);
        return new Message(tag, out);
    }

    /** A decrypted message and its tag. */
    public record Message(int tag, byte[] plaintext) {
    }

    /** {@code crypto_secretstream_xchacha20poly1305_rekey}: derive a new key and inonce, reset the counter. */
    public void rekey() {
        byte[] kn = new byte[40];
        System.arraycopy(k, 0, kn, 0, 32);
        System.arraycopy(nonce, 4, kn, 32, 8);
        stream.init(k, nonce);
        stream.xor(kn, 0, 40, kn, 0);
        System.arraycopy(kn, 0, k, 0, 32);
        System.arraycopy(kn, 32, nonce, 4, 8);
        Arrays.fill(kn, (byte) 0);
        resetCounter();
    }

    /** Wipes the key; the state is unusable afterwards. */
    public void destroy() {
        Arrays.fill(k, (byte) 0);
        Arrays.fill(nonce, (byte) 0);
    }

    private void startMessage() {
        stream.init(k, nonce);
        stream.xor(ZERO64, 0, 64, block, 0);
        poly.init(block, 0);
    }

    private void finishMac(byte[] c, int cOff, int mLen) {
        poly.update(c, cOff, mLen);
        poly.update(ZERO64, 0, mLen & 15); // libsodium pads by (0x10 - 64 + mlen) & 0xf, i.e. mlen mod 16
        Arrays.fill(lengths, (byte) 0);
        long total = 64L + mLen;
        for (int i = 0; i < 8; i++) {
            lengths[8 + i] = (byte) (total >>> (8 * i));
        }
        poly.update(lengths, 0, 16);
        poly.doFinal(mac, 0);
    }

    private void advance(int tag) {
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] ^= mac[i];
        }
        Arrays.fill(mac, (byte) 0);
        // counter: uint32 LE in nonce[0..4]
        int counter = (nonce[0] & 0xff) | (nonce[1] & 0xff) << 8 | (nonce[2] & 0xff) << 16 | (nonce[3] & 0xff) << 24;
        counter++;
        nonce[0] = (byte) counter;
        nonce[1] = (byte) (counter >>> 8);
        nonce[2] = (byte) (counter >>> 16);
        nonce[3] = (byte) (counter >>> 24);
        if ((tag & TAG_REKEY) != 0 || counter == 0) {
            rekey();
        }
    }

    private void resetCounter() {
        nonce[0] = 1;
        nonce[1] = 0;
        nonce[2] = 0;
        nonce[3] = 0;
    }

    /** Test hook: jump the 32-bit message counter (to exercise the wrap-around rekey). */
    void setCounterForTest(int counter) {
        nonce[0] = (byte) counter;
        nonce[1] = (byte) (counter >>> 8);
        nonce[2] = (byte) (counter >>> 16);
        nonce[3] = (byte) (counter >>> 24);
    }
}
