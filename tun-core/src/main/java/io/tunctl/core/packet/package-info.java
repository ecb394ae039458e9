/**
 * I/O-free packet code over {@link java.lang.foreign.MemorySegment}s, network byte order, nothing allocated on
 * the per-packet paths.
 *
 * <ul>
 *   <li>Views: {@link io.tunctl.core.packet.IpPacket} (version, length, {@code validate}, transport header
 *       location through IPv6 extension headers), {@link io.tunctl.core.packet.Ipv4},
 *       {@link io.tunctl.core.packet.Ipv6}, {@link io.tunctl.core.packet.Tcp}, {@link io.tunctl.core.packet.Udp},
 *       {@link io.tunctl.core.packet.Icmp}: static accessors taking {@code (segment, offset)}.</li>
 *   <li>{@link io.tunctl.core.packet.Checksum}: Internet checksum, pseudo-headers, verify/fill, RFC 1624 updates,
 *       virtio partial-checksum completion; {@link io.tunctl.core.packet.Rewrite}: NAT-style address and port
 *       rewrites that keep checksums right.</li>
 *   <li>{@link io.tunctl.core.packet.Cidr} and {@link io.tunctl.core.packet.RouteTable} (longest-prefix match;
 *       peer routing for servers builds on it in {@link io.tunctl.core.peer}).</li>
 *   <li>Offload: {@link io.tunctl.core.packet.GsoSegmenter} (software GSO of virtio_net_hdr super-packets) and
 *       {@link io.tunctl.core.packet.GsoCoalescer} (software TCP GRO into super-packets).</li>
 *   <li>For a user-space stack (the socks transport): {@link io.tunctl.core.packet.PacketBuilder} (UDP datagrams,
 *       TCP resets), {@link io.tunctl.core.packet.IcmpReplies} (echo replies in place, ICMP errors and the rules
 *       for sending them), {@link io.tunctl.core.packet.Icmp6Control} (router solicitations and MLD reports to
 *       drop), {@link io.tunctl.core.packet.Ipv4Reassembler} and {@link io.tunctl.core.packet.Ipv4Fragmenter}.</li>
 * </ul>
 *
 * <p>Views do not check bounds beyond what {@code MemorySegment} does (an out-of-range read throws
 * {@link IndexOutOfBoundsException}); untrusted packets go through {@code IpPacket.validate} first.
 */
package io.tunctl.core.packet;
