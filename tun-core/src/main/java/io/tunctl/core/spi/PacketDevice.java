package io.tunctl.core.spi;

import java.io.Closeable;
import java.io.IOException;

/**
 * Something that moves whole IP packets: a TUN device, one end of a transport's tunnel, an in-memory pair.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #read} blocks until at least one packet is available, then appends as many as are ready
 *       (at most the batch's free slots) and returns how many it appended. It returns {@code -1} once the
 *       device is closed or its peer has ended; it never returns 0 for a non-full batch.</li>
 *   <li>{@link #write} sends every packet of the batch, in order, or throws. Packets the device cannot carry
 *       (larger than {@link #mtu()} without offload, malformed for the transport) are dropped and counted,
 *       never silently truncated. Writing to a closed device throws {@link java.nio.channels.ClosedChannelException}.</li>
 *   <li>Packets carry GSO metadata; a device that does not accept GSO super-packets
 *       ({@link #acceptsGso()} false) must be given segmented packets — the bridge does that.</li>
 *   <li>One thread may read while another writes. {@link #close} may be called from any thread, is idempotent,
 *       and wakes a blocked reader.</li>
 * </ul>
 */
public interface PacketDevice extends Closeable {

    /** Reads one or more packets into {@code batch}, appending after its current size; -1 at end. */
    int read(PacketBatch batch) throws IOException;

    /** Writes all packets of {@code batch}. */
    void write(PacketBatch batch) throws IOException;

    /** The largest plain packet (without GSO) this device carries, in bytes. */
    int mtu();

    /** True when {@link #write} takes GSO super-packets and {@link #read} may return them. */
    default boolean acceptsGso() { return false; }

    /** A short human-readable name for logs ({@code tun0}, {@code udp 192.0.2.2:5555}). */
    default String describe() { return getClass().getSimpleName(); }

    /** Counters since open. */
    default DeviceStats stats() { return DeviceStats.NONE; }

    @Override
    void close() throws IOException;
}
