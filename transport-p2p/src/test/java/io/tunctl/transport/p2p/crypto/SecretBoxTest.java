package io.tunctl.transport.p2p.crypto;

import static io.tunctl.transport.p2p.crypto.Hex.b;
import static io.tunctl.transport.p2p.crypto.Hex.h;
import static io.tunctl.transport.p2p.crypto.Hex.seq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SecretBoxTest {
    // hyperdht-wire.md §12.9 (libsodium crypto_secretbox_easy); the interop IT recomputes it from npm
    private static final byte[] KEY = b("b5f5b7d4423af4b6d54c9f693486710b1c1c19d9d4ec0dfd8777621f265b284d");

    @Test
    void holepunchPayloadVector() throws Exception {
        byte[] box = SecretBox.seal(b("0400020001010203048813"), seq(0, 24), KEY);
        assertEquals("d26ab50c49f2c12efc6a91a439f86d667ab7a852d92dafa7d4ebf3", h(box));
        assertEquals("0400020001010203048813", h(SecretBox.open(box, seq(0, 24), KEY)));
    }

    @Test
    void tamperingFails() {
        byte[] box = SecretBox.seal(seq(1, 100), seq(0, 24), KEY);
        box[50] ^= 1;
        assertThrows(CryptoException.class, () -> SecretBox.open(box, seq(0, 24), KEY));
        assertThrows(CryptoException.class, () -> SecretBox.open(new byte[15], seq(0, 24), KEY));
    }
}
