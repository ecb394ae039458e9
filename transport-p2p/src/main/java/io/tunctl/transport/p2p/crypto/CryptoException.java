package io.tunctl.transport.p2p.crypto;

import java.security.GeneralSecurityException;

/** A cryptographic check failed: a bad MAC, an invalid or low-order public key, a failed handshake step. */
public class CryptoException extends GeneralSecurityException {
    private static final long serialVersionUID = 1L;

    public CryptoException(String message) {
        super(message);
    }

    public CryptoException(String message, Throwable cause) {
        super(message, cause);
    }
}
