package io.tunctl.transport.p2p.dht.rpc;

import io.tunctl.transport.p2p.crypto.Blake2b;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * Write tokens (hyperdht-wire.md §2.4): {@code token(host, i) = BLAKE2b-256(utf8(host); key = secret[i])}. Replies
 * hand out {@code token(host, 1)}; a request's token is accepted if it matches either secret, and {@link #rotate()}
 * (every 7.5 s in dht-rpc) shifts the secrets, so a token lives between one and two rotation periods.
 */
final class TokenSecrets {
    private final byte[][] secrets = new byte[2][32];

    TokenSecrets(SecureRandom random) {
        random.nextBytes(secrets[0]);
        random.nextBytes(secrets[1]);
    }

    /** The token for {@code host} (the IP string; the port plays no part) under secret {@code i}. */
    byte[] token(String host, int i) {
        return Blake2b.keyed256(secrets[i], host.getBytes(StandardCharsets.UTF_8));
    }

    /** The token a reply to {@code host} carries. */
    byte[] current(String host) {
        return token(host, 1);
    }

    boolean isValid(String host, byte[] token) {
        return token != null && (MessageDigest.isEqual(token, token(host, 1))
                || MessageDigest.isEqual(token, token(host, 0)));
    }

    /** {@code secret[0] <- secret[1]; secret[1] <- BLAKE2b-256(old secret[0])}, as dht-rpc rotates. */
    void rotate() {
        byte[] old = secrets[0];
        secrets[0] = secrets[1];
        secrets[1] = Blake2b.hash256(old);
    }
}
