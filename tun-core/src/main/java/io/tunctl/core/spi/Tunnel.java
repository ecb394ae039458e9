package io.tunctl.core.spi;

import java.io.IOException;

/** A running transport. Closing it stops its threads and removes every interface, address, route and rule it made. */
public interface Tunnel extends AutoCloseable {

    /** Blocks until the tunnel ends; throws what made it end, if it failed. */
    void await() throws IOException, InterruptedException;

    /**
     * A snapshot of the tunnel's peers and counters for {@code tunctl status}; called on tunctl's control thread,
     * rarely (each status request), so it may hop onto an event loop for a consistent view, briefly. The default
     * reports no peers: the interface, its counters and the process figures are shown anyway.
     */
    default TunnelStatus status() { return TunnelStatus.NONE; }

    /** Idempotent; safe from any thread, including a shutdown hook. */
    @Override
    void close() throws IOException;
}
