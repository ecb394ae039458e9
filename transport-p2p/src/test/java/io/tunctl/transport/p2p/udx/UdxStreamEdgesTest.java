package io.tunctl.transport.p2p.udx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** UDX edges the VPN relies on: data after the peer's END, push delivery with pause/resume, IPv6 sizes. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdxStreamEdgesTest {
    private static final InetAddress LO4 = InetAddress.getLoopbackAddress();

    /**
     * A hand-written peer sends DATA "a", DATA|END "b", then DATA past the END (seq 2, 3) and a second END. As
     * udx-native (libudx process_packet: no DATA is read once the remote END is reached, every DATA/END is ACKed),
     * the Java stream delivers "ab" and one EOF, ACKs each late packet with the ack still at 2, and keeps working:
     * it can still write, and it closes normally once its own END is acknowledged.
     */
    @Test
    void dataAfterTheEndIsAckedButNotDelivered() throws Exception {
        try (UdxSocket socket = UdxSocket.bind(new InetSocketAddress(LO4, 0));
                DatagramSocket raw = new DatagramSocket(new InetSocketAddress(LO4, 0))) {
            raw.setSoTimeout(2000);
            UdxStream s = socket.createStream(7);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            AtomicInteger ends = new AtomicInteger();
            s.onData(d -> {
                byte[] b = new byte[d.readableBytes()];
                d.readBytes(b);
                synchronized (got) {
                    got.writeBytes(b);
                }
            });
            s.onEnd(ends::incrementAndGet);
            s.connect(9, (InetSocketAddress) raw.getLocalSocketAddress());

            send(raw, socket, UdxHeader.DATA, 0, 0, "a");
            assertEquals(1, nextAck(raw).ack());
            send(raw, socket, UdxHeader.DATA | UdxHeader.END, 1, 0, "b");
            assertEquals(2, nextAck(raw).ack());
            send(raw, socket, UdxHeader.DATA, 2, 0, "late");
            assertEquals(2, nextAck(raw).ack(), "data past the END is acknowledged, not taken");
            send(raw, socket, UdxHeader.DATA | UdxHeader.END, 3, 0, "later");
            assertEquals(2, nextAck(raw).ack());
            send(raw, socket, UdxHeader.DATA, 2, 0, "late again"); // a retransmission of it
            assertEquals(2, nextAck(raw).ack());

            Thread.sleep(100);
            synchronized (got) {
                assertEquals("ab", got.toString(StandardCharsets.US_ASCII));
            }
            assertEquals(1, ends.get(), "one EOF");
            assertFalse(s.isClosed());

            // half-closed by the peer, this side still writes and then ends
            s.write(Unpooled.copiedBuffer("reply", StandardCharsets.US_ASCII));
            UdxHeader data = nextPacket(raw, UdxHeader.DATA);
            assertEquals(0, data.seq());
            CompletableFuture<Void> ended = s.end();
            UdxHeader end = nextPacket(raw, UdxHeader.END);
            assertEquals(1, end.seq());
            send(raw, socket, 0, 4, 2, ""); // the peer acks both of ours
            ended.get(5, TimeUnit.SECONDS);
            s.closeFuture().get(5, TimeUnit.SECONDS);
            assertEquals("ab", got.toString(StandardCharsets.US_ASCII));
        }
    }

    private static void send(DatagramSocket raw, UdxSocket to, int type, int seq, int ack, String payload)
            throws Exception {
        ByteBuf b = Unpooled.buffer();
        UdxHeader.write(b, type, 0, 7, 1 << 20, seq, ack);
        b.writeCharSequence(payload, StandardCharsets.US_ASCII);
        byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        raw.send(new DatagramPacket(bytes, bytes.length, to.localAddress()));
    }

    private static UdxHeader nextAck(DatagramSocket raw) throws Exception {
        return nextPacket(raw, -1);
    }

    /** The next packet with {@code flag} (or the next bare ACK when -1), skipping others. */
    private static UdxHeader nextPacket(DatagramSocket raw, int flag) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        byte[] buf = new byte[2048];
        while (System.nanoTime() < deadline) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                raw.receive(p);
            } catch (SocketTimeoutException e) {
                break;
            }
            UdxHeader h = UdxHeader.decode(Unpooled.wrappedBuffer(buf, 0, p.getLength()));
            if (flag == -1 ? (h.type() & (UdxHeader.DATA | UdxHeader.END | UdxHeader.HEARTBEAT)) == 0
                    : (h.type() & flag) != 0) {
                return h;
            }
        }
        throw new AssertionError("no UDX packet " + (flag == -1 ? "ACK" : "type " + flag) + " within 5 s");
    }

    /**
     * Back-pressure on the wire: while the data callback is paused, every ACK advertises 4 MiB minus the bytes held
     * (so a udx-native sender stops at zero); resuming delivers them and sends a window update with the full 4 MiB at
     * once; the peer's END that came while paused is delivered after the held bytes.
     */
    @Test
    void pausedReaderShrinksTheAdvertisedWindowAndReopensIt() throws Exception {
        try (UdxSocket socket = UdxSocket.bind(new InetSocketAddress(LO4, 0));
                DatagramSocket raw = new DatagramSocket(new InetSocketAddress(LO4, 0))) {
            raw.setReceiveBufferSize(4 << 20);
            raw.setSoTimeout(2000);
            UdxStream s = socket.createStream(7);
            AtomicLong got = new AtomicLong();
            AtomicLong gotAtEnd = new AtomicLong(-1);
            AtomicBoolean first = new AtomicBoolean(true);
            s.onData(d -> {
                got.addAndGet(d.readableBytes());
                if (first.getAndSet(false)) {
                    s.pauseReading();
                }
            });
            s.onEnd(() -> gotAtEnd.set(got.get()));
            s.connect(9, (InetSocketAddress) raw.getLocalSocketAddress());
            int packets = 1600;
            int size = 1400;
            String payload = "x".repeat(size);
            for (int seq = 0; seq < packets; seq++) {
                send(raw, socket, UdxHeader.DATA | (seq == packets - 1 ? UdxHeader.END : 0), seq, 0, payload);
            }
            long held = (long) (packets - 1) * size;
            // ACKs come per read batch; the last one covers everything and shows the held bytes
            UdxHeader last = null;
            while (last == null || last.ack() != packets) {
                last = nextAck(raw);
            }
            assertEquals(UdxStream.RECEIVE_WINDOW - held, Integer.toUnsignedLong(last.rwnd()),
                    "window = 4 MiB - bytes held for the paused callback");
            assertEquals(size, got.get(), "only the first packet was delivered");
            assertEquals(-1, gotAtEnd.get(), "the END waits behind the held bytes");
            s.resumeReading();
            UdxHeader update = nextAck(raw);
            assertEquals(UdxStream.RECEIVE_WINDOW, Integer.toUnsignedLong(update.rwnd()), "window update on resume");
            assertEquals(packets, update.ack());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (gotAtEnd.get() < 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals((long) packets * size, gotAtEnd.get(), "the END after every held byte");
            s.destroy();
        }
    }

    /**
     * Push delivery paused and resumed, Java to Java: the callback pauses after the first bytes; nothing more is
     * delivered and the peer's END waits behind the held bytes; resume delivers everything in order, then the END,
     * and the stream closes normally. 12 MiB is three windows: the sender is held by the closed window meanwhile
     * (checked byte-exact by {@link #pausedReaderShrinksTheAdvertisedWindowAndReopensIt}).
     */
    @Test
    void pausedReaderGetsEverythingInOrderAfterResumeThenTheEnd() throws Exception {
        try (UdxSocket a = UdxSocket.bind(new InetSocketAddress(LO4, 0));
                UdxSocket b = UdxSocket.bind(new InetSocketAddress(LO4, 0))) {
            UdxStream x = a.createStream(1);
            UdxStream y = b.createStream(2);
            int total = 12 << 20;
            AtomicLong received = new AtomicLong();
            AtomicBoolean inOrder = new AtomicBoolean(true);
            AtomicBoolean endBeforeLast = new AtomicBoolean();
            CountDownLatch firstBytes = new CountDownLatch(1);
            CountDownLatch ended = new CountDownLatch(1);
            AtomicBoolean pauseOnce = new AtomicBoolean(true);
            y.onData(d -> {
                // one bulk copy: per-byte reads are slow under the tests' paranoid leak detection
                byte[] chunk = new byte[d.readableBytes()];
                d.getBytes(d.readerIndex(), chunk);
                long at = received.get();
                for (int i = 0; i < chunk.length; i++, at++) {
                    if (chunk[i] != (byte) (at % 251)) {
                        inOrder.set(false);
                    }
                }
                received.set(at);
                if (pauseOnce.getAndSet(false)) {
                    y.pauseReading();
                    firstBytes.countDown();
                }
            });
            y.onEnd(() -> {
                endBeforeLast.set(received.get() != total);
                ended.countDown();
            });
            x.connect(2, b.localAddress());
            y.connect(1, a.localAddress());
            byte[] all = new byte[total];
            for (int i = 0; i < total; i++) {
                all[i] = (byte) (i % 251);
            }
            x.write(Unpooled.wrappedBuffer(all));
            x.end();
            assertTrue(firstBytes.await(10, TimeUnit.SECONDS));
            Thread.sleep(1500);
            long whilePaused = received.get();
            assertTrue(whilePaused < 64 << 10, "delivered while paused: " + whilePaused);
            assertTrue(x.unacknowledgedBytes() > total - UdxStream.RECEIVE_WINDOW - (1 << 20),
                    "the sender is held by the closed window: " + x.unacknowledgedBytes() + " unacked");
            assertEquals(1, ended.getCount(), "the END waits behind the held bytes");
            y.resumeReading();
            assertTrue(ended.await(20, TimeUnit.SECONDS), () -> "received " + received.get() + " " + x.stats());
            assertEquals(total, received.get());
            assertTrue(inOrder.get());
            assertFalse(endBeforeLast.get());
            y.end();
            x.closeFuture().get(10, TimeUnit.SECONDS);
            y.closeFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** A callback set after bytes arrived gets them first (nothing is stranded in the blocking reader's queue). */
    @Test
    void lateDataCallbackGetsWhatArrivedBefore() throws Exception {
        try (UdxSocket a = UdxSocket.bind(new InetSocketAddress(LO4, 0));
                UdxSocket b = UdxSocket.bind(new InetSocketAddress(LO4, 0))) {
            UdxStream x = a.createStream(1);
            UdxStream y = b.createStream(2);
            x.connect(2, b.localAddress());
            y.connect(1, a.localAddress());
            x.write(Unpooled.copiedBuffer("early", StandardCharsets.US_ASCII));
            x.end();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (y.inputStream().available() < 5 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(100); // the END too
            StringBuilder got = new StringBuilder();
            CountDownLatch end = new CountDownLatch(1);
            y.onData(d -> got.append(d.toString(StandardCharsets.US_ASCII)));
            y.onEnd(end::countDown);
            assertTrue(end.await(5, TimeUnit.SECONDS));
            assertEquals("early", got.toString());
            y.end();
            y.closeFuture().get(5, TimeUnit.SECONDS);
        }
    }

    /**
     * IPv6: a stream between sockets on ::1 carries bytes intact, probes its MTU up to 1500 and then sends UDX
     * datagrams of at most 1500 - 40 (IPv6) - 8 (UDP) = 1452 bytes, as libudx sizes them ({@code UDX_IPV6_HEADER_SIZE});
     * over IPv4 the same MTU gives 1472-byte datagrams. A recording relay between the two sees the sizes.
     */
    @Test
    void ipv6StreamUsesTheIpv6HeaderInItsSizes() throws Exception {
        InetAddress lo6 = InetAddress.getByName("::1");
        assertTrue(lo6 instanceof Inet6Address);
        assertEquals(1452, maxDatagramThroughRelay(lo6));
        assertEquals(1472, maxDatagramThroughRelay(LO4));
    }

    private static int maxDatagramThroughRelay(InetAddress lo) throws Exception {
        try (UdxSocket a = UdxSocket.bind(new InetSocketAddress(lo, 0));
                UdxSocket b = UdxSocket.bind(new InetSocketAddress(lo, 0));
                DatagramChannel relay = DatagramChannel.open()) {
            relay.bind(new InetSocketAddress(lo, 0));
            relay.configureBlocking(true);
            AtomicInteger max = new AtomicInteger();
            List<Integer> probes = new CopyOnWriteArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            Thread t = Thread.ofPlatform().daemon().start(() -> {
                ByteBuffer buf = ByteBuffer.allocate(65536);
                try {
                    while (!stop.get()) {
                        buf.clear();
                        relay.receive(buf);
                        buf.flip();
                        int n = buf.remaining();
                        if (n > UdxHeader.SIZE && (buf.get(2) & UdxHeader.DATA) != 0) {
                            max.accumulateAndGet(n, Math::max);
                            if (buf.get(3) != 0) {
                                probes.add(n);
                            }
                        }
                        relay.send(buf, b.localAddress());
                    }
                } catch (java.io.IOException closed) {
                    // relay closed at the end of the test
                }
            });
            UdxStream x = a.createStream(1);
            UdxStream y = b.createStream(2);
            x.connect(2, (InetSocketAddress) relay.getLocalAddress());
            y.connect(1, a.localAddress());
            int total = 4 << 20;
            byte[] data = new byte[total];
            new SplittableRandom(5).nextBytes(data);
            x.write(Unpooled.wrappedBuffer(data));
            x.end();
            byte[] got = y.inputStream().readAllBytes();
            assertEquals(total, got.length);
            assertTrue(java.util.Arrays.equals(data, got));
            assertEquals(1500, x.mtu(), "MTU probing reaches 1500 over " + lo);
            y.end().get(5, TimeUnit.SECONDS);
            stop.set(true);
            relay.close();
            t.join(2000);
            int ipUdp = lo instanceof Inet6Address ? 48 : 28;
            List<Integer> wanted = new ArrayList<>();
            for (int size = 1232; size < 1500; size += 32) {
                wanted.add(size - ipUdp);
            }
            wanted.add(1500 - ipUdp);
            assertEquals(wanted, probes, "each probe pads its datagram to the probed IP size minus IP and UDP headers");
            return max.get();
        }
    }
}
