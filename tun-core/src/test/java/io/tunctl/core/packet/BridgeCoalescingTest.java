package io.tunctl.core.packet;

import io.tunctl.core.bridge.PacketBridge;
import io.tunctl.core.spi.Offload;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PacketDevice;
import io.tunctl.core.spi.PacketSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static io.tunctl.core.packet.TestPackets.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The bridge's software GRO: what a push device without offload hands over (a p2p stream's packets) reaches a
 * destination that takes GSO (a TUN with offload) as super-packets, one per run of a flow's segments; a destination
 * without offload gets the packets as they came.
 */
@Timeout(10)
class BridgeCoalescingTest {
    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void close() { arena.close(); }

    /** A push device: the test calls {@link #push} as an event loop would. */
    static final class Pusher implements PacketDevice {
        Supplier<? extends PacketSink> sinks;
        PacketSink sink;

        void push(PacketBatch b) throws java.io.IOException {
            if (sink == null) sink = sinks.get();
            sink.accept(b);
        }

        @Override public boolean pushes() { return true; }
        @Override public void deliverTo(Supplier<? extends PacketSink> s) { sinks = s; }
        @Override public int read(PacketBatch batch) { throw new UnsupportedOperationException(); }
        @Override public void write(PacketBatch batch) {}
        @Override public int mtu() { return 1500; }
        @Override public void close() {}
    }

    /** A pull device that never yields a packet and records what is written to it. */
    static final class Recorder implements PacketDevice {
        final boolean gso;
        final List<byte[]> packets = new ArrayList<>();
        final List<Integer> gsoSizes = new ArrayList<>();
        private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);

        Recorder(boolean gso) { this.gso = gso; }

        @Override public int read(PacketBatch batch) throws java.io.IOException {
            try {
                closed.await();
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
            }
            return -1;
        }

        @Override public synchronized void write(PacketBatch batch) {
            for (int i = 0; i < batch.size(); i++) {
                packets.add(batch.toArray(i));
                gsoSizes.add(batch.hasOffload(i) ? batch.gsoSize(i) : 0);
            }
        }

        @Override public boolean acceptsGso() { return gso; }
        @Override public int mtu() { return 1500; }
        @Override public void close() { closed.countDown(); }
    }

    /** A 20-segment TCP run of one flow as plain packets (what a nospoon peer sends), then one UDP packet. */
    private PacketBatch plainRun(byte[][] whole) {
        byte[] l4 = tcp(40000, 5201, 7000, 99, Tcp.ACK, new byte[0], pattern(20 * 1380, 3));
        byte[] p = ipv4(6, l4);
        put16(p, 36, Checksum.pseudo(seg(p), 0, 6, p.length - 20)); // a super-packet as the kernel hands it over
        PacketBatch sp = PacketBatch.allocate(arena, 1, 65535);
        sp.add(p, 0, p.length);
        sp.setOffload(0, Offload.F_NEEDS_CSUM, Offload.GSO_TCPV4, 40, 1380, 20, 16);
        whole[0] = p;
        PacketBatch plain = PacketBatch.allocate(arena, 32, 1500);
        assertEquals(20, GsoSegmenter.segment(sp, 0, plain));
        byte[] udp = withRefChecksum(ipv4(17, udp(1, 2, pattern(100, 4))));
        plain.add(udp, 0, udp.length);
        return plain;
    }

    @Test
    void aGsoDestinationGetsOneSuperPacketPerRun() throws Exception {
        Pusher from = new Pusher();
        Recorder to = new Recorder(true);
        PacketBridge bridge = PacketBridge.start(from, to);
        try {
            byte[][] whole = new byte[1][];
            PacketBatch plain = plainRun(whole);
            from.push(plain);
            assertEquals(2, to.packets.size());
            assertEquals(1380, to.gsoSizes.get(0));
            // segmenting what arrived gives back exactly the packets that were pushed
            PacketBatch got = PacketBatch.allocate(arena, 1, 65535);
            got.add(to.packets.get(0), 0, to.packets.get(0).length);
            got.setOffload(0, Offload.F_NEEDS_CSUM, Offload.GSO_TCPV4, 40, 1380, 20, 16);
            PacketBatch again = PacketBatch.allocate(arena, 32, 1500);
            assertEquals(20, GsoSegmenter.segment(got, 0, again));
            for (int k = 0; k < 20; k++) assertArrayEquals(plain.toArray(k), again.toArray(k), "segment " + k);
            assertArrayEquals(plain.toArray(20), to.packets.get(1));
            assertEquals(0, to.gsoSizes.get(1));
            assertEquals(21, bridge.counters().aToBPackets());
        } finally {
            bridge.close();
        }
    }

    @Test
    void aPlainDestinationGetsThePacketsAsTheyCame() throws Exception {
        Pusher from = new Pusher();
        Recorder to = new Recorder(false);
        PacketBridge bridge = PacketBridge.start(from, to);
        try {
            PacketBatch plain = plainRun(new byte[1][]);
            from.push(plain);
            assertEquals(21, to.packets.size());
            for (int k = 0; k < 21; k++) assertArrayEquals(plain.toArray(k), to.packets.get(k));
        } finally {
            bridge.close();
        }
    }
}
