package io.tunctl.transport.p2p.dht.hyperdht;

/** Why a client connect failed, with hyperdht's error names ({@code lib/errors.js}, hyperdht-wire.md §10). */
public enum ConnectError {
    /** No node returned the server's record. */
    PEER_NOT_FOUND,
    /** Records were found but no relay brought back a valid handshake reply. */
    PEER_CONNECTION_FAILED,
    /** The server's payload had an error, or no UDX info. */
    SERVER_ERROR,
    /** The server's payload version is not 1. */
    SERVER_INCOMPATIBLE,
    /** The server listed no holepunch relays and is not reachable directly. */
    CANNOT_HOLEPUNCH,
    HOLEPUNCH_ABORTED,
    HOLEPUNCH_PROBE_TIMEOUT,
    HOLEPUNCH_DOUBLE_RANDOMIZED_NATS,
    HOLEPUNCH_INVALID,
    REMOTE_NOT_HOLEPUNCHING,
    REMOTE_NOT_HOLEPUNCHABLE,
    REMOTE_ABORTED,
    BAD_HANDSHAKE_REPLY,
    BAD_HOLEPUNCH_REPLY
}
