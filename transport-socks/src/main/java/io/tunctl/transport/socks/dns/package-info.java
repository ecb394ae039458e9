/**
 * The DNS relay on the virtual gateway: {@link io.tunctl.transport.socks.dns.DnsRelay} answers UDP and TCP queries
 * to the gateway's port 53 by forwarding them to the configured resolver, outside the tunnel or through the proxy.
 * {@link io.tunctl.transport.socks.dns.DnsMessages} is the I/O-free part: checking queries, matching answers,
 * cutting answers to a UDP client's size.
 */
package io.tunctl.transport.socks.dns;
