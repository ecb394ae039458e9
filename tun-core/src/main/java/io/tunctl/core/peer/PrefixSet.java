package io.tunctl.core.peer;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.packet.RouteTable;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A set of IPv4 and IPv6 prefixes answering "is this address inside one of them" with one trie walk and no
 * allocation, however many prefixes it holds. Prefixes are stored as networks ({@code 192.0.2.9/24} is
 * {@code 192.0.2.0/24}). One writer at a time, any number of concurrent readers, as {@link RouteTable}.
 */
public final class PrefixSet {
    private final RouteTable<Cidr> table = new RouteTable<>();

    public static PrefixSet of(Collection<Cidr> prefixes) {
        PrefixSet s = new PrefixSet();
        for (Cidr c : prefixes) s.add(c);
        return s;
    }

    public static PrefixSet of(Cidr... prefixes) { return of(List.of(prefixes)); }

    /** Adds a prefix; false if it was already there. */
    public boolean add(Cidr prefix) {
        Cidr net = prefix.network();
        return table.putIfAbsent(net, net) == null;
    }

    /** Removes exactly this prefix (not the prefixes inside it); false if it was absent. */
    public boolean remove(Cidr prefix) { return table.remove(prefix) != null; }

    public void clear() { table.clear(); }

    public int size() { return table.size(); }

    public boolean isEmpty() { return table.isEmpty(); }

    /** True if the IPv4 address (big-endian int, as {@code ByteBuf.getInt} reads it) is inside a prefix. */
    public boolean containsIpv4(int address) { return table.lookupIpv4(address) != null; }

    /** True if the IPv6 address, given as its upper and lower 64 bits, is inside a prefix. */
    public boolean containsIpv6(long hi, long lo) { return table.lookupIpv6(hi, lo) != null; }

    /** True if the 4- or 16-byte address is inside a prefix. */
    public boolean contains(byte[] address) { return table.lookup(address) != null; }

    /**
     * True if the source address of the IPv4 or IPv6 packet at {@code ipOff} is inside a prefix; false for any
     * other version. The caller has checked the packet is long enough.
     */
    public boolean containsSource(MemorySegment packet, long ipOff) { return table.lookupSource(packet, ipOff) != null; }

    /** The prefixes, IPv4 before IPv6, each family in address order. */
    public List<Cidr> prefixes() {
        List<Cidr> out = new ArrayList<>(table.size());
        table.forEach((c, v) -> out.add(c));
        return out;
    }

    @Override
    public String toString() { return prefixes().toString(); }
}
