package io.tunctl.transport.p2p.dht.messages;

import io.tunctl.transport.p2p.codec.CompactEncoder;
import io.tunctl.transport.p2p.crypto.Blake2b;
import java.net.InetSocketAddress;

/** dht-rpc node ids: {@code BLAKE2b-256(ipv4 || uint16le(port))} of a node's public address (hyperdht-wire.md §2.2). */
public final class NodeId {
    public static final int LENGTH = 32;

    private NodeId() {
    }

    /** The id a persistent node at {@code address} (IPv4) sends. */
    public static byte[] of(InetSocketAddress address) {
        return Blake2b.hash256(new CompactEncoder(6).ipv4Address(Wire.ipv4(address, "address")).toByteArray());
    }

    /**
     * The id a message claims if it is the id of the datagram's UDP source, else null: dht-rpc then treats the id as
     * absent (the message is still processed, the sender just does not enter the routing table).
     */
    public static byte[] verified(DhtMessage message, InetSocketAddress source) {
        byte[] id = message.id();
        if (id == null || source == null || !(source.getAddress() instanceof java.net.Inet4Address)) {
            return null;
        }
        return java.security.MessageDigest.isEqual(id, of(source)) ? id : null;
    }
}
