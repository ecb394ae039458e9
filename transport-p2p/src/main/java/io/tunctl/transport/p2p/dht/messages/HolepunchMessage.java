package io.tunctl.transport.p2p.dht.messages;

import io.tunctl.transport.p2p.codec.CompactEncoder;
import java.net.InetSocketAddress;

/**
 * The value of a PEER_HOLEPUNCH request or reply (hyperdht {@code holepunch}, hyperdht-wire.md §4.1, §6.6):
 * {@code flags uint {1 peerAddress} || mode uint || id uint || payload buffer || [peerAddress ipv4Address]}.
 * {@code id} is the server's holepunch session id; {@code payload} is an encrypted {@link HolepunchPayload}.
 */
public record HolepunchMessage(RelayMode mode, long id, byte[] payload, InetSocketAddress peerAddress) {
    public HolepunchMessage {
        if (mode == null || payload == null) {
            throw new IllegalArgumentException("mode and payload are required");
        }
        Wire.uint(id, "id");
        Wire.ipv4(peerAddress, "peerAddress");
    }

    public int flags() {
        return peerAddress != null ? 1 : 0;
    }

    public byte[] encode() {
        CompactEncoder e = new CompactEncoder(24 + payload.length);
        e.uint(flags()).uint(mode.wireValue()).uint(id).buffer(payload);
        if (peerAddress != null) {
            e.ipv4Address(peerAddress);
        }
        return e.toByteArray();
    }

    public static HolepunchMessage decode(byte[] bytes) {
        return Wire.decode("holepunch message", bytes, d -> {
            long flags = d.uint();
            RelayMode mode = RelayMode.fromWire(d.uint());
            long id = d.uint();
            byte[] payload = d.buffer();
            InetSocketAddress peer = (flags & 1) != 0 ? d.ipv4Address() : null;
            return new HolepunchMessage(mode, id, payload, peer);
        });
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HolepunchMessage h && mode == h.mode && id == h.id && Wire.eq(payload, h.payload)
                && java.util.Objects.equals(peerAddress, h.peerAddress);
    }

    @Override
    public int hashCode() {
        return (mode.hashCode() * 31 + Long.hashCode(id)) * 31 + Wire.hash(payload);
    }

    @Override
    public String toString() {
        return "HolepunchMessage[mode=" + mode + ", id=" + id + ", payload=" + Wire.hex(payload) + ", peerAddress="
                + peerAddress + "]";
    }
}
