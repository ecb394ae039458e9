package io.tunctl.core.spi;

import java.io.IOException;

/**
 * Where a push device hands the packets it receives, on the thread they arrived on (an event loop, a stream's
 * reader). A sink is used by one thread at a time; it consumes (writes or copies) every packet of the batch before
 * {@link #accept} returns, after which the batch is the caller's again. It never blocks for long: a sink that
 * cannot take a packet now (a full queue, a congested peer) drops and counts it, as a NIC would.
 *
 * <p>The device that was given a sink closes it when the thread or stream that used it is done with it, or when
 * the device closes; closing frees what the sink holds (its own batches, scratch memory). A sink's methods are
 * never called concurrently with its {@link #close}.
 */
public interface PacketSink extends AutoCloseable {

    /** Takes every packet of {@code batch}, in order. */
    void accept(PacketBatch batch) throws IOException;

    /**
     * Called by a push device, on the sink's thread and before {@link #close}, when packets stopped for good on that
     * thread for another reason than the device being closed: a TUN queue read past its end (the interface deleted
     * under it, {@code failure} null) or a read that failed. A bridge then ends, as it does when a pulled source
     * ends. The default does nothing.
     */
    default void ended(Throwable failure) {}

    /** Frees what the sink holds; idempotent. */
    @Override
    default void close() {}
}
