package io.tunctl.core.spi;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a running {@link Tunnel} says about itself for {@code tunctl status}. The interface (name, addresses, MTU,
 * counters), the process (memory, threads) and the uptime are added by tunctl whatever the transport reports, so a
 * transport that reports nothing still shows those.
 *
 * @param role     e.g. {@code server} or {@code client}, or null
 * @param peers    one row per peer (a client shows its server), in display order
 * @param counters transport-wide counters worth a look (drops by reason, ...), by name
 */
public record TunnelStatus(String role, List<PeerStatus> peers, Map<String, Long> counters) {
    /** Nothing beyond what tunctl adds. */
    public static final TunnelStatus NONE = new TunnelStatus(null, List.of(), Map.of());

    public TunnelStatus {
        peers = List.copyOf(peers);
        counters = Collections.unmodifiableMap(new TreeMap<>(counters));
    }

    /** The peers of interface {@code iface} (and those with no interface named, which belong to every one). */
    public List<PeerStatus> peersOf(String iface) {
        return peers.stream().filter(p -> p.iface() == null || p.iface().equals(iface)).toList();
    }
}
