package io.tunctl.transport.p2p.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PacketSink;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PacketSinkDeliveryTest {
    private final EventLoop loop = new DefaultEventLoop();

    @AfterEach
    void stop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    private static byte[] packet(int n) {
        byte[] p = new byte[40];
        p[0] = 0x45;
        p[39] = (byte) n;
        return p;
    }

    @Test
    void batchesPerTurnSplitsFullBatchesAndCountsDrops() throws Exception {
        PacketSinkDelivery d = new PacketSinkDelivery(1500);
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        List<Integer> order = new CopyOnWriteArrayList<>();
        CountDownLatch closed = new CountDownLatch(1);
        // before a sink factory: dropped
        loop.submit(() -> d.add(loop, packet(0), 0, 40)).get();
        loop.submit(() -> { }).get(); // the queued flush ran
        assertEquals(1, d.drops());
        d.deliverTo(() -> new PacketSink() {
            @Override
            public void accept(PacketBatch batch) {
                assertTrue(loop.inEventLoop(), "the sink runs on the loop that received");
                sizes.add(batch.size());
                for (int i = 0; i < batch.size(); i++) {
                    order.add(batch.toArray(i)[39] & 0xff);
                }
            }

            @Override
            public void close() {
                closed.countDown();
            }
        });
        assertThrows(IllegalStateException.class, () -> d.deliverTo(() -> null));
        loop.submit(() -> {
            for (int i = 1; i <= 70; i++) {
                d.add(loop, packet(i), 0, 40);
            }
            d.add(loop, new byte[1501], 0, 1501); // larger than the tunnel carries
        }).get();
        loop.submit(() -> { }).get();
        assertEquals(List.of(64, 6), sizes, "a full batch at once, the rest at the end of the turn");
        for (int i = 0; i < 70; i++) {
            assertEquals(i + 1, order.get(i));
        }
        assertEquals(70, d.delivered());
        assertEquals(2, d.drops());
        d.close();
        assertTrue(closed.await(5, TimeUnit.SECONDS), "the sink is closed on its loop");
        loop.submit(() -> d.add(loop, packet(99), 0, 40)).get();
        assertEquals(3, d.drops(), "after close: dropped and counted");
    }
}
