package io.tunctl.transport.p2p.noise;

import org.bouncycastle.crypto.digests.Blake2bDigest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * HMAC-BLAKE2b-512 (block 128 bytes) and the two-output HKDF of the Noise spec, as noise-handshake computes them:
 * {@code prk = HMAC(salt, ikm)}, {@code T1 = HMAC(prk, 0x01)}, {@code T2 = HMAC(prk, T1 || 0x02)}.
 */
final class Hkdf {
    static final int HASHLEN = 64;

    private Hkdf() {
    }

    static byte[] hmac(byte[] key, byte[]... parts) {
        // BC's HMac takes Blake2bDigest.getByteLength() = 128 as the block size, and hashes longer keys first
        HMac mac = new HMac(new Blake2bDigest(512));
        mac.init(new KeyParameter(key));
        for (byte[] p : parts) {
            mac.update(p, 0, p.length);
        }
        byte[] out = new byte[HASHLEN];
        mac.doFinal(out, 0);
        return out;
    }

    /** Returns {@code [T1, T2]}, 64 bytes each. */
    static byte[][] hkdf(byte[] salt, byte[] ikm) {
        byte[] prk = hmac(salt, ikm);
        byte[] t1 = hmac(prk, new byte[] {1});
        byte[] t2 = hmac(prk, t1, new byte[] {2});
        java.util.Arrays.fill(prk, (byte) 0);
        return new byte[][] {t1, t2};
    }
}
