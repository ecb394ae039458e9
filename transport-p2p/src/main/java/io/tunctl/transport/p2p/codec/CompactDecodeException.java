package io.tunctl.transport.p2p.codec;

/** A compact-encoded message is truncated or holds a value the decoder does not accept. */
public final class CompactDecodeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public CompactDecodeException(String message) {
        super(message);
    }
}
