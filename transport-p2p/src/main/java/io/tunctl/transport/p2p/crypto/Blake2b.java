package io.tunctl.transport.p2p.crypto;

import java.nio.charset.StandardCharsets;
import org.bouncycastle.crypto.digests.Blake2bDigest;

/**
 * BLAKE2b as libsodium's {@code crypto_generichash(out, in, key)}: any output length from 1 to 64 bytes and an
 * optional key of up to 64 bytes. Inputs given as several parts are hashed as their concatenation
 * ({@code crypto_generichash_batch}).
 */
public final class Blake2b {
    public static final int BYTES = 32;
    public static final int BYTES_MAX = 64;
    public static final int KEYBYTES_MAX = 64;

    private Blake2b() {
    }

    /** {@code crypto_generichash} with {@code outLength} bytes and {@code key} ({@code null} or empty: unkeyed). */
    public static byte[] hash(int outLength, byte[] key, byte[]... parts) {
        if (outLength < 1 || outLength > BYTES_MAX) {
            throw new IllegalArgumentException("BLAKE2b output length must be 1..64, got " + outLength);
        }
        if (key != null && key.length > KEYBYTES_MAX) {
            throw new IllegalArgumentException("BLAKE2b key must be at most 64 bytes, got " + key.length);
        }
        Blake2bDigest d = new Blake2bDigest(key != null && key.length > 0 ? key : null, outLength, null, null);
        for (byte[] p : parts) {
            d.update(p, 0, p.length);
        }
        byte[] out = new byte[outLength];
        d.doFinal(out, 0);
        return out;
    }

    /** Unkeyed 32-byte BLAKE2b of the concatenated parts (hyperdht's {@code hash()}). */
    public static byte[] hash256(byte[]... parts) {
        return hash(32, null, parts);
    }

    /** Unkeyed 64-byte BLAKE2b of the concatenated parts. */
    public static byte[] hash512(byte[]... parts) {
        return hash(64, null, parts);
    }

    /** Keyed 32-byte BLAKE2b: {@code crypto_generichash(out32, input, key)}. */
    public static byte[] keyed256(byte[] key, byte[]... parts) {
        return hash(32, key, parts);
    }

    /**
     * hypercore-crypto {@code namespace(name, ids)}: {@code base = BLAKE2b-256(utf8(name))}, then for each id
     * {@code BLAKE2b-256(base || byte(id))}.
     */
    public static byte[][] namespace(String name, int... ids) {
        byte[] base = hash256(name.getBytes(StandardCharsets.UTF_8));
        byte[][] out = new byte[ids.length][];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] > 255) {
                throw new IllegalArgumentException("namespace id must fit one byte: " + ids[i]);
            }
            out[i] = hash256(base, new byte[] {(byte) ids[i]});
        }
        return out;
    }
}
