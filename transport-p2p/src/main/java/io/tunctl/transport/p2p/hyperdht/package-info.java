/**
 * HyperDHT peers in Java, wire-compatible with hyperdht 6.34 (hyperdht-wire.md §4-§6, §9): the I/O glue that runs
 * the pure logic of {@link io.tunctl.transport.p2p.dht.hyperdht} on a dht-rpc
 * {@link io.tunctl.transport.p2p.dht.rpc.DhtNode} and one UDX socket.
 * <ul>
 *   <li>{@link io.tunctl.transport.p2p.hyperdht.HyperDht}: the node (routing of handshakes, storage once persistent),
 *       {@code connect(publicKey)}, {@code lookup(publicKey)}, {@code createServer(...)};</li>
 *   <li>{@link io.tunctl.transport.p2p.hyperdht.HyperDhtServer}: announce loop and accepted connections, with a
 *       {@link io.tunctl.transport.p2p.hyperdht.ConnectionFirewall};</li>
 *   <li>{@link io.tunctl.transport.p2p.hyperdht.HyperDhtConnection}: the encrypted stream
 *       ({@link io.tunctl.transport.p2p.stream.SecureStream}) and the peer's key.</li>
 * </ul>
 * Paths: direct when either side is reachable (FIREWALL.OPEN), or hyperdht's LAN shortcut when both are firewalled
 * behind the same public address. Holepunching between different NATs and the blind relay are not wired yet.
 */
package io.tunctl.transport.p2p.hyperdht;
