package io.tunctl.transport.p2p.noise;

/**
 * Observes the symmetric-state steps of a handshake (for transcript comparison in tests and for debugging). The byte
 * arrays are copies. Never install one in production: it sees key material.
 */
@FunctionalInterface
public interface NoiseTrace {
    /**
     * @param step one of {@code mixHash} (value = h after), {@code mixKey.ck}, {@code mixKey.k},
     *     {@code encryptAndHash} (value = ciphertext), {@code decryptAndHash} (value = plaintext)
     */
    void step(String step, byte[] value);
}
