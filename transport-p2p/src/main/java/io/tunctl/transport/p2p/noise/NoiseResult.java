package io.tunctl.transport.p2p.noise;

import io.tunctl.transport.p2p.crypto.KeyEncoding;

/**
 * What a finished Noise handshake yields: the transport keys ({@code tx} to encrypt what this side sends, {@code rx} to
 * decrypt what it receives; 32 bytes each), the 64-byte handshake hash and the peer's authenticated static key.
 */
public record NoiseResult(boolean initiator, byte[] tx, byte[] rx, byte[] handshakeHash, byte[] remoteStaticKey) {
    @Override
    public String toString() {
        return "NoiseResult[initiator=" + initiator + ", remoteStaticKey=" + KeyEncoding.toHex(remoteStaticKey) + "]";
    }
}
