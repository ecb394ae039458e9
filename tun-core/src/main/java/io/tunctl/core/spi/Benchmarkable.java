package io.tunctl.core.spi;

import io.tunctl.core.packet.Cidr;

import java.net.InetAddress;
import java.util.List;

/**
 * Optional for a {@link TransportProvider}: lets {@code tunctl bench} measure the transport. The bench builds two
 * network namespaces joined by a veth (underlay A ↔ B), runs {@code tunctl up} with {@link Setup#configA()} in A
 * and {@link Setup#configB()} in B, and drives TCP from A to the tunnel address of B.
 */
public interface Benchmarkable {

    /** The rows this transport offers; row names are lower-case and hyphenated (e.g. {@code udp}, {@code http-tls}). */
    List<Setup> benchSetups(Network network);

    /**
     * @param underlayA address of host A on the veth
     * @param underlayB address of host B on the veth
     * @param tunnelA   interface address (with prefix) to give the tunnel in A
     * @param tunnelB   interface address (with prefix) to give the tunnel in B; the load targets this
     * @param port      a free UDP/TCP port the transport may use on the underlay (and port + 1 .. + 9)
     * @param mtu       tunnel MTU to use
     */
    record Network(InetAddress underlayA, InetAddress underlayB, Cidr tunnelA, Cidr tunnelB, int port, int mtu) {}

    /** One bench row: the complete config files (JSON, JSONC or YAML text) for each side. */
    record Setup(String row, String configA, String configB) {}
}
