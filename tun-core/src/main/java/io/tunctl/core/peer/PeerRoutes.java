package io.tunctl.core.peer;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.packet.IpPacket;
import io.tunctl.core.packet.Ipv4;
import io.tunctl.core.packet.Ipv6;
import io.tunctl.core.packet.RouteTable;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.function.Predicate;

/**
 * The forwarding half of peer routing: destination prefix → peer, longest prefix match over IPv4 and IPv6.
 *
 * <p>Several peers may own the same prefix (failover, or two clients configured with one route). They are kept
 * in the order they were added; a lookup takes the first one it may use, and the next one takes over when the
 * first is removed. "Match order" below means: longest prefix first, and within one prefix, the order the
 * owners were added.
 *
 * <ul>
 *   <li>{@link #lookupIpv4(int)}: the first owner of the longest matching prefix.</li>
 *   <li>{@link #lookupIpv4Except(int, Object)}: the first owner in match order other than {@code except}
 *       (a server never hands a packet back to its sender; a shorter prefix of someone else wins).</li>
 *   <li>{@link #lookupIpv4Preferring(int, Predicate)}: the first owner in match order that is usable (e.g.
 *       online); if none is, the last owner in match order, so the destination stays routed while every
 *       candidate is down (tapotun v2's failover rule).</li>
 * </ul>
 *
 * <p>Lookups allocate nothing and cost one trie walk plus a pass over the owners of the prefixes on it.
 * One writer at a time, any number of concurrent readers: the owners of a prefix are an immutable array
 * replaced whole, so a reader sees them before or after a change (see the package documentation).
 *
 * @param <P> the peer (compared with {@code equals})
 */
public final class PeerRoutes<P> {
    /** The owners of one prefix, in the order they were added; never empty; replaced whole on change. */
    private static final class Owners {
        final Object[] peers;

        Owners(Object[] peers) { this.peers = peers; }

        Object first() { return peers[0]; }

        Object last() { return peers[peers.length - 1]; }

        Object firstExcept(Object except) {
            for (Object p : peers) if (!p.equals(except)) return p;
            return null;
        }

        Object firstUsable(Predicate<Object> usable) {
            for (Object p : peers) if (usable.test(p)) return p;
            return null;
        }

        int indexOf(Object peer) {
            for (int i = 0; i < peers.length; i++) if (peers[i].equals(peer)) return i;
            return -1;
        }
    }

    // constants, so lookups pass their varying part as the argument and allocate no lambda
    private static final BiPredicate<Owners, Object> HAS_OTHER = (o, except) -> o.firstExcept(except) != null;
    private static final BiPredicate<Owners, Predicate<Object>> HAS_USABLE = (o, usable) -> o.firstUsable(usable) != null;

    private final RouteTable<Owners> table = new RouteTable<>();

    /**
     * Makes {@code peer} an owner of {@code prefix}, after the owners it already has.
     *
     * @return false if {@code peer} already owned it (its place does not change)
     */
    public boolean add(Cidr prefix, P peer) {
        Objects.requireNonNull(peer, "peer");
        Owners o = table.get(prefix);
        if (o == null) {
            table.put(prefix, new Owners(new Object[] {peer}));
            return true;
        }
        if (o.indexOf(peer) >= 0) return false;
        Object[] next = Arrays.copyOf(o.peers, o.peers.length + 1);
        next[o.peers.length] = peer;
        table.put(prefix, new Owners(next));
        return true;
    }

    /** Makes {@code peer} an owner of each prefix, in order. */
    public void add(List<Cidr> prefixes, P peer) {
        for (Cidr c : prefixes) add(c, peer);
    }

    /** Removes {@code peer} from the owners of {@code prefix}; false if it was not one. */
    public boolean remove(Cidr prefix, P peer) {
        Owners o = table.get(prefix);
        int i = o == null ? -1 : o.indexOf(peer);
        if (i < 0) return false;
        if (o.peers.length == 1) {
            table.remove(prefix);
        } else {
            Object[] next = new Object[o.peers.length - 1];
            System.arraycopy(o.peers, 0, next, 0, i);
            System.arraycopy(o.peers, i + 1, next, i, next.length - i);
            table.put(prefix, new Owners(next));
        }
        return true;
    }

    /** Removes {@code peer} from every prefix (a walk over the whole table: for control paths). */
    public int removePeer(P peer) {
        List<Cidr> owned = new ArrayList<>();
        table.forEach((c, o) -> {
            if (o.indexOf(peer) >= 0) owned.add(c);
        });
        for (Cidr c : owned) remove(c, peer);
        return owned.size();
    }

    /** The owners of exactly this prefix, in order; empty if none. */
    public List<P> owners(Cidr prefix) {
        Owners o = table.get(prefix);
        return o == null ? List.of() : list(o);
    }

    @SuppressWarnings("unchecked")
    private List<P> list(Owners o) { return (List<P>) Collections.unmodifiableList(Arrays.asList(o.peers)); }

    /** Number of prefixes with at least one owner. */
    public int size() { return table.size(); }

    public boolean isEmpty() { return table.isEmpty(); }

    public void clear() { table.clear(); }

    /** Visits every prefix and its owners: IPv4 before IPv6, each family in address order. */
    public void forEach(BiConsumer<? super Cidr, ? super List<P>> action) {
        table.forEach((c, o) -> action.accept(c, list(o)));
    }

    // ---- lookups (allocation-free) ----

    /** The first owner of the longest prefix containing the IPv4 address (big-endian int), or null. */
    public P lookupIpv4(int dst) {
        Owners o = table.lookupIpv4(dst);
        return o == null ? null : cast(o.first());
    }

    /** The first owner of the longest prefix containing the IPv6 address (upper, lower 64 bits), or null. */
    public P lookupIpv6(long hi, long lo) {
        Owners o = table.lookupIpv6(hi, lo);
        return o == null ? null : cast(o.first());
    }

    /** {@link #lookupIpv4(int)} or {@link #lookupIpv6} for the destination of the packet at {@code ipOff}. */
    public P lookupDestination(MemorySegment packet, long ipOff) {
        return switch (IpPacket.version(packet, ipOff)) {
            case 4 -> lookupIpv4(Ipv4.destination(packet, ipOff));
            case 6 -> lookupIpv6(Ipv6.destinationHigh(packet, ipOff), Ipv6.destinationLow(packet, ipOff));
            default -> null;
        };
    }

    /** The first owner in match order that is not {@code except} (null: any), or null. */
    public P lookupIpv4Except(int dst, P except) {
        Owners o = table.lookupIpv4(dst, HAS_OTHER, except);
        return o == null ? null : cast(o.firstExcept(except));
    }

    /** IPv6 form of {@link #lookupIpv4Except}. */
    public P lookupIpv6Except(long hi, long lo, P except) {
        Owners o = table.lookupIpv6(hi, lo, HAS_OTHER, except);
        return o == null ? null : cast(o.firstExcept(except));
    }

    /** {@link #lookupIpv4Except} or {@link #lookupIpv6Except} for the destination of the packet at {@code ipOff}. */
    public P lookupDestinationExcept(MemorySegment packet, long ipOff, P except) {
        return switch (IpPacket.version(packet, ipOff)) {
            case 4 -> lookupIpv4Except(Ipv4.destination(packet, ipOff), except);
            case 6 -> lookupIpv6Except(Ipv6.destinationHigh(packet, ipOff),
                    Ipv6.destinationLow(packet, ipOff), except);
            default -> null;
        };
    }

    /**
     * The first owner in match order for which {@code usable} holds; if none does, the last owner in match
     * order (the last one added to the shortest matching prefix); null if no prefix matches. Allocation-free
     * when {@code usable} is kept in a field rather than created per call.
     */
    public P lookupIpv4Preferring(int dst, Predicate<? super P> usable) {
        Predicate<Object> u = erase(usable);
        Owners o = table.lookupIpv4(dst, HAS_USABLE, u);
        Object p = o == null ? null : o.firstUsable(u);
        if (p != null) return cast(p);
        Owners least = table.shortestMatchIpv4(dst); // also when usable changed its answer since the walk
        return least == null ? null : cast(least.last());
    }

    /** IPv6 form of {@link #lookupIpv4Preferring}. */
    public P lookupIpv6Preferring(long hi, long lo, Predicate<? super P> usable) {
        Predicate<Object> u = erase(usable);
        Owners o = table.lookupIpv6(hi, lo, HAS_USABLE, u);
        Object p = o == null ? null : o.firstUsable(u);
        if (p != null) return cast(p);
        Owners least = table.shortestMatchIpv6(hi, lo);
        return least == null ? null : cast(least.last());
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        forEach((c, o) -> sb.append(sb.length() > 1 ? ", " : "").append(c).append('=').append(o));
        return sb.append('}').toString();
    }

    @SuppressWarnings("unchecked")
    private P cast(Object p) { return (P) p; }

    @SuppressWarnings("unchecked")
    private static Predicate<Object> erase(Predicate<?> p) { return (Predicate<Object>) Objects.requireNonNull(p, "usable"); }
}
