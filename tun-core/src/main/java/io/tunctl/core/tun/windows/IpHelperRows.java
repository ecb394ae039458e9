package io.tunctl.core.tun.windows;

import io.tunctl.core.natives.windows.IP_ADDRESS_PREFIX;
import io.tunctl.core.natives.windows.MIB_IPFORWARD_ROW2;
import io.tunctl.core.natives.windows.MIB_IPINTERFACE_ROW;
import io.tunctl.core.natives.windows.MIB_UNICASTIPADDRESS_ROW;
import io.tunctl.core.natives.windows.NET_LUID;
import io.tunctl.core.natives.windows.SOCKADDR_IN;
import io.tunctl.core.natives.windows.SOCKADDR_IN6;
import io.tunctl.core.natives.windows.SOCKADDR_INET;
import io.tunctl.core.natives.windows.netioapi_h;
import io.tunctl.core.packet.Cidr;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Fills the IP Helper rows tunctl passes to {@code CreateUnicastIpAddressEntry}, {@code CreateIpForwardEntry2}
 * and {@code SetIpInterfaceEntry}. I/O-free: the caller first lets Windows put its defaults in a row
 * ({@code InitializeUnicastIpAddressEntry}, {@code InitializeIpForwardEntry}, or {@code GetIpInterfaceEntry}), then
 * these set exactly the fields tunctl decides, so the unit tests can check them byte by byte on any OS.
 */
public final class IpHelperRows {
    private IpHelperRows() {}

    /** Lifetime meaning "forever" ({@code 0xffffffff}). */
    static final int INFINITE_LIFETIME = -1;

    /** Writes {@code address} (4 or 16 bytes) as a {@code SOCKADDR_INET}, zeroing the rest. */
    public static void sockaddrInet(MemorySegment sa, byte[] address) {
        sa.asSlice(0, SOCKADDR_INET.sizeof()).fill((byte) 0);
        if (address.length == 4) {
            SOCKADDR_IN.sin_family(sa, (short) netioapi_h.AF_INET());
            MemorySegment.copy(address, 0, sa, ValueLayout.JAVA_BYTE, SOCKADDR_IN.sin_addr$offset(), 4);
        } else if (address.length == 16) {
            SOCKADDR_IN6.sin6_family(sa, (short) netioapi_h.AF_INET6());
            MemorySegment.copy(address, 0, sa, ValueLayout.JAVA_BYTE, SOCKADDR_IN6.sin6_addr$offset(), 16);
        } else {
            throw new IllegalArgumentException("not an IPv4 or IPv6 address: " + address.length + " bytes");
        }
    }

    /** The zero address of a family ({@code AF_INET} or {@code AF_INET6}) as a {@code SOCKADDR_INET}: "on-link". */
    static void unspecified(MemorySegment sa, int addressLength) {
        sockaddrInet(sa, new byte[addressLength]);
    }

    /**
     * An address on interface {@code luid}: the address and its on-link prefix length, set manually (not by DHCP or
     * router advertisement), preferred at once (no duplicate address detection wait: the tunnel has no neighbours).
     */
    public static void unicastAddress(MemorySegment row, long luid, Cidr address) {
        sockaddrInet(MIB_UNICASTIPADDRESS_ROW.Address(row), address.addressBytes());
        NET_LUID.Value(MIB_UNICASTIPADDRESS_ROW.InterfaceLuid(row), luid);
        MIB_UNICASTIPADDRESS_ROW.InterfaceIndex(row, 0); // the LUID names the interface
        MIB_UNICASTIPADDRESS_ROW.OnLinkPrefixLength(row, (byte) address.prefixLength());
        MIB_UNICASTIPADDRESS_ROW.PrefixOrigin(row, netioapi_h.IpPrefixOriginManual());
        MIB_UNICASTIPADDRESS_ROW.SuffixOrigin(row, netioapi_h.IpSuffixOriginManual());
        MIB_UNICASTIPADDRESS_ROW.ValidLifetime(row, INFINITE_LIFETIME);
        MIB_UNICASTIPADDRESS_ROW.PreferredLifetime(row, INFINITE_LIFETIME);
        MIB_UNICASTIPADDRESS_ROW.DadState(row, netioapi_h.IpDadStatePreferred());
    }

    /**
     * A route on interface {@code luid}: destination prefix, next hop ({@code gateway}, or the unspecified address
     * for a route straight into the tunnel), metric (added to the interface's), static ({@code MIB_IPPROTO_NETMGMT}).
     *
     * @param gateway next hop of the destination's family, or null
     * @param metric  route metric, or null for 0
     */
    public static void route(MemorySegment row, long luid, Cidr destination, byte[] gateway, Integer metric) {
        if (!destination.isNetwork()) throw new IllegalArgumentException(destination + " has host bits set");
        if (gateway != null && gateway.length != destination.addressLength()) {
            throw new IllegalArgumentException("gateway " + Cidr.addressString(gateway) + " is not of the family of "
                    + destination);
        }
        if (metric != null && metric < 0) throw new IllegalArgumentException("negative metric " + metric);
        NET_LUID.Value(MIB_IPFORWARD_ROW2.InterfaceLuid(row), luid);
        MIB_IPFORWARD_ROW2.InterfaceIndex(row, 0);
        MemorySegment prefix = MIB_IPFORWARD_ROW2.DestinationPrefix(row);
        sockaddrInet(IP_ADDRESS_PREFIX.Prefix(prefix), destination.addressBytes());
        IP_ADDRESS_PREFIX.PrefixLength(prefix, (byte) destination.prefixLength());
        if (gateway != null) sockaddrInet(MIB_IPFORWARD_ROW2.NextHop(row), gateway);
        else unspecified(MIB_IPFORWARD_ROW2.NextHop(row), destination.addressLength());
        MIB_IPFORWARD_ROW2.Metric(row, metric == null ? 0 : metric);
        MIB_IPFORWARD_ROW2.Protocol(row, netioapi_h.MIB_IPPROTO_NETMGMT());
        MIB_IPFORWARD_ROW2.Origin(row, netioapi_h.NlroManual());
        MIB_IPFORWARD_ROW2.ValidLifetime(row, INFINITE_LIFETIME);
        MIB_IPFORWARD_ROW2.PreferredLifetime(row, INFINITE_LIFETIME);
    }

    /** The key {@code GetIpInterfaceEntry} reads by: family and LUID. */
    public static void interfaceKey(MemorySegment row, long luid, int family) {
        MIB_IPINTERFACE_ROW.Family(row, (short) family);
        NET_LUID.Value(MIB_IPINTERFACE_ROW.InterfaceLuid(row), luid);
        MIB_IPINTERFACE_ROW.InterfaceIndex(row, 0);
    }

    /**
     * Sets the MTU in a row {@code GetIpInterfaceEntry} filled, ready for {@code SetIpInterfaceEntry}. For IPv4,
     * {@code SitePrefixLength} must be 0 or the call fails with {@code ERROR_INVALID_PARAMETER} (the documented
     * IPv4 restriction), whatever Get returned.
     */
    public static void mtu(MemorySegment row, int mtu) {
        if (mtu < 68 || mtu > 65535) throw new IllegalArgumentException("mtu out of range [68, 65535]: " + mtu);
        if (MIB_IPINTERFACE_ROW.Family(row) == netioapi_h.AF_INET()) MIB_IPINTERFACE_ROW.SitePrefixLength(row, 0);
        MIB_IPINTERFACE_ROW.NlMtu(row, mtu);
    }
}
