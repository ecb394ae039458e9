package io.tunctl.core.tun.windows;

import io.tunctl.core.natives.windows.MIB_IPFORWARD_ROW2;
import io.tunctl.core.natives.windows.MIB_IPINTERFACE_ROW;
import io.tunctl.core.natives.windows.MIB_UNICASTIPADDRESS_ROW;
import io.tunctl.core.natives.windows.NET_LUID;
import io.tunctl.core.natives.windows.netioapi_h;
import io.tunctl.core.natives.windows.winerror_h;
import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.InterfaceHandle;
import io.tunctl.core.spi.InterfaceSpec;
import io.tunctl.core.spi.RouteSpec;
import io.tunctl.core.spi.RuleSpec;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;

/**
 * A configured Wintun adapter: the {@link WintunDevice} plus the addresses and routes tunctl gave it through IP
 * Helper, recorded so that {@link #close()} deletes them, newest first, before closing the device (which removes
 * the adapter). Rows are filled by {@link IpHelperRows} on top of Windows' own defaults. The MTU is set per
 * address family with {@code GetIpInterfaceEntry}/{@code SetIpInterfaceEntry}.
 *
 * <p>Refused with a clear error before anything is created: policy rules and routing tables (Linux-only), offload
 * and multiple queues. Route metrics are supported (Windows adds the interface metric).
 */
public final class WintunInterface implements InterfaceHandle, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(WintunInterface.class.getName());
    /** The adapter name when the config names none. */
    public static final String DEFAULT_NAME = "tunctl";

    private sealed interface Change permits AddedAddress, AddedRoute {}

    private record AddedAddress(Cidr address) implements Change {}

    private record AddedRoute(RouteSpec route) implements Change {}

    private final WintunDevice device;
    private final int index;
    private final Deque<Change> changes = new ArrayDeque<>();
    private boolean closed;

    private WintunInterface(WintunDevice device) throws IOException {
        this.device = device;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment luid = NET_LUID.allocate(a);
            NET_LUID.Value(luid, device.luid());
            MemorySegment idx = a.allocate(ValueLayout.JAVA_INT);
            check("ConvertInterfaceLuidToIndex", device.name(), netioapi_h.ConvertInterfaceLuidToIndex(luid, idx));
            this.index = idx.get(ValueLayout.JAVA_INT, 0);
        }
    }

    static void checkSupported(InterfaceSpec spec) throws IOException {
        if (spec.vnetHdr()) throw new IOException("interface offload (virtio_net_hdr, GSO) is Linux-only: turn it off on Windows");
        if (spec.queues() != 1) throw new IOException("multi-queue TUN is Linux-only: queues must be 1 on Windows, not " + spec.queues());
        if (!spec.rules().isEmpty()) throw new IOException("policy rules are Linux-only: remove interface rules on Windows");
        if (spec.name() != null && (spec.name().isBlank() || spec.name().length() > 127 || spec.name().contains("%"))) {
            throw new IOException("interface name \"" + spec.name() + "\": a Wintun adapter needs a fixed name of 1 to 127"
                    + " characters (no %d pattern)");
        }
        for (RouteSpec r : spec.routes()) checkSupported(r);
    }

    static void checkSupported(RouteSpec r) throws IOException {
        if (r.table() != null) throw new IOException("route " + r + ": routing tables are Linux-only");
        if (r.via() != null && Cidr.parseAddress(r.via()).length != r.destination().addressLength()) {
            throw new IOException("route " + r + ": gateway is not of the destination's family");
        }
    }

    /** Creates the adapter, sets its MTU, adds addresses and routes; undoes what was done on failure. */
    public static WintunInterface create(InterfaceSpec spec) throws IOException {
        Objects.requireNonNull(spec, "spec");
        checkSupported(spec);
        WintunDevice device = WintunDevice.open(spec.name() != null ? spec.name() : DEFAULT_NAME, true, spec.mtu());
        WintunInterface wi = null;
        try {
            wi = new WintunInterface(device);
            wi.setMtu(spec.mtu());
            for (Cidr a : spec.addresses()) wi.addAddress(a);
            for (RouteSpec r : spec.routes()) wi.addRoute(r);
            return wi;
        } catch (IOException | RuntimeException | Error e) {
            try {
                if (wi != null) wi.close(); else device.close();
            } catch (IOException | RuntimeException undo) {
                e.addSuppressed(undo);
            }
            throw e;
        }
    }

    @Override
    public WintunDevice device() { return device; }

    @Override
    public String name() { return device.name(); }

    @Override
    public int index() { return index; }

    private static void check(String call, String what, int status) throws IOException {
        if (status != winerror_h.ERROR_SUCCESS()) throw WindowsErrors.of(call, what, status);
    }

    @Override
    public synchronized void setMtu(int mtu) throws IOException {
        ensureOpen();
        for (int family : new int[] {netioapi_h.AF_INET(), netioapi_h.AF_INET6()}) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment row = MIB_IPINTERFACE_ROW.allocate(a);
                netioapi_h.InitializeIpInterfaceEntry(row);
                IpHelperRows.interfaceKey(row, device.luid(), family);
                int s = netioapi_h.GetIpInterfaceEntry(row);
                // IPv6 may be disabled on the machine or the adapter: then there is nothing to set for it
                if (s == winerror_h.ERROR_NOT_FOUND() && family == netioapi_h.AF_INET6()) continue;
                check("GetIpInterfaceEntry", name() + (family == netioapi_h.AF_INET() ? " ipv4" : " ipv6"), s);
                IpHelperRows.mtu(row, mtu);
                check("SetIpInterfaceEntry", name() + " mtu " + mtu, netioapi_h.SetIpInterfaceEntry(row));
            }
        }
        device.mtu(mtu);
        device.wakeup();
    }

    @Override
    public synchronized void addAddress(Cidr address) throws IOException {
        ensureOpen();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment row = MIB_UNICASTIPADDRESS_ROW.allocate(a);
            netioapi_h.InitializeUnicastIpAddressEntry(row);
            IpHelperRows.unicastAddress(row, device.luid(), address);
            int s = netioapi_h.CreateUnicastIpAddressEntry(row);
            if (s == winerror_h.ERROR_OBJECT_ALREADY_EXISTS()) return;
            check("CreateUnicastIpAddressEntry", address + " dev " + name(), s);
        }
        changes.push(new AddedAddress(address));
    }

    @Override
    public synchronized void removeAddress(Cidr address) throws IOException {
        ensureOpen();
        changes.removeIf(c -> c instanceof AddedAddress x && x.address().equals(address));
        deleteAddress(address);
    }

    private void deleteAddress(Cidr address) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment row = MIB_UNICASTIPADDRESS_ROW.allocate(a);
            netioapi_h.InitializeUnicastIpAddressEntry(row);
            IpHelperRows.unicastAddress(row, device.luid(), address);
            int s = netioapi_h.DeleteUnicastIpAddressEntry(row);
            if (s == winerror_h.ERROR_NOT_FOUND()) return;
            check("DeleteUnicastIpAddressEntry", address + " dev " + name(), s);
        }
    }

    @Override
    public synchronized void addRoute(RouteSpec route) throws IOException {
        ensureOpen();
        checkSupported(route);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment row = routeRow(a, route);
            int s = netioapi_h.CreateIpForwardEntry2(row);
            if (s == winerror_h.ERROR_OBJECT_ALREADY_EXISTS()) return;
            check("CreateIpForwardEntry2", route + " dev " + name(), s);
        }
        changes.push(new AddedRoute(route));
    }

    private MemorySegment routeRow(Arena a, RouteSpec route) {
        MemorySegment row = MIB_IPFORWARD_ROW2.allocate(a);
        netioapi_h.InitializeIpForwardEntry(row);
        IpHelperRows.route(row, device.luid(), route.destination(),
                route.via() != null ? Cidr.parseAddress(route.via()) : null, route.metric());
        return row;
    }

    @Override
    public synchronized void removeRoute(RouteSpec route) throws IOException {
        ensureOpen();
        changes.removeIf(c -> c instanceof AddedRoute r && r.route().equals(route));
        deleteRoute(route);
    }

    private void deleteRoute(RouteSpec route) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            int s = netioapi_h.DeleteIpForwardEntry2(routeRow(a, route));
            if (s == winerror_h.ERROR_NOT_FOUND()) return;
            check("DeleteIpForwardEntry2", route + " dev " + name(), s);
        }
    }

    @Override
    public void addRule(RuleSpec rule) throws IOException {
        throw new IOException("policy rule " + rule + ": policy rules are Linux-only, not available on Windows");
    }

    @Override
    public void removeRule(RuleSpec rule) throws IOException {
        throw new IOException("policy rule " + rule + ": policy rules are Linux-only, not available on Windows");
    }

    private void ensureOpen() throws IOException {
        if (closed) throw new ClosedChannelException();
    }

    /** Deletes recorded routes and addresses newest first, then closes the device (removing the adapter). */
    @Override
    public synchronized void close() throws IOException {
        if (closed) return;
        closed = true;
        IOException first = null;
        while (!changes.isEmpty()) {
            Change c = changes.pop();
            try {
                switch (c) {
                    case AddedRoute r -> deleteRoute(r.route());
                    case AddedAddress x -> deleteAddress(x.address());
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot undo " + c + " on " + name() + ": " + e.getMessage());
                IOException io = e instanceof IOException x ? x : new IOException(e);
                if (first == null) first = io; else first.addSuppressed(io);
            }
        }
        device.close();
        if (first != null) throw first;
    }

    @Override
    public String toString() {
        return "WintunInterface[" + name() + " index " + index + ", " + changes.size() + " changes]";
    }
}
