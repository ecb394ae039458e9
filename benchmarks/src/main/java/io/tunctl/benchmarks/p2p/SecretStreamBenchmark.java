package io.tunctl.benchmarks.p2p;

import io.tunctl.transport.p2p.crypto.CryptoException;
import io.tunctl.transport.p2p.secretstream.ChaChaBackend;
import io.tunctl.transport.p2p.secretstream.SecretStreamCipher;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * crypto_secretstream_xchacha20poly1305 push + pull of one message (ops/s; multiply by {@code size} for bytes/s) for
 * the BouncyCastle key stream and the JDK ChaCha20 intrinsic key stream. Poly1305 is BouncyCastle's in both.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SecretStreamBenchmark {
    @Param({"1400", "65536"})
    int size;

    @Param({"BOUNCY_CASTLE", "JDK"})
    ChaChaBackend backend;

    private SecretStreamCipher push;
    private SecretStreamCipher pull;
    private byte[] message;
    private byte[] cipher;
    private byte[] plain;

    @Setup
    public void setup() {
        Random r = new Random(1);
        byte[] key = new byte[32];
        byte[] header = new byte[24];
        r.nextBytes(key);
        r.nextBytes(header);
        push = SecretStreamCipher.initPush(key, header, backend);
        pull = SecretStreamCipher.initPull(key, header, backend);
        message = new byte[size];
        r.nextBytes(message);
        cipher = new byte[size + SecretStreamCipher.ABYTES];
        plain = new byte[size];
    }

    @Benchmark
    public int encryptDecrypt() throws CryptoException {
        push.push(message, 0, size, SecretStreamCipher.TAG_MESSAGE, cipher, 0);
        return pull.pull(cipher, 0, cipher.length, plain, 0);
    }

    @Benchmark
    public int encryptOnly() {
        return push.push(message, 0, size, SecretStreamCipher.TAG_MESSAGE, cipher, 0);
    }
}
