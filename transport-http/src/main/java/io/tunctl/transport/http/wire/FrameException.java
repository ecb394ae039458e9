package io.tunctl.transport.http.wire;

import java.io.IOException;

/** The byte stream of a GET or PUT body is not a valid frame sequence; the stream must be dropped. */
public final class FrameException extends IOException {
    public FrameException(String message) {
        super(message);
    }
}
