package io.tunctl.core.spi;

import io.tunctl.core.packet.Cidr;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One peer of a running tunnel, as {@code tunctl status} shows it. Counters are the tunnel's view: {@code rx} arrived
 * from the peer, {@code tx} was sent to it. What a transport does not know stays null (or zero for counters).
 *
 * @param id            the peer's identity: a public key (hex), a client name, ...
 * @param iface         the interface the peer belongs to, when a tunnel runs several; null: the tunnel's only one
 * @param endpoint      where its packets go on the wire ({@code host:port}), or null
 * @param allowedIps    the prefixes routed to it and accepted from it
 * @param connected     whether packets can flow to it now
 * @param lastHandshake when the current session was set up (the last completed handshake or connect), or null
 * @param rtt           the transport's smoothed round-trip estimate, or null when it has none
 * @param rxPackets     packets received from the peer
 * @param rxBytes       their bytes
 * @param txPackets     packets sent to the peer
 * @param txBytes       their bytes
 * @param drops         packets to or from it dropped (backlog, spoofed source, ...)
 * @param info          transport-specific facts (e.g. {@code path: by hole punching}), in display order
 */
public record PeerStatus(String id, String iface, String endpoint, List<Cidr> allowedIps, boolean connected,
                         Instant lastHandshake, Duration rtt, long rxPackets, long rxBytes, long txPackets, long txBytes,
                         long drops, Map<String, String> info) {

    public PeerStatus {
        Objects.requireNonNull(id, "id");
        allowedIps = List.copyOf(allowedIps);
        info = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(info));
    }

    public static Builder builder(String id) { return new Builder(id); }

    /** For transports: set what is known, leave the rest. */
    public static final class Builder {
        private final String id;
        private String iface;
        private String endpoint;
        private List<Cidr> allowedIps = List.of();
        private boolean connected = true;
        private Instant lastHandshake;
        private Duration rtt;
        private long rxPackets, rxBytes, txPackets, txBytes, drops;
        private final Map<String, String> info = new LinkedHashMap<>();

        private Builder(String id) { this.id = id; }

        public Builder iface(String name) { this.iface = name; return this; }

        public Builder endpoint(String hostPort) { this.endpoint = hostPort; return this; }

        /** {@code a.b.c.d:port} or {@code [v6]:port}. */
        public Builder endpoint(java.net.InetSocketAddress a) {
            if (a == null) {
                this.endpoint = null;
            } else if (a.getAddress() == null) {
                this.endpoint = a.getHostString() + ":" + a.getPort();
            } else {
                String host = Cidr.addressString(a.getAddress().getAddress());
                this.endpoint = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
            }
            return this;
        }

        public Builder allowedIps(List<Cidr> prefixes) { this.allowedIps = prefixes; return this; }

        public Builder connected(boolean c) { this.connected = c; return this; }

        public Builder lastHandshake(Instant at) { this.lastHandshake = at; return this; }

        public Builder rtt(Duration d) { this.rtt = d; return this; }

        public Builder rx(long packets, long bytes) { this.rxPackets = packets; this.rxBytes = bytes; return this; }

        public Builder tx(long packets, long bytes) { this.txPackets = packets; this.txBytes = bytes; return this; }

        public Builder drops(long n) { this.drops = n; return this; }

        /** A transport-specific fact; null values are left out. */
        public Builder info(String key, Object value) {
            if (value != null) info.put(key, value.toString());
            return this;
        }

        public PeerStatus build() {
            return new PeerStatus(id, iface, endpoint, allowedIps, connected, lastHandshake, rtt, rxPackets, rxBytes,
                    txPackets, txBytes, drops, info);
        }
    }
}
