package io.tunctl.transport.p2p.noise;

import static io.tunctl.transport.p2p.crypto.Hex.b;
import static io.tunctl.transport.p2p.crypto.Hex.fill;
import static io.tunctl.transport.p2p.crypto.Hex.h;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tunctl.transport.p2p.crypto.CryptoException;
import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** hyperdht-wire.md §12.7 and §12.10 (produced by the npm packages; the interop IT recomputes them live). */
class NoiseIkHandshakeTest {
    static final Ed25519KeyPair CLIENT = Ed25519KeyPair.fromSeed(fill(0x11, 32));
    static final Ed25519KeyPair SERVER = Ed25519KeyPair.fromSeed(fill(0x22, 32));
    static final Ed25519KeyPair CLIENT_E = Ed25519KeyPair.fromSeed(fill(0x33, 32));
    static final Ed25519KeyPair SERVER_E = Ed25519KeyPair.fromSeed(fill(0x44, 32));
    static final SecureRandom RANDOM = new SecureRandom();

    @Test
    void hkdfVector() {
        byte[][] t = Hkdf.hkdf(fill(1, 64), fill(2, 32));
        assertEquals("12c4352c487964a39209817dc1f3a007a0d46ca33334d4a860fd773ac5dc462c"
                + "37dfeaa45b8b38a14b7f416a9107ea18e15700c2de4a105e6607be1964ce0184", h(t[0]));
        assertEquals("c9b08b41c790d5ccfb34c7575440ff38aa6daebdf57cc8caf802d7588be685b1"
                + "03a8b67a866c7193734491c3f6ca839d82f80844f7ee827c8db71540f039c317", h(t[1]));
    }

    @Test
    void payloadVectors() throws Exception {
        NoisePayload client = NoisePayload.of(NoisePayload.FIREWALL_OPEN,
                List.of(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 40000)), 0x11223344L);
        assertEquals("011a0001017f000001409c0100fe443322110001", h(client.encode()));
        NoisePayload server = new NoisePayload(1, 0, 1, null,
                List.of(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 40001)), null,
                new NoisePayload.Udx(1, false, 0x55667788L, 0), new NoisePayload.SecretStream(1), null,
                List.of(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 49738)));
        assertEquals("015a0001017f000001419c0100fe887766550001017f0000014ac2", h(server.encode()));
        assertEquals(server, NoisePayload.decode(server.encode()));
        assertEquals(2, NoisePayload.decode(b("02ff")).version());
    }

    @Test
    void clientTranscriptMatchesVectors() throws Exception {
        List<String> trace = new ArrayList<>();
        HyperdhtHandshake c = HyperdhtHandshake.initiator(CLIENT, SERVER.publicKey(), RANDOM)
                .withEphemeral(CLIENT_E).withTrace((s, v) -> trace.add(s + " " + h(v)));
        HyperdhtHandshake s = HyperdhtHandshake.responder(SERVER, RANDOM).withEphemeral(SERVER_E);
        byte[] m1 = c.send(NoisePayload.decode(b("011a0001017f000001409c0100fe443322110001")));
        assertEquals("17cb79fb2b4120f2b1ec65e4198d6e08b28e813feb01e4a400839b85e18080ce"
                + "15f7bd8bd352460911fcb50301c66e7967d957326fabc34eb4cada65150624ac8734704844ace0641bde64c92f4c2067"
                + "4a1ea723aa62fc9af90773e507eac8ea61b725dd64093ac3cbccb0ff23664eff518ec1c4", h(m1));
        NoisePayload p1 = s.recv(m1);
        assertEquals(0x11223344L, p1.udx().id());
        assertArrayEquals(CLIENT.publicKey(), s.remotePublicKey());
        byte[] m2 = s.send(NoisePayload.decode(b("015a0001017f000001419c0100fe887766550001017f0000014ac2")));
        assertEquals("d759793bbc13a2819a827c76adb6fba8a49aee007f49f2d0992d99b825ad2c48"
                + "a64c5df9c11c77090fae78e31330062fc53228db88712ef7415772eb057772b1303a237eb601f6d4ab9a54", h(m2));
        assertEquals(1, c.recv(m2).firewall());
        HyperdhtHandshakeResult cr = c.result();
        HyperdhtHandshakeResult sr = s.result();
        assertEquals("c89b5f6cda05b7d3fc53d03047c4be606ed30f842bedc82a818ae8dedeba133e"
                + "f35721d8dfc011292b5e019bd65b576bb7904f3811b733a025c9bf1261b63250", h(cr.handshakeHash()));
        assertEquals(h(cr.handshakeHash()), h(sr.handshakeHash()));
        assertEquals("0449dc486159e766f752316ddeb055984cc0ad321ca030c4df8f52c054e8e813", h(cr.tx()));
        assertEquals("556f6d151502cf93ef0534537a6f4a0a3d450fc2b7c134673493541d45db730b", h(cr.rx()));
        assertEquals(h(cr.tx()), h(sr.rx()));
        assertEquals(h(cr.rx()), h(sr.tx()));
        assertEquals("b5f5b7d4423af4b6d54c9f693486710b1c1c19d9d4ec0dfd8777621f265b284d", h(cr.holepunchSecret()));
        assertEquals("2b06da0165d083f57f55d0e3f647d468c10c7ed9daf61cd77345a235fcff098f", h(cr.streamId()));
        assertEquals("25d29fd3f9a60c3f3f7dd6e2a83a5fb9ac49f7df9cf3969d66ad4b4ee8b6b653", h(sr.streamId()));
        assertEquals(h(cr.streamId()), h(sr.remoteStreamId()));
        // the first steps of the vector's client trace (initialisation runs before the trace is installed)
        assertEquals(List.of(
                "mixHash 85c0b032b8f4a0c471f355f8677c86ec25d67212694f777ff94515cf350eaa46"
                        + "856fe8c4a54d75e31e888d947b5f21a9461ce857f0ff9f017f8de0e0d3b30c9a",
                "mixKey.ck 513801aae09b398e30530ceba8a44aef18accafbe8176472db3516ce92e4024d"
                        + "726b58fd3247b18bc678e5e6084bfbcd6c5ea63e63b9977f76cd9b927481f84c",
                "mixKey.k 02c144199176d3d78f0cbc2dd45f3a5b1b2b3cfe704ca5cc88ced30c8330522e"), trace.subList(0, 3));
    }

    @Test
    void aMessage1PreparedAheadIsTheVectorsMessage1() throws Exception {
        // the expensive part made first (as PreparedHandshakes does on its thread), the payload later
        HyperdhtHandshake c = HyperdhtHandshake.initiator(CLIENT,
                io.tunctl.transport.p2p.crypto.Ed25519Dh.publicPoint(SERVER.publicKey()), RANDOM)
                .withEphemeral(CLIENT_E).precompute().precompute();
        assertThrows(IllegalStateException.class, () -> c.withEphemeral(SERVER_E), "the ephemeral is spent");
        byte[] m1 = c.send(NoisePayload.decode(b("011a0001017f000001409c0100fe443322110001")));
        assertEquals("17cb79fb2b4120f2b1ec65e4198d6e08b28e813feb01e4a400839b85e18080ce"
                + "15f7bd8bd352460911fcb50301c66e7967d957326fabc34eb4cada65150624ac8734704844ace0641bde64c92f4c2067"
                + "4a1ea723aa62fc9af90773e507eac8ea61b725dd64093ac3cbccb0ff23664eff518ec1c4", h(m1));
        assertThrows(IllegalStateException.class, () -> c.precompute(), "message 1 is sent");
        assertThrows(IllegalStateException.class, () -> c.send(NoisePayload.of(0, List.of(), 1)));
        HyperdhtHandshake s = HyperdhtHandshake.responder(SERVER, RANDOM).withEphemeral(SERVER_E);
        s.recv(m1);
        byte[] m2 = s.send(NoisePayload.decode(b("015a0001017f000001419c0100fe887766550001017f0000014ac2")));
        c.recv(m2);
        assertEquals("c89b5f6cda05b7d3fc53d03047c4be606ed30f842bedc82a818ae8dedeba133e"
                + "f35721d8dfc011292b5e019bd65b576bb7904f3811b733a025c9bf1261b63250", h(c.result().handshakeHash()));
        // a server key that is no curve point fails when message 1 is prepared, and the handshake stays failed
        HyperdhtHandshake bad = HyperdhtHandshake.initiator(CLIENT, b("0200000000000000000000000000000000000000"
                + "000000000000000000000000"), RANDOM);
        assertThrows(CryptoException.class, bad::precompute);
        assertThrows(IllegalStateException.class, () -> bad.send(NoisePayload.of(0, List.of(), 1)));
    }

    @Test
    void tamperedAndMisorderedMessagesFail() throws Exception {
        HyperdhtHandshake c = HyperdhtHandshake.initiator(CLIENT, SERVER.publicKey(), RANDOM);
        HyperdhtHandshake s = HyperdhtHandshake.responder(SERVER, RANDOM);
        byte[] m1 = c.send(NoisePayload.of(0, List.of(), 1));
        byte[] bad = m1.clone();
        bad[50] ^= 1;
        assertThrows(CryptoException.class, () -> s.recv(bad));
        assertThrows(IllegalStateException.class, () -> s.recv(m1), "a failed handshake stays failed");
        assertThrows(IllegalStateException.class, () -> c.send(NoisePayload.of(0, List.of(), 1)));
        HyperdhtHandshake s2 = HyperdhtHandshake.responder(SERVER, RANDOM);
        assertThrows(CryptoException.class, () -> s2.recv(new byte[95]));
        HyperdhtHandshake wrongServer = HyperdhtHandshake.responder(CLIENT, RANDOM);
        assertThrows(CryptoException.class, () -> wrongServer.recv(m1));
    }
}
