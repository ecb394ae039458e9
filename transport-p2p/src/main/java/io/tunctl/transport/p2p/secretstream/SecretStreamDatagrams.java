package io.tunctl.transport.p2p.secretstream;

import io.tunctl.transport.p2p.crypto.Blake2b;
import io.tunctl.transport.p2p.crypto.CryptoException;
import io.tunctl.transport.p2p.crypto.Namespaces;
import io.tunctl.transport.p2p.crypto.SecretBox;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * secret-stream's unordered messages ({@code send}/{@code trySend} over the UDX stream's datagram channel):
 * {@code envelope = counter(8) || secretbox(mac || ciphertext)} with nonce {@code counter || 16 zero bytes}. Keys are
 * {@code BLAKE2b-256(NS_INITIATOR || NS_SEND)} and {@code BLAKE2b-256(NS_RESPONDER || NS_SEND)}, keyed with the
 * handshake hash; each side sends under its own role's key. The counter starts at 8 random bytes and is incremented
 * (little-endian) before each send; coming back round to the start means the nonces are used up.
 */
public final class SecretStreamDatagrams {
    public static final int OVERHEAD = 8 + SecretBox.MAC_BYTES;

    private final byte[] sendKey;
    private final byte[] receiveKey;
    private final byte[] counter;
    private final byte[] initial;

    public SecretStreamDatagrams(boolean initiator, byte[] handshakeHash, byte[] initialCounter) {
        if (initialCounter == null || initialCounter.length != 8) {
            throw new IllegalArgumentException("initial counter must be 8 bytes");
        }
        byte[] mine = initiator ? Namespaces.secretStreamInitiator() : Namespaces.secretStreamResponder();
        byte[] theirs = initiator ? Namespaces.secretStreamResponder() : Namespaces.secretStreamInitiator();
        sendKey = Blake2b.keyed256(handshakeHash, mine, Namespaces.secretStreamSend());
        receiveKey = Blake2b.keyed256(handshakeHash, theirs, Namespaces.secretStreamSend());
        initial = initialCounter.clone();
        counter = initialCounter.clone();
    }

    public SecretStreamDatagrams(boolean initiator, byte[] handshakeHash, SecureRandom random) {
        this(initiator, handshakeHash, randomCounter(random));
    }

    private static byte[] randomCounter(SecureRandom random) {
        byte[] c = new byte[8];
        random.nextBytes(c);
        return c;
    }

    /** Seals one datagram. */
    public byte[] box(byte[] message) throws CryptoException {
        for (int i = 0; i < 8 && ++counter[i] == 0; i++) {
            // carry into the next byte
        }
        if (Arrays.equals(counter, initial)) {
            throw new CryptoException("udp send nonce exhausted");
        }
        byte[] sealed = SecretBox.seal(message, nonce(counter), sendKey);
        byte[] out = new byte[8 + sealed.length];
        System.arraycopy(counter, 0, out, 0, 8);
        System.arraycopy(sealed, 0, out, 8, sealed.length);
        return out;
    }

    /**
     * Opens one received datagram.
     *
     * @throws CryptoException if it is shorter than 24 bytes or does not authenticate (Node drops such datagrams)
     */
    public byte[] unbox(byte[] envelope) throws CryptoException {
        if (envelope.length < OVERHEAD) {
            throw new CryptoException("secret-stream datagram shorter than 24 bytes: " + envelope.length);
        }
        return SecretBox.open(Arrays.copyOfRange(envelope, 8, envelope.length), nonce(Arrays.copyOf(envelope, 8)),
                receiveKey);
    }

    private static byte[] nonce(byte[] counter8) {
        return Arrays.copyOf(counter8, SecretBox.NONCE_BYTES);
    }
}
