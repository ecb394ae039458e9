package io.tunctl.core.tun.darwin;

import io.tunctl.core.natives.darwin.Natives;
import io.tunctl.core.natives.darwin.ifaliasreq;
import io.tunctl.core.natives.darwin.ifreq;
import io.tunctl.core.natives.darwin.in6_addrlifetime;
import io.tunctl.core.natives.darwin.in6_aliasreq;
import io.tunctl.core.natives.darwin.in6_ifreq;
import io.tunctl.core.natives.darwin.libc_h;
import io.tunctl.core.natives.darwin.route_h;
import io.tunctl.core.natives.darwin.sockio_h;
import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.InterfaceHandle;
import io.tunctl.core.spi.InterfaceSpec;
import io.tunctl.core.spi.RouteSpec;
import io.tunctl.core.spi.RuleSpec;
import io.tunctl.core.tun.NativeException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;

/**
 * A configured macOS utun interface: the {@link UtunDevice} plus the addresses and routes tunctl gave it, recorded
 * so that {@link #close()} takes them back, newest first, before closing the device (which destroys the
 * interface). Addresses go through {@code SIOCAIFADDR}/{@code SIOCAIFADDR_IN6} on a datagram socket of the
 * address's family, the MTU through {@code SIOCSIFMTU}, routes through a {@code PF_ROUTE} socket
 * ({@link RouteMessage}).
 *
 * <p>utun is point-to-point: an IPv4 address is set with itself as the peer address, and the network of its
 * prefix (if shorter than /32, or /128 for IPv6) is routed into the interface explicitly, as wg-quick does on macOS;
 * that route is recorded like any other. What macOS does not have is refused with a clear error before anything
 * is created: policy rules and routing tables (Linux-only), route metrics, offload ({@code virtio_net_hdr}) and
 * multiple queues.
 */
public final class UtunInterface implements InterfaceHandle, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(UtunInterface.class.getName());

    private sealed interface Change permits AddedAddress, AddedRoute {}

    private record AddedAddress(Cidr address) implements Change {}

    private record AddedRoute(Cidr destination, byte[] gateway, RouteSpec spec) implements Change {}

    private final UtunDevice device;
    private final int index;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment errno = Natives.allocateCapture(arena);
    private final int inet;
    private final int inet6;
    private final int routeSocket;
    private final int pid;
    private int seq;
    private final Deque<Change> changes = new ArrayDeque<>();
    private boolean closed;

    private UtunInterface(UtunDevice device) throws IOException {
        this.device = device;
        try {
            String name = device.name();
            try (Arena a = Arena.ofConfined()) {
                this.index = libc_h.if_nametoindex(errno, a.allocateFrom(name));
            }
            if (index == 0) throw DarwinErrors.of("if_nametoindex", null, name, Natives.errno(errno));
            this.inet = socketOrThrow(libc_h.AF_INET(), libc_h.SOCK_DGRAM(), 0, "AF_INET");
            this.inet6 = socketOrThrow(libc_h.AF_INET6(), libc_h.SOCK_DGRAM(), 0, "AF_INET6");
            this.routeSocket = socketOrThrow(libc_h.PF_ROUTE(), libc_h.SOCK_RAW(), libc_h.AF_UNSPEC(), "PF_ROUTE");
            // we learn a request's outcome from write()'s errno: do not queue our own messages back to us
            MemorySegment off = arena.allocateFrom(ValueLayout.JAVA_INT, 0);
            libc_h.setsockopt(errno, routeSocket, libc_h.SOL_SOCKET(), libc_h.SO_USELOOPBACK(), off, 4);
            this.pid = libc_h.getpid();
        } catch (IOException | RuntimeException | Error e) {
            arena.close(); // closes the sockets made so far
            throw e;
        }
    }

    private int socketOrThrow(int domain, int type, int protocol, String what) throws NativeException {
        int s = libc_h.socket(errno, domain, type, protocol);
        if (s < 0) throw DarwinErrors.of("socket", what, device.name(), Natives.errno(errno));
        MemorySegment.NULL.reinterpret(arena, ignored -> {
            try (Arena a = Arena.ofConfined()) {
                libc_h.close(Natives.allocateCapture(a), s);
            }
        });
        return s;
    }

    /** Refuses, before anything is created, what macOS cannot do; the message names the setting. */
    static void checkSupported(InterfaceSpec spec) throws IOException {
        if (spec.vnetHdr()) throw new IOException("interface offload (virtio_net_hdr, GSO) is Linux-only: turn it off on macOS");
        if (spec.queues() != 1) throw new IOException("multi-queue TUN is Linux-only: queues must be 1 on macOS, not " + spec.queues());
        if (!spec.rules().isEmpty()) throw new IOException("policy rules are Linux-only: remove interface rules on macOS");
        for (RouteSpec r : spec.routes()) checkSupported(r);
        UtunDevice.unitFor(spec.name());
    }

    static void checkSupported(RouteSpec r) throws IOException {
        if (r.table() != null) throw new IOException("route " + r + ": routing tables are Linux-only (macOS has one table)");
        if (r.metric() != null) throw new IOException("route " + r + ": route metrics are not supported on macOS");
        if (r.via() != null && Cidr.parseAddress(r.via()).length != r.destination().addressLength()) {
            throw new IOException("route " + r + ": gateway is not of the destination's family");
        }
    }

    /**
     * Creates the utun, sets its MTU, adds its addresses, brings it up and adds its routes; on failure undoes what
     * was done and throws the first error.
     */
    public static UtunInterface create(InterfaceSpec spec) throws IOException {
        Objects.requireNonNull(spec, "spec");
        checkSupported(spec);
        UtunDevice device = UtunDevice.open(spec.name());
        UtunInterface ui = null;
        try {
            ui = new UtunInterface(device);
            ui.setMtu(spec.mtu());
            for (Cidr a : spec.addresses()) ui.addAddress(a);
            ui.setUp();
            for (RouteSpec r : spec.routes()) ui.addRoute(r);
            return ui;
        } catch (IOException | RuntimeException | Error e) {
            try {
                if (ui != null) ui.close(); else device.close();
            } catch (IOException | RuntimeException undo) {
                e.addSuppressed(undo);
            }
            throw e;
        }
    }

    @Override
    public UtunDevice device() { return device; }

    @Override
    public String name() { return device.name(); }

    @Override
    public int index() { return index; }

    private MemorySegment ifreqFor(Arena a) {
        MemorySegment ifr = ifreq.allocate(a);
        ifreq.ifr_name(ifr).setString(0, device.name(), StandardCharsets.US_ASCII);
        return ifr;
    }

    private synchronized void setUp() throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ifr = ifreqFor(a);
            MemorySegment u = ifreq.ifr_ifru(ifr);
            if (libc_h.ioctl(errno, inet, sockio_h.SIOCGIFFLAGS(), ifr) < 0) {
                throw DarwinErrors.of("ioctl", "SIOCGIFFLAGS", name(), Natives.errno(errno));
            }
            ifreq.ifr_ifru.ifru_flags(u, (short) (ifreq.ifr_ifru.ifru_flags(u) | sockio_h.IFF_UP()));
            if (libc_h.ioctl(errno, inet, sockio_h.SIOCSIFFLAGS(), ifr) < 0) {
                throw DarwinErrors.of("ioctl", "SIOCSIFFLAGS IFF_UP", name(), Natives.errno(errno));
            }
        }
    }

    @Override
    public synchronized void setMtu(int mtu) throws IOException {
        ensureOpen();
        if (mtu < 68 || mtu > UtunDevice.MAX_PACKET) throw new IllegalArgumentException("mtu out of range [68, 65535]: " + mtu);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ifr = ifreqFor(a);
            ifreq.ifr_ifru.ifru_mtu(ifreq.ifr_ifru(ifr), mtu);
            if (libc_h.ioctl(errno, inet, sockio_h.SIOCSIFMTU(), ifr) < 0) {
                throw DarwinErrors.of("ioctl", "SIOCSIFMTU " + mtu, name(), Natives.errno(errno));
            }
        }
        device.mtu(mtu);
        device.wakeup(); // a reader sized for the old MTU re-sizes its batch
    }

    @Override
    public synchronized void addAddress(Cidr address) throws IOException {
        ensureOpen();
        for (Change c : changes) if (c instanceof AddedAddress a && a.address().equals(address)) return;
        try (Arena a = Arena.ofConfined()) {
            if (address.isIpv4()) {
                MemorySegment req = ifaliasreq.allocate(a);
                ifaliasreq.ifra_name(req).setString(0, name(), StandardCharsets.US_ASCII);
                Sockaddrs.address(ifaliasreq.ifra_addr(req), address.addressBytes());
                Sockaddrs.address(ifaliasreq.ifra_broadaddr(req), address.addressBytes()); // point-to-point peer
                Sockaddrs.address(ifaliasreq.ifra_mask(req), Sockaddrs.mask(4, address.prefixLength()));
                if (libc_h.ioctl(errno, inet, sockio_h.SIOCAIFADDR(), req) < 0) {
                    throw DarwinErrors.of("ioctl", "SIOCAIFADDR " + address, name(), Natives.errno(errno));
                }
            } else {
                MemorySegment req = in6_aliasreq.allocate(a);
                in6_aliasreq.ifra_name(req).setString(0, name(), StandardCharsets.US_ASCII);
                Sockaddrs.address(in6_aliasreq.ifra_addr(req), address.addressBytes());
                Sockaddrs.address(in6_aliasreq.ifra_prefixmask(req), Sockaddrs.mask(16, address.prefixLength()));
                MemorySegment life = in6_aliasreq.ifra_lifetime(req);
                in6_addrlifetime.ia6t_vltime(life, (int) sockio_h.ND6_INFINITE_LIFETIME());
                in6_addrlifetime.ia6t_pltime(life, (int) sockio_h.ND6_INFINITE_LIFETIME());
                if (libc_h.ioctl(errno, inet6, sockio_h.SIOCAIFADDR_IN6(), req) < 0) {
                    throw DarwinErrors.of("ioctl", "SIOCAIFADDR_IN6 " + address, name(), Natives.errno(errno));
                }
            }
        }
        changes.push(new AddedAddress(address));
        if (address.prefixLength() < address.addressLength() * 8) addRoute(RouteSpec.to(address.network()));
    }

    @Override
    public synchronized void removeAddress(Cidr address) throws IOException {
        ensureOpen();
        changes.removeIf(c -> c instanceof AddedAddress a && a.address().equals(address));
        deleteAddress(address);
    }

    private void deleteAddress(Cidr address) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            int r;
            String req;
            if (address.isIpv4()) {
                MemorySegment ifr = ifreqFor(a);
                Sockaddrs.address(ifreq.ifr_ifru.ifru_addr(ifreq.ifr_ifru(ifr)), address.addressBytes());
                r = libc_h.ioctl(errno, inet, sockio_h.SIOCDIFADDR(), ifr);
                req = "SIOCDIFADDR";
            } else {
                MemorySegment ifr = in6_ifreq.allocate(a);
                in6_ifreq.ifr_name(ifr).setString(0, name(), StandardCharsets.US_ASCII);
                Sockaddrs.address(in6_ifreq.ifr_ifru.ifru_addr(in6_ifreq.ifr_ifru(ifr)), address.addressBytes());
                r = libc_h.ioctl(errno, inet6, sockio_h.SIOCDIFADDR_IN6(), ifr);
                req = "SIOCDIFADDR_IN6";
            }
            if (r < 0) {
                int e = Natives.errno(errno);
                if (e == libc_h.EADDRNOTAVAIL()) return; // already gone
                throw DarwinErrors.of("ioctl", req + " " + address, name(), e);
            }
        }
    }

    @Override
    public synchronized void addRoute(RouteSpec route) throws IOException {
        ensureOpen();
        checkSupported(route);
        byte[] gw = route.via() != null ? Cidr.parseAddress(route.via()) : null;
        if (sendRoute(route_h.RTM_ADD(), route.destination(), gw)) {
            changes.push(new AddedRoute(route.destination(), gw, route));
        }
    }

    @Override
    public synchronized void removeRoute(RouteSpec route) throws IOException {
        ensureOpen();
        changes.removeIf(c -> c instanceof AddedRoute r && r.spec().equals(route));
        sendRoute(route_h.RTM_DELETE(), route.destination(), route.via() != null ? Cidr.parseAddress(route.via()) : null);
    }

    /** Writes one routing message; false when there was nothing to do (added: exists; deleted: not there). */
    private boolean sendRoute(int type, Cidr destination, byte[] gateway) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment msg = RouteMessage.encode(a, type, ++seq, pid, index, destination, gateway);
            if (libc_h.write(errno, routeSocket, msg, msg.byteSize()) >= 0) return true;
            int e = Natives.errno(errno);
            if (type == route_h.RTM_ADD() && e == libc_h.EEXIST()) return false;
            if (type == route_h.RTM_DELETE() && e == libc_h.ESRCH()) return false;
            String what = destination + (gateway != null ? " via " + Cidr.addressString(gateway) : "") + " dev " + name();
            throw DarwinErrors.of("write", type == route_h.RTM_ADD() ? "RTM_ADD" : "RTM_DELETE", what, e);
        }
    }

    /** Policy rules are Linux-only. */
    @Override
    public void addRule(RuleSpec rule) throws IOException {
        throw new IOException("policy rule " + rule + ": policy rules are Linux-only, not available on macOS");
    }

    @Override
    public void removeRule(RuleSpec rule) throws IOException {
        throw new IOException("policy rule " + rule + ": policy rules are Linux-only, not available on macOS");
    }

    private void ensureOpen() throws IOException {
        if (closed) throw new ClosedChannelException();
    }

    /**
     * Removes every recorded route and address, newest first (one already gone is fine), then closes the device
     * (destroying the interface) and the configuration sockets. Keeps going after a failure and throws the first
     * one at the end. Idempotent.
     */
    @Override
    public synchronized void close() throws IOException {
        if (closed) return;
        closed = true;
        IOException first = null;
        while (!changes.isEmpty()) {
            Change c = changes.pop();
            try {
                switch (c) {
                    case AddedRoute r -> sendRoute(route_h.RTM_DELETE(), r.destination(), r.gateway());
                    case AddedAddress a -> deleteAddress(a.address());
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot undo " + c + " on " + name() + ": " + e.getMessage());
                IOException io = e instanceof IOException x ? x : new IOException(e);
                if (first == null) first = io; else first.addSuppressed(io);
            }
        }
        device.close();
        arena.close();
        if (first != null) throw first;
    }

    @Override
    public String toString() {
        return "UtunInterface[" + name() + " index " + index + ", " + changes.size() + " changes]";
    }
}
