package io.tunctl.benchmarks.p2p;

import io.tunctl.transport.p2p.crypto.CryptoException;
import io.tunctl.transport.p2p.crypto.Ed25519Dh;
import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import io.tunctl.transport.p2p.noise.HyperdhtHandshake;
import io.tunctl.transport.p2p.noise.HyperdhtHandshakeResult;
import io.tunctl.transport.p2p.noise.NoisePayload;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Noise IK as hyperdht runs it: one op = a complete handshake with both sides in this thread (fresh random
 * ephemerals, 2 messages, 8 Ed25519 DHs with subgroup checks, split). {@code dh} is one noise-curve-ed DH alone.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class NoiseHandshakeBenchmark {
    private final SecureRandom random = new SecureRandom();
    private Ed25519KeyPair client;
    private Ed25519KeyPair server;
    private byte[] serverPublicKey;
    private NoisePayload payload;

    @Setup
    public void setup() {
        client = Ed25519KeyPair.generate(random);
        server = Ed25519KeyPair.generate(random);
        serverPublicKey = server.publicKey();
        payload = NoisePayload.of(NoisePayload.FIREWALL_OPEN, List.of(), 0x11223344L);
    }

    @Benchmark
    public HyperdhtHandshakeResult fullHandshakeBothSides() throws CryptoException {
        HyperdhtHandshake c = HyperdhtHandshake.initiator(client, serverPublicKey, random);
        HyperdhtHandshake s = HyperdhtHandshake.responder(server, random);
        s.recv(c.send(payload));
        c.recv(s.send(payload));
        s.result();
        return c.result();
    }

    @Benchmark
    public byte[] dh() throws CryptoException {
        return Ed25519Dh.dh(serverPublicKey, client);
    }
}
