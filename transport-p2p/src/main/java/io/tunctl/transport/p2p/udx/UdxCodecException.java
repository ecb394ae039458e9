package io.tunctl.transport.p2p.udx;

/** A datagram that is not a well-formed UDX packet; the message names the field that is wrong. */
public final class UdxCodecException extends Exception {
    public UdxCodecException(String message) {
        super(message);
    }
}
