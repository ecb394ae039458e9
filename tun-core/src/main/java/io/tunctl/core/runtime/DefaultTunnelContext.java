package io.tunctl.core.runtime;

import io.tunctl.core.bridge.PacketBridge;
import io.tunctl.core.spi.Bridge;
import io.tunctl.core.spi.InterfaceHandle;
import io.tunctl.core.spi.InterfaceSpec;
import io.tunctl.core.spi.PacketDevice;
import io.tunctl.core.spi.TunnelContext;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * The {@link TunnelContext} tunctl gives providers. It remembers everything made through it and undoes it on
 * {@link #close()} in reverse order: bridges and registered resources first, then interfaces (whose handles
 * remove their routes, rules and addresses before closing the device).
 */
public final class DefaultTunnelContext implements TunnelContext, AutoCloseable {
    private final InterfaceOpener opener;
    private final InterfaceSpec interfaceSpec;
    private final System.Logger logger;
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final Deque<InterfaceHandle> interfaces = new ArrayDeque<>();
    private boolean closed;

    public DefaultTunnelContext(InterfaceOpener opener, InterfaceSpec interfaceSpec, System.Logger logger) {
        this.opener = opener;
        this.interfaceSpec = interfaceSpec;
        this.logger = logger;
    }

    @Override
    public synchronized InterfaceHandle openInterface(InterfaceSpec spec) throws IOException {
        if (closed) throw new IOException("tunnel context is closed");
        InterfaceHandle h = opener.open(spec);
        interfaces.push(h);
        logger.log(System.Logger.Level.INFO, "interface " + h.name() + " up (mtu " + spec.mtu() + ", "
                + spec.addresses() + ")");
        return h;
    }

    /** The interfaces opened so far, oldest first. */
    public synchronized java.util.List<InterfaceHandle> interfaces() {
        return java.util.List.copyOf(interfaces.reversed());
    }

    @Override
    public Optional<InterfaceSpec> interfaceSpec() { return Optional.ofNullable(interfaceSpec); }

    @Override
    public synchronized Bridge bridge(PacketDevice a, PacketDevice b) {
        PacketBridge bridge = PacketBridge.start(a, b);
        resources.push(bridge);
        return bridge;
    }

    @Override
    public synchronized void onClose(AutoCloseable resource) {
        resources.push(resource);
    }

    @Override
    public System.Logger logger() { return logger; }

    /** Undoes everything, continuing past failures; the first failure is thrown at the end. */
    @Override
    public void close() throws IOException {
        Deque<AutoCloseable> res;
        Deque<InterfaceHandle> ifs;
        synchronized (this) {
            if (closed) return;
            closed = true;
            res = new ArrayDeque<>(resources);
            ifs = new ArrayDeque<>(interfaces);
        }
        IOException first = null;
        for (AutoCloseable c : res) first = closeInto(c, first);
        for (InterfaceHandle h : ifs) {
            if (h instanceof AutoCloseable c) {
                first = closeInto(c, first);
            } else {
                first = closeInto(h.device(), first);
            }
        }
        if (first != null) throw first;
    }

    private IOException closeInto(AutoCloseable c, IOException first) {
        try {
            c.close();
        } catch (Exception e) {
            IOException io = e instanceof IOException i ? i : new IOException(e);
            if (first == null) return io;
            first.addSuppressed(io);
        }
        return first;
    }
}
