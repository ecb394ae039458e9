package io.tunctl.transport.p2p.noise;

import io.tunctl.transport.p2p.codec.CompactDecodeException;
import io.tunctl.transport.p2p.crypto.Blake2b;
import io.tunctl.transport.p2p.crypto.CryptoException;
import io.tunctl.transport.p2p.crypto.Ed25519Dh;
import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import io.tunctl.transport.p2p.crypto.Namespaces;
import java.security.SecureRandom;

/**
 * hyperdht's {@code NoiseWrap}: Noise IK with the prologue {@code NS.PEER_HANDSHAKE} and {@link NoisePayload}
 * payloads. The client is the initiator (it knows the server's public key), the server the responder.
 */
public final class HyperdhtHandshake {
    private final NoiseIkHandshake noise;
    private final Ed25519KeyPair keyPair;

    private HyperdhtHandshake(NoiseIkHandshake noise, Ed25519KeyPair keyPair) {
        this.noise = noise;
        this.keyPair = keyPair;
    }

    public static HyperdhtHandshake initiator(Ed25519KeyPair keyPair, byte[] serverPublicKey, SecureRandom random) {
        return new HyperdhtHandshake(NoiseIkHandshake.initiator(keyPair, serverPublicKey, Namespaces.peerHandshake(),
                random), keyPair);
    }

    /** An initiator towards a server key checked before ({@link Ed25519Dh#publicPoint}). */
    public static HyperdhtHandshake initiator(Ed25519KeyPair keyPair, Ed25519Dh.PublicPoint serverPublicKey,
            SecureRandom random) {
        return new HyperdhtHandshake(NoiseIkHandshake.initiator(keyPair, serverPublicKey, Namespaces.peerHandshake(),
                random), keyPair);
    }

    /**
     * Initiator: makes message 1 up to its payload now ({@link NoiseIkHandshake#precomputeMessage1}), so that
     * {@link #send} only encrypts the payload.
     *
     * @throws CryptoException if the server key is not an acceptable point
     */
    public HyperdhtHandshake precompute() throws CryptoException {
        noise.precomputeMessage1();
        return this;
    }

    public static HyperdhtHandshake responder(Ed25519KeyPair keyPair, SecureRandom random) {
        return new HyperdhtHandshake(NoiseIkHandshake.responder(keyPair, Namespaces.peerHandshake(), random), keyPair);
    }

    /** Fixed ephemeral key pair, for test vectors. */
    public HyperdhtHandshake withEphemeral(Ed25519KeyPair ephemeral) {
        noise.withEphemeral(ephemeral);
        return this;
    }

    public HyperdhtHandshake withTrace(NoiseTrace trace) {
        noise.withTrace(trace);
        return this;
    }

    public boolean isInitiator() {
        return noise.isInitiator();
    }

    public byte[] send(NoisePayload payload) throws CryptoException {
        return noise.writeMessage(payload.encode());
    }

    /**
     * Reads the peer's Noise message and decodes its payload.
     *
     * @throws CryptoException if the message does not authenticate or the payload does not decode
     */
    public NoisePayload recv(byte[] message) throws CryptoException {
        byte[] plain = noise.readMessage(message);
        try {
            return NoisePayload.decode(plain);
        } catch (CompactDecodeException e) {
            throw new CryptoException("malformed hyperdht handshake payload: " + e.getMessage(), e);
        }
    }

    /** The remote static key (responder: known after message 1). */
    public byte[] remotePublicKey() {
        return noise.remoteStaticKey();
    }

    public boolean isComplete() {
        return noise.isComplete();
    }

    /** {@code NoiseWrap.final()}. */
    public HyperdhtHandshakeResult result() {
        NoiseResult r = noise.result();
        byte[] hash = r.handshakeHash();
        return new HyperdhtHandshakeResult(r.initiator(), keyPair.publicKey(), r.remoteStaticKey(), hash, r.tx(), r.rx(),
                streamId(hash, r.initiator()), streamId(hash, !r.initiator()),
                Blake2b.keyed256(hash, Namespaces.peerHolepunch()));
    }

    /** secret-stream's {@code id(handshakeHash, isInitiator)}: BLAKE2b-256(NS_INITIATOR or NS_RESPONDER; key = hash). */
    public static byte[] streamId(byte[] handshakeHash, boolean initiator) {
        return Blake2b.keyed256(handshakeHash,
                initiator ? Namespaces.secretStreamInitiator() : Namespaces.secretStreamResponder());
    }
}
