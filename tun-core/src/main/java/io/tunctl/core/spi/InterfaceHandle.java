package io.tunctl.core.spi;

import io.tunctl.core.packet.Cidr;

import java.io.IOException;

/** A TUN interface made through a {@link TunnelContext}: the device plus what can still change on it. */
public interface InterfaceHandle {

    /** The packet device (reads what the kernel routes into the interface, writes what it delivers). */
    PacketDevice device();

    /** The kernel's name for the interface, e.g. {@code tun0}. */
    String name();

    int index();

    /** Adds an address now; it is removed when the context closes. Adding one that exists is a no-op. */
    void addAddress(Cidr address) throws IOException;

    /** Adds a route now; removed on close. Adding one that exists is a no-op. */
    void addRoute(RouteSpec route) throws IOException;

    /** Adds a policy rule now; removed on close. Adding one that exists is a no-op. */
    void addRule(RuleSpec rule) throws IOException;

    /**
     * Removes an address now, and forgets it so that close does not remove it again. Removing one the interface
     * does not have is a no-op.
     */
    void removeAddress(Cidr address) throws IOException;

    /**
     * Removes a route through this interface now (as {@link #addRoute} would have added it), and forgets it so
     * that close does not remove it again. Removing one that is not there is a no-op.
     */
    void removeRoute(RouteSpec route) throws IOException;

    /**
     * Removes a policy rule now, and forgets it so that close does not remove it again. Removing one that is not
     * there is a no-op. A rule this handle added is removed by the priority the kernel gave it, so an equal rule
     * elsewhere in the list is never taken instead.
     */
    void removeRule(RuleSpec rule) throws IOException;

    /** Sets the interface MTU; the {@link #device()} drops larger packets from then on. */
    void setMtu(int mtu) throws IOException;
}
