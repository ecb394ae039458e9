package io.tunctl.transport.p2p.hyperdht;

import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;

/**
 * A DHT node that holds a server's announce (it answered FIND_PEER with the server's record), and what the record
 * says: the server's public key and the relays it listed (hyperdht's self-announces list none).
 *
 * @param node           the storage node that answered: handshakes for the server go through it
 * @param publicKey      the server's key (32 bytes)
 * @param relayAddresses relays named in the record
 */
public record FoundPeer(InetSocketAddress node, byte[] publicKey, List<InetSocketAddress> relayAddresses) {
    public FoundPeer {
        publicKey = publicKey.clone();
        relayAddresses = List.copyOf(relayAddresses);
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    @Override
    public String toString() {
        return "FoundPeer[node=" + node + ", publicKey=" + HexFormat.of().formatHex(publicKey) + ", relays="
                + relayAddresses + "]";
    }
}
