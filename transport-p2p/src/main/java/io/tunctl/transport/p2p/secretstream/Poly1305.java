package io.tunctl.transport.p2p.secretstream;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Poly1305 (RFC 8439 §2.5) with three 44/44/42-bit limbs, so each 16-byte block costs nine 64×64→128-bit
 * multiplications ({@link Math#unsignedMultiplyHigh}, one instruction on x86_64 and aarch64) where the 26-bit
 * five-limb form (BouncyCastle's) needs 25 and runs at about a third of the JDK's ChaCha20. Blocks are read as
 * little-endian longs straight from the array. Streaming: {@link #update} takes any split of the input.
 *
 * <p>Not thread-safe; {@link #init} resets it for the next message. Allocates nothing after construction.
 */
final class Poly1305 {
    private static final VarHandle LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long M44 = 0xfffffffffffL;
    private static final long M42 = 0x3ffffffffffL;

    private long r0, r1, r2, s1, s2;
    private long h0, h1, h2;
    private long pad0, pad1;
    /** A partial block waiting for more input, and how many of its bytes are filled. */
    private final byte[] partial = new byte[16];
    private int partialLength;

    /** Starts a message with the one-time key {@code key[off, off+32)}: r (clamped) then s. */
    void init(byte[] key, int off) {
        long t0 = (long) LE.get(key, off);
        long t1 = (long) LE.get(key, off + 8);
        // clamp r (RFC 8439 §2.5.1) while splitting it into limbs
        r0 = t0 & 0xffc0fffffffL;
        r1 = ((t0 >>> 44) | (t1 << 20)) & 0xfffffc0ffffL;
        r2 = (t1 >>> 24) & 0x00ffffffc0fL;
        // 2^130 = 5 (mod p), and the limbs sit 44 bits apart: r·2^132 folds back as r·5·4
        s1 = r1 * 20;
        s2 = r2 * 20;
        h0 = h1 = h2 = 0;
        pad0 = (long) LE.get(key, off + 16);
        pad1 = (long) LE.get(key, off + 24);
        partialLength = 0;
    }

    void update(byte[] in, int off, int len) {
        if (partialLength > 0) {
            int take = Math.min(16 - partialLength, len);
            System.arraycopy(in, off, partial, partialLength, take);
            partialLength += take;
            off += take;
            len -= take;
            if (partialLength < 16) return;
            blocks(partial, 0, 16, 1L << 40);
            partialLength = 0;
        }
        int whole = len & ~15;
        if (whole > 0) blocks(in, off, whole, 1L << 40);
        int rest = len - whole;
        if (rest > 0) {
            System.arraycopy(in, off + whole, partial, 0, rest);
            partialLength = rest;
        }
    }

    /** Writes the 16-byte tag to {@code out[outOff..]}; {@link #init} must come before the next message. */
    void doFinal(byte[] out, int outOff) {
        if (partialLength > 0) {
            // the last, short block: a 1 byte after the message, zeros after that, and no 2^128 bit
            partial[partialLength] = 1;
            for (int i = partialLength + 1; i < 16; i++) partial[i] = 0;
            blocks(partial, 0, 16, 0);
            partialLength = 0;
        }
        long h0 = this.h0, h1 = this.h1, h2 = this.h2;
        // carry all the way round twice: h < 2^130 afterwards, each limb within its width
        long c = h1 >>> 44; h1 &= M44; h2 += c;
        c = h2 >>> 42; h2 &= M42; h0 += c * 5;
        c = h0 >>> 44; h0 &= M44; h1 += c;
        c = h1 >>> 44; h1 &= M44; h2 += c;
        c = h2 >>> 42; h2 &= M42; h0 += c * 5;
        c = h0 >>> 44; h0 &= M44; h1 += c;
        // g = h + 5 - 2^130: if it does not go negative, h >= p and g is h mod p (constant time choice)
        long g0 = h0 + 5; c = g0 >>> 44; g0 &= M44;
        long g1 = h1 + c; c = g1 >>> 44; g1 &= M44;
        long g2 = h2 + c - (1L << 42);
        long useG = (g2 >>> 63) - 1; // all ones when g2 >= 0
        h0 = (h0 & ~useG) | (g0 & useG);
        h1 = (h1 & ~useG) | (g1 & useG);
        h2 = (h2 & ~useG) | (g2 & useG & M42);
        // tag = (h + s) mod 2^128
        long t0 = pad0, t1 = pad1;
        h0 += t0 & M44; c = h0 >>> 44; h0 &= M44;
        h1 += (((t0 >>> 44) | (t1 << 20)) & M44) + c; c = h1 >>> 44; h1 &= M44;
        h2 += ((t1 >>> 24) & M42) + c; h2 &= M42;
        LE.set(out, outOff, h0 | (h1 << 44));
        LE.set(out, outOff + 8, (h1 >>> 20) | (h2 << 24));
        this.h0 = this.h1 = this.h2 = 0;
    }

    /** Absorbs {@code len} (a multiple of 16) bytes; {@code hibit} is 2^128 in the top limb's terms, or 0. */
    private void blocks(byte[] m, int off, int len, long hibit) {
        long r0 = this.r0, r1 = this.r1, r2 = this.r2, s1 = this.s1, s2 = this.s2;
        long h0 = this.h0, h1 = this.h1, h2 = this.h2;
        for (int end = off + len; off < end; off += 16) {
            long t0 = (long) LE.get(m, off);
            long t1 = (long) LE.get(m, off + 8);
            h0 += t0 & M44;
            h1 += ((t0 >>> 44) | (t1 << 20)) & M44;
            h2 += ((t1 >>> 24) & M42) | hibit;

            // h * r mod p, each sum of three products as a 128-bit (hi, lo) pair; every product is < 2^95
            long lo0 = h0 * r0, hi0 = Math.unsignedMultiplyHigh(h0, r0);
            long p = h1 * s2, q = lo0 + p;
            hi0 += Math.unsignedMultiplyHigh(h1, s2) + (Long.compareUnsigned(q, p) < 0 ? 1 : 0);
            lo0 = q;
            p = h2 * s1; q = lo0 + p;
            hi0 += Math.unsignedMultiplyHigh(h2, s1) + (Long.compareUnsigned(q, p) < 0 ? 1 : 0);
            lo0 = q;

            long lo1 = h0 * r1, hi1 = Math.unsignedMultiplyHigh(h0, r1);
            p = h1 * r0; q = lo1 + p;
            hi1 += Math.unsignedMultiplyHigh(h1, r0) + (Long.compareUnsigned(q, p) < 0 ? 1 : 0);
            lo1 = q;
            p = h2 * s2; q = lo1 + p;
            hi1 += Math.unsignedMultiplyHigh(h2, s2) + (Long.compareUnsigned(q, p) < 0 ? 1 : 0);
            lo1 = q;

            long lo2 = h0 * r2, hi2 = Math.unsignedMultiplyHigh(h0, r2);
            p = h1 * r1; q = lo2 + p;
            hi2 += Math.unsignedMultiplyHigh(h1, r1) + (Long.compareUnsigned(q, p) < 0 ? 1 : 0);
            lo2 = q;
            p = h2 * r0; q = lo2 + p;
            hi2 += Math.unsignedMultiplyHigh(h2, r0) + (Long.compareUnsigned(q, p) < 0 ? 1 : 0);
            lo2 = q;

            // partial reduction: limbs back to 44/44/42 bits, the top's overflow folded in as ·5
            long c = (lo0 >>> 44) | (hi0 << 20);
            h0 = lo0 & M44;
            q = lo1 + c;
            hi1 += Long.compareUnsigned(q, c) < 0 ? 1 : 0;
            lo1 = q;
            c = (lo1 >>> 44) | (hi1 << 20);
            h1 = lo1 & M44;
            q = lo2 + c;
            hi2 += Long.compareUnsigned(q, c) < 0 ? 1 : 0;
            lo2 = q;
            c = (lo2 >>> 42) | (hi2 << 22);
            h2 = lo2 & M42;
            h0 += c * 5;
            c = h0 >>> 44;
            h0 &= M44;
            h1 += c;
        }
        this.h0 = h0;
        this.h1 = h1;
        this.h2 = h2;
    }
}
