package io.tunctl.core.bridge;

import io.tunctl.core.spi.Bridge;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.testkit.PacketDeviceContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;

import static org.junit.jupiter.api.Assertions.*;

/**
 * mem1.a → [bridge mem1.b ⇄ mem2.a] → mem2.b: the bridge pumps both ways, keeps order, stops on close.
 * The outer ends also pass the device contract, which proves the bridge is transparent.
 */
class PacketBridgeTest extends PacketDeviceContract {
    @Override
    protected Pair open() {
        MemoryDevicePair left = new MemoryDevicePair(256, 1500, false);
        MemoryDevicePair right = new MemoryDevicePair(256, 1500, false);
        PacketBridge bridge = PacketBridge.start(left.b(), right.a());
        return new Pair(left.a(), right.b(), () -> {
            bridge.close();
            left.close();
            right.close();
        });
    }

    @Test
    @Timeout(10)
    void countsAndStopsWhenADeviceEnds() throws Exception {
        MemoryDevicePair left = new MemoryDevicePair(64, 1500, false);
        MemoryDevicePair right = new MemoryDevicePair(64, 1500, false);
        Bridge bridge = PacketBridge.start(left.b(), right.a());
        try (Arena arena = Arena.ofConfined()) {
            PacketBatch out = PacketBatch.allocate(arena, 10, 1500);
            for (int i = 0; i < 10; i++) {
                byte[] p = testPacket(100, i);
                out.add(p, 0, p.length);
            }
            left.a().write(out);
            PacketBatch in = PacketBatch.allocate(arena, 10, 1500);
            while (in.size() < 10) assertTrue(right.b().read(in) > 0);
            left.a().close(); // the bridge's reader sees the end of left.b
            bridge.await();
            assertEquals(10, bridge.counters().aToBPackets());
            assertEquals(1000, bridge.counters().aToBBytes());
        }
    }

    /**
     * A push source whose packets stop for good says so through its sink ({@code PacketSink.ended}): the bridge ends
     * as when a pulled source ends, rethrowing the failure if there was one (a multi-queue TUN losing a queue).
     */
    @Test
    @Timeout(10)
    void aPushSourceThatEndsEndsTheBridge() throws Exception {
        for (java.io.IOException why : new java.io.IOException[] {null, new java.io.IOException("queue 2 failed")}) {
            MemoryDevicePair right = new MemoryDevicePair(64, 1500, false);
            EndingPush source = new EndingPush(why);
            Bridge bridge = PacketBridge.start(source, right.a());
            if (why == null) {
                bridge.await();
            } else {
                assertSame(why, assertThrows(java.io.IOException.class, bridge::await));
            }
            assertTrue(source.closed, "the bridge closed the source");
            right.close();
        }
    }

    /** Delivers nothing, then, on a thread of its own, tells its sink it ended. */
    private static final class EndingPush implements io.tunctl.core.spi.PacketDevice {
        private final Throwable why;
        volatile boolean closed;

        EndingPush(Throwable why) { this.why = why; }

        @Override
        public boolean pushes() { return true; }

        @Override
        public void deliverTo(java.util.function.Supplier<? extends io.tunctl.core.spi.PacketSink> sinks) {
            Thread.ofPlatform().start(() -> {
                io.tunctl.core.spi.PacketSink s = sinks.get();
                s.ended(why);
                s.close();
            });
        }

        @Override
        public int read(PacketBatch batch) { throw new UnsupportedOperationException(); }

        @Override
        public void write(PacketBatch batch) {}

        @Override
        public int mtu() { return 1500; }

        @Override
        public void close() { closed = true; }
    }
}
