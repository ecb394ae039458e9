package io.tunctl.core.runtime;

import io.tunctl.core.spi.Bridge;
import io.tunctl.core.spi.Tunnel;

import java.io.IOException;

/** The simplest {@link io.tunctl.core.spi.Tunnel}: one bridge between a TUN and a transport device. */
public final class BridgedTunnel implements Tunnel {
    private final Bridge bridge;

    public BridgedTunnel(Bridge bridge) {
        this.bridge = bridge;
    }

    @Override
    public void await() throws IOException, InterruptedException { bridge.await(); }

    @Override
    public void close() { bridge.close(); }

    public Bridge bridge() { return bridge; }
}
