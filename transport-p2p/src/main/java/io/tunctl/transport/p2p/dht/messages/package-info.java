/**
 * I/O-free codecs for the messages a HyperDHT peer exchanges: dht-rpc requests and responses ({@link
 * io.tunctl.transport.p2p.dht.messages.DhtMessage}) and the hyperdht command values carried inside them (peer records,
 * announce, lookup replies, relayed handshake and holepunch messages, the holepunch payload). Layouts follow
 * hyperdht-wire.md §2.2 and §4.1 and are checked byte for byte against the npm packages by {@code
 * DhtMessagesInteropIT}. Records validate field sizes on construction; decoders throw
 * {@link io.tunctl.transport.p2p.codec.CompactDecodeException} naming the message on truncated or invalid input.
 */
package io.tunctl.transport.p2p.dht.messages;
