package io.tunctl.transport.p2p.dht.rpc;

import io.tunctl.transport.p2p.dht.messages.NodeId;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A node of the DHT as another node knows it: its IPv4 address and its id (derived from the address, so it is never
 * trusted from the wire). Entries of the routing table also carry dht-rpc's bookkeeping in ticks (when it was added,
 * last pinged, last heard from, when its view of our address was sampled); those fields belong to the node's thread.
 */
public final class DhtPeer {
    private final byte[] id;
    private final InetSocketAddress address;
    InetSocketAddress to;
    long sampled;
    long added;
    long pinged;
    long seen;
    int downHints;

    DhtPeer(byte[] id, InetSocketAddress address) {
        this.id = Objects.requireNonNull(id, "id");
        this.address = Objects.requireNonNull(address, "address");
    }

    /** A peer at {@code address} with the id dht-rpc derives from it. */
    public static DhtPeer of(InetSocketAddress address) {
        return new DhtPeer(NodeId.of(address), address);
    }

    /** The 32-byte node id (a copy). */
    public byte[] id() {
        return id.clone();
    }

    byte[] idRef() {
        return id;
    }

    public InetSocketAddress address() {
        return address;
    }

    /** {@code host:port} as dht-rpc keys its maps. */
    String key() {
        return key(address);
    }

    static String key(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    @Override
    public String toString() {
        return key() + "/" + HexFormat.of().formatHex(id, 0, 4);
    }
}
