package io.tunctl.transport.p2p.crypto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * An Ed25519 key pair in libsodium's layout: {@code crypto_sign_seed_keypair} semantics, so the 64-byte secret key is
 * {@code seed || publicKey}. The same pair is a HyperDHT identity, a Noise static key and (random) a Noise ephemeral.
 * Signatures are pure Ed25519 (RFC 8032), byte-identical to {@code crypto_sign_detached}.
 */
public final class Ed25519KeyPair {
    public static final int SEED_BYTES = 32;
    public static final int PUBLIC_KEY_BYTES = 32;
    public static final int SECRET_KEY_BYTES = 64;
    public static final int SIGNATURE_BYTES = 64;

    private final byte[] seed;
    private final byte[] publicKey;
    /** The DH scalar, derived once: SHA-512 (and the JDK's provider lookup for it) costs per DH otherwise. */
    private volatile byte[] scalar;

    private Ed25519KeyPair(byte[] seed, byte[] publicKey) {
        this.seed = seed;
        this.publicKey = publicKey;
    }

    /** {@code crypto_sign_seed_keypair(seed)}. */
    public static Ed25519KeyPair fromSeed(byte[] seed) {
        if (seed == null || seed.length != SEED_BYTES) {
            throw new IllegalArgumentException("Ed25519 seed must be 32 bytes, got "
                    + (seed == null ? "null" : seed.length));
        }
        byte[] s = seed.clone();
        byte[] pk = new byte[PUBLIC_KEY_BYTES];
        Ed25519.generatePublicKey(s, 0, pk, 0);
        return new Ed25519KeyPair(s, pk);
    }

    /**
     * A pair from a libsodium 64-byte secret key ({@code seed || publicKey}). The stored public key must be the one
     * the seed derives, since libsodium signs with the stored half and a mismatch would produce invalid signatures.
     */
    public static Ed25519KeyPair fromSecretKey(byte[] secretKey) {
        if (secretKey == null || secretKey.length != SECRET_KEY_BYTES) {
            throw new IllegalArgumentException("Ed25519 secret key must be 64 bytes, got "
                    + (secretKey == null ? "null" : secretKey.length));
        }
        Ed25519KeyPair kp = fromSeed(Arrays.copyOf(secretKey, SEED_BYTES));
        if (!MessageDigest.isEqual(kp.publicKey, Arrays.copyOfRange(secretKey, SEED_BYTES, SECRET_KEY_BYTES))) {
            throw new IllegalArgumentException("secret key's public half does not match its seed");
        }
        return kp;
    }

    /** {@code crypto_sign_keypair}: a fresh random seed. */
    public static Ed25519KeyPair generate(SecureRandom random) {
        byte[] seed = new byte[SEED_BYTES];
        random.nextBytes(seed);
        return fromSeed(seed);
    }

    public byte[] seed() {
        return seed.clone();
    }

    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** libsodium layout {@code seed || publicKey}. */
    public byte[] secretKey() {
        byte[] sk = Arrays.copyOf(seed, SECRET_KEY_BYTES);
        System.arraycopy(publicKey, 0, sk, SEED_BYTES, PUBLIC_KEY_BYTES);
        return sk;
    }

    /** The clamped scalar Ed25519 derives from the seed: {@code clamp(SHA-512(seed)[0..32])}. */
    public byte[] scalar() {
        byte[] a = scalar;
        if (a == null) {
            a = clampedScalar(seed);
            scalar = a;
        }
        return a.clone();
    }

    /** {@code crypto_sign_detached}. */
    public byte[] sign(byte[] message) {
        byte[] sig = new byte[SIGNATURE_BYTES];
        Ed25519.sign(seed, 0, publicKey, 0, message, 0, message.length, sig, 0);
        return sig;
    }

    /** {@code crypto_sign_verify_detached}; false for malformed keys or signatures. */
    public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        if (publicKey == null || publicKey.length != PUBLIC_KEY_BYTES
                || signature == null || signature.length != SIGNATURE_BYTES) {
            return false;
        }
        return Ed25519.verify(signature, 0, publicKey, 0, message, 0, message.length);
    }

    static byte[] clampedScalar(byte[] seed) {
        byte[] h;
        try {
            h = MessageDigest.getInstance("SHA-512").digest(seed);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-512 is a required JDK algorithm", e);
        }
        byte[] a = Arrays.copyOf(h, 32);
        Arrays.fill(h, (byte) 0);
        a[0] &= (byte) 248;
        a[31] &= 127;
        a[31] |= 64;
        return a;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Ed25519KeyPair k && MessageDigest.isEqual(seed, k.seed);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(publicKey);
    }

    /** Shows the public key only. */
    @Override
    public String toString() {
        return "Ed25519KeyPair[publicKey=" + KeyEncoding.toHex(publicKey) + "]";
    }
}
