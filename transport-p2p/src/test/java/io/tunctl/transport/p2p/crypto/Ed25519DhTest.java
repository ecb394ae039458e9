package io.tunctl.transport.p2p.crypto;

import static io.tunctl.transport.p2p.crypto.Hex.b;
import static io.tunctl.transport.p2p.crypto.Hex.fill;
import static io.tunctl.transport.p2p.crypto.Hex.h;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Ed25519DhTest {
    @Test
    void matchesBigIntegerOracleAndCommutes() throws Exception {
        Random r = new Random(42);
        for (int i = 0; i < 40; i++) {
            byte[] sa = new byte[32];
            byte[] sb = new byte[32];
            r.nextBytes(sa);
            r.nextBytes(sb);
            Ed25519KeyPair a = Ed25519KeyPair.fromSeed(sa);
            Ed25519KeyPair bb = Ed25519KeyPair.fromSeed(sb);
            byte[] ab = Ed25519Dh.dh(bb.publicKey(), a);
            byte[] ba = Ed25519Dh.dh(a.publicKey(), bb);
            assertEquals(h(ab), h(ba));
            EdwardsOracle.Pt pb = EdwardsOracle.decode(bb.publicKey());
            assertNotNull(pb);
            assertEquals(h(EdwardsOracle.encode(EdwardsOracle.mul(EdwardsOracle.scalar(a.scalar()), pb))), h(ab));
        }
    }

    @Test
    void noClampUsesScalarAsGivenBelowBit255() throws Exception {
        Random r = new Random(3);
        Ed25519KeyPair k = Ed25519KeyPair.fromSeed(fill(5, 32));
        EdwardsOracle.Pt p = EdwardsOracle.decode(k.publicKey());
        for (int i = 0; i < 20; i++) {
            byte[] n = new byte[32];
            r.nextBytes(n);
            byte[] masked = n.clone();
            masked[31] &= 127;
            BigInteger s = EdwardsOracle.scalar(masked);
            assertEquals(h(EdwardsOracle.encode(EdwardsOracle.mul(s, p))), h(Ed25519Dh.scalarMultNoClamp(n, k.publicKey())));
        }
        byte[] small = new byte[32];
        small[0] = 1;
        assertEquals(h(k.publicKey()), h(Ed25519Dh.scalarMultNoClamp(small, k.publicKey())));
    }

    @Test
    void hyperdhtWireVectors() throws Exception {
        // hyperdht-wire.md §12.7, produced by libsodium; the interop IT recomputes them from npm at test time
        Ed25519KeyPair client = Ed25519KeyPair.fromSeed(fill(0x11, 32));
        Ed25519KeyPair server = Ed25519KeyPair.fromSeed(fill(0x22, 32));
        Ed25519KeyPair clientE = Ed25519KeyPair.fromSeed(fill(0x33, 32));
        Ed25519KeyPair serverE = Ed25519KeyPair.fromSeed(fill(0x44, 32));
        assertEquals("3d1d07660d62bce76af08fd2945cd2fa506a87305251b86e0668aebe0622f42e",
                h(Ed25519Dh.dh(server.publicKey(), clientE)));
        assertEquals("2b6355c5f0e9667ee457b73ad5dc3cb172abf8d62362402d732c4e8241b97380",
                h(Ed25519Dh.dh(server.publicKey(), client)));
        assertEquals("2572797264060a08dfb5a49c0f662b0c8692f0865dad369c5e97c57f3f549733",
                h(Ed25519Dh.dh(serverE.publicKey(), clientE)));
        assertEquals("61e7195c82c8fcaa1e4523aafd661b991f45966032beead1850b93b8b4270409",
                h(Ed25519Dh.dh(client.publicKey(), serverE)));
    }

    @Test
    void rejectsWhatLibsodiumRejects() {
        Ed25519KeyPair k = Ed25519KeyPair.fromSeed(fill(9, 32));
        // identity, (0,-1) of order 2, an order-8 point, y = p (non-canonical), a y with no x
        String[] bad = {
            "0100000000000000000000000000000000000000000000000000000000000000",
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
            "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "0200000000000000000000000000000000000000000000000000000000000000",
        };
        assertNull(EdwardsOracle.decode(b(bad[4])), "vector must be off-curve");
        for (String s : bad) {
            assertThrows(CryptoException.class, () -> Ed25519Dh.dh(b(s), k), s);
        }
        // mixed order: a valid public key plus an order-8 point
        EdwardsOracle.Pt mixed = EdwardsOracle.add(EdwardsOracle.decode(k.publicKey()),
                EdwardsOracle.decode(b(bad[2])));
        assertThrows(CryptoException.class, () -> Ed25519Dh.dh(EdwardsOracle.encode(mixed), k));
        assertThrows(CryptoException.class, () -> Ed25519Dh.dh(new byte[31], k));
    }

    @Test
    void aCheckedPointServesSeveralDhWithTheSameResults() throws Exception {
        Ed25519KeyPair remote = Ed25519KeyPair.fromSeed(fill(0x21, 32));
        Ed25519Dh.PublicPoint p = Ed25519Dh.publicPoint(remote.publicKey());
        assertEquals(h(remote.publicKey()), h(p.encoded()));
        org.junit.jupiter.api.Assertions.assertTrue(p.is(remote.publicKey()));
        for (int i = 0; i < 5; i++) {
            Ed25519KeyPair local = Ed25519KeyPair.fromSeed(fill(0x30 + i, 32));
            assertEquals(h(Ed25519Dh.dh(remote.publicKey(), local)), h(Ed25519Dh.dh(p, local)));
            assertEquals(h(Ed25519Dh.dh(p, local)), h(Ed25519Dh.dh(local.publicKey(), remote)));
        }
        // the point is only read: the same one on two threads at once
        java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            java.util.List<java.util.concurrent.Future<String>> f = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Ed25519KeyPair local = Ed25519KeyPair.fromSeed(fill(0x50 + i, 32));
                f.add(two.submit(() -> h(Ed25519Dh.dh(p, local)) + h(Ed25519Dh.dh(remote.publicKey(), local))));
            }
            for (java.util.concurrent.Future<String> x : f) {
                String both = x.get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertEquals(both.substring(0, 64), both.substring(64));
            }
        } finally {
            two.shutdownNow();
        }
        // publicPoint rejects exactly what dh rejects
        assertThrows(CryptoException.class, () -> Ed25519Dh.publicPoint(
                b("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")));
        assertThrows(CryptoException.class, () -> Ed25519Dh.publicPoint(new byte[31]));
    }

    @Test
    void subgroupCheckAgreesWithPlainOrderMultiplication() {
        Random r = new Random(8);
        byte[] order = Hex.b("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
        int onCurve = 0;
        for (int i = 0; i < 400; i++) {
            byte[] p = new byte[32];
            r.nextBytes(p);
            Ed25519Dh.Point pt = Ed25519Dh.decodeVar(p);
            if (pt == null) {
                continue;
            }
            onCurve++;
            boolean inSubgroup = !pt.isIdentityVar() && Ed25519Dh.multiplyVar(pt, order).isIdentityVar();
            boolean accepted;
            try {
                Ed25519Dh.scalarMultNoClamp(Hex.fill(3, 32), p);
                accepted = true;
            } catch (CryptoException e) {
                accepted = false;
            }
            assertEquals(inSubgroup, accepted, Hex.h(p));
        }
        org.junit.jupiter.api.Assertions.assertTrue(onCurve > 100);
    }

    @Test
    void windowedMatchesLadderForEdgeScalars() {
        Ed25519Dh.Point p = Ed25519Dh.decodeVar(Ed25519KeyPair.fromSeed(fill(1, 32)).publicKey());
        Random r = new Random(9);
        java.util.List<byte[]> scalars = new java.util.ArrayList<>();
        scalars.add(new byte[32]);
        byte[] max = fill(0xff, 32);
        max[31] = 0x7f;
        scalars.add(max);
        scalars.add(Hex.b("0800000000000000000000000000000000000000000000000000000000000000"));
        scalars.add(Hex.b("8888888888888888888888888888888888888888888888888888888888888808"));
        scalars.add(Hex.b("7777777777777777777777777777777777777777777777777777777777777777"));
        for (int i = 0; i < 50; i++) {
            byte[] k = new byte[32];
            r.nextBytes(k);
            k[31] &= 127;
            scalars.add(k);
        }
        for (byte[] k : scalars) {
            assertEquals(h(Ed25519Dh.ladder(k, p).encode()), h(Ed25519Dh.windowed(k, p).encode()), h(k));
        }
    }
}
