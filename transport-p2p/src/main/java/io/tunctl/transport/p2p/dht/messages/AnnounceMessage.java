package io.tunctl.transport.p2p.dht.messages;

import io.tunctl.transport.p2p.codec.CompactDecoder;
import io.tunctl.transport.p2p.codec.CompactEncoder;

/**
 * The value of an ANNOUNCE or UNANNOUNCE request (hyperdht {@code announce}, hyperdht-wire.md §4.1):
 * {@code flags uint {1 peer, 2 refresh, 4 signature, 8 bump} || [peer] || [refresh fixed32] || [signature fixed64]
 * || [bump uint]}. Absent fields are null; {@code bump == 0} is absent (hyperdht sets the flag only for non-zero).
 */
public record AnnounceMessage(PeerRecord peer, byte[] refresh, byte[] signature, long bump) {
    public AnnounceMessage {
        Wire.fixed(refresh, 32, "refresh");
        Wire.fixed(signature, 64, "signature");
        Wire.uint(bump, "bump");
    }

    public int flags() {
        return (peer != null ? 1 : 0) | (refresh != null ? 2 : 0) | (signature != null ? 4 : 0) | (bump != 0 ? 8 : 0);
    }

    public byte[] encode() {
        CompactEncoder e = new CompactEncoder(160);
        e.uint(flags());
        if (peer != null) {
            peer.encode(e);
        }
        if (refresh != null) {
            e.raw(refresh);
        }
        if (signature != null) {
            e.raw(signature);
        }
        if (bump != 0) {
            e.uint(bump);
        }
        return e.toByteArray();
    }

    public static AnnounceMessage decode(byte[] bytes) {
        return Wire.decode("announce", bytes, d -> {
            long flags = d.uint();
            PeerRecord peer = (flags & 1) != 0 ? PeerRecord.decode(d) : null;
            byte[] refresh = (flags & 2) != 0 ? d.fixed(32) : null;
            byte[] signature = (flags & 4) != 0 ? d.fixed(64) : null;
            long bump = (flags & 8) != 0 ? d.uint() : 0;
            return new AnnounceMessage(peer, refresh, signature, bump);
        });
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AnnounceMessage a && java.util.Objects.equals(peer, a.peer) && Wire.eq(refresh, a.refresh)
                && Wire.eq(signature, a.signature) && bump == a.bump;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hashCode(peer) * 31 + Wire.hash(signature);
    }

    @Override
    public String toString() {
        return "AnnounceMessage[peer=" + peer + ", refresh=" + Wire.hex(refresh) + ", signature="
                + Wire.hex(signature) + ", bump=" + bump + "]";
    }
}
