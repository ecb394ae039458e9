package io.tunctl.core.netlink;

import io.tunctl.core.packet.Cidr;

/** An interface address as the kernel lists it ({@code ip addr}). */
public record AddressEntry(int ifindex, Cidr address, int flags, int scope) {
    @Override
    public String toString() {
        return address + " ifindex " + ifindex + " scope " + scope;
    }
}
