package io.tunctl.transport.p2p.secretstream;

/** An IETF ChaCha20 key stream (96-bit nonce) that starts at block 0 on {@link #init} and continues across calls. */
interface KeyStream {
    void init(byte[] key, byte[] nonce12);

    /** XORs the next {@code len} key-stream bytes into {@code in}; {@code out} may equal {@code in} at the same offset. */
    void xor(byte[] in, int inOff, int len, byte[] out, int outOff);
}
