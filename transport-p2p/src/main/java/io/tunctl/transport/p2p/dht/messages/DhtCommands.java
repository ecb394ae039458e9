package io.tunctl.transport.p2p.dht.messages;

/** Command numbers and error codes carried in {@link DhtMessage}s (hyperdht-wire.md §2.2, §2.3, §4). */
public final class DhtCommands {
    private DhtCommands() {
    }

    // dht-rpc internal commands (request flag bit2 set)
    public static final int PING = 0;
    public static final int PING_NAT = 1;
    public static final int FIND_NODE = 2;
    public static final int DOWN_HINT = 3;
    public static final int DELAYED_PING = 4;

    // hyperdht user commands (bit2 clear)
    public static final int PEER_HANDSHAKE = 0;
    public static final int PEER_HOLEPUNCH = 1;
    public static final int FIND_PEER = 2;
    public static final int LOOKUP = 3;
    public static final int ANNOUNCE = 4;
    public static final int UNANNOUNCE = 5;
    public static final int MUTABLE_PUT = 6;
    public static final int MUTABLE_GET = 7;
    public static final int IMMUTABLE_PUT = 8;
    public static final int IMMUTABLE_GET = 9;
    public static final int PLUGIN = 10;

    // response error codes
    public static final int ERROR_UNKNOWN_COMMAND = 1;
    public static final int ERROR_INVALID_TOKEN = 2;
    public static final int ERROR_SEQ_REUSED = 16;
    public static final int ERROR_SEQ_TOO_LOW = 17;
}
