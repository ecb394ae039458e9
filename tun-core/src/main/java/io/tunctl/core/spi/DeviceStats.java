package io.tunctl.core.spi;

/** A snapshot of a device's counters. */
public record DeviceStats(long rxPackets, long rxBytes, long txPackets, long txBytes, long drops) {
    public static final DeviceStats NONE = new DeviceStats(0, 0, 0, 0, 0);
}
