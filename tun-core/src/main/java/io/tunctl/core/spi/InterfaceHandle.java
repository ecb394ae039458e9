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

    void setMtu(int mtu) throws IOException;
}
