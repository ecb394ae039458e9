/**
 * The I/O-free logic of a HyperDHT peer above dht-rpc (hyperdht-wire.md §5-§6): inputs are decoded messages,
 * addresses and a clock value, outputs are values (what to reply, what to relay and to whom, state transitions), so
 * a thin glue layer on the dht-rpc node drives them.
 * <ul>
 *   <li>announcing: {@link io.tunctl.transport.p2p.dht.hyperdht.AnnounceSignatures},
 *       {@link io.tunctl.transport.p2p.dht.hyperdht.Announcer} (server side),
 *       {@link io.tunctl.transport.p2p.dht.hyperdht.RecordStore} and
 *       {@link io.tunctl.transport.p2p.dht.hyperdht.ForwardTable} (storage node side);</li>
 *   <li>routing of relayed handshakes and holepunches: {@link io.tunctl.transport.p2p.dht.hyperdht.Router}, whose
 *       decisions are {@link io.tunctl.transport.p2p.dht.hyperdht.RpcAction}s;</li>
 *   <li>connecting: {@link io.tunctl.transport.p2p.dht.hyperdht.ServerHandshakes} (with the
 *       {@link io.tunctl.transport.p2p.dht.hyperdht.HandshakeFirewall} hook) and
 *       {@link io.tunctl.transport.p2p.dht.hyperdht.ClientHandshake};</li>
 *   <li>holepunching: {@link io.tunctl.transport.p2p.dht.hyperdht.NatAnalyzer},
 *       {@link io.tunctl.transport.p2p.dht.hyperdht.Holepuncher},
 *       {@link io.tunctl.transport.p2p.dht.hyperdht.ClientHolepunch},
 *       {@link io.tunctl.transport.p2p.dht.hyperdht.ServerHolepunch},
 *       {@link io.tunctl.transport.p2p.dht.hyperdht.SecurePayload}.</li>
 * </ul>
 * Checked against hyperdht 6.34.0's own modules by {@code HyperdhtCoreInteropIT}. Not thread-safe: the node's event
 * loop owns these objects.
 */
package io.tunctl.transport.p2p.dht.hyperdht;
