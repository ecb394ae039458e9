/**
 * Upstream dialers of the socks transport: how a flow that entered the TUN leaves the host.
 *
 * <p>{@link io.tunctl.transport.socks.proxy.ProxyUrl} parses the configured URL ({@code socks5}, {@code socks5h},
 * {@code socks4}, {@code socks4a}, {@code http}, {@code direct}, {@code reject});
 * {@link io.tunctl.transport.socks.proxy.Upstream#of} turns it into an
 * {@link io.tunctl.transport.socks.proxy.Upstream} that opens TCP connections (Netty's proxy handlers for the
 * handshakes) and UDP associations (SOCKS5 UDP ASSOCIATE, or a plain socket for {@code direct}). Failures are
 * {@link io.tunctl.transport.socks.proxy.DialException}s whose
 * {@link io.tunctl.transport.socks.proxy.DialException.Reason} tells the engine how to answer the application
 * (RST, ICMP unreachable, silent drop). {@link io.tunctl.transport.socks.proxy.Socks5UdpHeader} is the pure codec
 * of the RFC 1928 UDP header.
 *
 * <p>Destinations are always IP addresses: the TUN only sees addresses, so {@code socks5h} and {@code socks4a}
 * behave like {@code socks5} and {@code socks4}. Every socket comes from
 * {@link io.tunctl.netty.NettyTransport}'s factories with the configured
 * {@link io.tunctl.core.tun.SocketBypass}, so it never re-enters the tunnel.
 */
package io.tunctl.transport.socks.proxy;
