package io.tunctl.core.spi;

import java.io.IOException;

/** A running transport. Closing it stops its threads and removes every interface, address, route and rule it made. */
public interface Tunnel extends AutoCloseable {

    /** Blocks until the tunnel ends; throws what made it end, if it failed. */
    void await() throws IOException, InterruptedException;

    /** Idempotent; safe from any thread, including a shutdown hook. */
    @Override
    void close() throws IOException;
}
