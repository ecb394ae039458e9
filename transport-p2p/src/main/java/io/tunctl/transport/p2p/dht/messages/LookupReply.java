package io.tunctl.transport.p2p.dht.messages;

import io.tunctl.transport.p2p.codec.CompactDecoder;
import io.tunctl.transport.p2p.codec.CompactEncoder;
import java.util.List;

/**
 * The value of a LOOKUP reply (hyperdht {@code lookupRawReply}, hyperdht-wire.md §4.1): {@code array(peer) || bump
 * uint}. The storing node writes its stored peer records as pre-encoded raw bytes, which is the same wire form as an
 * array of {@link PeerRecord}. A reply that ends after the peers has {@code bump == 0}, as hyperdht decodes it.
 */
public record LookupReply(List<PeerRecord> peers, long bump) {
    public LookupReply {
        peers = peers == null ? List.of() : List.copyOf(peers);
        Wire.uint(bump, "bump");
    }

    public byte[] encode() {
        CompactEncoder e = new CompactEncoder(16 + 40 * peers.size());
        e.array(peers, (enc, p) -> p.encode(enc));
        return e.uint(bump).toByteArray();
    }

    public static LookupReply decode(byte[] bytes) {
        return Wire.decode("lookup reply", bytes, d -> {
            List<PeerRecord> peers = d.array(PeerRecord::decode);
            long bump = d.remaining() > 0 ? d.uint() : 0;
            return new LookupReply(peers, bump);
        });
    }
}
