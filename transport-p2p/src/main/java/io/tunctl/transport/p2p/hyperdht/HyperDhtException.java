package io.tunctl.transport.p2p.hyperdht;

import io.tunctl.transport.p2p.dht.hyperdht.ConnectError;

/** A connect, listen or lookup that failed; {@link #error()} is hyperdht's error name for it. */
public final class HyperDhtException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient ConnectError error;

    public HyperDhtException(ConnectError error, String message) {
        super(error + ": " + message);
        this.error = error;
    }

    public HyperDhtException(ConnectError error, String message, Throwable cause) {
        super(error + ": " + message, cause);
        this.error = error;
    }

    @SuppressWarnings("exports")
    public ConnectError error() {
        return error;
    }
}
