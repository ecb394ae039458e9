package io.tunctl.transport.p2p.crypto;

import java.math.BigInteger;

/** Slow, variable-time affine Edwards25519 arithmetic over BigInteger: a test oracle only. */
final class EdwardsOracle {
    static final BigInteger P = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));
    static final BigInteger D = BigInteger.valueOf(-121665).multiply(BigInteger.valueOf(121666).modInverse(P)).mod(P);
    static final BigInteger L = BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));
    private static final BigInteger SQRT_M1 = BigInteger.TWO.modPow(P.subtract(BigInteger.ONE).shiftRight(2), P);

    record Pt(BigInteger x, BigInteger y) {
        static final Pt IDENTITY = new Pt(BigInteger.ZERO, BigInteger.ONE);
    }

    private EdwardsOracle() {
    }

    static Pt add(Pt a, Pt b) {
        BigInteger t = D.multiply(a.x).multiply(b.x).multiply(a.y).multiply(b.y).mod(P);
        BigInteger x = a.x.multiply(b.y).add(a.y.multiply(b.x)).multiply(BigInteger.ONE.add(t).modInverse(P)).mod(P);
        BigInteger y = a.y.multiply(b.y).add(a.x.multiply(b.x)).multiply(BigInteger.ONE.subtract(t).mod(P).modInverse(P))
                .mod(P);
        return new Pt(x, y);
    }

    static Pt mul(BigInteger k, Pt p) {
        Pt r = Pt.IDENTITY;
        for (int i = k.bitLength() - 1; i >= 0; i--) {
            r = add(r, r);
            if (k.testBit(i)) {
                r = add(r, p);
            }
        }
        return r;
    }

    /** Null if not canonical or not on the curve. */
    static Pt decode(byte[] s) {
        byte[] be = new byte[32];
        for (int i = 0; i < 32; i++) {
            be[i] = s[31 - i];
        }
        int sign = (be[0] >>> 7) & 1;
        be[0] &= 0x7f;
        BigInteger y = new BigInteger(1, be);
        if (y.compareTo(P) >= 0) {
            return null;
        }
        BigInteger u = y.multiply(y).subtract(BigInteger.ONE).mod(P);
        BigInteger v = D.multiply(y).multiply(y).add(BigInteger.ONE).mod(P);
        BigInteger x2 = u.multiply(v.modInverse(P)).mod(P);
        BigInteger x = x2.modPow(P.add(BigInteger.valueOf(3)).shiftRight(3), P);
        if (!x.multiply(x).mod(P).equals(x2)) {
            x = x.multiply(SQRT_M1).mod(P);
        }
        if (!x.multiply(x).mod(P).equals(x2)) {
            return null;
        }
        if (x.testBit(0) != (sign == 1)) {
            x = P.subtract(x).mod(P);
        }
        return new Pt(x, y);
    }

    static byte[] encode(Pt p) {
        byte[] out = new byte[32];
        byte[] be = p.y.toByteArray();
        for (int i = 0; i < be.length && i < 32; i++) {
            out[i] = be[be.length - 1 - i];
        }
        if (p.x.testBit(0)) {
            out[31] |= (byte) 0x80;
        }
        return out;
    }

    static BigInteger scalar(byte[] le) {
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) {
            be[i] = le[le.length - 1 - i];
        }
        return new BigInteger(1, be);
    }
}
