package io.tunctl.core.tun;

import io.tunctl.core.spi.Offload;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PacketDevice;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The simplest bridge: one platform thread per direction, read a batch, write it. Counts what passes so tests can
 * see GSO super-packets. Stops when either side is closed.
 */
final class TestPump implements AutoCloseable {
    final AtomicLong packets = new AtomicLong();
    final AtomicLong gsoTcp4 = new AtomicLong();
    final AtomicLong gsoTcp6 = new AtomicLong();
    final AtomicLong maxLength = new AtomicLong();
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread ab;
    private final Thread ba;

    TestPump(PacketDevice a, PacketDevice b, int bufferSize) {
        ab = Thread.ofPlatform().name("pump " + a.describe() + "->" + b.describe()).start(() -> pump(a, b, bufferSize));
        ba = Thread.ofPlatform().name("pump " + b.describe() + "->" + a.describe()).start(() -> pump(b, a, bufferSize));
    }

    private void pump(PacketDevice from, PacketDevice to, int bufferSize) {
        try (Arena arena = Arena.ofConfined()) {
            PacketBatch batch = PacketBatch.allocate(arena, 64, bufferSize);
            while (true) {
                batch.clear();
                int n = from.read(batch);
                if (n < 0) return;
                for (int i = 0; i < batch.size(); i++) {
                    int type = batch.gsoType(i) & ~Offload.GSO_ECN;
                    if (type == Offload.GSO_TCPV4) gsoTcp4.incrementAndGet();
                    if (type == Offload.GSO_TCPV6) gsoTcp6.incrementAndGet();
                    maxLength.accumulateAndGet(batch.length(i), Math::max);
                }
                packets.addAndGet(batch.size());
                to.write(batch);
            }
        } catch (ClosedChannelException e) {
            // the other side closed first
        } catch (IOException | RuntimeException e) {
            failure.compareAndSet(null, e);
        }
    }

    /** Waits for both threads (the devices must have been closed). */
    @Override
    public void close() throws InterruptedException {
        ab.join(2000);
        ba.join(2000);
    }
}
