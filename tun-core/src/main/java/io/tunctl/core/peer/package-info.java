/**
 * Peer routing for servers with many peers (the http server today, the p2p server and socks flows next):
 * which peer a packet goes to, and whether a peer may send it. WireGuard calls the pair cryptokey routing.
 *
 * <ul>
 *   <li>{@link io.tunctl.core.peer.PeerRoutes}: destination prefix → peer, longest prefix match over IPv4 and
 *       IPv6. Peers that announce the same prefix are kept in the order they were added; lookups can skip the
 *       sender ({@code ...Except}) or prefer peers that are up ({@code ...Preferring}).</li>
 *   <li>{@link io.tunctl.core.peer.AllowedSources}: each peer's allowed source prefixes (an exit node may be
 *       allowed {@code 0.0.0.0/0} and {@code ::/0}). A packet from a peer with a source outside them is
 *       dropped and counted ({@code admit...}).</li>
 *   <li>{@link io.tunctl.core.peer.PeerTable}: both for one set of peers, with one
 *       {@link io.tunctl.core.peer.DropCounters} (spoofed source, no route).</li>
 *   <li>{@link io.tunctl.core.peer.PrefixSet}: an allocation-free set of prefixes.</li>
 * </ul>
 *
 * <p>Lookups take an IPv4 address as an {@code int}, an IPv6 address as two {@code long}s (upper and lower 64
 * bits, network order), or a packet in a {@link java.lang.foreign.MemorySegment}. A Netty {@code ByteBuf}
 * reads the same fields with {@code getInt}/{@code getLong}, which are big-endian. A lookup walks one trie path
 * (at most one node per distinct prefix length): no allocation, no boxing, no scan over the peers.
 *
 * <p>Concurrency: any number of readers (event loops) and one writer at a time (callers serialise changes).
 * Each change is atomic on its own: a reader sees a prefix's owners, or a peer's allowed prefix, before or
 * after it, never half of it. To apply many changes at once (a config reload), build a new table and publish
 * it through a volatile field (copy-on-write swap); the {@link io.tunctl.core.peer.DropCounters} can be
 * handed from one table to the next so the counts survive.
 *
 * <p>Peers are compared with {@code equals} and used as hash keys; objects with identity semantics (a
 * session, a connection) are the usual choice.
 */
package io.tunctl.core.peer;
