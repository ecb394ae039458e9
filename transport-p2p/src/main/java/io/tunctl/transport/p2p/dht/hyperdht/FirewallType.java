package io.tunctl.transport.p2p.dht.hyperdht;

/**
 * What a peer says about its NAT (hyperdht {@code FIREWALL}, hyperdht-wire.md §6.5), carried as a uint in the Noise
 * payload and the holepunch payload. The order matters: hyperdht compares with {@code >= RANDOM}.
 */
public enum FirewallType {
    /** Not analysed yet, or no conclusion. */
    UNKNOWN,
    /** Reachable at its public address (the DHT is not firewalled). */
    OPEN,
    /** Behind a NAT that keeps one public port per local socket. */
    CONSISTENT,
    /** Behind a NAT that picks a new public port per destination. */
    RANDOM;

    private static final FirewallType[] VALUES = values();

    public int wireValue() {
        return ordinal();
    }

    /** A wire value; numbers this version does not know are UNKNOWN, as they would be to a Node peer's logic. */
    public static FirewallType fromWire(long v) {
        return v >= 0 && v < VALUES.length ? VALUES[(int) v] : UNKNOWN;
    }

    /** hyperdht's {@code coerceFirewall}: OPEN punches like CONSISTENT. */
    public FirewallType coerced() {
        return this == OPEN ? CONSISTENT : this;
    }

    boolean atLeastRandom() {
        return this == RANDOM;
    }

    boolean isConsistent() {
        return this == OPEN || this == CONSISTENT;
    }
}
