package io.tunctl.transport.p2p.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PacketSink;
import io.tunctl.transport.p2p.udx.UdxSocket;
import io.tunctl.transport.p2p.udx.UdxStream;
import io.tunctl.transport.p2p.udx.UdxStreamException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** secret-stream over UDX, Java to Java on loopback: push delivery, half-close, keep-alive, timeout, pause. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SecureStreamTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private UdxSocket a;
    private UdxSocket b;

    @BeforeEach
    void bind() throws Exception {
        a = UdxSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        b = UdxSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    /** Records what a stream's handler sees. */
    static final class Recorder implements SecureStream.Handler {
        final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
        final CountDownLatch ended = new CountDownLatch(1);
        final CompletableFuture<Throwable> closed = new CompletableFuture<>();
        volatile boolean messageAfterEnd;
        volatile Thread thread;

        @Override
        public void onMessage(SecureStream s, byte[] buf, int off, int len) {
            thread = Thread.currentThread();
            if (ended.getCount() == 0) {
                messageAfterEnd = true;
            }
            messages.add(new String(buf, off, len, StandardCharsets.UTF_8));
        }

        @Override
        public void onEnd(SecureStream s) {
            ended.countDown();
        }

        @Override
        public void onClose(SecureStream s, Throwable cause) {
            closed.complete(cause);
        }
    }

    /** Handshake values for two ends: random keys and hash, crossed. */
    static SecureStream[] pair(UdxSocket sa, UdxSocket sb, int idA, int idB, SecureStream.Handler ha,
            SecureStream.Handler hb) {
        byte[] k1 = new byte[32];
        byte[] k2 = new byte[32];
        byte[] hash = new byte[64];
        RANDOM.nextBytes(k1);
        RANDOM.nextBytes(k2);
        RANDOM.nextBytes(hash);
        UdxStream x = sa.createStream(idA);
        UdxStream y = sb.createStream(idB);
        SecureStream sx = SecureStream.start(x, true, k1, k2, hash, ha);
        SecureStream sy = SecureStream.start(y, false, k2, k1, hash, hb);
        x.connect(idB, sb.localAddress());
        y.connect(idA, sa.localAddress());
        return new SecureStream[] {sx, sy};
    }

    private static void write(SecureStream s, String m) throws IOException {
        byte[] b = m.getBytes(StandardCharsets.UTF_8);
        s.write(b, 0, b.length);
    }

    @Test
    void messagesBothWaysOnTheEventLoopThenHalfCloseEachWay() throws Exception {
        Recorder ra = new Recorder();
        Recorder rb = new Recorder();
        SecureStream[] p = pair(a, b, 1, 2, ra, rb);
        write(p[0], "hello");
        write(p[0], "");
        write(p[1], "world");
        assertEquals("hello", rb.messages.poll(5, TimeUnit.SECONDS));
        assertEquals("world", ra.messages.poll(5, TimeUnit.SECONDS));
        assertTrue(rb.thread.getName().startsWith("udx"), "delivered on the socket's event loop: " + rb.thread);

        // A ends: B reads the end, and can still write; A still reads
        p[0].end();
        assertTrue(rb.ended.await(5, TimeUnit.SECONDS));
        assertNull(rb.messages.poll(100, TimeUnit.MILLISECONDS), "the empty message was dropped as a keep-alive");
        assertThrows(IllegalStateException.class, () -> write(p[0], "too late"));
        write(p[1], "after your end");
        assertEquals("after your end", ra.messages.poll(5, TimeUnit.SECONDS));
        assertFalse(p[0].isClosed());
        assertEquals(1, ra.ended.getCount(), "A has not seen B's end yet");
        // then B ends: both close normally
        p[1].end().get(5, TimeUnit.SECONDS);
        assertTrue(ra.ended.await(5, TimeUnit.SECONDS));
        assertNull(ra.closed.get(5, TimeUnit.SECONDS));
        assertNull(rb.closed.get(5, TimeUnit.SECONDS));
        p[0].closeFuture().get(1, TimeUnit.SECONDS);
        assertFalse(ra.messageAfterEnd || rb.messageAfterEnd);
    }

    @Test
    void keepAlivesHoldOffThePeersTimeoutAndItFiresWithoutThem() throws Exception {
        Recorder ra = new Recorder();
        Recorder rb = new Recorder();
        SecureStream[] p = pair(a, b, 1, 2, ra, rb);
        p[0].setKeepAlive(Duration.ofMillis(100));
        p[1].setTimeout(Duration.ofMillis(500));
        Thread.sleep(2000);
        assertFalse(p[1].isClosed(), "keep-alives every 100 ms hold off a 500 ms timeout");
        long seen = p[1].keepAlivesReceived();
        assertTrue(seen >= 10 && seen <= 25, seen + " keep-alives in 2 s at 100 ms");
        assertTrue(rb.messages.isEmpty(), "keep-alives are not delivered");

        p[0].setKeepAlive(Duration.ZERO);
        Throwable cause = rb.closed.get(3, TimeUnit.SECONDS);
        assertInstanceOf(IOException.class, cause);
        assertTrue(cause.getMessage().startsWith("Stream timed out"), cause.getMessage());
        assertEquals("ECONNRESET", assertInstanceOf(UdxStreamException.class, ra.closed.get(3, TimeUnit.SECONDS))
                .code(), "the timed-out side destroys the UDX stream");
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> p[1].closeFuture().get(1, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().startsWith("Stream timed out"));
    }

    @Test
    void writesRefreshTheKeepAlive() throws Exception {
        Recorder rb = new Recorder();
        SecureStream[] p = pair(a, b, 1, 2, new Recorder(), rb);
        p[0].setKeepAlive(Duration.ofMillis(300));
        for (int i = 0; i < 15; i++) {
            write(p[0], "m" + i);
            Thread.sleep(100);
        }
        assertEquals(0, p[1].keepAlivesReceived(), "no keep-alive while writes come every 100 ms");
        Thread.sleep(800);
        assertTrue(p[1].keepAlivesReceived() >= 1);
        p[0].destroy();
    }

    @Test
    void pausedHandlerGetsNothingUntilResumedThenEverythingInOrder() throws Exception {
        AtomicInteger count = new AtomicInteger();
        List<String> got = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch ended = new CountDownLatch(1);
        SecureStream.Handler pausing = new SecureStream.Handler() {
            @Override
            public void onMessage(SecureStream s, byte[] buf, int off, int len) {
                got.add(new String(buf, off, len, StandardCharsets.UTF_8));
                if (count.incrementAndGet() == 1) {
                    s.pauseReading();
                }
            }

            @Override
            public void onEnd(SecureStream s) {
                ended.countDown();
            }
        };
        SecureStream[] p = pair(a, b, 1, 2, new Recorder(), pausing);
        int n = 3000;
        for (int i = 0; i < n; i++) {
            write(p[0], "message " + i + " " + "x".repeat(i % 700));
        }
        p[0].end();
        Thread.sleep(1000);
        assertEquals(1, count.get(), "nothing after the pause");
        assertEquals(1, ended.getCount(), "the end waits behind the held messages");
        p[1].resumeReading();
        assertTrue(ended.await(10, TimeUnit.SECONDS));
        assertEquals(n, got.size());
        for (int i = 0; i < n; i++) {
            assertEquals("message " + i + " " + "x".repeat(i % 700), got.get(i));
        }
        p[1].end();
        p[1].closeFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void tamperedFrameDestroysTheStream() throws Exception {
        Recorder rb = new Recorder();
        Recorder ra = new Recorder();
        byte[] k1 = new byte[32];
        byte[] hash = new byte[64];
        UdxStream x = a.createStream(1);
        UdxStream y = b.createStream(2);
        // wrong keys on one side: its first message fails authentication at the other
        SecureStream sx = SecureStream.start(x, true, k1, k1, hash, ra);
        byte[] other = new byte[32];
        other[0] = 1;
        SecureStream sy = SecureStream.start(y, false, other, other, hash, rb);
        x.connect(2, b.localAddress());
        y.connect(1, a.localAddress());
        b.eventLoop().submit(() -> { }).get(); // y is connected: its DESTROY will be sent, not dropped unconnected
        write(sx, "will not authenticate");
        Throwable cause = rb.closed.get(5, TimeUnit.SECONDS);
        assertInstanceOf(io.tunctl.transport.p2p.crypto.CryptoException.class, cause);
        assertTrue(sy.isClosed());
        assertEquals("ECONNRESET", assertInstanceOf(UdxStreamException.class, ra.closed.get(5, TimeUnit.SECONDS))
                .code());
    }

    /**
     * 200 streams on one socket (one event loop) each side, Java to Java: every message reaches the core's push SPI
     * (a {@link PacketSink} per loop) and no thread is added for them.
     */
    @Test
    void twoHundredStreamsOnOneEventLoopDeliverEveryMessageWithoutNewThreads() throws Exception {
        // warm-up: lazily started JDK/Netty threads (cleaners, timers) come now, not during the measurement
        SecureStream[] warm = pair(a, b, 100_000, 100_001, new Recorder(), new Recorder());
        write(warm[0], "warm");
        warm[0].end();
        warm[1].end();
        warm[1].closeFuture().get(5, TimeUnit.SECONDS);
        int threadsBefore = Thread.getAllStackTraces().size();

        int streams = 200;
        int perStream = 50;
        AtomicLong packets = new AtomicLong();
        ConcurrentHashMap<Thread, Boolean> sinkThreads = new ConcurrentHashMap<>();
        AtomicInteger sinksMade = new AtomicInteger();
        AtomicInteger badPackets = new AtomicInteger();
        PacketSinkDelivery delivery = new PacketSinkDelivery(1500);
        delivery.deliverTo(() -> {
            sinksMade.incrementAndGet();
            return new PacketSink() {
                @Override
                public void accept(PacketBatch batch) {
                    sinkThreads.put(Thread.currentThread(), true);
                    for (int i = 0; i < batch.size(); i++) {
                        byte[] p = batch.toArray(i);
                        if (p.length < 20 || (p[0] & 0xf0) != 0x40) {
                            badPackets.incrementAndGet();
                        }
                    }
                    packets.addAndGet(batch.size());
                }
            };
        });
        SecureStream.Handler toCore = (s, buf, off, len) -> delivery.add(s.eventLoop(), buf, off, len);
        List<SecureStream[]> pairs = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            pairs.add(pair(a, b, 1000 + i, 5000 + i, new Recorder(), toCore));
        }
        byte[] packet = new byte[1280];
        packet[0] = 0x45; // IPv4, IHL 5
        for (int m = 0; m < perStream; m++) {
            for (SecureStream[] p : pairs) {
                p[0].write(packet, 0, packet.length);
            }
        }
        long expected = (long) streams * perStream;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (packets.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        int threadsDuring = Thread.getAllStackTraces().size();
        assertEquals(expected, packets.get(), "every message reached the sink (drops " + delivery.drops() + ")");
        assertEquals(0, badPackets.get());
        assertEquals(1, sinksMade.get(), "one sink for the one event loop");
        assertEquals(1, sinkThreads.size());
        assertTrue(sinkThreads.keySet().iterator().next() == pairs.get(0)[1].eventLoop().submit(Thread::currentThread)
                .get(), "the sink runs on the receiving socket's event loop");
        assertTrue(threadsDuring <= threadsBefore, "no thread per stream: " + threadsBefore + " before, "
                + threadsDuring + " with 200 streams");
        for (SecureStream[] p : pairs) {
            p[0].end();
            p[1].end();
        }
        for (SecureStream[] p : pairs) {
            p[1].closeFuture().get(10, TimeUnit.SECONDS);
        }
        delivery.close();
        assertEquals(0, delivery.drops());
    }
}
