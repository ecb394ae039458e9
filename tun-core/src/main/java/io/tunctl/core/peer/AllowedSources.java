package io.tunctl.core.peer;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.packet.IpPacket;
import io.tunctl.core.packet.Ipv4;
import io.tunctl.core.packet.Ipv6;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The anti-spoofing half of peer routing: the source prefixes each peer may send from. A packet from a peer
 * whose source lies outside them is dropped ({@code admit...} counts it in {@link DropCounters}). A peer
 * with no allowed prefixes, or one never added, may send nothing. An exit node, which forwards other hosts'
 * traffic, is allowed everything ({@link #allowAny}).
 *
 * <p>A check is one hash lookup of the peer and one trie walk, allocation-free. One writer at a time, any
 * number of concurrent readers (see the package documentation).
 *
 * @param <P> the peer (a hash key: compared with {@code equals})
 */
public final class AllowedSources<P> {
    private static final Cidr ANY4 = Cidr.parse("0.0.0.0/0");
    private static final Cidr ANY6 = Cidr.parse("::/0");

    private final ConcurrentHashMap<P, PrefixSet> byPeer = new ConcurrentHashMap<>();
    private final DropCounters drops;

    public AllowedSources() { this(new DropCounters()); }

    /** Counts spoofed packets into {@code drops} (shared with a routing table, or kept across reloads). */
    public AllowedSources(DropCounters drops) { this.drops = Objects.requireNonNull(drops, "drops"); }

    public DropCounters drops() { return drops; }

    /** Lets {@code peer} send from {@code prefix}. */
    public void allow(P peer, Cidr prefix) {
        PrefixSet s = byPeer.get(Objects.requireNonNull(peer, "peer"));
        if (s != null) {
            s.add(prefix);
        } else {
            // publish the set with its first prefix already in it
            byPeer.put(peer, PrefixSet.of(prefix));
        }
    }

    /** Lets {@code peer} send from each prefix. */
    public void allow(P peer, List<Cidr> prefixes) {
        for (Cidr c : prefixes) allow(peer, c);
    }

    /** Lets {@code peer} send from any address ({@code 0.0.0.0/0} and {@code ::/0}): an exit node. */
    public void allowAny(P peer) {
        allow(peer, ANY4);
        allow(peer, ANY6);
    }

    /** Withdraws exactly this prefix from {@code peer}; false if it was not allowed. */
    public boolean disallow(P peer, Cidr prefix) {
        PrefixSet s = byPeer.get(peer);
        return s != null && s.remove(prefix);
    }

    /** Forgets {@code peer}: it may send nothing. */
    public void removePeer(P peer) { byPeer.remove(peer); }

    /** The prefixes {@code peer} may send from; empty if none. */
    public List<Cidr> allowed(P peer) {
        PrefixSet s = byPeer.get(peer);
        return s == null ? List.of() : s.prefixes();
    }

    // ---- checks (allocation-free) ----

    /** True if {@code peer} may send from the IPv4 address (big-endian int, as {@code ByteBuf.getInt} reads it). */
    public boolean allowedSourceIpv4(P peer, int src) {
        PrefixSet s = byPeer.get(peer);
        return s != null && s.containsIpv4(src);
    }

    /** True if {@code peer} may send from the IPv6 address (upper and lower 64 bits, network order). */
    public boolean allowedSourceIpv6(P peer, long srcHi, long srcLo) {
        PrefixSet s = byPeer.get(peer);
        return s != null && s.containsIpv6(srcHi, srcLo);
    }

    /**
     * True if {@code peer} may send the IPv4 or IPv6 packet at {@code ipOff} (by its source address); false for
     * any other version. The caller has checked the packet is long enough ({@link IpPacket#validate}).
     */
    public boolean allowedSource(P peer, MemorySegment packet, long ipOff) {
        return switch (IpPacket.version(packet, ipOff)) {
            case 4 -> allowedSourceIpv4(peer, Ipv4.source(packet, ipOff));
            case 6 -> allowedSourceIpv6(peer, Ipv6.sourceHigh(packet, ipOff), Ipv6.sourceLow(packet, ipOff));
            default -> false;
        };
    }

    /** {@link #allowedSourceIpv4}, counting a spoofed-source drop when it is false. */
    public boolean admitIpv4(P peer, int src) {
        if (allowedSourceIpv4(peer, src)) return true;
        drops.countSpoofedSource();
        return false;
    }

    /** {@link #allowedSourceIpv6}, counting a spoofed-source drop when it is false. */
    public boolean admitIpv6(P peer, long srcHi, long srcLo) {
        if (allowedSourceIpv6(peer, srcHi, srcLo)) return true;
        drops.countSpoofedSource();
        return false;
    }

    /** {@link #allowedSource(Object, MemorySegment, long)}, counting a spoofed-source drop when it is false. */
    public boolean admit(P peer, MemorySegment packet, long ipOff) {
        if (allowedSource(peer, packet, ipOff)) return true;
        drops.countSpoofedSource();
        return false;
    }

    @Override
    public String toString() { return byPeer.toString(); }
}
