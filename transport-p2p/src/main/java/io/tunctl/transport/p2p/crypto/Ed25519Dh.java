package io.tunctl.transport.p2p.crypto;

import java.util.Arrays;
import org.bouncycastle.math.ec.rfc7748.X25519Field;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * The Diffie-Hellman of {@code noise-curve-ed}: libsodium {@code crypto_scalarmult_ed25519_noclamp(scalar, P)}, where
 * the scalar is the Ed25519 secret scalar of the local key pair and the result is the compressed Edwards encoding of
 * {@code scalar * P} (not X25519, which would drop the sign of x).
 *
 * <p>The multiplication runs over extended twisted-Edwards coordinates on BouncyCastle's constant-time
 * {@link X25519Field}, as libsodium's {@code ge25519_scalarmult} does it: the scalar is recoded into 64 signed radix-16
 * digits, and each step doubles four times and adds a multiple of P picked from an 8-entry table by a full scan with
 * conditional moves, so there is no secret-dependent branch or memory access. Decoding and the subgroup check look
 * only at the public point and may run in variable time.
 *
 * <p>Rejected as libsodium rejects them: a non-canonical encoding ({@code y >= p}), a point not on the curve, a point
 * outside the prime-order subgroup (this covers every small-order and mixed-order point), the identity, and an
 * identity result.
 */
public final class Ed25519Dh {
    public static final int BYTES = 32;

    /** d = -121665/121666 and 2d, little-endian. */
    private static final int[] D = fe("a3785913ca4deb75abd841414d0a700098e879777940c78c73fe6f2bee6c0352");
    private static final int[] D2 = fe("59f1b226949bd6eb56b183829a14e00030d1f3eef2808e19e7fcdf56dcd90624");
    /** Group order L = 2^252 + 27742317777372353535851937790883648493, little-endian. */
    private static final byte[] ORDER = KeyEncoding.fromHex(
            "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
    private static final byte[] IDENTITY = new byte[BYTES];

    static {
        IDENTITY[0] = 1;
    }

    private Ed25519Dh() {
    }

    /** {@code DH(remotePublicKey, localKeyPair)} exactly as noise-curve-ed computes it. */
    public static byte[] dh(byte[] remotePublicKey, Ed25519KeyPair local) throws CryptoException {
        return dh(publicPoint(remotePublicKey), local);
    }

    /** {@link #dh(byte[], Ed25519KeyPair)} with a key decoded and checked before (no second subgroup check). */
    public static byte[] dh(PublicPoint remote, Ed25519KeyPair local) throws CryptoException {
        byte[] scalar = local.scalar();
        try {
            return multiply(scalar, remote);
        } finally {
            Arrays.fill(scalar, (byte) 0);
        }
    }

    /**
     * A public key decoded and checked as {@code crypto_scalarmult_ed25519_noclamp} checks its point. The check (a
     * multiplication by the group order) costs as much as a DH, so a key used more than once is checked once: the
     * peer's ephemeral serves two DH per handshake, a server's static key every connect to it.
     *
     * @throws CryptoException if {@code p} is not an acceptable point
     */
    public static PublicPoint publicPoint(byte[] p) throws CryptoException {
        if (p == null || p.length != BYTES) {
            throw new CryptoException("Ed25519 public key must be 32 bytes, got " + (p == null ? "null" : p.length));
        }
        Point point = decodeVar(p);
        if (point == null) {
            throw new CryptoException("Ed25519 public key is not a canonical curve point");
        }
        // BouncyCastle's full validation (canonical, on the curve, L*P = O) uses a fast variable-time wNAF multiply;
        // the identity is excluded separately, as libsodium's small-order blacklist does
        if (point.isIdentityVar() || !Ed25519.validatePublicKeyFull(p, 0)) {
            throw new CryptoException("Ed25519 public key is not in the prime-order subgroup");
        }
        return new PublicPoint(p.clone(), point);
    }

    /**
     * {@code crypto_scalarmult_ed25519_noclamp(n, p)}: {@code n} is used as given except that bit 255 is cleared.
     *
     * @throws CryptoException if {@code p} is not an acceptable point, {@code n} is zero or the result is the identity
     */
    public static byte[] scalarMultNoClamp(byte[] n, byte[] p) throws CryptoException {
        if (n == null || n.length != 32) {
            throw new IllegalArgumentException("scalar must be 32 bytes");
        }
        return multiply(n, publicPoint(p));
    }

    private static byte[] multiply(byte[] n, PublicPoint p) throws CryptoException {
        if (n.length != 32) {
            throw new IllegalArgumentException("scalar must be 32 bytes");
        }
        byte[] t = n.clone();
        t[31] &= 127;
        Point q = windowed(t, p.point);
        Arrays.fill(t, (byte) 0);
        byte[] out = q.encode();
        boolean zeroScalar = true;
        for (byte b : n) {
            zeroScalar &= b == 0;
        }
        if (Arrays.equals(out, IDENTITY) || zeroScalar) {
            throw new CryptoException("Ed25519 DH result is the identity");
        }
        return out;
    }

    /**
     * A checked public key ({@link #publicPoint}), immutable: one may serve DH on several threads at once, since a
     * multiplication only reads it.
     */
    public static final class PublicPoint {
        private final byte[] encoded;
        private final Point point;

        private PublicPoint(byte[] encoded, Point point) {
            this.encoded = encoded;
            this.point = point;
        }

        /** The 32-byte encoding it was decoded from. */
        public byte[] encoded() {
            return encoded.clone();
        }

        /** Whether this is the point {@code publicKey} encodes. */
        public boolean is(byte[] publicKey) {
            return Arrays.equals(encoded, publicKey);
        }
    }

    /**
     * Constant-time k*P with signed 4-bit windows (k below 2^255). Digits e[i] in [-8, 8) except the top one in
     * [0, 8]; sum e[i] 16^i = k.
     */
    static Point windowed(byte[] k, Point p) {
        int[] e = new int[64];
        for (int i = 0; i < 32; i++) {
            e[2 * i] = k[i] & 15;
            e[2 * i + 1] = (k[i] >>> 4) & 15;
        }
        int carry = 0;
        for (int i = 0; i < 63; i++) {
            e[i] += carry;
            carry = (e[i] + 8) >> 4;
            e[i] -= carry << 4;
        }
        e[63] += carry;

        Cached[] table = new Cached[8];
        Point multiple = p.copy();
        Point scratch = new Point();
        table[0] = new Cached(multiple);
        for (int j = 1; j < 8; j++) {
            Point.add(multiple, p, multiple, scratch);
            table[j] = new Cached(multiple);
        }
        Point r = Point.identity();
        Cached pick = new Cached();
        for (int i = 63; i >= 0; i--) {
            // doubling reads no T: only the last of the four, which the addition needs, computes it
            Point.dblNoT(r, r);
            Point.dblNoT(r, r);
            Point.dblNoT(r, r);
            Point.dbl(r, r);
            pick.select(table, e[i]);
            pick.addTo(r, scratch);
        }
        java.util.Arrays.fill(e, 0);
        return r;
    }

    /** A point prepared for addition: (Y+X, Y-X, 2Z, 2dT). */
    static final class Cached {
        final int[] yPlusX = X25519Field.create();
        final int[] yMinusX = X25519Field.create();
        final int[] z2 = X25519Field.create();
        final int[] t2d = X25519Field.create();

        /** The identity (1, 1, 2, 0). */
        Cached() {
            setIdentity();
        }

        Cached(Point p) {
            X25519Field.add(p.y, p.x, yPlusX);
            X25519Field.sub(p.y, p.x, yMinusX);
            X25519Field.add(p.z, p.z, z2);
            X25519Field.carry(yPlusX);
            X25519Field.carry(yMinusX);
            X25519Field.carry(z2);
            X25519Field.mul(p.t, D2, t2d);
        }

        private void setIdentity() {
            X25519Field.one(yPlusX);
            X25519Field.one(yMinusX);
            X25519Field.one(z2);
            X25519Field.addOne(z2);
            X25519Field.zero(t2d);
        }

        /** this = sign(b) * table[|b| - 1], or the identity for b = 0, by scanning every entry. */
        void select(Cached[] table, int b) {
            int negative = (b >>> 31) & 1;
            int abs = b - ((-negative & b) << 1);
            setIdentity();
            for (int j = 1; j <= table.length; j++) {
                int mask = ((abs ^ j) - 1) >> 31; // -1 when abs == j
                Cached c = table[j - 1];
                X25519Field.cmov(mask, c.yPlusX, 0, yPlusX, 0);
                X25519Field.cmov(mask, c.yMinusX, 0, yMinusX, 0);
                X25519Field.cmov(mask, c.z2, 0, z2, 0);
                X25519Field.cmov(mask, c.t2d, 0, t2d, 0);
            }
            // -(x, y) = (-x, y): swaps Y+X with Y-X and negates T
            X25519Field.cswap(negative, yPlusX, yMinusX);
            X25519Field.cnegate(negative, t2d);
        }

        /** r += this (8 multiplications); s supplies scratch. */
        void addTo(Point r, Point s) {
            X25519Field.sub(r.y, r.x, s.a);
            X25519Field.carry(s.a);
            X25519Field.mul(s.a, yMinusX, s.a);      // A
            X25519Field.add(r.y, r.x, s.b);
            X25519Field.carry(s.b);
            X25519Field.mul(s.b, yPlusX, s.b);       // B
            X25519Field.mul(r.t, t2d, s.c);          // C
            X25519Field.mul(r.z, z2, s.d);           // D
            X25519Field.sub(s.b, s.a, s.e);
            X25519Field.sub(s.d, s.c, s.f);
            X25519Field.add(s.d, s.c, s.g);
            X25519Field.add(s.b, s.a, s.h);
            X25519Field.carry(s.e);
            X25519Field.carry(s.f);
            X25519Field.carry(s.g);
            X25519Field.carry(s.h);
            X25519Field.mul(s.e, s.f, r.x);
            X25519Field.mul(s.g, s.h, r.y);
            X25519Field.mul(s.e, s.h, r.t);
            X25519Field.mul(s.f, s.g, r.z);
        }
    }

    /** Constant-time Montgomery ladder over bits 254..0 (a simpler reference the tests compare {@link #windowed} with). */
    static Point ladder(byte[] k, Point p) {
        Point r0 = Point.identity();
        Point r1 = p.copy();
        Point tmp = new Point();
        int swap = 0;
        for (int i = 254; i >= 0; i--) {
            int bit = (k[i >>> 3] >>> (i & 7)) & 1;
            swap ^= bit;
            Point.cswap(swap, r0, r1);
            swap = bit;
            Point.add(r0, r1, r1, tmp);
            Point.dbl(r0, r0);
        }
        Point.cswap(swap, r0, r1);
        return r0;
    }

    /** Variable-time double-and-add, for public scalars only (tests cross-check the subgroup check with it). */
    static Point multiplyVar(Point p, byte[] k) {
        Point r = Point.identity();
        Point tmp = new Point();
        for (int i = 255; i >= 0; i--) {
            Point.dbl(r, r);
            if (((k[i >>> 3] >>> (i & 7)) & 1) != 0) {
                Point.add(r, p, r, tmp);
            }
        }
        return r;
    }

    /** Decodes a compressed point, or null if y is not canonical or no x exists. */
    static Point decodeVar(byte[] s) {
        // canonical: the 255-bit y must be below p = 2^255 - 19
        boolean allOnes = (s[31] & 0x7f) == 0x7f;
        for (int i = 30; i > 0 && allOnes; i--) {
            allOnes = (s[i] & 0xff) == 0xff;
        }
        if (allOnes && (s[0] & 0xff) >= 0xed) {
            return null;
        }
        int sign = (s[31] >>> 7) & 1;
        Point r = new Point();
        X25519Field.decode(s, 0, r.y); // BC masks bit 255
        int[] u = X25519Field.create();
        int[] v = X25519Field.create();
        X25519Field.sqr(r.y, u);
        X25519Field.mul(D, u, v);
        X25519Field.subOne(u);           // u = y^2 - 1
        X25519Field.addOne(v);           // v = d*y^2 + 1
        if (!X25519Field.sqrtRatioVar(u, v, r.x)) {
            return null;
        }
        X25519Field.normalize(r.x);
        int[] xEnc = new int[8];
        X25519Field.encode(r.x, xEnc, 0);
        if ((xEnc[0] & 1) != sign) {
            X25519Field.negate(r.x, r.x);
            X25519Field.normalize(r.x);
        }
        X25519Field.one(r.z);
        X25519Field.mul(r.x, r.y, r.t);
        return r;
    }

    private static int[] fe(String hexLittleEndian) {
        int[] f = X25519Field.create();
        X25519Field.decode(KeyEncoding.fromHex(hexLittleEndian), 0, f);
        return f;
    }

    /** A point in extended coordinates (X:Y:Z:T), x = X/Z, y = Y/Z, x*y = T/Z. */
    static final class Point {
        final int[] x = X25519Field.create();
        final int[] y = X25519Field.create();
        final int[] z = X25519Field.create();
        final int[] t = X25519Field.create();
        // scratch for add/dbl, per point so the ladder allocates nothing per step
        private final int[] a = X25519Field.create();
        private final int[] b = X25519Field.create();
        private final int[] c = X25519Field.create();
        private final int[] d = X25519Field.create();
        private final int[] e = X25519Field.create();
        private final int[] f = X25519Field.create();
        private final int[] g = X25519Field.create();
        private final int[] h = X25519Field.create();

        static Point identity() {
            Point p = new Point();
            X25519Field.one(p.y);
            X25519Field.one(p.z);
            return p;
        }

        Point copy() {
            Point p = new Point();
            X25519Field.copy(x, 0, p.x, 0);
            X25519Field.copy(y, 0, p.y, 0);
            X25519Field.copy(z, 0, p.z, 0);
            X25519Field.copy(t, 0, p.t, 0);
            return p;
        }

        static void cswap(int swap, Point p, Point q) {
            X25519Field.cswap(swap, p.x, q.x);
            X25519Field.cswap(swap, p.y, q.y);
            X25519Field.cswap(swap, p.z, q.z);
            X25519Field.cswap(swap, p.t, q.t);
        }

        /**
         * r = p + q with the complete a = -1 formulas (Hisil-Wong-Carter-Dawson 2008, "add-2008-hwcd-3"); r may alias
         * p or q. {@code s} supplies the scratch space.
         */
        static void add(Point p, Point q, Point r, Point s) {
            X25519Field.sub(p.y, p.x, s.a);
            X25519Field.sub(q.y, q.x, s.b);
            X25519Field.mul(s.a, s.b, s.a);          // A = (Y1-X1)(Y2-X2)
            X25519Field.add(p.y, p.x, s.b);
            X25519Field.add(q.y, q.x, s.c);
            X25519Field.mul(s.b, s.c, s.b);          // B = (Y1+X1)(Y2+X2)
            X25519Field.mul(p.t, q.t, s.c);
            X25519Field.mul(s.c, D2, s.c);           // C = 2d T1 T2
            X25519Field.mul(p.z, q.z, s.d);
            X25519Field.add(s.d, s.d, s.d);          // D = 2 Z1 Z2
            X25519Field.carry(s.d);
            X25519Field.sub(s.b, s.a, s.e);          // E = B - A
            X25519Field.sub(s.d, s.c, s.f);          // F = D - C
            X25519Field.add(s.d, s.c, s.g);          // G = D + C
            X25519Field.add(s.b, s.a, s.h);          // H = B + A
            X25519Field.carry(s.e);
            X25519Field.carry(s.f);
            X25519Field.carry(s.g);
            X25519Field.carry(s.h);
            X25519Field.mul(s.e, s.f, r.x);
            X25519Field.mul(s.g, s.h, r.y);
            X25519Field.mul(s.e, s.h, r.t);
            X25519Field.mul(s.f, s.g, r.z);
        }

        /** r = 2p ("dbl-2008-hwcd" with a = -1); r may alias p. Uses p's scratch. */
        static void dbl(Point p, Point r) {
            dblNoT(p, r);
            X25519Field.mul(p.e, p.h, r.t);
        }

        /** {@link #dbl} without T (one multiplication less), for a result that is only doubled again. */
        static void dblNoT(Point p, Point r) {
            X25519Field.sqr(p.x, p.a);               // A = X^2
            X25519Field.sqr(p.y, p.b);               // B = Y^2
            X25519Field.sqr(p.z, p.c);
            X25519Field.add(p.c, p.c, p.c);          // C = 2 Z^2
            X25519Field.carry(p.c);
            X25519Field.add(p.x, p.y, p.e);
            X25519Field.carry(p.e);
            X25519Field.sqr(p.e, p.e);
            X25519Field.add(p.a, p.b, p.h);          // A + B
            X25519Field.sub(p.e, p.h, p.e);          // E = (X+Y)^2 - (A+B) = 2XY
            X25519Field.sub(p.b, p.a, p.g);          // G = B - A  (= aA + B with a = -1)
            X25519Field.sub(p.g, p.c, p.f);          // F = G - C
            X25519Field.negate(p.h, p.h);            // H = -A - B (= aA - B)
            X25519Field.carry(p.e);
            X25519Field.carry(p.f);
            X25519Field.carry(p.g);
            X25519Field.carry(p.h);
            X25519Field.mul(p.e, p.f, r.x);
            X25519Field.mul(p.g, p.h, r.y);
            X25519Field.mul(p.f, p.g, r.z);
        }

        boolean isIdentityVar() {
            int[] xx = X25519Field.create();
            int[] yz = X25519Field.create();
            X25519Field.copy(x, 0, xx, 0);
            X25519Field.normalize(xx);
            X25519Field.sub(y, z, yz);
            X25519Field.normalize(yz);
            return X25519Field.isZeroVar(xx) && X25519Field.isZeroVar(yz);
        }

        /** Compressed encoding: y with the low bit of x in bit 255. Constant time (inversion by exponentiation). */
        byte[] encode() {
            int[] zi = X25519Field.create();
            int[] ax = X25519Field.create();
            int[] ay = X25519Field.create();
            X25519Field.inv(z, zi);
            X25519Field.mul(x, zi, ax);
            X25519Field.mul(y, zi, ay);
            X25519Field.normalize(ax);
            X25519Field.normalize(ay);
            byte[] out = new byte[32];
            byte[] xb = new byte[32];
            X25519Field.encode(ay, out, 0);
            X25519Field.encode(ax, xb, 0);
            out[31] |= (byte) ((xb[0] & 1) << 7);
            return out;
        }
    }
}
