package io.tunctl.transport.p2p.hyperdht;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunctl.transport.p2p.crypto.CryptoException;
import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import io.tunctl.transport.p2p.noise.HyperdhtHandshake;
import io.tunctl.transport.p2p.noise.NoisePayload;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreparedHandshakesTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Ed25519KeyPair CLIENT = Ed25519KeyPair.fromSeed(new byte[32]);
    private static final Ed25519KeyPair SERVER = Ed25519KeyPair.generate(RANDOM);

    @Test
    void aPreparedHandshakeIsUsedOnceAndCompletesWithTheServer() throws Exception {
        PreparedHandshakes p = new PreparedHandshakes(RANDOM);
        try {
            p.prepare(CLIENT, SERVER.publicKey());
            awaitReady(p, SERVER.publicKey());
            HyperdhtHandshake first = p.take(CLIENT, SERVER.publicKey());
            assertFalse(p.isReady(CLIENT, SERVER.publicKey()), "taken: the next connect makes or gets another");
            HyperdhtHandshake second = p.take(CLIENT, SERVER.publicKey()); // none ready: made on the spot
            byte[] m1 = first.send(NoisePayload.of(0, List.of(), 7));
            byte[] m1b = second.send(NoisePayload.of(0, List.of(), 8));
            assertNotEquals(HexFormat.of().formatHex(Arrays.copyOf(m1, 32)),
                    HexFormat.of().formatHex(Arrays.copyOf(m1b, 32)), "each handshake has its own ephemeral key");
            for (byte[] m : List.of(m1, m1b)) {
                HyperdhtHandshake server = HyperdhtHandshake.responder(SERVER, RANDOM);
                server.recv(m);
                assertArrayEquals(CLIENT.publicKey(), server.remotePublicKey());
            }
            HyperdhtHandshake server = HyperdhtHandshake.responder(SERVER, RANDOM);
            assertTrue(server.recv(m1).udx().id() == 7);
            first.recv(server.send(NoisePayload.of(1, List.of(), 9)));
            assertArrayEquals(first.result().tx(), server.result().rx());
        } finally {
            p.close();
        }
    }

    @Test
    void aServerKeyThatIsNoPointFailsTheTake() throws Exception {
        PreparedHandshakes p = new PreparedHandshakes(RANDOM);
        byte[] bad = new byte[32];
        bad[0] = 2; // y = 2 has no x on the curve
        try {
            p.prepare(CLIENT, bad);
            awaitReady(p, bad);
            assertThrows(CryptoException.class, () -> p.take(CLIENT, bad));
            assertThrows(CryptoException.class, () -> p.take(CLIENT, bad));
        } finally {
            p.close();
        }
        p.prepare(CLIENT, SERVER.publicKey());
        assertFalse(p.isReady(CLIENT, SERVER.publicKey()), "nothing is prepared once closed");
    }

    @Test
    void withNothingAheadNoHandshakeIsPreparedAndEachTakeMakesItsOwn() throws Exception {
        PreparedHandshakes p = new PreparedHandshakes(RANDOM);
        try {
            p.prepare(CLIENT, SERVER.publicKey());
            awaitReady(p, SERVER.publicKey());
            p.ahead(false);
            assertFalse(p.isReady(CLIENT, SERVER.publicKey()), "what was prepared is dropped");
            p.prepare(CLIENT, SERVER.publicKey());
            Thread.sleep(1000); // a prepare takes milliseconds
            assertFalse(p.isReady(CLIENT, SERVER.publicKey()), "nothing is prepared");
            HyperdhtHandshake h = p.take(CLIENT, SERVER.publicKey());
            HyperdhtHandshake server = HyperdhtHandshake.responder(SERVER, RANDOM);
            assertTrue(server.recv(h.send(NoisePayload.of(0, List.of(), 3))).udx().id() == 3);
        } finally {
            p.close();
        }
    }

    private static void awaitReady(PreparedHandshakes p, byte[] key) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!p.isReady(CLIENT, key)) {
            assertTrue(System.nanoTime() < deadline, "prepared within 30 s");
            Thread.sleep(5);
        }
    }
}
