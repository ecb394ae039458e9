package io.tunctl.transport.p2p.crypto;

/**
 * The 32-byte namespace constants of hyperdht ({@code namespace("hyperswarm/dht", commandIds)}) and of
 * secret-stream ({@code namespace("hyperswarm/secret-stream", [0, 1, 2])}). Arrays are returned as copies.
 */
public final class Namespaces {
    private static final byte[][] DHT = Blake2b.namespace("hyperswarm/dht", 4, 5, 6, 0, 1, 10);
    private static final byte[][] SECRET_STREAM = Blake2b.namespace("hyperswarm/secret-stream", 0, 1, 2);

    private Namespaces() {
    }

    public static byte[] announce() {
        return DHT[0].clone();
    }

    public static byte[] unannounce() {
        return DHT[1].clone();
    }

    public static byte[] mutablePut() {
        return DHT[2].clone();
    }

    /** The Noise prologue of every hyperdht connection. */
    public static byte[] peerHandshake() {
        return DHT[3].clone();
    }

    /** Input (keyed with the handshake hash) of the holepunch secret. */
    public static byte[] peerHolepunch() {
        return DHT[4].clone();
    }

    public static byte[] plugin() {
        return DHT[5].clone();
    }

    public static byte[] secretStreamInitiator() {
        return SECRET_STREAM[0].clone();
    }

    public static byte[] secretStreamResponder() {
        return SECRET_STREAM[1].clone();
    }

    public static byte[] secretStreamSend() {
        return SECRET_STREAM[2].clone();
    }
}
