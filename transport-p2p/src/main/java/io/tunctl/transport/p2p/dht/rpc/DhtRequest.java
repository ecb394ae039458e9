package io.tunctl.transport.p2p.dht.rpc;

import io.tunctl.transport.p2p.dht.messages.DhtMessage;
import java.net.InetSocketAddress;
import java.util.HexFormat;

/**
 * A request another node sent us, handed to a {@link DhtNode.RequestHandler}. Answer it at most once with one of
 * the {@code reply}/{@code error} methods, or forward it with {@link #relay}; answers leave from the socket the
 * request arrived on. Methods may be called from any thread.
 */
public final class DhtRequest {
    private final DhtNode node;
    private final Link link;
    private final DhtMessage.Request message;
    private final InetSocketAddress from;
    private final byte[] fromId;

    DhtRequest(DhtNode node, Link link, DhtMessage.Request message, InetSocketAddress from, byte[] fromId) {
        this.node = node;
        this.link = link;
        this.message = message;
        this.from = from;
        this.fromId = fromId;
    }

    public int tid() {
        return message.tid();
    }

    /** The requester's address (the datagram's source). */
    public InetSocketAddress from() {
        return from;
    }

    /** The requester's node id if it sent one matching {@link #from()}, else null. */
    public byte[] fromId() {
        return fromId == null ? null : fromId.clone();
    }

    /** Our address as the requester saw it. */
    public InetSocketAddress to() {
        return message.to();
    }

    /** The write token the requester presented (already checked: an invalid one never reaches a handler). */
    public byte[] token() {
        return message.token();
    }

    public boolean internal() {
        return message.internal();
    }

    public long command() {
        return message.command();
    }

    public byte[] target() {
        return message.target();
    }

    public byte[] value() {
        return message.value();
    }

    Link link() {
        return link;
    }

    DhtMessage.Request message() {
        return message;
    }

    /** Replies OK with {@code value}, a write token and (if the request had a target) our closest nodes. */
    public void reply(byte[] value) {
        reply(value, true, true);
    }

    /** Replies OK, choosing whether to include a write token and closer nodes. */
    public void reply(byte[] value, boolean token, boolean closerNodes) {
        replyTo(value, from, token, closerNodes);
    }

    /**
     * Replies OK to another address than the requester's, with this request's tid: hyperdht's relays answer a
     * client this way when the server's reply comes back through them.
     */
    public void replyTo(byte[] value, InetSocketAddress to, boolean token, boolean closerNodes) {
        node.sendReply(this, to, 0, value, token, closerNodes);
    }

    /** Replies with a non-zero error code, with closer nodes if the request had a target and no token. */
    public void error(long code) {
        error(code, false);
    }

    public void error(long code, boolean token) {
        if (code <= 0) {
            throw new IllegalArgumentException("error code must be positive, got " + code);
        }
        node.sendReply(this, from, code, null, token, true);
    }

    /**
     * Forwards this request (same tid, command and target, no token) with {@code value} to {@code to}, as hyperdht
     * routes handshakes through relays.
     */
    public void relay(byte[] value, InetSocketAddress to) {
        node.relay(this, value, to, null);
    }

    /**
     * {@link #relay(byte[], InetSocketAddress)} sent from {@code via} (a socket of the node or one
     * {@linkplain DhtNode#attach attached} to it): hyperdht's server answers from its holepunch socket, so the relay
     * tells the client that socket's public address.
     */
    @SuppressWarnings("exports")
    public void relay(byte[] value, InetSocketAddress to, io.tunctl.transport.p2p.udx.UdxSocket via) {
        node.relay(this, value, to, via);
    }

    /** The UDX socket this request arrived on, or null off UDX. */
    @SuppressWarnings("exports")
    public io.tunctl.transport.p2p.udx.UdxSocket socket() {
        return link.udxSocket();
    }

    @Override
    public String toString() {
        return "DhtRequest[from=" + from + ", tid=" + tid() + ", internal=" + internal() + ", command=" + command()
                + ", target=" + (target() == null ? "null" : HexFormat.of().formatHex(target(), 0, 4)) + "]";
    }
}
