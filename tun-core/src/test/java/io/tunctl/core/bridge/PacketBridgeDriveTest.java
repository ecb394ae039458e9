package io.tunctl.core.bridge;

import io.tunctl.core.spi.DrivenDirection;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PacketDevice;
import io.tunctl.core.spi.PollableDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A destination that drives a pollable source takes the direction over: the bridge starts no pumping thread for
 * it, counts what the driver reports, and ends (or fails) when the driver says the source ended. One that declines,
 * or a pair that needs segmentation, gets the pump as before.
 */
@Timeout(10)
class PacketBridgeDriveTest {

    /** A pull device (one end of an in-memory pair) that also offers direct reads; the reader itself is unused here. */
    private static final class Source implements PollableDevice {
        private static final java.util.concurrent.atomic.AtomicInteger SOURCES = new java.util.concurrent.atomic.AtomicInteger();
        final PacketDevice end;
        final boolean gso;
        /** Unique, so a test sees only its own bridge's thread. */
        final String name = "source" + SOURCES.incrementAndGet();
        int readersOpened;

        Source(PacketDevice end, boolean gso) {
            this.end = end;
            this.gso = gso;
        }

        @Override
        public DirectReader openDirectReader() {
            readersOpened++;
            return new DirectReader() {
                @Override public int fd() { return -1; }
                @Override public int headerLength() { return 0; }
                @Override public int read(long header, long packet, int capacity) { return 0; }
                @Override public void close() {}
            };
        }

        @Override public int read(PacketBatch batch) throws IOException { return end.read(batch); }
        @Override public void write(PacketBatch batch) throws IOException { end.write(batch); }
        @Override public int mtu() { return 1500; }
        @Override public boolean acceptsGso() { return gso; }
        @Override public String describe() { return name; }
        @Override public void close() throws IOException { end.close(); }
    }

    /** A destination that drives (or declines to) and remembers the direction it was given. */
    private static final class Driver implements PacketDevice {
        final boolean accept;
        final boolean gso;
        final AtomicReference<DrivenDirection> direction = new AtomicReference<>();
        int written;

        Driver(boolean accept, boolean gso) {
            this.accept = accept;
            this.gso = gso;
        }

        @Override
        public boolean drive(PollableDevice source, DrivenDirection d) {
            direction.set(d);
            return accept;
        }

        @Override public int read(PacketBatch batch) { throw new UnsupportedOperationException(); }
        @Override public boolean pushes() { return true; }
        @Override public void deliverTo(java.util.function.Supplier<? extends io.tunctl.core.spi.PacketSink> s) {}
        @Override public synchronized void write(PacketBatch batch) { written += batch.size(); }
        @Override public int mtu() { return 1500; }
        @Override public boolean acceptsGso() { return gso; }
        @Override public String describe() { return "driver"; }
        @Override public void close() {}
    }

    private static boolean pumpRunning(Source s) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith("bridge " + s.name + " "));
    }

    @Test
    void aDrivenDirectionHasNoThreadCountsWhatTheDriverReportsAndEndsWithTheSource() throws Exception {
        MemoryDevicePair pair = new MemoryDevicePair(16, 1500, false);
        Source source = new Source(pair.b(), false);
        Driver driver = new Driver(true, true);
        PacketBridge bridge = PacketBridge.start(source, driver);
        try {
            DrivenDirection d = driver.direction.get();
            assertNotNull(d, "the bridge offered the direction to the destination");
            assertFalse(pumpRunning(source), "no pumping thread for a driven direction");
            d.moved(3, 4200);
            d.moved(1, 60);
            assertEquals(4, bridge.counters().aToBPackets());
            assertEquals(4260, bridge.counters().aToBBytes());
            d.ended(null);
            d.ended(new IOException("late")); // a second report changes nothing
            bridge.await(); // ended without failure
        } finally {
            bridge.close();
        }
    }

    @Test
    void aFailureReportedByTheDriverEndsTheBridgeWithIt() throws Exception {
        MemoryDevicePair pair = new MemoryDevicePair(16, 1500, false);
        Driver driver = new Driver(true, true);
        PacketBridge bridge = PacketBridge.start(new Source(pair.b(), false), driver);
        driver.direction.get().ended(new IOException("epoll_ctl: EBADF"));
        IOException e = assertThrows(IOException.class, bridge::await);
        assertEquals("epoll_ctl: EBADF", e.getMessage());
    }

    @Test
    void aDestinationThatDeclinesIsPumped() throws Exception {
        MemoryDevicePair pair = new MemoryDevicePair(16, 1500, false);
        Driver driver = new Driver(false, true);
        Source source = new Source(pair.b(), false);
        PacketBridge bridge = PacketBridge.start(source, driver);
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            assertTrue(pumpRunning(source), "declined: a thread pumps");
            PacketBatch out = PacketBatch.allocate(arena, 2, 1500);
            out.add(new byte[100], 0, 100);
            out.add(new byte[100], 0, 100);
            pair.a().write(out);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (bridge.counters().aToBPackets() < 2 && System.nanoTime() < deadline) Thread.sleep(5);
            assertEquals(2, bridge.counters().aToBPackets());
        } finally {
            bridge.close();
        }
    }

    @Test
    void aPairThatNeedsSegmentationIsNotOfferedToTheDestination() throws Exception {
        MemoryDevicePair pair = new MemoryDevicePair(16, 1500, true);
        Source source = new Source(pair.b(), true); // hands over super-packets
        Driver driver = new Driver(true, false);    // takes only plain packets
        PacketBridge bridge = PacketBridge.start(source, driver);
        try {
            assertNull(driver.direction.get(), "segmenting directions stay with the bridge");
            assertEquals(0, source.readersOpened);
            assertTrue(pumpRunning(source));
        } finally {
            bridge.close();
        }
    }
}
