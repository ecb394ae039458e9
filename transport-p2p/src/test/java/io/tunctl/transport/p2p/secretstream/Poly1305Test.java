package io.tunctl.transport.p2p.secretstream;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Our radix-2^64 Poly1305 against RFC 8439's vector and against BouncyCastle's on random keys, inputs and splits. */
class Poly1305Test {

    @Test
    void rfc8439Vector() {
        HexFormat hex = HexFormat.of();
        byte[] key = hex.parseHex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b");
        byte[] msg = "Cryptographic Forum Research Group".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Poly1305 p = new Poly1305();
        p.init(key, 0);
        p.update(msg, 0, msg.length);
        byte[] tag = new byte[16];
        p.doFinal(tag, 0);
        assertArrayEquals(hex.parseHex("a8061dc1305136c6c22b8baf0c0127a9"), tag);
    }

    @Test
    void matchesBouncyCastleOnRandomAndExtremeInputsWhateverTheSplits() {
        Random rnd = new Random(1305);
        Poly1305 ours = new Poly1305();
        org.bouncycastle.crypto.macs.Poly1305 bc = new org.bouncycastle.crypto.macs.Poly1305();
        byte[] a = new byte[16], b = new byte[16];
        for (int run = 0; run < 3000; run++) {
            byte[] key = new byte[32];
            byte[] msg = new byte[run < 100 ? run : rnd.nextInt(3000)];
            switch (run % 4) {
                case 0 -> { java.util.Arrays.fill(key, (byte) 0xff); java.util.Arrays.fill(msg, (byte) 0xff); }
                case 1 -> { rnd.nextBytes(key); java.util.Arrays.fill(msg, (byte) 0xff); }
                default -> { rnd.nextBytes(key); rnd.nextBytes(msg); }
            }
            ours.init(key, 0);
            bc.init(new org.bouncycastle.crypto.params.KeyParameter(key));
            int at = 0;
            while (at < msg.length) {
                int n = Math.min(msg.length - at, 1 + rnd.nextInt(run % 3 == 0 ? 40 : 700));
                ours.update(msg, at, n);
                bc.update(msg, at, n);
                at += n;
            }
            ours.doFinal(a, 0);
            bc.doFinal(b, 0);
            assertArrayEquals(b, a, "run " + run + ", " + msg.length + " bytes");
        }
    }
}
