package io.tunctl.transport.p2p.hyperdht;

import io.tunctl.transport.p2p.crypto.CryptoException;
import io.tunctl.transport.p2p.crypto.Ed25519Dh;
import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import io.tunctl.transport.p2p.dht.hyperdht.SecurePayload;
import io.tunctl.transport.p2p.noise.HyperdhtHandshake;
import io.tunctl.transport.p2p.noise.HyperdhtHandshakeResult;
import io.tunctl.transport.p2p.noise.NoisePayload;
import io.tunctl.transport.p2p.secretstream.SecretStream;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a connect's cryptography once per process, on a daemon thread, when the first node starts: whole Noise IK
 * handshakes between throwaway keys (both sides) and the secret-stream set-up after them. A cold JVM spends several
 * times as long on an Ed25519 DH as a compiled one, and a connect makes five of them in its critical path; Node's
 * peers use libsodium, compiled ahead. Nothing here touches a socket or a key in use, and nothing is kept.
 */
final class CryptoWarmUp {
    /**
     * Handshakes run, eight DH each. A DH's time falls steeply over the first 20 or so (the field arithmetic gets
     * compiled) and slowly after; the whole costs a few hundred ms of one core, once.
     */
    static final int ROUNDS = 32;
    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private CryptoWarmUp() {
    }

    static void startOnce() {
        if (STARTED.compareAndSet(false, true)) {
            Thread t = new Thread(CryptoWarmUp::run, "hyperdht-warm-up");
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            t.start();
        }
    }

    static void run() {
        SecureRandom random = new SecureRandom();
        Ed25519KeyPair server = Ed25519KeyPair.generate(random);
        Ed25519KeyPair client = Ed25519KeyPair.generate(random);
        NoisePayload payload = new NoisePayload(1, NoisePayload.ERROR_NONE, NoisePayload.FIREWALL_UNKNOWN, null,
                List.of(), List.of(), new NoisePayload.Udx(1, false, 1, 0), new NoisePayload.SecretStream(1), null,
                null);
        try {
            for (int i = 0; i < ROUNDS; i++) {
                HyperdhtHandshake c = HyperdhtHandshake.initiator(client, Ed25519Dh.publicPoint(server.publicKey()),
                        random).precompute();
                HyperdhtHandshake s = HyperdhtHandshake.responder(server, random);
                s.recv(c.send(payload));
                c.recv(s.send(payload));
                HyperdhtHandshakeResult r = c.result();
                SecretStream.of(r, random).seal(new byte[64]);
                new SecurePayload(r.holepunchSecret(), random);
            }
        } catch (CryptoException e) {
            throw new IllegalStateException("warm-up handshake between fresh keys failed", e);
        }
    }
}
