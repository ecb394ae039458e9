package io.tunctl.transport.p2p.noise;

import io.tunctl.transport.p2p.crypto.Blake2b;
import io.tunctl.transport.p2p.crypto.CryptoException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Noise SymmetricState with BLAKE2b-512 (HASHLEN 64): chaining key, handshake hash and the current cipher. */
final class SymmetricState {
    private final CipherState cipher = new CipherState();
    private byte[] h;
    private byte[] ck;
    private NoiseTrace trace;

    SymmetricState(String protocolName) {
        byte[] name = protocolName.getBytes(StandardCharsets.US_ASCII);
        h = name.length <= Hkdf.HASHLEN ? Arrays.copyOf(name, Hkdf.HASHLEN) : Blake2b.hash512(name);
        ck = h.clone();
    }

    void trace(NoiseTrace t) {
        trace = t;
    }

    private void emit(String step, byte[] v) {
        if (trace != null) {
            trace.step(step, v.clone());
        }
    }

    void mixHash(byte[] data) {
        h = Blake2b.hash512(h, data);
        emit("mixHash", h);
    }

    void mixKey(byte[] ikm) {
        byte[][] t = Hkdf.hkdf(ck, ikm);
        ck = t[0];
        cipher.initialiseKey(Arrays.copyOf(t[1], 32));
        emit("mixKey.ck", ck);
        emit("mixKey.k", Arrays.copyOf(t[1], 32));
        Arrays.fill(t[1], (byte) 0);
    }

    boolean hasKey() {
        return cipher.hasKey();
    }

    byte[] encryptAndHash(byte[] plaintext) {
        byte[] c = cipher.encrypt(h, plaintext);
        emit("encryptAndHash", c);
        mixHash(c);
        return c;
    }

    byte[] decryptAndHash(byte[] ciphertext) throws CryptoException {
        byte[] p = cipher.decrypt(h, ciphertext);
        emit("decryptAndHash", p);
        mixHash(ciphertext);
        return p;
    }

    /** {@code [k1, k2]}: the first 32 bytes of each HKDF output over an empty input. */
    byte[][] split() {
        byte[][] t = Hkdf.hkdf(ck, new byte[0]);
        byte[][] out = {Arrays.copyOf(t[0], 32), Arrays.copyOf(t[1], 32)};
        Arrays.fill(t[0], (byte) 0);
        Arrays.fill(t[1], (byte) 0);
        return out;
    }

    byte[] handshakeHash() {
        return h.clone();
    }

    void clear() {
        cipher.clear();
        Arrays.fill(ck, (byte) 0);
    }
}
