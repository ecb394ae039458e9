package io.tunctl.transport.p2p.noise;

import io.tunctl.transport.p2p.crypto.CryptoException;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * Noise CipherState over ChaCha20-Poly1305 (IETF, 12-byte nonce = 4 zero bytes || uint64le(n), 16-byte tag). With no
 * key yet it passes data through, as the Noise spec says.
 */
final class CipherState {
    static final int MAC_BYTES = 16;
    /** Noise's maximum message size; noise-handshake refuses longer ciphertexts both ways. */
    static final int MAX_MESSAGE = 65535;

    private byte[] key;
    private long nonce;

    void initialiseKey(byte[] k) {
        key = k;
        nonce = 0;
    }

    boolean hasKey() {
        return key != null;
    }

    byte[] encrypt(byte[] ad, byte[] plaintext) {
        if (key == null) {
            return plaintext.clone();
        }
        if (plaintext.length + MAC_BYTES > MAX_MESSAGE) {
            throw new IllegalArgumentException("Noise ciphertext of " + (plaintext.length + MAC_BYTES)
                    + " bytes exceeds the 65535-byte maximum");
        }
        byte[] out = seal(key, nonce(), ad, plaintext);
        nonce++;
        return out;
    }

    byte[] decrypt(byte[] ad, byte[] ciphertext) throws CryptoException {
        if (key == null) {
            return ciphertext.clone();
        }
        if (ciphertext.length > MAX_MESSAGE) {
            throw new CryptoException("Noise ciphertext of " + ciphertext.length + " bytes exceeds 65535");
        }
        if (ciphertext.length < MAC_BYTES) {
            throw new CryptoException("Noise ciphertext shorter than its MAC: " + ciphertext.length + " bytes");
        }
        byte[] out = open(key, nonce(), ad, ciphertext);
        nonce++;
        return out;
    }

    private byte[] nonce() {
        byte[] iv = new byte[12];
        for (int i = 0; i < 8; i++) {
            iv[4 + i] = (byte) (nonce >>> (8 * i));
        }
        return iv;
    }

    /** RFC 8439 AEAD_CHACHA20_POLY1305 encryption: {@code ciphertext || tag}. */
    static byte[] seal(byte[] key, byte[] nonce12, byte[] ad, byte[] plaintext) {
        ChaCha20Poly1305 aead = new ChaCha20Poly1305();
        aead.init(true, new AEADParameters(new KeyParameter(key), 128, nonce12, ad));
        byte[] out = new byte[plaintext.length + MAC_BYTES];
        int n = aead.processBytes(plaintext, 0, plaintext.length, out, 0);
        try {
            aead.doFinal(out, n);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("encryption cannot fail", e);
        }
        return out;
    }

    static byte[] open(byte[] key, byte[] nonce12, byte[] ad, byte[] ciphertext) throws CryptoException {
        ChaCha20Poly1305 aead = new ChaCha20Poly1305();
        aead.init(false, new AEADParameters(new KeyParameter(key), 128, nonce12, ad));
        byte[] out = new byte[ciphertext.length - MAC_BYTES];
        int n = aead.processBytes(ciphertext, 0, ciphertext.length, out, 0);
        try {
            aead.doFinal(out, n);
        } catch (InvalidCipherTextException e) {
            throw new CryptoException("Noise message failed authentication (wrong key or tampered)", e);
        }
        return out;
    }

    void clear() {
        if (key != null) {
            java.util.Arrays.fill(key, (byte) 0);
        }
        key = null;
    }
}
