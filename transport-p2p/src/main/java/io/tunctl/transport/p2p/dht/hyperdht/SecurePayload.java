package io.tunctl.transport.p2p.dht.hyperdht;

import io.tunctl.transport.p2p.codec.CompactDecodeException;
import io.tunctl.transport.p2p.crypto.Blake2b;
import io.tunctl.transport.p2p.crypto.CryptoException;
import io.tunctl.transport.p2p.crypto.SecretBox;
import io.tunctl.transport.p2p.dht.messages.HolepunchPayload;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Encryption of holepunch payloads (hyperdht {@code lib/secure-payload.js}, hyperdht-wire.md §6.7): the wire form is
 * {@code nonce(24) || crypto_secretbox_easy(encode(payload))} under the handshake's {@code holepunchSecret}, so only
 * the two peers of that handshake read each other's NAT addresses, not the relays in between.
 *
 * <p>It also makes the address tokens of the punch round: {@code token(addr) = BLAKE2b-256(utf8(host); key =
 * localSecret)} with 32 random bytes per instance. A peer echoing our token for the address we saw it at proves,
 * through the relay, that the address is really its own ("verified").
 */
public final class SecurePayload {
    private final byte[] sharedSecret;
    private final byte[] localSecret;
    private final SecureRandom random;

    public SecurePayload(byte[] holepunchSecret, SecureRandom random) {
        if (holepunchSecret == null || holepunchSecret.length != 32) {
            throw new IllegalArgumentException("holepunch secret must be 32 bytes");
        }
        this.sharedSecret = holepunchSecret.clone();
        this.random = random;
        this.localSecret = new byte[32];
        random.nextBytes(localSecret);
    }

    public byte[] encrypt(HolepunchPayload payload) {
        byte[] nonce = new byte[SecretBox.NONCE_BYTES];
        random.nextBytes(nonce);
        return encrypt(payload, nonce);
    }

    /** With a chosen nonce, for test vectors. */
    public byte[] encrypt(HolepunchPayload payload, byte[] nonce) {
        byte[] box = SecretBox.seal(payload.encode(), nonce, sharedSecret);
        byte[] out = Arrays.copyOf(nonce, nonce.length + box.length);
        System.arraycopy(box, 0, out, nonce.length, box.length);
        return out;
    }

    /**
     * Opens and decodes a payload.
     *
     * @throws CryptoException if it is too short, does not authenticate, or its plaintext does not decode (Node
     *                         drops such a request without a reply)
     */
    public HolepunchPayload decrypt(byte[] wire) throws CryptoException {
        // Node needs at least one byte of ciphertext after nonce and MAC
        if (wire == null || wire.length <= SecretBox.NONCE_BYTES + SecretBox.MAC_BYTES) {
            throw new CryptoException("holepunch payload too short: " + (wire == null ? 0 : wire.length) + " bytes");
        }
        byte[] nonce = Arrays.copyOf(wire, SecretBox.NONCE_BYTES);
        byte[] plain = SecretBox.open(Arrays.copyOfRange(wire, SecretBox.NONCE_BYTES, wire.length), nonce,
                sharedSecret);
        try {
            return HolepunchPayload.decode(plain);
        } catch (CompactDecodeException e) {
            throw new CryptoException("holepunch payload does not decode: " + e.getMessage(), e);
        }
    }

    /** {@code BLAKE2b-256(utf8(host); key = localSecret)}: only the host counts, not the port. */
    public byte[] token(InetSocketAddress address) {
        return Blake2b.keyed256(localSecret, address.getAddress().getHostAddress().getBytes(StandardCharsets.UTF_8));
    }

    /** For tests that need a token Node can recompute. */
    byte[] localSecret() {
        return localSecret.clone();
    }
}
