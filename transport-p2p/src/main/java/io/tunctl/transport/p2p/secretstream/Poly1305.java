package io.tunctl.transport.p2p.secretstream;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Poly1305 (RFC 8439 §2.5) in radix 2^64: the accumulator is two full 64-bit limbs plus a few bits above 2^128, and
 * r is two limbs. Clamping makes r's upper limb a multiple of 4, so the 2^128 overflow folds back exactly as
 * {@code r1 + r1/4} (2^130 = 5 mod p): each 16-byte block then costs four 64×64→128-bit products
 * ({@link Math#unsignedMultiplyHigh}, one instruction on x86_64 and aarch64) and two small ones, where three 44-bit
 * limbs need nine and BouncyCastle's five 26-bit limbs 25. Blocks are read as little-endian longs straight from
 * the array. Streaming: {@link #update} takes any split of the input.
 *
 * <p>Not thread-safe; {@link #init} resets it for the next message. Allocates nothing after construction.
 */
final class Poly1305 {
    private static final VarHandle LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private long r0, r1, s1;
    private long h0, h1, h2;
    private long pad0, pad1;
    /** A partial block waiting for more input, and how many of its bytes are filled. */
    private final byte[] partial = new byte[16];
    private int partialLength;

    /** Starts a message with the one-time key {@code key[off, off+32)}: r (clamped) then s. */
    void init(byte[] key, int off) {
        // clamp r (RFC 8439 §2.5.1): the top four bits of every 32-bit word clear, the low two of the upper three
        r0 = (long) LE.get(key, off) & 0x0ffffffc0fffffffL;
        r1 = (long) LE.get(key, off + 8) & 0x0ffffffc0ffffffcL;
        s1 = r1 + (r1 >>> 2);
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
            blocks(partial, 0, 16, 1);
            partialLength = 0;
        }
        int whole = len & ~15;
        if (whole > 0) blocks(in, off, whole, 1);
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
        // fold what is above 2^130 once more: h < 2^130 + 5 afterwards
        long c = (h2 >>> 2) * 5;
        h2 &= 3;
        h0 += c;
        c = carry(h0, c);
        h1 += c;
        h2 += carry(h1, c);
        // g = h + 5: if it reaches 2^130, h >= p and g - 2^130 is h mod p (constant-time choice)
        long g0 = h0 + 5;
        c = carry(g0, 5);
        long g1 = h1 + c;
        long g2 = h2 + carry(g1, c);
        long useG = -(g2 >>> 2); // all ones when g >= 2^130
        h0 = (h0 & ~useG) | (g0 & useG);
        h1 = (h1 & ~useG) | (g1 & useG);
        // tag = (h + s) mod 2^128
        long t0 = h0 + pad0;
        long t1 = h1 + pad1 + carry(t0, pad0);
        LE.set(out, outOff, t0);
        LE.set(out, outOff + 8, t1);
        this.h0 = this.h1 = this.h2 = 0;
    }

    /** 1 if {@code sum = x + addend} wrapped around 2^64, else 0. */
    private static long carry(long sum, long addend) {
        return Long.compareUnsigned(sum, addend) < 0 ? 1 : 0;
    }

    /** Absorbs {@code len} (a multiple of 16) bytes; {@code hibit} is the 2^128 bit of each block (1, or 0 for the padded last one). */
    private void blocks(byte[] m, int off, int len, long hibit) {
        long r0 = this.r0, r1 = this.r1, s1 = this.s1;
        long h0 = this.h0, h1 = this.h1, h2 = this.h2;
        for (int end = off + len; off < end; off += 16) {
            long t0 = (long) LE.get(m, off);
            long t1 = (long) LE.get(m, off + 8);
            // h += block (with its 2^128 bit)
            h0 += t0;
            long c = carry(h0, t0);
            h1 += t1;
            long c1 = carry(h1, t1);
            h1 += c;
            c1 += carry(h1, c);
            h2 += c1 + hibit;

            // h * r, partly reduced: r1·2^128 = r1·4·2^126 folds back as 5·(r1/4) = s1 (r1 is a multiple of 4)
            //   d0 = h0·r0 + h1·s1,  d1 = h0·r1 + h1·r0 + h2·s1,  d2 = h2·r0   (h2 is a few bits: no high words)
            long d0 = h0 * r0, d0h = Math.unsignedMultiplyHigh(h0, r0);
            long p = h1 * s1;
            d0 += p;
            d0h += Math.unsignedMultiplyHigh(h1, s1) + carry(d0, p);
            long d1 = h0 * r1, d1h = Math.unsignedMultiplyHigh(h0, r1);
            p = h1 * r0;
            d1 += p;
            d1h += Math.unsignedMultiplyHigh(h1, r0) + carry(d1, p);
            p = h2 * s1;
            d1 += p;
            d1h += carry(d1, p);
            long d2 = h2 * r0;

            // carry the 128-bit columns up: h = d0 + d1·2^64 + d2·2^128
            h0 = d0;
            d1 += d0h;
            d1h += carry(d1, d0h);
            h1 = d1;
            h2 = d2 + d1h;

            // fold bits at 2^130 and above back in (·5); h2 keeps two bits plus a carry
            c = (h2 >>> 2) + (h2 & ~3L);
            h2 &= 3;
            h0 += c;
            c = carry(h0, c);
            h1 += c;
            h2 += carry(h1, c);
        }
        this.h0 = h0;
        this.h1 = h1;
        this.h2 = h2;
    }
}
