package io.tunctl.transport.p2p.dht.messages;

import io.tunctl.transport.p2p.codec.CompactDecoder;
import io.tunctl.transport.p2p.codec.CompactEncoder;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * hyperdht's {@code peer} record: a server's public key and the DHT nodes relaying its handshakes
 * ({@code publicKey fixed32 || relayAddresses array(ipv4Address)}, hyperdht-wire.md §4.1). It is what ANNOUNCE
 * stores, what FIND_PEER returns and what LOOKUP returns a list of.
 */
public record PeerRecord(byte[] publicKey, List<InetSocketAddress> relayAddresses) {
    public PeerRecord {
        Wire.required(publicKey, 32, "publicKey");
        relayAddresses = relayAddresses == null ? List.of() : Wire.ipv4List(relayAddresses, "relayAddresses");
    }

    public void encode(CompactEncoder e) {
        e.raw(publicKey).array(relayAddresses, CompactEncoder::ipv4Address);
    }

    public byte[] encode() {
        CompactEncoder e = new CompactEncoder(33 + 6 * relayAddresses.size());
        encode(e);
        return e.toByteArray();
    }

    public static PeerRecord decode(CompactDecoder d) {
        byte[] pk = d.fixed(32);
        return new PeerRecord(pk, d.array(CompactDecoder::ipv4Address));
    }

    /** Decodes a FIND_PEER reply value; trailing bytes are ignored as Node does. */
    public static PeerRecord decode(byte[] bytes) {
        return Wire.decode("peer record", bytes, PeerRecord::decode);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PeerRecord p && Wire.eq(publicKey, p.publicKey) && relayAddresses.equals(p.relayAddresses);
    }

    @Override
    public int hashCode() {
        return Wire.hash(publicKey) * 31 + relayAddresses.hashCode();
    }

    @Override
    public String toString() {
        return "PeerRecord[publicKey=" + Wire.hex(publicKey) + ", relayAddresses=" + relayAddresses + "]";
    }
}
