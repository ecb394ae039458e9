package io.tunctl.transport.p2p.crypto;

import org.bouncycastle.crypto.engines.ChaChaEngine;

/**
 * HChaCha20 ({@code crypto_core_hchacha20}, draft-irtf-cfrg-xchacha §2.2): the 20-round ChaCha permutation of
 * {@code constants || key || nonce16}, returning words 0-3 and 12-15 without the final feed-forward. BouncyCastle has
 * no HChaCha20; its public {@link ChaChaEngine#chachaCore} adds the input back, so that addition is subtracted here.
 */
public final class HChaCha20 {
    public static final int KEY_BYTES = 32;
    public static final int INPUT_BYTES = 16;
    public static final int OUTPUT_BYTES = 32;
    private static final int[] SIGMA = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574}; // "expand 32-byte k"

    private HChaCha20() {
    }

    public static byte[] hash(byte[] key, byte[] input) {
        byte[] out = new byte[OUTPUT_BYTES];
        hash(key, 0, input, 0, out, 0);
        return out;
    }

    public static void hash(byte[] key, int keyOff, byte[] input, int inOff, byte[] out, int outOff) {
        if (key.length - keyOff < KEY_BYTES || input.length - inOff < INPUT_BYTES) {
            throw new IllegalArgumentException("HChaCha20 needs a 32-byte key and a 16-byte input");
        }
        int[] in = new int[16];
        System.arraycopy(SIGMA, 0, in, 0, 4);
        for (int i = 0; i < 8; i++) {
            in[4 + i] = le32(key, keyOff + 4 * i);
        }
        for (int i = 0; i < 4; i++) {
            in[12 + i] = le32(input, inOff + 4 * i);
        }
        int[] x = new int[16];
        ChaChaEngine.chachaCore(20, in, x);
        for (int i = 0; i < 4; i++) {
            put32(x[i] - in[i], out, outOff + 4 * i);
            put32(x[12 + i] - in[12 + i], out, outOff + 16 + 4 * i);
        }
        java.util.Arrays.fill(in, 0);
        java.util.Arrays.fill(x, 0);
    }

    private static int le32(byte[] b, int o) {
        return (b[o] & 0xff) | (b[o + 1] & 0xff) << 8 | (b[o + 2] & 0xff) << 16 | (b[o + 3] & 0xff) << 24;
    }

    private static void put32(int v, byte[] b, int o) {
        b[o] = (byte) v;
        b[o + 1] = (byte) (v >>> 8);
        b[o + 2] = (byte) (v >>> 16);
        b[o + 3] = (byte) (v >>> 24);
    }
}
