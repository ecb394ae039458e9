package io.tunctl.examples.udp;

import io.tunctl.core.config.ConfigProblems;
import io.tunctl.core.runtime.BridgedTunnel;
import io.tunctl.core.spi.InterfaceHandle;
import io.tunctl.core.spi.InterfaceSpec;
import io.tunctl.core.spi.TransportProvider;
import io.tunctl.core.spi.Tunnel;
import io.tunctl.core.spi.TunnelContext;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The reference plugin: every IP packet read from the TUN goes to the peer as one UDP datagram, and every
 * datagram received becomes one packet written to the TUN. No crypto, no framing — the baseline that shows
 * what the TUN core and a UDP socket cost, and the example the plugin-authoring guide walks through.
 */
public final class UdpTransportProvider implements TransportProvider<UdpConfig> {

    @Override
    public String name() { return "udp"; }

    @Override
    public Class<UdpConfig> configType() { return UdpConfig.class; }

    @Override
    public void validate(UdpConfig config, ConfigProblems problems) {
        if (config.listen() == null) {
            problems.add("/udp", "missing 'listen' (local address:port)");
        } else {
            check(config.listen(), problems.at("/udp/listen"), true);
        }
        if (config.peer() != null) check(config.peer(), problems.at("/udp/peer"), false);
    }

    private static void check(String text, ConfigProblems at, boolean portZeroOk) {
        try {
            InetSocketAddress a = SocketAddresses.parse(text);
            if (!portZeroOk && a.getPort() == 0) at.add("port 0 is not a peer's port");
        } catch (IllegalArgumentException e) {
            at.add(e.getMessage());
        }
    }

    @Override
    public Tunnel open(UdpConfig config, TunnelContext context) throws IOException {
        InterfaceSpec spec = context.interfaceSpec()
                .orElseThrow(() -> new IOException("the udp transport needs an 'interface' section"));
        UdpDevice udp = UdpDevice.open(SocketAddresses.parse(config.listen()),
                config.peer() == null ? null : SocketAddresses.parse(config.peer()), spec.mtu());
        try {
            InterfaceHandle tun = context.openInterface(spec);
            return new BridgedTunnel(context.bridge(tun.device(), udp));
        } catch (IOException | RuntimeException e) {
            udp.close();
            throw e;
        }
    }
}
