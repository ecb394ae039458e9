package io.tunctl.transport.p2p.dht.rpc;

/** A request or query that ended without a response; {@link #code()} says why. */
public final class DhtException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why a request or query failed (dht-rpc's error codes, plus query failures). */
    public enum Code {
        /** No response after the last retry. */
        REQUEST_TIMEOUT,
        /** The request was cancelled, or its query or node ended first. */
        REQUEST_DESTROYED,
        /** The node is closed. */
        NODE_CLOSED,
        /** A query's commit phase had no node to commit to, or every commit failed. */
        COMMIT_FAILED
    }

    private final Code code;

    public DhtException(Code code, String message) {
        super(code + ": " + message);
        this.code = code;
    }

    public DhtException(Code code, String message, Throwable cause) {
        super(code + ": " + message, cause);
        this.code = code;
    }

    public Code code() {
        return code;
    }
}
