package io.tunctl.core.testkit;

import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PacketDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The {@link PacketDevice} contract, run against every device that tunctl ships. A transport's test extends
 * this and supplies a connected pair: what {@code a} writes, {@code b} reads, and back.
 * Packets are real-looking IPv4/UDP packets so that transports that look at headers accept them.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
public abstract class PacketDeviceContract {

    /** Two connected devices; closing both must release everything the pair holds. */
    public record Pair(PacketDevice a, PacketDevice b, AutoCloseable resources) {}

    protected abstract Pair open() throws Exception;

    protected Pair pair;
    protected Arena arena;

    @BeforeEach
    void openPair() throws Exception {
        pair = open();
        arena = Arena.ofShared();
    }

    @AfterEach
    void closePair() throws Exception {
        pair.a().close();
        pair.b().close();
        if (pair.resources() != null) pair.resources().close();
        arena.close();
    }

    /** An IPv4/UDP packet 192.0.2.1:9 → 192.0.2.2:9 of {@code len} bytes whose payload bytes encode {@code seq}. */
    public static byte[] testPacket(int len, int seq) {
        byte[] p = new byte[len];
        p[0] = 0x45;
        p[2] = (byte) (len >>> 8);
        p[3] = (byte) len;
        p[8] = 64;
        p[9] = 17;
        p[12] = (byte) 192; p[13] = 0; p[14] = 2; p[15] = 1;
        p[16] = (byte) 192; p[17] = 0; p[18] = 2; p[19] = 2;
        int sum = 0;
        for (int i = 0; i < 20; i += 2) sum += ((p[i] & 0xff) << 8) | (p[i + 1] & 0xff);
        while ((sum >>> 16) != 0) sum = (sum & 0xffff) + (sum >>> 16);
        int csum = ~sum & 0xffff;
        p[10] = (byte) (csum >>> 8);
        p[11] = (byte) csum;
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

    protected PacketBatch batch(int capacity) {
        return PacketBatch.allocate(arena, capacity, Math.max(pair.a().mtu(), pair.b().mtu()));
    }

    /** Reads until {@code want} packets arrived or the deadline passes. */
    protected PacketBatch readAtLeast(PacketDevice d, int want, long timeoutMs) throws Exception {
        PacketBatch got = PacketBatch.allocate(arena, Math.max(want, 1), Math.max(d.mtu(), 68));
        CompletableFuture<Void> f = CompletableFuture.runAsync(() -> {
            try {
                while (got.size() < want) {
                    if (d.read(got) < 0) return;
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        f.get(timeoutMs, TimeUnit.MILLISECONDS);
        return got;
    }

    @Test
    void mtuIsAtLeastTheIpv6Minimum() {
        assertTrue(pair.a().mtu() >= 1280, "mtu " + pair.a().mtu());
        assertTrue(pair.b().mtu() >= 1280, "mtu " + pair.b().mtu());
    }

    @Test
    void onePacketArrivesIntact() throws Exception {
        byte[] p = testPacket(100, 7);
        PacketBatch out = batch(1);
        out.add(p, 0, p.length);
        pair.a().write(out);
        PacketBatch in = readAtLeast(pair.b(), 1, 5000);
        assertEquals(1, in.size());
        assertArrayEquals(p, in.toArray(0));
    }

    @Test
    void bothDirectionsWork() throws Exception {
        byte[] p = testPacket(200, 1);
        PacketBatch out = batch(1);
        out.add(p, 0, p.length);
        pair.b().write(out);
        PacketBatch in = readAtLeast(pair.a(), 1, 5000);
        assertArrayEquals(p, in.toArray(0));
    }

    @Test
    void aBatchArrivesInOrder() throws Exception {
        int n = 50;
        PacketBatch out = batch(n);
        for (int i = 0; i < n; i++) {
            byte[] p = testPacket(60 + i * 20, i);
            out.add(p, 0, p.length);
        }
        pair.a().write(out);
        PacketBatch in = readAtLeast(pair.b(), n, 10000);
        assertEquals(n, in.size());
        for (int i = 0; i < n; i++) assertArrayEquals(testPacket(60 + i * 20, i), in.toArray(i), "packet " + i);
    }

    @Test
    void fullMtuPacketsArrive() throws Exception {
        int mtu = Math.min(pair.a().mtu(), pair.b().mtu());
        byte[] p = testPacket(mtu, 3);
        PacketBatch out = batch(1);
        out.add(p, 0, p.length);
        pair.a().write(out);
        PacketBatch in = readAtLeast(pair.b(), 1, 5000);
        assertEquals(mtu, in.length(0));
        assertEquals(p[mtu - 1], in.buffer(0).get(ValueLayout.JAVA_BYTE, mtu - 1));
    }

    @Test
    void manyBatchesKeepOrderUnderLoad() throws Exception {
        int total = 5000;
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try (Arena w = Arena.ofConfined()) {
                PacketBatch out = PacketBatch.allocate(w, 32, pair.a().mtu());
                for (int i = 0; i < total; ) {
                    out.clear();
                    for (int k = 0; k < 32 && i < total; k++, i++) {
                        byte[] p = testPacket(120, i);
                        out.add(p, 0, p.length);
                    }
                    pair.a().write(out);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        PacketBatch in = batch(64);
        int next = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (next < total && System.nanoTime() < deadline) {
            in.clear();
            int n = pair.b().read(in);
            assertTrue(n > 0, "read returned " + n + " after " + next + " packets");
            for (int i = 0; i < in.size(); i++) {
                int seq = in.buffer(i).get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 28);
                assertTrue(seq >= next, "packet " + seq + " after " + next + ": reordered or duplicated");
                next = seq + 1;
            }
        }
        writer.get(5, TimeUnit.SECONDS);
        // datagram transports may lose a packet under load, but the last one must arrive and order must hold
        assertTrue(next >= total * 0.95, "only " + next + " of " + total + " arrived");
    }

    @Test
    void closeWakesABlockedReader() throws Exception {
        CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
            try {
                return pair.b().read(batch(4));
            } catch (IOException e) {
                return -2; // closed while reading is allowed to surface as an exception
            }
        });
        Thread.sleep(200);
        assertFalse(reader.isDone(), "read returned without a packet");
        long t0 = System.nanoTime();
        pair.b().close();
        int r = reader.get(2, TimeUnit.SECONDS);
        assertTrue(r < 0, "read after close returned " + r);
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2));
    }

    @Test
    void closeIsIdempotentAndWriteAfterCloseThrows() throws Exception {
        pair.a().close();
        pair.a().close();
        PacketBatch out = batch(1);
        byte[] p = testPacket(64, 0);
        out.add(p, 0, p.length);
        assertThrows(ClosedChannelException.class, () -> pair.a().write(out));
    }
}
