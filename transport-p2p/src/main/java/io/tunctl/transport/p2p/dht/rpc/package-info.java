/**
 * A dht-rpc 6.x node (hyperdht-wire.md §2): {@link io.tunctl.transport.p2p.dht.rpc.DhtNode} sends requests with
 * retries and a congestion window, answers dht-rpc's internal commands, keeps a Kademlia routing table, runs
 * iterative {@link io.tunctl.transport.p2p.dht.rpc.Query queries}, bootstraps, samples its public address and turns
 * persistent when it is reachable, as the npm {@code dht-rpc} does. User commands (hyperdht's) are handed to the
 * handlers registered with {@link io.tunctl.transport.p2p.dht.rpc.DhtNode#handle}.
 *
 * <p>State lives on one thread (the sockets' event loop, or a test's manual scheduler); the routing table, NAT sampler, token secrets and congestion window
 * are plain classes that know nothing of sockets or clocks.
 */
package io.tunctl.transport.p2p.dht.rpc;
