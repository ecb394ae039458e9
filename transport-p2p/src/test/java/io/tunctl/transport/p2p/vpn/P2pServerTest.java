package io.tunctl.transport.p2p.vpn;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.Offload;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PacketSink;
import io.tunctl.transport.p2p.config.P2pSettings;
import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import io.tunctl.transport.p2p.dht.rpc.BootstrapNode;
import io.tunctl.transport.p2p.dht.rpc.DhtNodeOptions;
import io.tunctl.transport.p2p.hyperdht.HyperDht;
import io.tunctl.transport.p2p.hyperdht.HyperDhtConnection;
import io.tunctl.transport.p2p.stream.SecureStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server's packet path in-process, on a Java-only DHT on 127.0.0.1 with raw nospoon-framing clients: admission
 * by allowed source, client-to-client forwarding that never reaches the server's TUN, routes to a listed peer's
 * prefixes, a reconnect that keeps the route, open mode learning the first source; and a {@link P2pClient} end to
 * end.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class P2pServerTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final Ed25519KeyPair SERVER = key(1);
    private static final Ed25519KeyPair A = key(2);
    private static final Ed25519KeyPair B = key(3);
    private static final Ed25519KeyPair C = key(4);

    private final List<HyperDht> dht = new ArrayList<>();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private List<BootstrapNode> bootstrap;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final NospoonLog log = new NospoonLog(new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(out, true, StandardCharsets.UTF_8));
    /** What the server's "TUN" received. */
    private final BlockingQueue<byte[]> tun = new LinkedBlockingQueue<>();
    /** The offload metadata of each, as "gsoType/gsoSize". */
    private final BlockingQueue<String> tunOffload = new LinkedBlockingQueue<>();

    private static Ed25519KeyPair key(int b) {
        return Ed25519KeyPair.fromSeed(HEX.parseHex(String.format("%02x", b).repeat(32)));
    }

    @BeforeEach
    void network() throws Exception {
        for (int i = 0; i < 3; i++) {
            HyperDht d = HyperDht.bind(DhtNodeOptions.bootstrapper("127.0.0.1", new InetSocketAddress("127.0.0.1", 0))
                    .withBootstrap(i == 0 ? List.of() : bootstrap));
            dht.add(d);
            d.fullyBootstrapped().get(30, TimeUnit.SECONDS);
            if (i == 0) bootstrap = List.of(BootstrapNode.parse("127.0.0.1:" + d.localAddress().getPort()));
        }
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing.reversed()) c.close();
        for (HyperDht d : dht.reversed()) d.close();
    }

    private HyperDht node() throws Exception {
        HyperDht d = HyperDht.bind(DhtNodeOptions.defaults().withBind(new InetSocketAddress("127.0.0.1", 0))
                .withBootstrap(bootstrap));
        d.fullyBootstrapped().get(30, TimeUnit.SECONDS);
        dht.add(d);
        return d;
    }

    private P2pSettings settings(P2pSettings.Mode mode, Map<String, P2pSettings.Peer> peers) {
        return new P2pSettings(mode, Cidr.parse(mode == P2pSettings.Mode.SERVER ? "10.0.0.1/24" : "10.0.0.2/24"), null,
                null, 1400, false, null, peers, SERVER.publicKey(), bootstrap, 0, 25);
    }

    private static P2pSettings.Peer peer(Ed25519KeyPair k, String... prefixes) {
        return new P2pSettings.Peer(HEX.formatHex(k.publicKey()), String.join(", ", prefixes),
                java.util.Arrays.stream(prefixes).map(Cidr::parse).toList());
    }

    private P2pServer server(Map<String, P2pSettings.Peer> peers) throws Exception {
        return server(peers, false);
    }

    /** @param gso the server's TUN takes super-packets (and so it announces it takes them whole) */
    private P2pServer server(Map<String, P2pSettings.Peer> peers, boolean gso) throws Exception {
        HyperDht d = node();
        P2pServer s = new P2pServer(settings(P2pSettings.Mode.SERVER, peers), d, SERVER, log, gso);
        d.announceFeatures(s.device.features());
        s.device.deliverTo(() -> new PacketSink() {
            @Override
            public void accept(PacketBatch batch) {
                for (int i = 0; i < batch.size(); i++) {
                    tun.add(batch.toArray(i));
                    tunOffload.add(batch.gsoType(i) + "/" + batch.gsoSize(i));
                }
            }
        });
        closing.add(s::close);
        assertEquals(3, s.listen().get(30, TimeUnit.SECONDS));
        return s;
    }

    /** A minimal IPv4 header (the server reads addresses only) and a payload byte. */
    static byte[] ipv4(String src, String dst, int tag) {
        ByteBuffer b = ByteBuffer.allocate(28);
        b.put(0, (byte) 0x45).putShort(2, (short) 28).put(8, (byte) 64).put(9, (byte) 17);
        b.put(12, Cidr.parse(src).addressBytes()).put(16, Cidr.parse(dst).addressBytes()).put(27, (byte) tag);
        return b.array();
    }

    /** A client speaking nospoon's framing over a raw HyperDHT connection. */
    final class RawClient {
        final HyperDhtConnection c;
        final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();

        RawClient(Ed25519KeyPair kp) throws Exception {
            this(kp, 0);
        }

        /** A raw client whose handshake announces {@code features} (0: as Node's does). */
        RawClient(Ed25519KeyPair kp, long features) throws Exception {
            HyperDht n = node();
            n.announceFeatures(features);
            c = n.connect(SERVER.publicKey(), kp).get(30, TimeUnit.SECONDS);
            NospoonFraming.Decoder d = new NospoonFraming.Decoder();
            c.handler(new SecureStream.Handler() {
                @Override
                public void onMessage(SecureStream s, byte[] buf, int off, int len) {
                    d.feed(buf, off, len, (b, o, l) -> received.add(java.util.Arrays.copyOfRange(b, o, o + l)));
                }
            });
        }

        void send(byte[] packet) throws Exception {
            byte[] f = new byte[4 + packet.length];
            NospoonFraming.header(f, 0, packet.length);
            System.arraycopy(packet, 0, f, 4, packet.length);
            c.write(f, 0, f.length);
        }
    }

    /** Writes {@code packets} into the server device as the TUN pump would. */
    private static void fromTun(P2pServer s, byte[]... packets) throws Exception {
        PacketBatch batch = PacketBatch.allocate(Arena.ofAuto(), packets.length, 2048);
        for (byte[] p : packets) batch.add(p, 0, p.length);
        s.device.write(batch);
    }

    private String logText() { return out.toString(StandardCharsets.UTF_8); }

    private void awaitLog(String text) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!logText().contains(text)) {
            if (System.nanoTime() > end) throw new AssertionError("no '" + text + "' in:\n" + logText());
            Thread.sleep(20);
        }
    }

    @Test
    void peersModeAdmitsBySourceForwardsBetweenClientsAndKeepsTheRouteAcrossAReconnect() throws Exception {
        Map<String, P2pSettings.Peer> peers = new LinkedHashMap<>();
        peers.put(HEX.formatHex(A.publicKey()), peer(A, "10.0.0.2"));
        peers.put(HEX.formatHex(B.publicKey()), peer(B, "10.0.0.3", "192.168.50.0/24"));
        P2pServer s = server(peers);
        String a8 = HEX.formatHex(A.publicKey()).substring(0, 8) + "...";
        RawClient a = new RawClient(A);
        RawClient b = new RawClient(B);
        awaitLog("Route added: 192.168.50.0/24 \u2192 client " + HEX.formatHex(B.publicKey()).substring(0, 8));
        assertTrue(logText().contains("Client connected: " + a8 + " \u2192 10.0.0.2"), logText());

        a.send(ipv4("10.0.0.2", "10.0.0.1", 1));
        assertArrayEquals(ipv4("10.0.0.2", "10.0.0.1", 1), tun.poll(10, TimeUnit.SECONDS));

        a.send(ipv4("10.0.0.9", "10.0.0.1", 2)); // not A's address: dropped and counted
        a.send(ipv4("10.0.0.2", "10.0.0.3", 3)); // to B, without the server's TUN
        a.send(ipv4("10.0.0.2", "192.168.50.7", 4)); // to B's routed prefix
        assertArrayEquals(ipv4("10.0.0.2", "10.0.0.3", 3), b.received.poll(10, TimeUnit.SECONDS));
        assertArrayEquals(ipv4("10.0.0.2", "192.168.50.7", 4), b.received.poll(10, TimeUnit.SECONDS));
        assertNull(tun.poll(300, TimeUnit.MILLISECONDS), "client-to-client traffic stays off the server's TUN");
        assertEquals(1, s.table().drops().spoofedSource());

        fromTun(s, ipv4("10.0.0.1", "10.0.0.2", 5), ipv4("10.0.0.1", "10.0.0.3", 6), ipv4("10.0.0.1", "10.0.0.99", 7));
        assertArrayEquals(ipv4("10.0.0.1", "10.0.0.2", 5), a.received.poll(10, TimeUnit.SECONDS));
        assertArrayEquals(ipv4("10.0.0.1", "10.0.0.3", 6), b.received.poll(10, TimeUnit.SECONDS));
        assertEquals(1, s.table().drops().noRoute());

        // A again, on a new connection: it takes the route; the old one's close must not remove it
        RawClient a2 = new RawClient(A);
        awaitLog("Client disconnected: " + a8);
        Thread.sleep(200);
        fromTun(s, ipv4("10.0.0.1", "10.0.0.2", 8));
        assertArrayEquals(ipv4("10.0.0.1", "10.0.0.2", 8), a2.received.poll(10, TimeUnit.SECONDS));
        a2.send(ipv4("10.0.0.2", "10.0.0.1", 9));
        assertArrayEquals(ipv4("10.0.0.2", "10.0.0.1", 9), tun.poll(10, TimeUnit.SECONDS));
        assertEquals(2, count(logText(), "Route added: 10.0.0.2 \u2192 client " + a8), logText());
    }

    @Test
    void openModeLearnsEachClientsAddressFromItsFirstPacket() throws Exception {
        P2pServer s = server(Map.of());
        RawClient a = new RawClient(A);
        RawClient c = new RawClient(C);
        a.send(ipv4("10.0.0.7", "10.0.0.1", 1));
        assertNotNull(tun.poll(10, TimeUnit.SECONDS));
        awaitLog("Route added: 10.0.0.7 \u2192 client " + HEX.formatHex(A.publicKey()).substring(0, 8));
        c.send(ipv4("10.0.0.7", "10.0.0.1", 2)); // A owns 10.0.0.7: dropped, nothing learnt
        c.send(ipv4("10.0.0.8", "10.0.0.1", 3));
        assertArrayEquals(ipv4("10.0.0.8", "10.0.0.1", 3), tun.poll(10, TimeUnit.SECONDS));
        a.send(ipv4("10.0.0.5", "10.0.0.1", 4)); // A has its address now: a different source is spoofed
        fromTun(s, ipv4("10.0.0.1", "10.0.0.7", 5), ipv4("10.0.0.1", "10.0.0.8", 6));
        assertArrayEquals(ipv4("10.0.0.1", "10.0.0.7", 5), a.received.poll(10, TimeUnit.SECONDS));
        assertArrayEquals(ipv4("10.0.0.1", "10.0.0.8", 6), c.received.poll(10, TimeUnit.SECONDS));
        assertNull(tun.poll(300, TimeUnit.MILLISECONDS));
        assertEquals(1, s.learnRefused.sum());
        assertEquals(1, s.table().drops().spoofedSource());
    }

    @Test
    void aClientConnectsCarriesPacketsBothWaysAndReconnectsWhenTheServerComesBack() throws Exception {
        P2pServer s = server(Map.of(HEX.formatHex(A.publicKey()), peer(A, "10.0.0.2")));
        P2pClient client = new P2pClient(settings(P2pSettings.Mode.CLIENT, Map.of()), node(), A, log, false);
        BlockingQueue<byte[]> clientTun = new LinkedBlockingQueue<>();
        client.device.deliverTo(() -> batch -> {
            for (int i = 0; i < batch.size(); i++) clientTun.add(batch.toArray(i));
        });
        closing.add(client::close);
        client.start();
        awaitLog("Connected to server");
        assertTrue(logText().contains("Remote reachable at 10.0.0.1"), logText());
        awaitLog("Route added: 10.0.0.2"); // the client may be open before the server has taken the session in
        PacketBatch batch = PacketBatch.allocate(Arena.ofAuto(), 3, 2048);
        for (int i = 0; i < 3; i++) {
            byte[] p = ipv4("10.0.0.2", "10.0.0.1", i);
            batch.add(p, 0, p.length);
        }
        client.device.write(batch); // three frames in one message
        for (int i = 0; i < 3; i++) assertArrayEquals(ipv4("10.0.0.2", "10.0.0.1", i), tun.poll(10, TimeUnit.SECONDS));
        fromTun(s, ipv4("10.0.0.1", "10.0.0.2", 9));
        assertArrayEquals(ipv4("10.0.0.1", "10.0.0.2", 9), clientTun.poll(10, TimeUnit.SECONDS));

        s.close(); // the server goes: the client says so and retries with backoff
        awaitLog("Connection lost. Reconnecting in ");
        P2pServer again = server(Map.of(HEX.formatHex(A.publicKey()), peer(A, "10.0.0.2")));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (count(logText(), "Connected to server") < 2 && System.nanoTime() < end) Thread.sleep(50);
        assertEquals(2, count(logText(), "Connected to server"), logText());
        // the client may say so before the server has taken the connection in and routed 10.0.0.2 to it (a loaded
        // CI run sent in between, and the packet had no route)
        String routed = "Route added: 10.0.0.2 \u2192 client " + HEX.formatHex(A.publicKey()).substring(0, 8);
        while (count(logText(), routed) < 2 && System.nanoTime() < end) Thread.sleep(50);
        assertEquals(2, count(logText(), routed), logText());
        fromTun(again, ipv4("10.0.0.1", "10.0.0.2", 10));
        assertArrayEquals(ipv4("10.0.0.1", "10.0.0.2", 10), clientTun.poll(10, TimeUnit.SECONDS));
        assertFalse(client.device.stats().txPackets() == 0);
    }

    private Map<String, P2pSettings.Peer> peersAB() {
        Map<String, P2pSettings.Peer> peers = new LinkedHashMap<>();
        peers.put(HEX.formatHex(A.publicKey()), peer(A, "10.0.0.2"));
        peers.put(HEX.formatHex(B.publicKey()), peer(B, "10.0.0.3"));
        return peers;
    }

    /** The TCP payload of the plain packets in {@code q} until {@code bytes} are there; each at most 1400 bytes. */
    private static byte[] reassemble(BlockingQueue<byte[]> q, int bytes) throws InterruptedException {
        java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
        while (data.size() < bytes) {
            byte[] p = q.poll(10, TimeUnit.SECONDS);
            assertNotNull(p, "segments stopped after " + data.size() + " of " + bytes + " bytes");
            assertTrue(p.length <= 1400, "a segment of " + p.length + " bytes");
            assertEquals(0x45, p[0] & 0xff);
            data.write(p, 40, p.length - 40);
        }
        return data.toByteArray();
    }

    @Test
    void superPacketsTravelWholeBetweenTunctlPeersAndCutForAPeerThatNeverAnnouncedIt() throws Exception {
        P2pServer s = server(peersAB(), true);
        HyperDht clientNode = node();
        P2pClient client = new P2pClient(settings(P2pSettings.Mode.CLIENT, Map.of()), clientNode, A, log, true);
        clientNode.announceFeatures(client.device.features());
        BlockingQueue<byte[]> clientTun = new LinkedBlockingQueue<>();
        BlockingQueue<String> clientOffload = new LinkedBlockingQueue<>();
        client.device.deliverTo(() -> batch -> {
            for (int i = 0; i < batch.size(); i++) {
                clientTun.add(batch.toArray(i));
                clientOffload.add(batch.gsoType(i) + "/" + batch.gsoSize(i));
            }
        });
        closing.add(client::close);
        client.start();
        RawClient b = new RawClient(B); // announces nothing, as a Node nospoon
        awaitLog("Route added: 10.0.0.3");
        awaitLog("Route added: 10.0.0.2");
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (client.current() == null && System.nanoTime() < end) Thread.sleep(20);

        // client -> server: one frame, one packet for the server's TUN, with its header
        PacketBatch up = WholeGsoTest.tcpSuperPacket(64000, 1360, 1);
        byte[] sent = up.toArray(0);
        rewriteSource(sent, 2);
        PacketBatch upBatch = withOffloadOf(up, sent);
        client.device.write(upBatch);
        assertArrayEquals(sent, tun.poll(10, TimeUnit.SECONDS));
        assertEquals(Offload.GSO_TCPV4 + "/1360", tunOffload.poll(10, TimeUnit.SECONDS));
        assertNull(tun.poll(200, TimeUnit.MILLISECONDS), "one packet, not its segments");

        // server TUN -> client: whole; server TUN -> B: cut to the MTU, the same bytes
        PacketBatch down = WholeGsoTest.tcpSuperPacket(64000, 1360, 2);
        s.device.write(down);
        assertArrayEquals(down.toArray(0), clientTun.poll(10, TimeUnit.SECONDS));
        assertEquals(Offload.GSO_TCPV4 + "/1360", clientOffload.poll(10, TimeUnit.SECONDS));
        PacketBatch toB = WholeGsoTest.tcpSuperPacket(64000, 1360, 3);
        s.device.write(toB);
        assertArrayEquals(java.util.Arrays.copyOfRange(toB.toArray(0), 40, 40 + 64000), reassemble(b.received, 64000));

        // client -> B through the server: whole on the way in, cut on the way out
        byte[] viaServer = WholeGsoTest.tcpSuperPacket(30000, 1360, 3).toArray(0);
        rewriteSource(viaServer, 2);
        client.device.write(withOffloadOf(WholeGsoTest.tcpSuperPacket(30000, 1360, 3), viaServer));
        assertArrayEquals(java.util.Arrays.copyOfRange(viaServer, 40, 40 + 30000), reassemble(b.received, 30000));
        assertNull(tun.poll(200, TimeUnit.MILLISECONDS), "client-to-client stays off the server's TUN");

        Map<String, Long> sc = s.status().counters();
        assertEquals(2, sc.get("wholeGsoRx"), sc.toString());
        assertEquals(1, sc.get("wholeGsoTx"), sc.toString());
        assertEquals(0, sc.get("wholeGsoRefused"), sc.toString());
        Map<String, Long> cc = client.status().counters();
        assertEquals(2, cc.get("wholeGsoTx"), cc.toString());
        assertEquals(1, cc.get("wholeGsoRx"), cc.toString());
        String rows = s.status().peers().toString();
        assertTrue(rows.contains("gso=whole") && rows.contains("gso=segmented"), rows);
    }

    @Test
    void aForgedWholeFrameIsRefusedAndCountedAndOneFromAPeerThatNeverAnnouncedItIsNoPacket() throws Exception {
        P2pServer s = server(peersAB(), true);
        RawClient a = new RawClient(A, io.tunctl.transport.p2p.noise.NoisePayload.FEATURE_WHOLE_GSO);
        RawClient b = new RawClient(B);
        awaitLog("Route added: 10.0.0.3");
        awaitLog("Route added: 10.0.0.2");
        PacketBatch p = WholeGsoTest.tcpSuperPacket(20000, 1360, 1);
        byte[] bytes = p.toArray(0);
        rewriteSource(bytes, 2);
        byte[] frame = WholeGsoTest.frame(withOffloadOf(p, bytes));
        byte[] forged = frame.clone();
        forged[5] = 0;
        forged[6] = 1; // gso_size 1: 20,000 segments
        a.send(forged);
        byte[] badType = frame.clone();
        badType[2] = 9;
        a.send(badType);
        a.send(frame);
        assertArrayEquals(bytes, tun.poll(10, TimeUnit.SECONDS));
        assertNull(tun.poll(200, TimeUnit.MILLISECONDS));
        assertEquals(2, s.status().counters().get("wholeGsoRefused"));

        byte[] fromB = frame.clone();
        fromB[WholeGso.HEADER + 15] = 3;
        long malformed = s.malformed.sum();
        b.send(fromB); // B announced nothing: its frame is no IP packet to the server
        b.send(ipv4("10.0.0.3", "10.0.0.1", 1));
        assertArrayEquals(ipv4("10.0.0.3", "10.0.0.1", 1), tun.poll(10, TimeUnit.SECONDS));
        assertEquals(malformed + 1, s.malformed.sum());
        assertEquals(2, s.status().counters().get("wholeGsoRefused"));
    }

    /** Sets the IPv4 source of {@code p} to 10.0.0.{@code last} (with the header checksum and the partial sum). */
    private static void rewriteSource(byte[] p, int last) {
        p[15] = (byte) last;
        p[10] = 0;
        p[11] = 0;
        int c = io.tunctl.core.packet.Checksum.checksum(java.lang.foreign.MemorySegment.ofArray(p), 0, 20);
        p[10] = (byte) (c >>> 8);
        p[11] = (byte) c;
        int sum = io.tunctl.core.packet.Checksum.fold(io.tunctl.core.packet.Checksum.pseudoHeaderV4(
                java.lang.foreign.MemorySegment.ofArray(p), 0, 6, p.length - 20));
        p[36] = (byte) (sum >>> 8);
        p[37] = (byte) sum;
    }

    /** A one-packet batch of {@code bytes} with the offload metadata of {@code like}'s slot 0. */
    private static PacketBatch withOffloadOf(PacketBatch like, byte[] bytes) {
        PacketBatch b = PacketBatch.allocate(Arena.ofAuto(), 1, 65535);
        b.add(bytes, 0, bytes.length);
        b.setOffload(0, like.flags(0), like.gsoType(0), like.hdrLen(0), like.gsoSize(0), like.csumStart(0),
                like.csumOffset(0));
        return b;
    }

    private static int count(String text, String what) {
        return text.split(java.util.regex.Pattern.quote(what), -1).length - 1;
    }
}
