package io.tunctl.transport.p2p.noise;

import static io.tunctl.transport.p2p.crypto.Hex.b;
import static io.tunctl.transport.p2p.crypto.Hex.h;
import static io.tunctl.transport.p2p.crypto.Hex.seq;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tunctl.transport.p2p.crypto.CryptoException;
import java.nio.charset.StandardCharsets;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class CipherStateTest {
    private static final String SUNSCREEN = "Ladies and Gentlemen of the class of '99: If I could offer you only one tip "
            + "for the future, sunscreen would be it.";

    @Test
    void rfc8439Section2_8_2() throws Exception {
        byte[] key = seq(0x80, 32);
        byte[] nonce = b("070000004041424344454647");
        byte[] ad = b("50515253c0c1c2c3c4c5c6c7");
        byte[] ct = CipherState.seal(key, nonce, ad, SUNSCREEN.getBytes(StandardCharsets.US_ASCII));
        assertEquals("d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
                + "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
                + "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
                + "3ff4def08e4b7a9de576d26586cec64b6116" + "1ae10b594f09e26a7e902ecbd0600691", h(ct));
        assertEquals(SUNSCREEN, new String(CipherState.open(key, nonce, ad, ct), StandardCharsets.US_ASCII));
    }

    @Test
    void nonceLayoutMatchesJdkAeadWithFourZeroBytesAndLittleEndianCounter() throws Exception {
        CipherState cs = new CipherState();
        byte[] key = seq(3, 32);
        cs.initialiseKey(key.clone());
        for (long n = 0; n < 3; n++) {
            byte[] ad = seq((int) n, 64);
            byte[] ct = cs.encrypt(ad, seq(9, 40));
            byte[] iv = new byte[12];
            iv[4] = (byte) n;
            Cipher jdk = Cipher.getInstance("ChaCha20-Poly1305");
            jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(iv));
            jdk.updateAAD(ad);
            assertArrayEquals(jdk.doFinal(seq(9, 40)), ct);
        }
    }

    @Test
    void noKeyPassesThroughAndTamperFails() throws Exception {
        CipherState cs = new CipherState();
        assertArrayEquals(seq(1, 5), cs.encrypt(new byte[0], seq(1, 5)));
        cs.initialiseKey(seq(1, 32));
        byte[] ct = cs.encrypt(new byte[0], seq(1, 5));
        CipherState rx = new CipherState();
        rx.initialiseKey(seq(1, 32));
        ct[0] ^= 1;
        assertThrows(CryptoException.class, () -> rx.decrypt(new byte[0], ct));
    }
}
