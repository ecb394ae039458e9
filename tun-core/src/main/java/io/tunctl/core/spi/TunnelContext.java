package io.tunctl.core.spi;

import java.io.IOException;
import java.util.Optional;

/**
 * What tunctl hands a provider when it opens a transport: a way to make TUN devices and to pump packets.
 * Everything made through the context is undone when the context is closed, in reverse order.
 */
public interface TunnelContext {

    /**
     * Creates a TUN device as {@code spec} says, gives it its addresses and MTU, brings it up and adds its
     * routes and rules. The returned device is closed, and every change undone, when the context closes.
     */
    InterfaceHandle openInterface(InterfaceSpec spec) throws IOException;

    /** The {@code interface} section of a unified tunctl config, if it had one. */
    Optional<InterfaceSpec> interfaceSpec();

    /** Starts pumping packets both ways between {@code a} and {@code b} on two platform threads. */
    Bridge bridge(PacketDevice a, PacketDevice b);

    /** Registers something to close when the context closes (before the interfaces go). */
    void onClose(AutoCloseable resource);

    System.Logger logger();
}
