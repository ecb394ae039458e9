package io.tunctl.transport.http.server;

/**
 * The server's forwarding decision for one packet: tapotun v1's {@link ForwardingTable} or v2's {@link V2Router}.
 *
 * @param <T> what a client is
 */
public interface Router<T> {

    /** Routes an IPv4 packet by its addresses (host-order ints); {@code from} is null for packets from the TUN. */
    ForwardingTable.Decision<T> route4(int src, int dst, T from);

    /** Routes an IPv6 packet by its destination. */
    ForwardingTable.Decision<T> route6(byte[] dst, T from);
}
