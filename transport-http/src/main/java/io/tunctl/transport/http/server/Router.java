package io.tunctl.transport.http.server;

import io.netty.buffer.ByteBuf;
import io.tunctl.core.peer.AllowedSources;
import io.tunctl.core.peer.DropCounters;

/**
 * The server's forwarding decision for one packet: tapotun v1's {@link ForwardingTable} or v2's {@link V2Router},
 * both on the core's peer routing ({@link io.tunctl.core.peer}). Immutable once built; a reload builds a new one.
 *
 * @param <T> what a client is
 */
public interface Router<T> {

    /**
     * Routes an IPv4 packet by its addresses (big-endian ints, as {@code ByteBuf.getInt} reads them); {@code from}
     * is null for packets from the TUN.
     */
    ForwardingTable.Decision<T> route4(int src, int dst, T from);

    /** Routes an IPv6 packet by its destination (upper and lower 64 bits, as {@code ByteBuf.getLong} reads them). */
    ForwardingTable.Decision<T> route6(long dstHi, long dstLo, T from);

    /** Each client's allowed source prefixes. */
    AllowedSources<T> sources();

    /** Packets this router dropped, per reason; shared by the routers a server builds on reload. */
    DropCounters drops();

    /**
     * Anti-spoofing, a tunctl addition (tapotun forwards any source): true if the source of the IPv4 or IPv6
     * packet at {@code ipOff} lies inside {@code from}'s allowed prefixes; otherwise the drop is counted as a
     * spoofed source and the caller drops the packet. A packet of another version, or too short for its header,
     * passes here: routing drops it.
     */
    default boolean admit(T from, ByteBuf packet, int ipOff) {
        int len = packet.writerIndex() - ipOff;
        if (len < 1) return true;
        return switch (packet.getUnsignedByte(ipOff) >>> 4) {
            case 4 -> len < 20 || sources().admitIpv4(from, packet.getInt(ipOff + 12));
            case 6 -> len < 40 || sources().admitIpv6(from, packet.getLong(ipOff + 8), packet.getLong(ipOff + 16));
            default -> true;
        };
    }
}
