package io.tunctl.transport.p2p.crypto;

import static io.tunctl.transport.p2p.crypto.Hex.b;
import static io.tunctl.transport.p2p.crypto.Hex.h;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class KeyEncodingTest {
    // hyperdht-wire.md §12.4 (produced by the z32 npm package); the IT recomputes it from the package at test time
    private static final String PK = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";
    private static final String PK_Z32 = "yqooxx9u3aemh8mo5wcqq16yufu6jitouq1o4za751dger1igghy";

    @Test
    void z32OfPublicKey() {
        assertEquals(PK_Z32, KeyEncoding.toZ32(b(PK)));
        assertEquals(PK, h(KeyEncoding.fromZ32(PK_Z32)));
    }

    @Test
    void z32RoundTripsEveryLength() {
        Random r = new Random(7);
        for (int n = 0; n < 70; n++) {
            byte[] x = new byte[n];
            r.nextBytes(x);
            String s = KeyEncoding.toZ32(x);
            assertEquals((n * 8 + 4) / 5, s.length());
            assertArrayEquals(x, KeyEncoding.fromZ32(s));
        }
    }

    @Test
    void parsePublicKeyForms() {
        assertEquals(PK, h(KeyEncoding.parsePublicKey(PK)));
        assertEquals(PK, h(KeyEncoding.parsePublicKey(PK.toUpperCase())));
        assertEquals(PK, h(KeyEncoding.parsePublicKey(PK_Z32)));
        assertEquals(PK, h(KeyEncoding.parsePublicKey("pear://" + PK_Z32 + "/some/path")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KeyEncoding.parsePublicKey("abc"));
        assertEquals("public key must be 52 z-base-32 or 64 hex characters, got 3 characters", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> KeyEncoding.parsePublicKey(PK_Z32.replace('y', 'Y')));
        assertThrows(IllegalArgumentException.class, () -> KeyEncoding.parsePublicKey(PK.replace('0', 'g')));
    }
}
