/**
 * The compact-encoding wire primitives HyperDHT, dht-rpc and the Noise payloads are built from: varint {@code uint},
 * little-endian fixed-width integers, length-prefixed buffers and strings, raw fixed-size blobs and the IPv4/IPv6
 * socket addresses with little-endian ports. I/O-free; decoders are strict and never read past their bounds.
 */
package io.tunctl.transport.p2p.codec;
