package io.tunctl.transport.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.tunctl.core.bridge.PacketBridge;
import io.tunctl.core.packet.OffloadCheck;
import io.tunctl.core.spi.Offload;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PacketDevice;
import io.tunctl.core.testkit.OffloadCases;
import io.tunctl.core.testkit.OffloadCases.Case;
import io.tunctl.transport.http.wire.FrameDecoder;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Frames with forged virtio headers, decoded as a PUT body is, handed by a tunnel end's {@link StreamEnd.Inbound} to
 * the bridge's sink and written into a TUN without vnet headers (the software segmentation path): nothing fails on
 * the way (a failure would log a warning and lose the whole batch), and the device gets only plain packets within
 * its MTU.
 */
class InboundFuzzTest {
    private static final int MTU = 1400;

    /** A TUN without vnet headers that checks every packet it is handed. */
    private static final class PlainTun implements PacketDevice {
        long packets;
        final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);

        @Override
        public int read(PacketBatch batch) throws java.io.InterruptedIOException {
            try {
                closed.await(); // nothing comes from this TUN: the bridge's pump waits here until close
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
            }
            return -1;
        }

        @Override
        public void write(PacketBatch batch) {
            for (int i = 0; i < batch.size(); i++) {
                assertFalse(batch.hasOffload(i), "offload metadata reached a TUN without vnet headers");
                assertTrue(batch.length(i) <= MTU, batch.length(i) + " bytes > MTU");
                packets++;
            }
        }

        @Override
        public int mtu() { return MTU; }

        @Override
        public void close() { closed.countDown(); }
    }

    /** The tunnel end under test: only its inbound direction matters here. */
    private static final class End extends StreamEnd {
        End(System.Logger log) {
            super(MTU, log);
        }

        @Override
        public void write(PacketBatch batch) {}
    }

    /** Keeps what is logged at WARNING and above. */
    private static final class Warnings implements System.Logger {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Override
        public String getName() { return "test"; }

        @Override
        public boolean isLoggable(Level level) { return level.getSeverity() >= Level.WARNING.getSeverity(); }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            if (isLoggable(level)) seen.add(msg + " " + thrown);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            if (isLoggable(level)) seen.add(java.text.MessageFormat.format(format, params));
        }
    }

    @Test
    void forgedHeadersNeverBreakTheSoftwarePath() throws Exception {
        List<Case> seeds = OffloadCases.seeds(MTU);
        long seed = System.nanoTime();
        Random rnd = new Random(seed);
        PlainTun tun = new PlainTun();
        Warnings log = new Warnings();
        FrameDecoder decoder = new FrameDecoder(ByteBufAllocator.DEFAULT, false);
        int rounds = 0, checkedOk = 0;
        PacketBatch one = PacketBatch.allocate(java.lang.foreign.Arena.ofAuto(), 1, 65535);
        End end = new End(log);
        try (PacketBridge bridge = PacketBridge.start(tun, end)) {
            StreamEnd.Inbound inbound = end.inbound(ImmediateEventExecutor.INSTANCE);
            while (rounds < 1500) {
                Case c = OffloadCases.fuzz(rnd, seeds, MTU);
                byte[] p = c.packet();
                if (p.length < 20) continue; // below the wire's minimum: the decoder closes such a stream
                rounds++;
                ByteBuf wire = Unpooled.wrappedBuffer(c.frame());
                int[] frames = {0};
                decoder.feed(wire, f -> {
                    frames[0]++;
                    inbound.add(f);
                });
                wire.release();
                assertEquals(1, frames[0]);
                long before = tun.packets;
                inbound.flush();
                assertTrue(log.seen.isEmpty(), () -> "seed " + seed + ": " + c + " made the writer fail: " + log.seen);
                boolean gso = (c.gsoType() & ~Offload.GSO_ECN) != Offload.GSO_NONE;
                one.clear();
                c.addTo(one);
                // what the check passes arrives, unless the bridge would cut it into more than MAX_SEGMENTS pieces
                if (OffloadCheck.check(one, 0, MTU) == OffloadCheck.OK && (gso || p.length <= MTU)
                        && io.tunctl.core.packet.GsoSegmenter.segmentCount(one, 0) <= PacketBridge.MAX_SEGMENTS) {
                    checkedOk++;
                    assertTrue(tun.packets > before, () -> "seed " + seed + ": a valid " + c + " did not arrive");
                }
            }
        }
        System.out.printf("inbound fuzz (seed %d): %d frames, %d valid, %d plain packets written%n", seed, rounds,
                checkedOk, tun.packets);
        assertTrue(checkedOk > 50, "the fuzzer reached valid frames: " + checkedOk);
    }
}
