package io.tunctl.transport.p2p.dht.messages;

import io.tunctl.transport.p2p.codec.CompactDecodeException;

/** Who sent a {@link HandshakeMessage} or {@link HolepunchMessage}: the {@code mode} field, hyperdht-wire.md §4.1. */
public enum RelayMode {
    FROM_CLIENT,
    FROM_SERVER,
    FROM_RELAY,
    FROM_SECOND_RELAY,
    REPLY;

    private static final RelayMode[] VALUES = values();

    /** The wire value (the enum's ordinal, 0..4). */
    public int wireValue() {
        return ordinal();
    }

    public static RelayMode fromWire(long v) {
        if (v < 0 || v >= VALUES.length) {
            throw new CompactDecodeException("unknown mode " + v + " (expected 0..4)");
        }
        return VALUES[(int) v];
    }
}
