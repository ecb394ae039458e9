package io.tunctl.transport.p2p.crypto;

import java.security.MessageDigest;
import java.util.Arrays;
import org.bouncycastle.crypto.engines.XSalsa20Engine;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * libsodium {@code crypto_secretbox_easy} / {@code _open_easy} (XSalsa20-Poly1305): the Poly1305 key is the first 32
 * bytes of the XSalsa20 key stream, the message is encrypted with the stream from byte 32 on, and the output is
 * {@code mac(16) || ciphertext}. Used by hyperdht's holepunch payloads and secret-stream's unordered datagrams.
 */
public final class SecretBox {
    public static final int KEY_BYTES = 32;
    public static final int NONCE_BYTES = 24;
    public static final int MAC_BYTES = 16;

    private SecretBox() {
    }

    public static byte[] seal(byte[] message, byte[] nonce, byte[] key) {
        check(nonce, key);
        XSalsa20Engine s = engine(nonce, key);
        byte[] polyKey = new byte[32];
        s.processBytes(polyKey, 0, 32, polyKey, 0);
        byte[] out = new byte[MAC_BYTES + message.length];
        s.processBytes(message, 0, message.length, out, MAC_BYTES);
        Poly1305 mac = new Poly1305();
        mac.init(new KeyParameter(polyKey));
        mac.update(out, MAC_BYTES, message.length);
        mac.doFinal(out, 0);
        Arrays.fill(polyKey, (byte) 0);
        return out;
    }

    /** Opens {@code mac || ciphertext}. */
    public static byte[] open(byte[] box, byte[] nonce, byte[] key) throws CryptoException {
        check(nonce, key);
        if (box.length < MAC_BYTES) {
            throw new CryptoException("secretbox shorter than its 16-byte MAC: " + box.length + " bytes");
        }
        XSalsa20Engine s = engine(nonce, key);
        byte[] polyKey = new byte[32];
        s.processBytes(polyKey, 0, 32, polyKey, 0);
        Poly1305 mac = new Poly1305();
        mac.init(new KeyParameter(polyKey));
        mac.update(box, MAC_BYTES, box.length - MAC_BYTES);
        byte[] expected = new byte[MAC_BYTES];
        mac.doFinal(expected, 0);
        Arrays.fill(polyKey, (byte) 0);
        if (!MessageDigest.isEqual(expected, Arrays.copyOf(box, MAC_BYTES))) {
            throw new CryptoException("secretbox authentication failed");
        }
        byte[] out = new byte[box.length - MAC_BYTES];
        s.processBytes(box, MAC_BYTES, out.length, out, 0);
        return out;
    }

    private static XSalsa20Engine engine(byte[] nonce, byte[] key) {
        XSalsa20Engine s = new XSalsa20Engine();
        s.init(true, new ParametersWithIV(new KeyParameter(key), nonce));
        return s;
    }

    private static void check(byte[] nonce, byte[] key) {
        if (key == null || key.length != KEY_BYTES) {
            throw new IllegalArgumentException("secretbox key must be 32 bytes");
        }
        if (nonce == null || nonce.length != NONCE_BYTES) {
            throw new IllegalArgumentException("secretbox nonce must be 24 bytes");
        }
    }
}
