package io.tunctl.core.spi;

import java.io.Closeable;
import java.io.IOException;
import java.util.function.Supplier;

/**
 * Something that moves whole IP packets: a TUN device, one end of a transport's tunnel, an in-memory pair.
 *
 * <h2>Pull and push</h2>
 * A <b>pull</b> device (a TUN) is read: a thread blocks in {@link #read} until packets are there. A <b>push</b>
 * device ({@link #pushes()} true) has threads of its own (Netty event loops, stream readers) on which packets
 * arrive; it hands them to {@link PacketSink}s made by the factory given to {@link #deliverTo}, right there, with
 * no hand-off queue and no parked thread. Both kinds are written to with {@link #write}. The bridge joins any
 * pull/push pair: a pull side gets a pumping thread, a push side gets a sink that writes into the other device.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #read} (pull devices) blocks until at least one packet is available, then appends as many as are
 *       ready (at most the batch's free slots) and returns how many it appended. It returns {@code -1} once the
 *       device is closed or its peer has ended, and 0 only for a full batch or after {@link #wakeup()}.
 *       Push devices throw {@link UnsupportedOperationException} from {@code read}.</li>
 *   <li>{@link #deliverTo} (push devices) is called once, before packets flow; a second call throws
 *       {@link IllegalStateException}. The device calls the factory once per thread or stream that delivers (never
 *       per packet), uses each sink from one thread at a time, and closes the sinks it made when their thread or
 *       stream ends, and at the latest when it closes (on the sinks' own threads, so possibly a moment after
 *       {@link #close} returns). Packets that arrive before {@code deliverTo} are dropped and counted.</li>
 *   <li>{@link #write} sends every packet of the batch, in order, or throws. Packets the device cannot carry
 *       (larger than {@link #mtu()} without offload, malformed for the transport), or cannot take now without
 *       blocking (a full kernel queue), are dropped and counted, never silently truncated. Writing to a closed device throws {@link java.nio.channels.ClosedChannelException}.</li>
 *   <li>Packets carry GSO metadata; a device that does not accept GSO super-packets
 *       ({@link #acceptsGso()} false) must be given segmented packets — the bridge does that.</li>
 *   <li>One thread may read while others write. {@link #write} may be called from several threads at once (the
 *       sinks of a push device writing into this one from every event loop): a device that cannot write
 *       concurrently serialises internally; a {@code TunDevice} does not need to (each thread has its own scratch
 *       memory, and the kernel takes whole packets from any number of writers). {@link #close} may be called from any thread, is idempotent, and wakes a blocked reader.</li>
 * </ul>
 */
public interface PacketDevice extends Closeable {

    /** Reads one or more packets into {@code batch}, appending after its current size; -1 at end. */
    int read(PacketBatch batch) throws IOException;

    /** Writes all packets of {@code batch}. */
    void write(PacketBatch batch) throws IOException;

    /** True for a push device: received packets go to the sinks given to {@link #deliverTo}, not to {@link #read}. */
    default boolean pushes() { return false; }

    /**
     * Push devices: from now on, hand every received packet to a sink from {@code sinks} on the thread where it
     * arrived. Pull devices throw {@link UnsupportedOperationException}.
     */
    default void deliverTo(Supplier<? extends PacketSink> sinks) {
        throw new UnsupportedOperationException(describe() + " is a pull device: read it");
    }

    /**
     * Offered by the bridge when this device is the destination of a {@link PollableDevice}: a device that sends from
     * an event loop may take over reading {@code source} on that loop ({@link PollableDevice#openDirectReader}),
     * straight into its own send buffers, and return true; the bridge then starts no pumping thread for the
     * direction. The device reports what it moved and the source's end to {@code direction}, stops reading when it
     * closes, and closes its reader on the loop that used it. Devices that decline (the default) are written to by a
     * pump (so does a device that cannot open the reader: it declines rather than fail). Only offered when no
     * segmentation is needed between the two.
     */
    default boolean drive(PollableDevice source, DrivenDirection direction) { return false; }

    /**
     * Makes a thread blocked in {@link #read} return (with 0 packets) soon, e.g. so that it resizes its batch after
     * an MTU change. A no-op for devices whose reads never block for long.
     */
    default void wakeup() {}

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
