package io.tunctl.transport.p2p.noise;

import io.tunctl.transport.p2p.crypto.KeyEncoding;

/**
 * hyperdht's {@code NoiseWrap.final()}: everything the connection layer needs after the Noise handshake.
 *
 * @param streamId the id this side puts in its secret-stream header
 * @param remoteStreamId the id the peer's header must carry
 * @param holepunchSecret the key of the encrypted holepunch payloads
 */
public record HyperdhtHandshakeResult(boolean initiator, byte[] publicKey, byte[] remotePublicKey, byte[] handshakeHash,
        byte[] tx, byte[] rx, byte[] streamId, byte[] remoteStreamId, byte[] holepunchSecret) {
    @Override
    public String toString() {
        return "HyperdhtHandshakeResult[initiator=" + initiator + ", remotePublicKey="
                + KeyEncoding.toHex(remotePublicKey) + "]";
    }
}
