package io.tunctl.transport.p2p.dht.hyperdht;

import io.tunctl.transport.p2p.dht.messages.DhtMessage;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * What a node does with one incoming hyperdht request, decided without I/O: answer it, relay it onwards (dht-rpc's
 * {@code req.relay}), hand it to a server listening on this node, or stay silent. The glue on the dht-rpc node turns
 * the value into a datagram ({@link Reply#toResponse}, {@link Relay#toRequest}).
 */
public sealed interface RpcAction permits RpcAction.Reply, RpcAction.Relay, RpcAction.ToServer, RpcAction.Drop {

    /**
     * A response carrying the request's tid.
     *
     * @param value       the response value, or null
     * @param token       whether dht-rpc adds a write token for the destination's IP
     * @param closerNodes whether dht-rpc adds the routing table's nodes closest to the request's target
     * @param to          where it goes; null means back to the request's source
     */
    record Reply(byte[] value, boolean token, boolean closerNodes, InetSocketAddress to) implements RpcAction {
        /** A generic hyperdht reply: value, token and closer nodes, to the requester. */
        static Reply generic(byte[] value) {
            return new Reply(value, true, true, null);
        }

        /** An empty reply without token or closer nodes (ANNOUNCE and UNANNOUNCE acknowledgements). */
        static Reply ack() {
            return new Reply(null, false, false, null);
        }

        /**
         * The response datagram: {@code to} field = its destination (dht-rpc writes the address it sends to there).
         *
         * @param source       the request's UDP source (the destination when {@link #to()} is null)
         * @param nodeId       our id if we are persistent and answer from the server socket, else null
         * @param writeToken   the token for the destination's IP, used only when {@link #token()} is set
         * @param closest      closer nodes, used only when {@link #closerNodes()} is set
         */
        public DhtMessage.Response toResponse(DhtMessage.Request request, InetSocketAddress source, byte[] nodeId,
                byte[] writeToken, List<InetSocketAddress> closest) {
            InetSocketAddress dest = destination(source);
            return new DhtMessage.Response(request.tid(), dest, nodeId, token ? writeToken : null,
                    closerNodes && request.target() != null ? closest : List.of(), 0, value);
        }

        public InetSocketAddress destination(InetSocketAddress source) {
            return to != null ? to : source;
        }
    }

    /** dht-rpc {@code req.relay(value, to)}: a request with the same tid, command and target, no token, sent to {@code to}. */
    record Relay(InetSocketAddress to, byte[] value) implements RpcAction {
        /** @param nodeId our id if we are persistent and send from the server socket, else null */
        public DhtMessage.Request toRequest(DhtMessage.Request original, byte[] nodeId) {
            return new DhtMessage.Request(original.tid(), to, nodeId, null, false, original.command(),
                    original.target(), value);
        }
    }

    /**
     * The request is for a server listening on this node: run its logic ({@link ServerHandshakes} or
     * {@link ServerHolepunch}), then turn its answer into an action with {@link Router#serverHandshakeReply} or
     * {@link Router#serverHolepunchReply}.
     *
     * @param message the decoded {@link io.tunctl.transport.p2p.dht.messages.HandshakeMessage} or
     *                {@link io.tunctl.transport.p2p.dht.messages.HolepunchMessage}
     */
    record ToServer(byte[] target, Object message) implements RpcAction {
    }

    /** No answer at all (the requester times out); {@code reason} is for a debug log line. */
    record Drop(String reason) implements RpcAction {
    }
}
