package io.tunctl.transport.socks.dns;

/** A message that is not a well-formed DNS query; the text says what is wrong with it. */
public final class DnsFormatException extends Exception {
    public DnsFormatException(String message) {
        super(message);
    }
}
