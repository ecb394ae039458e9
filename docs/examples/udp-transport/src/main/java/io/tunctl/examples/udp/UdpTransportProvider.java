package io.tunctl.examples.udp;

/** Placeholder; see the plugin-authoring guide commit. */
public final class UdpTransportProvider {
}
