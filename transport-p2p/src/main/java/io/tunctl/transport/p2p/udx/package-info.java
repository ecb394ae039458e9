/**
 * UDX: reliable, ordered byte streams and unreliable messages over one UDP socket, wire-compatible with libudx
 * as shipped in udx-native (the transport under HyperDHT and secret-stream).
 *
 * <ul>
 *   <li>{@link io.tunctl.transport.p2p.udx.UdxHeader}: the I/O-free packet codec (20-byte header, SACK ranges).</li>
 *   <li>{@link io.tunctl.transport.p2p.udx.UdxSocket}: one Netty native-epoll UDP socket (batched receive,
 *       GSO send) that routes UDX packets to streams by id and everything else to a
 *       {@link io.tunctl.transport.p2p.udx.UdxMessageHandler}, so a DHT RPC layer can share the socket.</li>
 *   <li>{@link io.tunctl.transport.p2p.udx.UdxStream}: one stream (SACK, RACK/TLP/RTO loss recovery, BBR with
 *       pacing, MTU probing, END/DESTROY, messages, keepalive, firewall hook, changeRemote).</li>
 * </ul>
 *
 * <p>Wire reference: {@code shared/specs/udx-wire.md}. Interop is tested against udx-native from npm.
 */
package io.tunctl.transport.p2p.udx;
