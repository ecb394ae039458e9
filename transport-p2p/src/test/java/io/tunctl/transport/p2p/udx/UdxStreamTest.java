package io.tunctl.transport.p2p.udx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Java to Java UDX over loopback: bytes, end, destroy, messages and socket sharing. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdxStreamTest {

    private static final InetSocketAddress ANY = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private UdxSocket a;
    private UdxSocket b;

    @BeforeEach
    void bind() throws Exception {
        a = UdxSocket.bind(ANY);
        b = UdxSocket.bind(ANY);
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
        assertEquals(0, a.streamCount());
        assertEquals(0, b.streamCount());
    }

    private UdxStream[] pair() {
        UdxStream x = a.createStream(1);
        UdxStream y = b.createStream(2);
        x.connect(2, b.localAddress());
        y.connect(1, a.localAddress());
        return new UdxStream[] {x, y};
    }

    @Test
    void transfersBytesBothWaysAndClosesAfterBothEnds() throws Exception {
        UdxStream[] p = pair();
        byte[] data = new byte[8 << 20];
        new SplittableRandom(1).nextBytes(data);
        CompletableFuture<byte[]> got = Transfer.async(() -> {
            try (InputStream in = p[1].inputStream()) {
                return in.readAllBytes();
            }
        });
        try (OutputStream out = p[0].outputStream()) {
            out.write(data);
        }
        byte[] received = got.get(30, TimeUnit.SECONDS);
        assertEquals(MessageDigest.getInstance("SHA-256").digest(data).length, 32);
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(data),
                MessageDigest.getInstance("SHA-256").digest(received));
        assertEquals(2, a.streamCount() + b.streamCount());
        p[1].write(Unpooled.copiedBuffer("reply", StandardCharsets.US_ASCII));
        p[1].end();
        assertEquals("reply", new String(p[0].inputStream().readAllBytes(), StandardCharsets.US_ASCII));
        p[0].closeFuture().get(10, TimeUnit.SECONDS);
        p[1].closeFuture().get(10, TimeUnit.SECONDS);
        assertEquals(0, a.streamCount());
        assertEquals(0, b.streamCount());
    }

    @Test
    void destroyResetsThePeer() throws Exception {
        UdxStream[] p = pair();
        p[0].write(Unpooled.copiedBuffer("x", StandardCharsets.US_ASCII));
        assertEquals('x', p[1].inputStream().read());
        p[0].destroy();
        p[0].closeFuture().get(5, TimeUnit.SECONDS);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> p[1].closeFuture().get(5, TimeUnit.SECONDS));
        assertEquals("ECONNRESET", assertInstanceOf(UdxStreamException.class, e.getCause()).code());
        assertEquals(0, a.streamCount());
        assertEquals(0, b.streamCount());
    }

    @Test
    void messagesBothWays() throws Exception {
        UdxStream[] p = pair();
        BlockingQueue<String> atA = new ArrayBlockingQueue<>(4);
        BlockingQueue<String> atB = new ArrayBlockingQueue<>(4);
        p[0].onMessage(m -> atA.add(m.toString(StandardCharsets.UTF_8)));
        p[1].onMessage(m -> atB.add(m.toString(StandardCharsets.UTF_8)));
        p[0].send(Unpooled.copiedBuffer("ping", StandardCharsets.UTF_8));
        assertEquals("ping", atB.poll(5, TimeUnit.SECONDS));
        p[1].send(Unpooled.copiedBuffer("pong", StandardCharsets.UTF_8));
        assertEquals("pong", atA.poll(5, TimeUnit.SECONDS));
        p[0].send(Unpooled.EMPTY_BUFFER);
        assertEquals("", atB.poll(5, TimeUnit.SECONDS));
        assertThrows(IllegalArgumentException.class, () -> p[0].send(Unpooled.buffer(2029).writeZero(2029)));
    }

    @Test
    void nonUdxDatagramsGoToTheMessageHandler() throws Exception {
        pair();
        BlockingQueue<String> other = new ArrayBlockingQueue<>(8);
        b.onMessage((s, d, from) -> other.add(io.netty.buffer.ByteBufUtil.hexDump(d)));
        try (DatagramSocket raw = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            for (String hex : new String[] {"03000000", "ff010800efbeadde000000000000000000000000"}) {
                byte[] bytes = io.netty.buffer.ByteBufUtil.decodeHexDump(hex);
                raw.send(new DatagramPacket(bytes, bytes.length, b.localAddress()));
                assertEquals(hex, other.poll(5, TimeUnit.SECONDS));
            }
        }
        ByteBuf rpc = Unpooled.wrappedBuffer(new byte[] {0x13, 1, 2});
        BlockingQueue<String> atA = new ArrayBlockingQueue<>(1);
        a.onMessage((s, d, from) -> atA.add(io.netty.buffer.ByteBufUtil.hexDump(d)));
        b.send(rpc, a.localAddress()).get(5, TimeUnit.SECONDS);
        assertEquals("130102", atA.poll(5, TimeUnit.SECONDS));
    }

    @Test
    void recoversFromLossAndReorderingThroughARelay() throws Exception {
        InetSocketAddress lo = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (ImpairmentRelay toB = new ImpairmentRelay(lo, b.localAddress(), 3, 5);
             ImpairmentRelay toA = new ImpairmentRelay(lo, a.localAddress(), 3, 5)) {
            UdxStream x = a.createStream(1);
            UdxStream y = b.createStream(2);
            x.connect(2, toB.localAddress());
            y.connect(1, toA.localAddress());
            CompletableFuture<Object[]> got = Transfer.async(() -> {
                Object[] r = Transfer.receiveAll(y);
                y.end();
                return r;
            });
            String sha = Transfer.sendRandom(x, 16 << 20, 5);
            Object[] r = got.get(50, TimeUnit.SECONDS);
            assertEquals(16L << 20, r[0]);
            assertEquals(sha, r[1]);
            x.closeFuture().get(10, TimeUnit.SECONDS);
            y.closeFuture().get(10, TimeUnit.SECONDS);
            assertTrue(toB.dropped() > 0 && x.packetsRetransmitted() >= toB.dropped() / 2,
                    "drops " + toB.dropped() + " " + x.stats());
        }
    }

    @Test
    void slowReaderClosesTheWindowAndBoundsBufferedBytes() throws Exception {
        UdxStream[] p = pair();
        CompletableFuture<String> sent = Transfer.async(() -> Transfer.sendRandom(p[0], 24 << 20, 3));
        InputStream in = p[1].inputStream();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (in.available() < UdxStream.RECEIVE_WINDOW - 65536 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(500); // the sender keeps trying while the window is closed
        int buffered = in.available();
        assertTrue(buffered >= UdxStream.RECEIVE_WINDOW - 65536 && buffered <= UdxStream.RECEIVE_WINDOW + (1 << 20),
                "buffered " + buffered);
        Object[] r = Transfer.receiveAll(p[1]);
        assertEquals(24L << 20, r[0]);
        assertEquals(sent.get(30, TimeUnit.SECONDS), r[1]);
    }

    @Test
    void firewallHookConnectsThePassiveSideOnItsFirstPacket() throws Exception {
        UdxStream passive = b.createStream(2);
        BlockingQueue<InetSocketAddress> seen = new ArrayBlockingQueue<>(4);
        passive.firewall((s, sock, from) -> {
            seen.add(from);
            s.connect(1, from);
            return false;
        });
        UdxStream active = a.createStream(1);
        active.connect(2, b.localAddress());
        active.write(Unpooled.copiedBuffer("hi", StandardCharsets.US_ASCII));
        assertEquals(a.localAddress(), seen.poll(5, TimeUnit.SECONDS));
        byte[] two = passive.inputStream().readNBytes(2);
        assertEquals("hi", new String(two, StandardCharsets.US_ASCII));
        passive.write(Unpooled.copiedBuffer("yo", StandardCharsets.US_ASCII));
        assertEquals("yo", new String(active.inputStream().readNBytes(2), StandardCharsets.US_ASCII));
        active.end().get(5, TimeUnit.SECONDS); // acked at once: the hook connected before the first ACK was due
        assertTrue(seen.isEmpty(), "the hook runs only while the stream is unconnected: " + seen);
        UdxStream dropping = b.createStream(3);
        dropping.firewall((s, sock, from) -> true);
        UdxStream other = a.createStream(4);
        other.connect(3, b.localAddress());
        other.write(Unpooled.copiedBuffer("x", StandardCharsets.US_ASCII));
        Thread.sleep(300);
        assertEquals(0, dropping.inputStream().available());
    }

    @Test
    void changeRemoteMovesTheStreamMidTransfer() throws Exception {
        InetSocketAddress lo = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        UdxStream x = a.createStream(1);
        UdxStream y = b.createStream(2);
        try (ImpairmentRelay relay = new ImpairmentRelay(lo, b.localAddress(), 0)) {
            x.connect(2, relay.localAddress()); // first via a relay, as hyperdht does before holepunching
            y.connect(1, a.localAddress());
            CompletableFuture<Object[]> got = Transfer.async(() -> Transfer.receiveAll(y));
            CompletableFuture<String> sent = Transfer.async(() -> Transfer.sendRandom(x, 8 << 20, 11));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (relay.forwarded() < 1000 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            long viaRelay = relay.forwarded();
            x.changeRemote(2, b.localAddress()).get(10, TimeUnit.SECONDS);
            Object[] r = got.get(30, TimeUnit.SECONDS);
            assertEquals(8L << 20, r[0]);
            assertEquals(sent.get(5, TimeUnit.SECONDS), r[1]);
            assertTrue(viaRelay >= 1000 && relay.forwarded() < 4000, "of ~5800 packets the relay forwarded " + relay.forwarded());
            y.end();
            x.closeFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void blindRelayForwardsEndToEnd() throws Exception {
        try (UdxSocket r = UdxSocket.bind(ANY)) {
            UdxStream x = a.createStream(1);
            UdxStream y = b.createStream(2);
            UdxStream toX = r.createStream(10); // faces x
            UdxStream toY = r.createStream(20); // faces y
            toX.connect(1, a.localAddress());
            toY.connect(2, b.localAddress());
            toX.relayTo(toY);
            toY.relayTo(toX);
            x.connect(10, r.localAddress());
            y.connect(20, r.localAddress());
            CompletableFuture<Object[]> got = Transfer.async(() -> Transfer.receiveAll(y));
            String sha = Transfer.sendRandom(x, 4 << 20, 13);
            Object[] res = got.get(30, TimeUnit.SECONDS);
            assertEquals(4L << 20, res[0]);
            assertEquals(sha, res[1]);
            x.destroy();
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> y.closeFuture().get(5, TimeUnit.SECONDS));
            assertEquals("ECONNRESET", assertInstanceOf(UdxStreamException.class, e.getCause()).code());
            assertThrows(ExecutionException.class, () -> toX.closeFuture().get(5, TimeUnit.SECONDS));
            toY.closeFuture().get(5, TimeUnit.SECONDS); // closing the destination destroys its relayer
            assertEquals(0, r.streamCount());
        }
    }

    @Test
    void rejectsDuplicateIds() {
        a.createStream(7);
        assertThrows(IllegalStateException.class, () -> a.createStream(7));
        assertTrue(a.streamCount() == 1);
    }

    @Test
    void aCorkedSocketHoldsWhatAStreamWritesUntilUncorked() throws Exception {
        try (DatagramSocket raw = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            raw.setSoTimeout(300);
            UdxStream x = a.createStream(1);
            x.connect(9, new InetSocketAddress(raw.getLocalAddress(), raw.getLocalPort()));
            a.eventLoop().submit(() -> {
                a.cork();
                x.write(Unpooled.copiedBuffer("held", StandardCharsets.US_ASCII));
                return null;
            }).get(5, TimeUnit.SECONDS);
            DatagramPacket d = new DatagramPacket(new byte[2048], 2048);
            assertThrows(java.net.SocketTimeoutException.class, () -> raw.receive(d));
            a.eventLoop().submit(a::uncork).get(5, TimeUnit.SECONDS);
            raw.setSoTimeout(5000);
            raw.receive(d);
            String payload = new String(d.getData(), d.getLength() - 4, 4, StandardCharsets.US_ASCII);
            assertEquals("held", payload);
            x.destroy();
        }
    }
}
