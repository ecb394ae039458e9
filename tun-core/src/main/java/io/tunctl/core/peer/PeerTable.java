package io.tunctl.core.peer;

import io.tunctl.core.packet.Cidr;

import java.util.List;
import java.util.Objects;

/**
 * Peer routing for one set of peers: where packets go ({@link #routes()}, by destination) and what each peer
 * may send ({@link #sources()}, by source), sharing one {@link DropCounters}. A server's packet path:
 *
 * <pre>{@code
 * // a packet from peer `from`, IP header at ipOff
 * if (!table.sources().admit(from, packet, ipOff)) return;             // spoofed: dropped and counted
 * Peer to = table.routes().lookupDestinationExcept(packet, ipOff, from);
 * if (to == null) { table.drops().countNoRoute(); return; }           // or: hand it to the local TUN
 * to.send(packet);
 * }</pre>
 *
 * <p>Concurrency as in the package documentation: one writer, many readers, or a new table swapped in.
 *
 * @param <P> the peer (compared with {@code equals}, used as a hash key)
 */
public final class PeerTable<P> {
    private final DropCounters drops;
    private final PeerRoutes<P> routes = new PeerRoutes<>();
    private final AllowedSources<P> sources;

    public PeerTable() { this(new DropCounters()); }

    /** A table counting into {@code drops}, e.g. the counters of the table it replaces. */
    public PeerTable(DropCounters drops) {
        this.drops = Objects.requireNonNull(drops, "drops");
        this.sources = new AllowedSources<>(drops);
    }

    /** Destination prefix → peer. */
    public PeerRoutes<P> routes() { return routes; }

    /** Each peer's allowed source prefixes. */
    public AllowedSources<P> sources() { return sources; }

    public DropCounters drops() { return drops; }

    /**
     * Adds a peer: it owns {@code routes} (after any peers that already own the same prefixes) and may send
     * from {@code allowedSources}.
     */
    public void addPeer(P peer, List<Cidr> routes, List<Cidr> allowedSources) {
        this.routes.add(routes, peer);
        sources.allow(peer, allowedSources);
    }

    /** Removes a peer's routes and allowed sources (walks the route table: a control-path call). */
    public void removePeer(P peer) {
        routes.removePeer(peer);
        sources.removePeer(peer);
    }

    @Override
    public String toString() { return "routes " + routes + ", sources " + sources + ", drops: " + drops; }
}
