package io.tunctl.transport.p2p.dht.messages;

import io.tunctl.transport.p2p.codec.CompactEncoder;
import java.net.InetSocketAddress;

/**
 * The value of a PEER_HANDSHAKE request or reply (hyperdht {@code handshake}, hyperdht-wire.md §4.1, §6.2):
 * {@code flags uint {1 peerAddress, 2 relayAddress} || mode uint || noise buffer || [peerAddress ipv4Address] ||
 * [relayAddress ipv4Address]}. {@code noise} is a Noise IK message; the addresses are null when absent.
 */
public record HandshakeMessage(RelayMode mode, byte[] noise, InetSocketAddress peerAddress,
        InetSocketAddress relayAddress) {
    public HandshakeMessage {
        if (mode == null || noise == null) {
            throw new IllegalArgumentException("mode and noise are required");
        }
        Wire.ipv4(peerAddress, "peerAddress");
        Wire.ipv4(relayAddress, "relayAddress");
    }

    public int flags() {
        return (peerAddress != null ? 1 : 0) | (relayAddress != null ? 2 : 0);
    }

    public byte[] encode() {
        CompactEncoder e = new CompactEncoder(16 + noise.length);
        e.uint(flags()).uint(mode.wireValue()).buffer(noise);
        if (peerAddress != null) {
            e.ipv4Address(peerAddress);
        }
        if (relayAddress != null) {
            e.ipv4Address(relayAddress);
        }
        return e.toByteArray();
    }

    public static HandshakeMessage decode(byte[] bytes) {
        return Wire.decode("handshake message", bytes, d -> {
            long flags = d.uint();
            RelayMode mode = RelayMode.fromWire(d.uint());
            byte[] noise = d.buffer();
            InetSocketAddress peer = (flags & 1) != 0 ? d.ipv4Address() : null;
            InetSocketAddress relay = (flags & 2) != 0 ? d.ipv4Address() : null;
            return new HandshakeMessage(mode, noise, peer, relay);
        });
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HandshakeMessage h && mode == h.mode && Wire.eq(noise, h.noise)
                && java.util.Objects.equals(peerAddress, h.peerAddress)
                && java.util.Objects.equals(relayAddress, h.relayAddress);
    }

    @Override
    public int hashCode() {
        return mode.hashCode() * 31 + Wire.hash(noise);
    }

    @Override
    public String toString() {
        return "HandshakeMessage[mode=" + mode + ", noise=" + Wire.hex(noise) + ", peerAddress=" + peerAddress
                + ", relayAddress=" + relayAddress + "]";
    }
}
