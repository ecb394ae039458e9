package io.tunctl.transport.p2p.crypto;

import static io.tunctl.transport.p2p.crypto.Hex.b;
import static io.tunctl.transport.p2p.crypto.Hex.h;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class Ed25519KeyPairTest {
    @Test
    void rfc8032Test1() {
        Ed25519KeyPair kp = Ed25519KeyPair.fromSeed(
                b("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
        assertEquals("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", h(kp.publicKey()));
        byte[] sig = kp.sign(new byte[0]);
        assertEquals("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b", h(sig));
        assertTrue(Ed25519KeyPair.verify(kp.publicKey(), new byte[0], sig));
    }

    @Test
    void rfc8032Test2() {
        Ed25519KeyPair kp = Ed25519KeyPair.fromSeed(
                b("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"));
        assertEquals("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", h(kp.publicKey()));
        byte[] sig = kp.sign(b("72"));
        assertEquals("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
                + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00", h(sig));
        assertTrue(Ed25519KeyPair.verify(kp.publicKey(), b("72"), sig));
        assertFalse(Ed25519KeyPair.verify(kp.publicKey(), b("73"), sig));
        sig[5] ^= 1;
        assertFalse(Ed25519KeyPair.verify(kp.publicKey(), b("72"), sig));
    }

    @Test
    void secretKeyIsSeedThenPublicKey() {
        Ed25519KeyPair kp = Ed25519KeyPair.generate(new SecureRandom());
        byte[] sk = kp.secretKey();
        assertEquals(64, sk.length);
        assertEquals(h(kp.seed()) + h(kp.publicKey()), h(sk));
        assertEquals(kp, Ed25519KeyPair.fromSecretKey(sk));
        sk[40] ^= 1;
        assertThrows(IllegalArgumentException.class, () -> Ed25519KeyPair.fromSecretKey(sk));
        assertThrows(IllegalArgumentException.class, () -> Ed25519KeyPair.fromSeed(new byte[31]));
    }

    @Test
    void scalarIsClampedSha512OfSeed() throws Exception {
        Ed25519KeyPair kp = Ed25519KeyPair.fromSeed(Hex.seq(0, 32));
        byte[] h = java.security.MessageDigest.getInstance("SHA-512").digest(Hex.seq(0, 32));
        byte[] s = java.util.Arrays.copyOf(h, 32);
        s[0] &= (byte) 248;
        s[31] &= 127;
        s[31] |= 64;
        assertArrayEquals(s, kp.scalar());
    }
}
