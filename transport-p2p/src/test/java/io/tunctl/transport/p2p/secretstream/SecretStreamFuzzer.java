package io.tunctl.transport.p2p.secretstream;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tunctl.core.testkit.AllocationBound;
import io.tunctl.transport.p2p.crypto.CryptoException;

import static io.tunctl.transport.p2p.crypto.Hex.seq;

/**
 * Coverage-guided fuzz target for the receiving side of a secret stream ({@link SecretStream#receive}) with the
 * keys of {@link SecretStreamTest}: the peer's bytes cut into pieces (the first input byte seeds the cuts), so
 * length prefixes and frames split across reads. The corpus holds real header frames and sealed messages from the
 * other end, so the fuzzer starts past the MAC. Property: only the documented {@link CryptoException}; after it the
 * stream stays failed; allocation at most {@value #BASE} bytes plus {@value #PER_BYTE} per input byte: what a peer
 * makes the receiver allocate follows the bytes it sent, not the 24-bit length it announced.
 */
public class SecretStreamFuzzer {
    /** Keys, ciphers, and the first 64 KiB of a frame body, which the receiver allocates before it arrives. */
    static final long BASE = 160 * 1024;
    static final long PER_BYTE = 16;

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        if (data.length == 0) return;
        AllocationBound.check("secret stream receive", data.length, BASE, PER_BYTE, () -> run(data));
    }

    @FuzzTest(maxDuration = "10s")
    void fuzz(byte[] data) throws Exception {
        fuzzerTestOneInput(data);
    }

    /** The responder of {@link SecretStreamTest}'s pair; the initiator with the same keys writes the seeds. */
    static SecretStream receiver() {
        return new SecretStream(false, SecretStreamTest.CLIENT_RX, SecretStreamTest.CLIENT_TX,
                SecretStreamTest.HASH, seq(0x70, 24), ChaChaBackend.JDK, false);
    }

    static SecretStream sender() {
        return new SecretStream(true, SecretStreamTest.CLIENT_TX, SecretStreamTest.CLIENT_RX,
                SecretStreamTest.HASH, seq(0x50, 24), ChaChaBackend.JDK, false);
    }

    private static void run(byte[] data) {
        SecretStream s = receiver();
        int seed = data[0] & 0xff;
        try {
            for (int p = 1; p < data.length; ) {
                seed = seed * 1103515245 + 12345;
                int n = Math.min(data.length - p, 1 + ((seed >>> 16) & 0xff));
                s.receive(data, p, n, m -> { });
                p += n;
            }
        } catch (CryptoException documented) {
            try {
                s.receive(data, 0, 1, m -> { });
                throw new AssertionError("a failed stream took more bytes");
            } catch (CryptoException expected) {
                // stays failed, as Node destroys the stream
            }
        }
    }
}
