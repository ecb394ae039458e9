package io.tunctl.core.tun;

import io.tunctl.core.netlink.Rtnetlink;
import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.InterfaceHandle;
import io.tunctl.core.spi.InterfaceSpec;
import io.tunctl.core.spi.PacketDevice;
import io.tunctl.core.spi.RouteSpec;
import io.tunctl.core.spi.RuleSpec;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * A configured Linux TUN interface: the device plus every address, route and rule tunctl gave it, recorded so
 * that {@link #close()} takes back exactly what was added, newest first, and then closes the device.
 *
 * <p>The kernel removes a non-persistent TUN's addresses and routes with the interface, but policy rules name a
 * table, not a device, and would outlive it; they are deleted explicitly, as is everything else so the order is
 * the same on every kernel. {@code add*} methods are idempotent: adding what already exists is a no-op and is not
 * recorded (so it is not removed on close either). {@code remove*} methods delete now and drop the record, so
 * close does not try again; removing what is not there is a no-op. If {@link #create} fails half-way, what it
 * did so far is undone before the exception propagates.
 *
 * <p>Everything happens in the calling thread's network namespace (see {@link NetworkNamespace}).
 */
public final class LinuxInterface implements InterfaceHandle, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LinuxInterface.class.getName());

    private sealed interface Change permits AddedAddress, AddedRoute, AddedRule {}

    private record AddedAddress(Cidr address) implements Change {}

    private record AddedRoute(RouteSpec route) implements Change {}

    /** {@code installed} is {@code rule} with the priority the kernel chose, which pins the one to delete. */
    private record AddedRule(RuleSpec rule, RuleSpec installed) implements Change {}

    private final List<TunDevice> queues;
    /** The first queue, or with several queues a {@link MultiQueueDevice} over them. */
    private final PacketDevice device;
    private final Rtnetlink rtnl;
    private final int index;
    private final Deque<Change> changes = new ArrayDeque<>();
    private boolean closed;

    private LinuxInterface(List<TunDevice> queues, Rtnetlink rtnl, int index) {
        this.queues = queues;
        this.device = queues.size() == 1 ? queues.getFirst() : new MultiQueueDevice(queues);
        this.rtnl = rtnl;
        this.index = index;
    }

    /**
     * Opens the TUN as {@code spec} says, sets its MTU, adds its addresses, brings it up and adds its routes and
     * rules. On failure everything done so far is undone and the first error is thrown (later ones suppressed).
     */
    public static LinuxInterface create(InterfaceSpec spec) throws IOException {
        Objects.requireNonNull(spec, "spec");
        int queueCount = spec.queues();
        if (queueCount < 1 || queueCount > 256) throw new IllegalArgumentException("queues out of range [1, 256]: " + queueCount);
        TunOptions options = new TunOptions(spec.name(), spec.vnetHdr(), queueCount > 1,
                spec.io() == null ? null : TunIo.parse(spec.io()));
        List<TunDevice> queues = new ArrayList<>();
        queues.add(TunDevice.open(options, spec.mtu())); // set through netlink below
        LinuxInterface li = null;
        Rtnetlink rtnl = null;
        try {
            for (int i = 1; i < queueCount; i++) queues.add(queues.getFirst().openQueue());
            rtnl = Rtnetlink.open();
            li = new LinuxInterface(List.copyOf(queues), rtnl, rtnl.linkIndex(queues.getFirst().name()));
            li.setMtu(spec.mtu());
            for (Cidr a : spec.addresses()) li.addAddress(a);
            rtnl.setLinkUp(li.index, true);
            for (RouteSpec r : spec.routes()) li.addRoute(r);
            for (RuleSpec r : spec.rules()) li.addRule(r);
            return li;
        } catch (IOException | RuntimeException | Error e) {
            try {
                if (li != null) {
                    li.close();
                } else {
                    if (rtnl != null) rtnl.close();
                    for (TunDevice q : queues) q.close();
                }
            } catch (IOException | RuntimeException undo) {
                e.addSuppressed(undo);
            }
            throw e;
        }
    }

    /**
     * The interface's packet device: its {@link TunDevice} (a pull device) with one queue, a
     * {@link MultiQueueDevice} (a push device, one reader thread per queue) with more.
     */
    @Override
    public PacketDevice device() { return device; }

    /** The first (with one queue, the only) queue: for what needs the TUN itself (its offload counters, a test). */
    public TunDevice tun() { return queues.getFirst(); }

    /** All queues (one unless {@link InterfaceSpec#queues()} asked for more). */
    public List<TunDevice> queues() { return queues; }

    @Override
    public String name() { return queues.getFirst().name(); }

    @Override
    public int index() { return index; }

    /** The netlink socket this interface is configured through (same namespace). */
    public Rtnetlink rtnetlink() { return rtnl; }

    @Override
    public synchronized void addAddress(Cidr address) throws IOException {
        ensureOpen();
        if (rtnl.addAddress(index, address)) changes.push(new AddedAddress(address));
    }

    @Override
    public synchronized void addRoute(RouteSpec route) throws IOException {
        ensureOpen();
        if (rtnl.addRoute(index, route)) changes.push(new AddedRoute(route));
    }

    @Override
    public synchronized void addRule(RuleSpec rule) throws IOException {
        ensureOpen();
        if (!rtnl.addRule(rule)) return;
        RuleSpec installed = rule;
        if (rule.priority() == null) {
            // the kernel picked a priority; remember it so that deleting cannot hit an equal rule of someone else
            var entry = rtnl.findRule(rule);
            if (entry.isPresent() && entry.get().priority() >= 0) installed = rule.withPriority(entry.get().priority());
        }
        changes.push(new AddedRule(rule, installed));
    }

    @Override
    public synchronized void removeAddress(Cidr address) throws IOException {
        ensureOpen();
        changes.removeIf(c -> c instanceof AddedAddress a && a.address().equals(address));
        rtnl.deleteAddress(index, address);
    }

    @Override
    public synchronized void removeRoute(RouteSpec route) throws IOException {
        ensureOpen();
        changes.removeIf(c -> c instanceof AddedRoute r && r.route().equals(route));
        rtnl.deleteRoute(index, route);
    }

    @Override
    public synchronized void removeRule(RuleSpec rule) throws IOException {
        ensureOpen();
        RuleSpec target = rule;
        for (Iterator<Change> it = changes.iterator(); it.hasNext(); ) {
            if (it.next() instanceof AddedRule r && (r.rule().equals(rule) || r.installed().equals(rule))) {
                target = r.installed();
                it.remove();
                break;
            }
        }
        deleteExactRule(target);
    }

    /**
     * Deletes the rule that has exactly {@code rule}'s selectors, by its priority. The kernel's own delete matches
     * only the selectors a request names, so a request for a rule without, say, {@code ipproto} would also take a
     * rule that has one.
     */
    private void deleteExactRule(RuleSpec rule) throws IOException {
        var entry = rtnl.findRule(rule);
        if (entry.isEmpty()) return;
        int priority = entry.get().priority(); // unsigned: one above 2^31 is deleted by selectors alone
        rtnl.deleteRule(priority >= 0 ? rule.withPriority(priority) : rule);
    }

    @Override
    public synchronized void setMtu(int mtu) throws IOException {
        ensureOpen();
        rtnl.setMtu(index, mtu);
        for (TunDevice q : queues) {
            q.mtu(mtu);
            q.wakeup(); // a reader sized for the old MTU re-sizes its batch before the next read
        }
    }

    /** Brings the interface up or down. */
    public synchronized void setUp(boolean up) throws IOException {
        ensureOpen();
        rtnl.setLinkUp(index, up);
    }

    private void ensureOpen() throws IOException {
        if (closed) throw new java.nio.channels.ClosedChannelException();
    }

    /**
     * Undoes every recorded change, newest first (an object already gone is fine), then closes the queues and
     * the netlink socket. Keeps going after a failure and throws the first one at the end. Idempotent.
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
                    case AddedRoute r -> rtnl.deleteRoute(index, r.route());
                    case AddedRule r -> deleteExactRule(r.installed());
                    case AddedAddress a -> rtnl.deleteAddress(index, a.address());
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot undo " + c + " on " + name() + ": " + e.getMessage());
                IOException io = e instanceof IOException x ? x : new IOException(e);
                if (first == null) first = io; else first.addSuppressed(io);
            }
        }
        device.close();
        for (TunDevice q : queues) q.close();
        rtnl.close();
        if (first != null) throw first;
    }

    @Override
    public String toString() {
        return "LinuxInterface[" + name() + " index " + index + ", " + changes.size() + " changes]";
    }
}
