package io.tunctl.core.spi;

/**
 * What a device that {@link PacketDevice#drive drives} a source reports to the bridge: the packets it moved (for
 * the bridge's counters) and the end of the direction, as a pumping thread would have reported them.
 */
public interface DrivenDirection {

    /** {@code packets} packets of {@code bytes} bytes in all went from the source to the driving device. */
    void moved(int packets, long bytes);

    /** The source reached its end ({@code failure} null) or reading it failed: the bridge ends, as after a pump. */
    void ended(Throwable failure);
}
