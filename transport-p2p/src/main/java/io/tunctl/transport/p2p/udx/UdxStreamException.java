package io.tunctl.transport.p2p.udx;

import java.io.IOException;

/** Why a UDX stream closed abnormally, with the libudx error code ({@code ECONNRESET}, {@code ETIMEDOUT}). */
public final class UdxStreamException extends IOException {
    private final String code;

    public UdxStreamException(String code, String message) {
        super(code + ": " + message);
        this.code = code;
    }

    /** The libudx error code name: {@code ECONNRESET} (peer sent DESTROY) or {@code ETIMEDOUT}. */
    public String code() {
        return code;
    }
}
