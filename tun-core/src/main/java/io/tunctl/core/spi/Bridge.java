package io.tunctl.core.spi;

/** Two devices pumped into each other, one platform thread per direction. */
public interface Bridge extends AutoCloseable {

    /** Blocks until both directions stopped; rethrows the first failure. */
    void await() throws java.io.IOException, InterruptedException;

    /** Packets and bytes moved in each direction so far. */
    Counters counters();

    @Override
    void close();

    record Counters(long aToBPackets, long aToBBytes, long bToAPackets, long bToABytes, long dropped) {}
}
