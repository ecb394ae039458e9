package io.tunctl.examples.udp;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The {@code udp} section of a tunctl config.
 *
 * @param listen local {@code address:port} to bind ({@code [v6]:port} for IPv6)
 * @param peer   remote {@code address:port}; when absent the first datagram's sender becomes the peer
 */
public record UdpConfig(@JsonProperty("listen") String listen, @JsonProperty("peer") String peer) {}
