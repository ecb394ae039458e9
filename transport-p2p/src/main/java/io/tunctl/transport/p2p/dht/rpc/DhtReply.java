package io.tunctl.transport.p2p.dht.rpc;

import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;

/**
 * A response to one of our requests.
 *
 * @param from        the responder's address (the datagram's source, which equals where the request went)
 * @param fromId      the responder's node id if it sent one that matches {@code from}, else null (ephemeral node)
 * @param to          our address as the responder saw it
 * @param token       a write token for our IP, or null
 * @param closerNodes nodes the responder knows closer to the request's target (empty when none)
 * @param error       0 for OK, else a dht-rpc/hyperdht error code ({@code DhtCommands.ERROR_*})
 * @param value       the reply payload, or null
 * @param rttMillis   time from the request's first send to this response
 */
public record DhtReply(int tid, InetSocketAddress from, byte[] fromId, InetSocketAddress to, byte[] token,
        List<InetSocketAddress> closerNodes, long error, byte[] value, long rttMillis) {

    public boolean isOk() {
        return error == 0;
    }

    @Override
    public String toString() {
        return "DhtReply[from=" + from + ", id=" + (fromId == null ? "null" : HexFormat.of().formatHex(fromId, 0, 4))
                + ", to=" + to + ", token=" + (token != null) + ", closer=" + closerNodes.size() + ", error=" + error
                + ", value=" + (value == null ? "null" : value.length + " bytes") + ", rtt=" + rttMillis + "ms]";
    }
}
