package io.tunctl.transport.p2p.dht.hyperdht;

import io.tunctl.transport.p2p.codec.CompactDecodeException;
import io.tunctl.transport.p2p.dht.messages.DhtMessage;
import io.tunctl.transport.p2p.dht.messages.HandshakeMessage;
import io.tunctl.transport.p2p.dht.messages.HolepunchMessage;
import io.tunctl.transport.p2p.dht.messages.RelayMode;
import java.net.InetSocketAddress;

/**
 * hyperdht's router (hyperdht {@code lib/router.js}, hyperdht-wire.md §6.2) as pure decisions: every node, ephemeral
 * or not, relays PEER_HANDSHAKE and PEER_HOLEPUNCH between a client and the server whose forward it holds, and hands
 * them to a server listening on this node. The relayed request keeps the client's tid, so the client finally sees an
 * ordinary response to its own request, sent by the relay it asked.
 *
 * <pre>
 * PEER_HANDSHAKE at a relay:  FROM_CLIENT -> FROM_RELAY {peerAddress = client}      to relayAddress or forward
 *                             FROM_RELAY  -> FROM_SECOND_RELAY {relayAddress = src} to forward
 *                             FROM_SERVER -> response REPLY {peerAddress = server}  to peerAddress (the client)
 * at the server:              FROM_CLIENT -> response REPLY; FROM_RELAY -> request FROM_SERVER to the relay;
 *                             FROM_SECOND_RELAY -> request FROM_SERVER to relayAddress
 * PEER_HOLEPUNCH:             FROM_CLIENT -> FROM_RELAY {peerAddress = client} to peerAddress or forward;
 *                             FROM_RELAY at the server -> request FROM_SERVER {id 0} back to the relay;
 *                             FROM_SERVER -> response REPLY {peerAddress = server} to peerAddress
 * </pre>
 */
public final class Router {
    private final ForwardTable forwards;

    public Router(ForwardTable forwards) {
        this.forwards = forwards;
    }

    public ForwardTable forwards() {
        return forwards;
    }

    /** A PEER_HANDSHAKE request from {@code from}. */
    public RpcAction onPeerHandshake(DhtMessage.Request req, InetSocketAddress from, long now) {
        HandshakeMessage hs = decodeHandshake(req.value());
        if (hs == null) {
            return new RpcAction.Drop("PEER_HANDSHAKE value does not decode");
        }
        boolean hasNoise = hs.noise().length > 0; // compact-encoding decodes an empty buffer as null
        ForwardTable.Forward state = forwards.get(req.target(), now);
        if (state != null && state.local()) {
            if (!hasNoise) {
                return new RpcAction.Drop("PEER_HANDSHAKE without noise");
            }
            return switch (hs.mode()) {
                case FROM_CLIENT, FROM_RELAY -> new RpcAction.ToServer(req.target(), hs);
                case FROM_SECOND_RELAY -> hs.relayAddress() == null
                        ? new RpcAction.Drop("FROM_SECOND_RELAY without relayAddress")
                        : new RpcAction.ToServer(req.target(), hs);
                default -> new RpcAction.Drop("PEER_HANDSHAKE " + hs.mode() + " at its server");
            };
        }
        InetSocketAddress relay = state == null ? null : state.relay();
        switch (hs.mode()) {
            case FROM_CLIENT -> {
                if (!hasNoise) {
                    return new RpcAction.Drop("PEER_HANDSHAKE without noise");
                }
                if (relay == null && hs.relayAddress() == null) {
                    // we hold no forward: help the client route with closer nodes
                    return new RpcAction.Reply(null, false, true, null);
                }
                return new RpcAction.Relay(hs.relayAddress() != null ? hs.relayAddress() : relay,
                        new HandshakeMessage(RelayMode.FROM_RELAY, hs.noise(), from, null).encode());
            }
            case FROM_RELAY -> {
                if (relay == null || !hasNoise) {
                    return new RpcAction.Drop("PEER_HANDSHAKE FROM_RELAY without a forward");
                }
                return new RpcAction.Relay(relay, new HandshakeMessage(RelayMode.FROM_SECOND_RELAY, hs.noise(),
                        hs.peerAddress(), from).encode());
            }
            case FROM_SERVER -> {
                if (hs.peerAddress() == null || !hasNoise) {
                    return new RpcAction.Drop("PEER_HANDSHAKE FROM_SERVER without peerAddress");
                }
                return new RpcAction.Reply(new HandshakeMessage(RelayMode.REPLY, hs.noise(), from, null).encode(),
                        false, false, hs.peerAddress());
            }
            default -> {
                return new RpcAction.Drop("PEER_HANDSHAKE " + hs.mode() + " at a relay");
            }
        }
    }

    /**
     * The server's answer {@code reply} (Noise message 2) to handshake {@code in} that arrived from {@code from}:
     * a direct REPLY response, or a FROM_SERVER request back through the relay chain.
     */
    public static RpcAction serverHandshakeReply(HandshakeMessage in, InetSocketAddress from, byte[] reply) {
        return switch (in.mode()) {
            case FROM_CLIENT -> new RpcAction.Reply(new HandshakeMessage(RelayMode.REPLY, reply, null, null).encode(),
                    false, false, null);
            case FROM_RELAY -> new RpcAction.Relay(from,
                    new HandshakeMessage(RelayMode.FROM_SERVER, reply, in.peerAddress(), null).encode());
            case FROM_SECOND_RELAY -> in.relayAddress() == null ? new RpcAction.Drop("no relayAddress")
                    : new RpcAction.Relay(in.relayAddress(),
                            new HandshakeMessage(RelayMode.FROM_SERVER, reply, in.peerAddress(), null).encode());
            default -> new RpcAction.Drop("server does not answer " + in.mode());
        };
    }

    /** A PEER_HOLEPUNCH request from {@code from}. */
    public RpcAction onPeerHolepunch(DhtMessage.Request req, InetSocketAddress from, long now) {
        HolepunchMessage hp;
        try {
            hp = req.value() == null ? null : HolepunchMessage.decode(req.value());
        } catch (CompactDecodeException e) {
            hp = null;
        }
        if (hp == null) {
            return new RpcAction.Drop("PEER_HOLEPUNCH value does not decode");
        }
        ForwardTable.Forward state = forwards.get(req.target(), now);
        boolean isServer = state != null && state.local();
        InetSocketAddress relay = state == null ? null : state.relay();
        return switch (hp.mode()) {
            case FROM_CLIENT -> {
                if (hp.peerAddress() == null && relay == null) {
                    yield new RpcAction.Drop("PEER_HOLEPUNCH FROM_CLIENT: no peerAddress and no forward");
                }
                yield new RpcAction.Relay(hp.peerAddress() != null ? hp.peerAddress() : relay,
                        new HolepunchMessage(RelayMode.FROM_RELAY, hp.id(), hp.payload(), from).encode());
            }
            case FROM_RELAY -> !isServer || hp.peerAddress() == null
                    ? new RpcAction.Drop("PEER_HOLEPUNCH FROM_RELAY for no server here")
                    : new RpcAction.ToServer(req.target(), hp);
            // Node answers even without peerAddress (then to the server itself); that reply could only be junk
            case FROM_SERVER -> hp.peerAddress() == null
                    ? new RpcAction.Drop("PEER_HOLEPUNCH FROM_SERVER without peerAddress")
                    : new RpcAction.Reply(new HolepunchMessage(RelayMode.REPLY, hp.id(), hp.payload(), from).encode(),
                            false, false, hp.peerAddress());
            default -> new RpcAction.Drop("PEER_HOLEPUNCH " + hp.mode());
        };
    }

    /** The server's encrypted holepunch answer to {@code in} (FROM_RELAY from {@code from}): back to that relay. */
    public static RpcAction serverHolepunchReply(HolepunchMessage in, InetSocketAddress from, byte[] payload) {
        return new RpcAction.Relay(from, new HolepunchMessage(RelayMode.FROM_SERVER, 0, payload, in.peerAddress())
                .encode());
    }

    private static HandshakeMessage decodeHandshake(byte[] value) {
        try {
            return value == null ? null : HandshakeMessage.decode(value);
        } catch (CompactDecodeException e) {
            return null;
        }
    }
}
