package io.tunctl.transport.p2p.secretstream;

import static io.tunctl.transport.p2p.crypto.Hex.b;
import static io.tunctl.transport.p2p.crypto.Hex.h;
import static io.tunctl.transport.p2p.crypto.Hex.seq;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tunctl.transport.p2p.crypto.CryptoException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class SecretStreamCipherTest {
    private static final String SUNSCREEN = "Ladies and Gentlemen of the class of '99: If I could offer you only one tip "
            + "for the future, sunscreen would be it.";
    // hyperdht-wire.md §12.7/§12.8 (libsodium); the interop IT recomputes these from npm at test time
    static final byte[] CLIENT_TX = b("0449dc486159e766f752316ddeb055984cc0ad321ca030c4df8f52c054e8e813");
    static final byte[] HEADER = seq(0x50, 24);

    @ParameterizedTest
    @EnumSource(ChaChaBackend.class)
    void rfc8439Section2_4_2KeyStreamFromCounterOne(ChaChaBackend backend) {
        KeyStream ks = backend.newKeyStream();
        ks.init(seq(0, 32), b("000000000000004a00000000"));
        ks.xor(new byte[64], 0, 64, new byte[64], 0); // skip block 0
        byte[] p = SUNSCREEN.getBytes(StandardCharsets.US_ASCII);
        byte[] c = new byte[p.length];
        ks.xor(p, 0, p.length, c, 0);
        assertEquals("6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0b"
                + "f91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d8"
                + "07ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736"
                + "5af90bbf74a35be6b40b8eedf2785e42874d", h(c));
    }

    @Test
    void rfc8439Section2_5_2Poly1305() {
        Poly1305 p = new Poly1305();
        p.init(new KeyParameter(b("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b")));
        byte[] m = "Cryptographic Forum Research Group".getBytes(StandardCharsets.US_ASCII);
        p.update(m, 0, m.length);
        byte[] tag = new byte[16];
        p.doFinal(tag, 0);
        assertEquals("a8061dc1305136c6c22b8baf0c0127a9", h(tag));
    }

    @ParameterizedTest
    @EnumSource(ChaChaBackend.class)
    void hyperdhtWireFrames(ChaChaBackend backend) throws Exception {
        SecretStreamCipher push = SecretStreamCipher.initPush(CLIENT_TX, HEADER, backend);
        assertEquals("a48760fe9d1ca9dd31ae8783e190305e4794cf16b6ab", h(push.push("hello".getBytes(), 0)));
        assertEquals("5af23efe342b951ceea49606d65cdacb11", h(push.push(new byte[0], 0)));
        assertEquals("718a0a04649a514ae8a6ebff68b0c73ee94bae2a4c116a", h(push.push("world!".getBytes(), 0)));
        SecretStreamCipher pull = SecretStreamCipher.initPull(CLIENT_TX, HEADER, backend);
        assertEquals("hello", new String(pull.pull(b("a48760fe9d1ca9dd31ae8783e190305e4794cf16b6ab")).plaintext()));
    }

    @Test
    void backendsAgreeAcrossSizesTagsAndRekeys() throws Exception {
        Random r = new Random(11);
        SecretStreamCipher a = SecretStreamCipher.initPush(seq(1, 32), seq(2, 24), ChaChaBackend.BOUNCY_CASTLE);
        SecretStreamCipher j = SecretStreamCipher.initPush(seq(1, 32), seq(2, 24), ChaChaBackend.JDK);
        SecretStreamCipher pa = SecretStreamCipher.initPull(seq(1, 32), seq(2, 24), ChaChaBackend.JDK);
        for (int len = 0; len < 300; len++) {
            byte[] m = new byte[len == 299 ? 70000 : len];
            r.nextBytes(m);
            int tag = len % 7 == 0 ? SecretStreamCipher.TAG_REKEY : len % 11 == 0 ? SecretStreamCipher.TAG_PUSH : 0;
            byte[] ca = a.push(m, tag);
            assertArrayEquals(ca, j.push(m, tag), "length " + len);
            SecretStreamCipher.Message got = pa.pull(ca);
            assertEquals(tag, got.tag());
            assertArrayEquals(m, got.plaintext());
        }
        a.rekey();
        j.rekey();
        pa.rekey();
        byte[] c = a.push(seq(0, 10), SecretStreamCipher.TAG_FINAL);
        assertArrayEquals(c, j.push(seq(0, 10), SecretStreamCipher.TAG_FINAL));
        assertEquals(SecretStreamCipher.TAG_FINAL, pa.pull(c).tag());
    }

    @Test
    void counterWrapForcesRekey() throws Exception {
        SecretStreamCipher push = SecretStreamCipher.initPush(seq(1, 32), seq(2, 24), ChaChaBackend.JDK);
        SecretStreamCipher pull = SecretStreamCipher.initPull(seq(1, 32), seq(2, 24), ChaChaBackend.BOUNCY_CASTLE);
        push.setCounterForTest(-1);
        pull.setCounterForTest(-1);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(seq(i, 5), pull.pull(push.push(seq(i, 5), 0)).plaintext());
        }
        SecretStreamCipher noWrap = SecretStreamCipher.initPull(seq(1, 32), seq(2, 24), ChaChaBackend.JDK);
        noWrap.setCounterForTest(-1);
        SecretStreamCipher push2 = SecretStreamCipher.initPush(seq(1, 32), seq(2, 24), ChaChaBackend.JDK);
        push2.setCounterForTest(-1);
        noWrap.pull(push2.push(seq(0, 5), 0));
        noWrap.rekey(); // an extra rekey desynchronises: the next message must fail
        byte[] next = push2.push(seq(1, 5), 0);
        assertThrows(CryptoException.class, () -> noWrap.pull(next));
    }

    @Test
    void failedPullLeavesStateUnchanged() throws Exception {
        SecretStreamCipher push = SecretStreamCipher.initPush(seq(1, 32), seq(2, 24), ChaChaBackend.JDK);
        SecretStreamCipher pull = SecretStreamCipher.initPull(seq(1, 32), seq(2, 24), ChaChaBackend.JDK);
        byte[] c = push.push(seq(0, 33), 0);
        byte[] bad = c.clone();
        bad[0] ^= 1;
        assertThrows(CryptoException.class, () -> pull.pull(bad));
        assertThrows(CryptoException.class, () -> pull.pull(new byte[16]));
        assertArrayEquals(seq(0, 33), pull.pull(c).plaintext());
    }
}
