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
}
