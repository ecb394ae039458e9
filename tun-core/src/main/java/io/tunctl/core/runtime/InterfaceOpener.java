package io.tunctl.core.runtime;

import io.tunctl.core.spi.InterfaceHandle;
import io.tunctl.core.spi.InterfaceSpec;

import java.io.IOException;

/** Makes TUN interfaces for a {@link DefaultTunnelContext}: the OS's, or an in-memory one in tests. */
@FunctionalInterface
public interface InterfaceOpener {
    /** Opens and configures an interface; the handle is {@link AutoCloseable} when it has anything to undo. */
    InterfaceHandle open(InterfaceSpec spec) throws IOException;
}
