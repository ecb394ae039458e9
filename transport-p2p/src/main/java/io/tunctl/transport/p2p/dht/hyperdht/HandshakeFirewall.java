package io.tunctl.transport.p2p.dht.hyperdht;

import io.tunctl.transport.p2p.noise.NoisePayload;
import java.net.InetSocketAddress;

/**
 * The server's allowlist hook (hyperdht's {@code firewall} option, hyperdht-wire.md §6.3 step 3). It runs after the
 * client's Noise message 1 is authenticated (so {@code remotePublicKey} is proven) and before message 2 exists, so a
 * rejected client gets no reply at all, learns nothing, and costs no stream. A hook that throws rejects.
 */
@FunctionalInterface
public interface HandshakeFirewall {
    /**
     * @param remotePublicKey the client's authenticated static key (32 bytes)
     * @param remotePayload   what the client says about itself (firewall type, addresses, UDX stream id ...)
     * @param clientAddress   where the client's handshake came from ({@code peerAddress} when relayed)
     */
    Verdict check(byte[] remotePublicKey, NoisePayload remotePayload, InetSocketAddress clientAddress);

    /** The hook's answer; {@code reason} goes to the log when rejecting. */
    record Verdict(boolean accepted, String reason) {
        public static Verdict allow() {
            return new Verdict(true, "accepted");
        }

        public static Verdict reject(String reason) {
            return new Verdict(false, reason);
        }
    }

    /** Accepts everyone (hyperdht's default). */
    HandshakeFirewall ACCEPT_ALL = (pk, payload, address) -> Verdict.allow();
}
