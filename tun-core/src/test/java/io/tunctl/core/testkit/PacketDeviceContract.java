package io.tunctl.core.testkit;

import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PacketDevice;
import io.tunctl.core.spi.PacketSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The {@link PacketDevice} contract, run against every device that tunctl ships. A transport's test extends
 * this and supplies a connected pair: what {@code a} writes, {@code b} receives, and back.
 *
 * <p>Both shapes of device are covered. The suite receives through an {@link Inbox}: a pull device is read by a
 * thread of the inbox's own (which also checks that {@code read} returns 0 only for a full batch), a push device is
 * given collecting sinks through {@code deliverTo} (which check that each sink is used by one thread at a time,
 * never after or during its close, and record the thread each packet arrived on). Cases that only make sense for
 * one shape are skipped for the other.
 *
 * <p>Packets are real IPv4/UDP packets (valid header checksum) so that transports and kernels that look at headers
 * accept them. A pair that routes by address (a server that forwards by destination, two TUNs joined by the
 * kernel's forwarding) chooses the addresses with {@link #packetToB}/{@link #packetToA} and says what the path
 * changes with {@link #arriving}; every packet carries its sequence number at bytes 28..31.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
public abstract class PacketDeviceContract {
    /** The addresses {@link #testPacket(int, int)} uses: 192.0.2.1 → 192.0.2.2 (TEST-NET-1). */
    public static final byte[] TEST_SRC = {(byte) 192, 0, 2, 1};
    public static final byte[] TEST_DST = {(byte) 192, 0, 2, 2};

    /** Two connected devices; closing both must release everything the pair holds. */
    public record Pair(PacketDevice a, PacketDevice b, AutoCloseable resources) {}

    protected abstract Pair open() throws Exception;

    /** The packet {@code a} writes for {@code b}: {@code len} bytes carrying {@code seq}. */
    protected byte[] packetToB(int len, int seq) {
        return testPacket(len, seq);
    }

    /** The packet {@code b} writes for {@code a}. */
    protected byte[] packetToA(int len, int seq) {
        return testPacket(len, seq);
    }

    /** What arrives for {@code sent}: the same bytes unless the path rewrites headers (see {@link #routed}). */
    protected byte[] arriving(byte[] sent) {
        return sent;
    }

    /**
     * True when the pair delivers every packet written while its receiver keeps up (memory, a stream transport).
     * False lets a datagram path or a kernel queue lose up to 5 % under load; order must hold either way.
     */
    protected boolean lossless() {
        return true;
    }

    protected Pair pair;
    protected Arena arena;
    private final Map<PacketDevice, Inbox> inboxes = new IdentityHashMap<>();
    private final Queue<String> violations = new ConcurrentLinkedQueue<>();

    @BeforeEach
    void openPair() throws Exception {
        pair = open();
        arena = Arena.ofShared();
    }

    @AfterEach
    void closePair() throws Exception {
        if (pair == null) return;
        try {
            pair.a().close();
            pair.b().close();
            // a closed device ends its reads, and a push device closes every sink it made
            for (Inbox in : inboxes.values()) in.awaitEnd(5000);
        } finally {
            if (pair.resources() != null) pair.resources().close();
            arena.close();
        }
        assertNoViolations();
    }

    /** Fails with every contract breach the inboxes and sinks recorded so far. */
    protected void assertNoViolations() {
        if (!violations.isEmpty()) fail("contract broken:\n  " + String.join("\n  ", violations));
    }

    private void violation(String what) {
        violations.add(what);
    }

    // ------------------------------------------------------------------------------------------- packets

    /** An IPv4/UDP packet 192.0.2.1:9 → 192.0.2.2:9 of {@code len} bytes whose payload bytes encode {@code seq}. */
    public static byte[] testPacket(int len, int seq) {
        return testPacket(TEST_SRC, TEST_DST, len, seq);
    }

    /** An IPv4/UDP packet {@code src}:9 → {@code dst}:9 of {@code len} bytes (at least 28) carrying {@code seq}. */
    public static byte[] testPacket(byte[] src, byte[] dst, int len, int seq) {
        if (len < 28 || len > 65535) throw new IllegalArgumentException("IPv4/UDP packet length " + len);
        if (src.length != 4 || dst.length != 4) throw new IllegalArgumentException("IPv4 addresses are 4 bytes");
        byte[] p = new byte[len];
        p[0] = 0x45;
        p[2] = (byte) (len >>> 8);
        p[3] = (byte) len;
        p[8] = 64;
        p[9] = 17;
        System.arraycopy(src, 0, p, 12, 4);
        System.arraycopy(dst, 0, p, 16, 4);
        headerChecksum(p);
        p[21] = 9;
        p[23] = 9;
        int udpLen = len - 20;
        p[24] = (byte) (udpLen >>> 8);
        p[25] = (byte) udpLen;
        for (int i = 28; i < len; i++) p[i] = (byte) (seq * 31 + i);
        if (len >= 32) {
            p[28] = (byte) (seq >>> 24); p[29] = (byte) (seq >>> 16); p[30] = (byte) (seq >>> 8); p[31] = (byte) seq;
        }
        return p;
    }

    /** The sequence number a {@link #testPacket} carries. */
    public static int sequenceOf(byte[] p) {
        return (p[28] & 0xff) << 24 | (p[29] & 0xff) << 16 | (p[30] & 0xff) << 8 | (p[31] & 0xff);
    }

    /** {@code p} as a router forwards it: TTL one less, header checksum recomputed. */
    public static byte[] routed(byte[] p) {
        byte[] q = p.clone();
        q[8]--;
        headerChecksum(q);
        return q;
    }

    private static void headerChecksum(byte[] p) {
        int ihl = (p[0] & 0xf) * 4;
        p[10] = 0;
        p[11] = 0;
        int sum = 0;
        for (int i = 0; i < ihl; i += 2) sum += ((p[i] & 0xff) << 8) | (p[i + 1] & 0xff);
        while ((sum >>> 16) != 0) sum = (sum & 0xffff) + (sum >>> 16);
        int csum = ~sum & 0xffff;
        p[10] = (byte) (csum >>> 8);
        p[11] = (byte) csum;
    }

    protected PacketBatch batch(int capacity) {
        return PacketBatch.allocate(arena, capacity, Math.max(pair.a().mtu(), pair.b().mtu()));
    }

    private static int slotSize(PacketDevice d) {
        return d.acceptsGso() ? 65535 : Math.max(d.mtu(), 68);
    }

    /** Runs {@code task} on a daemon platform thread of its own (a blocking read must not hold a pool thread). */
    protected static <T> CompletableFuture<T> async(String name, Callable<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name(name).start(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    // ------------------------------------------------------------------------------------------- receiving

    /** A packet as it arrived and the thread it arrived on (the inbox's reader, or a push device's thread). */
    public record Arrival(byte[] packet, Thread thread) {}

    /** The inbox of {@code d}, made on first use: for a push device that is when {@code deliverTo} is called. */
    protected Inbox inbox(PacketDevice d) {
        return inboxes.computeIfAbsent(d, Inbox::new);
    }

    /** Waits for {@code n} packets at {@code d} (starting its inbox if needed). */
    protected List<Arrival> receive(PacketDevice d, int n, long timeoutMs) throws InterruptedException {
        return inbox(d).take(n, timeoutMs);
    }

    /**
     * Everything one device receives, in arrival order. A pull device is read by one thread of the inbox's own
     * until it ends; a push device is handed {@link CollectingSink}s.
     */
    protected final class Inbox {
        private final PacketDevice device;
        private final LinkedBlockingQueue<Arrival> queue = new LinkedBlockingQueue<>();
        private final List<CollectingSink> sinks = new CopyOnWriteArrayList<>();
        private final Set<Thread> deliveringThreads = ConcurrentHashMap.newKeySet();
        private final CountDownLatch readerDone = new CountDownLatch(1);

        private Inbox(PacketDevice device) {
            this.device = device;
            if (device.pushes()) {
                device.deliverTo(() -> {
                    CollectingSink s = new CollectingSink(this);
                    sinks.add(s);
                    return s;
                });
            } else {
                Thread.ofPlatform().daemon().name("contract reader " + device.describe()).start(this::pull);
            }
        }

        private void pull() {
            try (Arena a = Arena.ofConfined()) {
                PacketBatch batch = PacketBatch.allocate(a, 64, slotSize(device));
                while (true) {
                    batch.clear();
                    int n = device.read(batch);
                    if (n < 0) return;
                    if (n != batch.size()) {
                        violation(device.describe() + ": read returned " + n + " but appended " + batch.size());
                        return;
                    }
                    if (n == 0) {
                        violation(device.describe() + ": read returned 0 into an empty batch with no wakeup()");
                        return;
                    }
                    Thread t = Thread.currentThread();
                    for (int i = 0; i < n; i++) queue.add(new Arrival(batch.toArray(i), t));
                }
            } catch (ClosedChannelException e) {
                // a reader racing close may see the closed channel instead of -1
            } catch (IOException | RuntimeException e) {
                violation(device.describe() + ": read failed: " + e);
            } finally {
                readerDone.countDown();
            }
        }

        /** Takes the next {@code n} packets, waiting up to {@code timeoutMs} for them. */
        public List<Arrival> take(int n, long timeoutMs) throws InterruptedException {
            List<Arrival> got = new ArrayList<>(n);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (got.size() < n) {
                Arrival a = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (a == null) {
                    assertNoViolations();
                    fail("only " + got.size() + " of " + n + " packets arrived at " + device.describe() + " within "
                            + timeoutMs + " ms");
                }
                got.add(a);
            }
            return got;
        }

        /** The next packet, or null when none arrives within {@code timeoutMs}. */
        public Arrival poll(long timeoutMs) throws InterruptedException {
            return queue.poll(timeoutMs, TimeUnit.MILLISECONDS);
        }

        /** How many sinks the push device asked for so far. */
        public int sinksMade() { return sinks.size(); }

        /** The threads a push device delivered on so far. */
        public Set<Thread> deliveringThreads() { return Set.copyOf(deliveringThreads); }

        /**
         * After the device closed: waits until the reader has returned (pull) or every sink was closed (push),
         * recording a violation if that does not happen within {@code timeoutMs}.
         */
        public boolean awaitEnd(long timeoutMs) throws InterruptedException {
            if (!device.pushes()) {
                if (readerDone.await(timeoutMs, TimeUnit.MILLISECONDS)) return true;
                violation(device.describe() + ": a read still blocks " + timeoutMs + " ms after close");
                return false;
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (true) {
                long open = sinks.stream().filter(s -> !s.closed).count();
                if (open == 0) return true;
                if (System.nanoTime() > deadline) {
                    violation(device.describe() + ": " + open + " of " + sinks.size() + " sinks still open "
                            + timeoutMs + " ms after close");
                    return false;
                }
                Thread.sleep(5);
            }
        }
    }

    /**
     * A sink that copies what it is handed into its inbox and checks how the device uses it: one thread at a time,
     * never after its close, never concurrently with its close.
     */
    private final class CollectingSink implements PacketSink {
        private final Inbox inbox;
        private final AtomicReference<Thread> user = new AtomicReference<>();
        private volatile boolean closed;

        CollectingSink(Inbox inbox) {
            this.inbox = inbox;
        }

        @Override
        public void accept(PacketBatch batch) {
            Thread t = Thread.currentThread();
            String device = inbox.device.describe();
            if (closed) violation(device + ": a sink was used after its close, on " + t.getName());
            Thread other = user.compareAndExchange(null, t);
            if (other != null) violation(device + ": one sink used by " + other.getName() + " and " + t.getName() + " at once");
            try {
                inbox.deliveringThreads.add(t);
                for (int i = 0; i < batch.size(); i++) inbox.queue.add(new Arrival(batch.toArray(i), t));
            } finally {
                user.compareAndSet(t, null);
            }
        }

        @Override
        public void close() {
            Thread u = user.get();
            if (u != null) violation(inbox.device.describe() + ": a sink was closed while " + u.getName() + " was in accept()");
            closed = true;
        }
    }

    // ------------------------------------------------------------------------------------------- writing

    private void write(PacketDevice to, byte[]... packets) throws IOException {
        PacketBatch out = batch(packets.length);
        for (byte[] p : packets) out.add(p, 0, p.length);
        to.write(out);
    }

    /** The length of packet {@code i} in the load cases: varied, well under the IPv6 minimum MTU. */
    private static int loadLength(int i) {
        return 64 + (i % 16) * 24;
    }

    // ------------------------------------------------------------------------------------------- cases for all

    @Test
    void mtuIsAtLeastTheIpv6Minimum() {
        assertTrue(pair.a().mtu() >= 1280, "mtu " + pair.a().mtu());
        assertTrue(pair.b().mtu() >= 1280, "mtu " + pair.b().mtu());
    }

    @Test
    void onePacketArrivesIntact() throws Exception {
        Inbox in = inbox(pair.b());
        byte[] p = packetToB(100, 7);
        write(pair.a(), p);
        assertArrayEquals(arriving(p), in.take(1, 5000).getFirst().packet());
    }

    @Test
    void bothDirectionsWork() throws Exception {
        Inbox atA = inbox(pair.a());
        Inbox atB = inbox(pair.b());
        byte[] up = packetToA(200, 1);
        write(pair.b(), up);
        assertArrayEquals(arriving(up), atA.take(1, 5000).getFirst().packet());
        byte[] down = packetToB(300, 2);
        write(pair.a(), down);
        assertArrayEquals(arriving(down), atB.take(1, 5000).getFirst().packet());
    }

    @Test
    void aBatchArrivesInOrder() throws Exception {
        Inbox in = inbox(pair.b());
        int n = 50;
        PacketBatch out = batch(n);
        for (int i = 0; i < n; i++) {
            byte[] p = packetToB(60 + i * 20, i);
            out.add(p, 0, p.length);
        }
        pair.a().write(out);
        List<Arrival> got = in.take(n, 10000);
        for (int i = 0; i < n; i++) assertArrayEquals(arriving(packetToB(60 + i * 20, i)), got.get(i).packet(), "packet " + i);
    }

    @Test
    void fullMtuPacketsArrive() throws Exception {
        Inbox in = inbox(pair.b());
        int mtu = Math.min(pair.a().mtu(), pair.b().mtu());
        byte[] p = packetToB(mtu, 3);
        write(pair.a(), p);
        byte[] got = in.take(1, 5000).getFirst().packet();
        assertEquals(mtu, got.length);
        assertArrayEquals(arriving(p), got);
    }

    @Test
    void manyBatchesKeepOrderUnderLoad() throws Exception {
        Inbox in = inbox(pair.b());
        int total = 5000;
        CompletableFuture<Void> writer = async("contract writer", () -> {
            try (Arena w = Arena.ofConfined()) {
                PacketBatch out = PacketBatch.allocate(w, 32, pair.a().mtu());
                for (int i = 0; i < total; ) {
                    out.clear();
                    for (int k = 0; k < 32 && i < total; k++, i++) {
                        byte[] p = packetToB(120, i);
                        out.add(p, 0, p.length);
                    }
                    pair.a().write(out);
                }
            }
            return null;
        });
        int next = 0;
        int arrived = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (next < total && System.nanoTime() < deadline) {
            // once the writer is done, a lossy pair's last packets may never come: stop after a quiet second
            Arrival a = in.poll(writer.isDone() ? 1000 : 100);
            if (a == null) {
                if (writer.isDone()) break;
                continue;
            }
            int seq = sequenceOf(a.packet());
            assertTrue(seq >= next, "packet " + seq + " after " + next + ": reordered or duplicated");
            assertArrayEquals(arriving(packetToB(120, seq)), a.packet(), "packet " + seq);
            next = seq + 1;
            arrived++;
        }
        writer.get(5, TimeUnit.SECONDS);
        if (lossless()) {
            assertEquals(total, arrived, "packets lost");
        } else {
            assertTrue(arrived >= total * 0.95, "only " + arrived + " of " + total + " arrived");
        }
        if (pair.b().pushes()) {
            // sinks are made per delivering thread or stream, never per batch or packet
            int threads = in.deliveringThreads().size();
            assertTrue(in.sinksMade() <= threads + 4, in.sinksMade() + " sinks made for " + threads + " threads");
        }
    }

    @Test
    void concurrentWritersKeepEachThreadsOrder() throws Exception {
        Inbox in = inbox(pair.b());
        int writers = 4;
        int perWriter = 500;
        int stride = 1 << 20;
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Void>> running = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int base = w * stride;
            running.add(async("contract writer " + w, () -> {
                try (Arena wa = Arena.ofConfined()) {
                    PacketBatch out = PacketBatch.allocate(wa, 8, pair.a().mtu());
                    go.await();
                    for (int i = 0; i < perWriter; ) {
                        out.clear();
                        for (int k = 0; k < 8 && i < perWriter; k++, i++) {
                            byte[] p = packetToB(loadLength(i), base + i);
                            out.add(p, 0, p.length);
                        }
                        pair.a().write(out);
                    }
                }
                return null;
            }));
        }
        go.countDown();
        CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
        int total = writers * perWriter;
        int[] last = new int[writers];
        java.util.Arrays.fill(last, -1);
        int arrived = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (arrived < total && System.nanoTime() < deadline) {
            Arrival a = in.poll(1000);
            if (a == null) break;
            int seq = sequenceOf(a.packet());
            int w = seq / stride;
            int i = seq % stride;
            assertTrue(w >= 0 && w < writers && i < perWriter, "packet with sequence " + seq + " was never sent");
            assertTrue(i > last[w], "writer " + w + ": packet " + i + " after " + last[w] + ": reordered or duplicated");
            assertArrayEquals(arriving(packetToB(loadLength(i), seq)), a.packet(), "writer " + w + " packet " + i);
            last[w] = i;
            arrived++;
        }
        if (lossless()) {
            assertEquals(total, arrived, "packets lost");
        } else {
            assertTrue(arrived >= total * 0.95, "only " + arrived + " of " + total + " arrived");
        }
    }

    // ------------------------------------------------- cases whose check depends on the receiving device's shape
    // Each runs for both shapes (a pull device and a push device owe different things), so no case is ever
    // skipped: a skipped root test would hide missing work.

    /** Pull: a reader blocked in read returns -1 (or ClosedChannelException) soon. Push: its sinks are closed. */
    @Test
    void closeEndsTheReceivingSide() throws Exception {
        PacketDevice b = pair.b();
        if (b.pushes()) {
            Inbox in = inbox(b);
            write(pair.a(), packetToB(100, 1));
            in.take(1, 5000);
            assertTrue(in.sinksMade() >= 1, "a packet arrived without a sink");
            b.close();
            assertTrue(in.awaitEnd(2000), "sinks still open after close");
            return;
        }
        CompletableFuture<Integer> reader = async("contract blocked reader", () -> {
            try {
                return b.read(batch(4));
            } catch (ClosedChannelException e) {
                return -2; // closed while reading is allowed to surface as an exception
            }
        });
        Thread.sleep(200);
        assertFalse(reader.isDone(), "read returned without a packet");
        long t0 = System.nanoTime();
        b.close();
        int r = reader.get(2, TimeUnit.SECONDS);
        assertTrue(r < 0, "read after close returned " + r);
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2));
    }

    /** Pull: wakeup() makes a blocked read return 0. Push: nothing is read, and wakeup() disturbs nothing. Both read on. */
    @Test
    void wakeupReturnsABlockedReaderAndTheDeviceReadsOn() throws Exception {
        PacketDevice b = pair.b();
        if (b.pushes()) {
            b.wakeup();
        } else {
            CompletableFuture<Integer> reader = async("contract blocked reader", () -> b.read(batch(4)));
            Thread.sleep(200);
            assertFalse(reader.isDone(), "read returned without a packet");
            b.wakeup();
            assertEquals(0, reader.get(2, TimeUnit.SECONDS), "read after wakeup()");
        }
        Inbox in = inbox(b);
        byte[] p = packetToB(100, 11);
        write(pair.a(), p);
        assertArrayEquals(arriving(p), in.take(1, 5000).getFirst().packet());
    }

    /**
     * Packets that arrive before anyone takes them. Push: dropped and counted until deliverTo, never delivered
     * late. Pull: held until read (a TUN's queue, a socket's buffer), then read in order.
     */
    @Test
    void packetsBeforeTheReceiverStartsAreHeldOrCounted() throws Exception {
        PacketDevice b = pair.b();
        int early = 10;
        long dropsBefore = b.stats().drops();
        byte[][] sent = new byte[early][];
        for (int i = 0; i < early; i++) write(pair.a(), sent[i] = packetToB(100, i));
        if (!b.pushes()) {
            Inbox in = inbox(b);
            List<Arrival> got = in.take(early, 5000);
            for (int i = 0; i < early; i++) assertArrayEquals(arriving(sent[i]), got.get(i).packet(), "early packet " + i);
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (b.stats().drops() - dropsBefore < early && System.nanoTime() < deadline) Thread.sleep(10);
        assertEquals(early, b.stats().drops() - dropsBefore, "packets before deliverTo counted as drops");
        Inbox in = inbox(b);
        byte[] p = packetToB(100, 1000);
        write(pair.a(), p);
        assertArrayEquals(arriving(p), in.take(1, 5000).getFirst().packet(), "the first packet after deliverTo, no early one");
        assertNull(in.poll(200), "a packet from before deliverTo was delivered late");
    }

    @Test
    void eachShapeRefusesTheOthersCalls() {
        for (PacketDevice d : List.of(pair.a(), pair.b())) {
            if (d.pushes()) {
                PacketBatch b = batch(1);
                assertThrows(UnsupportedOperationException.class, () -> d.read(b), d.describe() + " pushes: read");
                inbox(d);
                assertThrows(IllegalStateException.class, () -> d.deliverTo(() -> new PacketSink() {
                    @Override
                    public void accept(PacketBatch batch) {}
                }), d.describe() + ": deliverTo twice");
            } else {
                assertThrows(UnsupportedOperationException.class, () -> d.deliverTo(() -> new PacketSink() {
                    @Override
                    public void accept(PacketBatch batch) {}
                }), d.describe() + " is pulled: deliverTo");
            }
        }
    }

    @Test
    void closingTheReceiverWhilePacketsFlowEndsCleanly() throws Exception {
        Inbox in = inbox(pair.b());
        try (Flow flow = new Flow(pair.a())) {
            in.take(100, 10_000);
            pair.b().close();
            assertTrue(in.awaitEnd(2000), "receiver did not end after close");
            Thread.sleep(100); // packets keep coming at the closed end: dropped, nothing breaks
            flow.stopAndCheck();
        }
    }

    @Test
    void closingTheWriterWhilePacketsFlowEndsCleanly() throws Exception {
        Inbox in = inbox(pair.b());
        try (Flow flow = new Flow(pair.a())) {
            in.take(100, 10_000);
            pair.a().close();
            // each writer must see ClosedChannelException (or finish a write in flight) and stop
            flow.awaitWritersEnded(2000);
            flow.stopAndCheck();
        }
    }

    @Test
    void closeIsIdempotentAndWriteAfterCloseThrows() throws Exception {
        pair.a().close();
        pair.a().close();
        PacketBatch out = batch(1);
        byte[] p = packetToB(64, 0);
        out.add(p, 0, p.length);
        assertThrows(ClosedChannelException.class, () -> pair.a().write(out));
    }

    /** Writers that keep {@code a} busy until stopped or closed; at most 10 s, bounded in packets too. */
    private final class Flow implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final List<CompletableFuture<Void>> writers = new ArrayList<>();
        private final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        private final AtomicInteger sent = new AtomicInteger();

        Flow(PacketDevice to) {
            for (int w = 0; w < 2; w++) {
                int id = w;
                writers.add(async("contract flow " + w, () -> {
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    try (Arena wa = Arena.ofConfined()) {
                        PacketBatch out = PacketBatch.allocate(wa, 16, to.mtu());
                        for (int i = 0; i < 1_000_000 && !stop.get() && System.nanoTime() < end; ) {
                            out.clear();
                            for (int k = 0; k < 16; k++, i++) {
                                byte[] p = packetToB(loadLength(i), id << 24 | i);
                                out.add(p, 0, p.length);
                            }
                            to.write(out);
                            sent.addAndGet(16);
                            if (i % 256 == 0) Thread.sleep(1); // a flow, not a flood: the receiver stays ahead
                        }
                    } catch (ClosedChannelException e) {
                        // the device was closed under the writer: the one way a write may end
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                    return null;
                }));
            }
        }

        void awaitWritersEnded(long timeoutMs) throws Exception {
            try {
                CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(timeoutMs, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                fail("writers still writing " + timeoutMs + " ms after the device closed (" + sent.get() + " packets sent)");
            }
        }

        void stopAndCheck() throws Exception {
            stop.set(true);
            awaitWritersEnded(5000);
            if (!failures.isEmpty()) {
                AssertionError e = new AssertionError("a writer failed other than with ClosedChannelException");
                failures.forEach(e::addSuppressed);
                throw e;
            }
            assertNoViolations();
        }

        @Override
        public void close() {
            stop.set(true);
        }
    }
}
