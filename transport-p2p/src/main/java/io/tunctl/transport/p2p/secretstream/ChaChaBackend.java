package io.tunctl.transport.p2p.secretstream;

/**
 * Which ChaCha20 implementation produces the key stream of {@link SecretStreamCipher}. Both give identical bytes;
 * Poly1305 is this package's own in either case ({@link Poly1305}: the JDK's is internal, BouncyCastle's a third of
 * ChaCha20's speed).
 */
public enum ChaChaBackend {
    /** BouncyCastle {@code ChaCha7539Engine}, pure Java. */
    BOUNCY_CASTLE,
    /** The JDK's {@code javax.crypto} "ChaCha20" cipher, which HotSpot compiles to vector intrinsics on x86_64/aarch64. */
    JDK;

    private static final ChaChaBackend FASTEST = probe();

    /** {@link #JDK} when this runtime provides the "ChaCha20" cipher (some restricted providers do not), else BC. */
    public static ChaChaBackend fastest() {
        return FASTEST;
    }

    private static ChaChaBackend probe() {
        try {
            new JdkKeyStream();
            return JDK;
        } catch (IllegalStateException e) {
            return BOUNCY_CASTLE;
        }
    }

    KeyStream newKeyStream() {
        return this == JDK ? new JdkKeyStream() : new BcKeyStream();
    }
}
