package io.tunctl.transport.p2p.config;

import io.tunctl.core.packet.Cidr;
import io.tunctl.transport.p2p.dht.rpc.BootstrapNode;

import java.util.List;
import java.util.Map;

/**
 * A checked p2p config (what {@link NospoonRules} made of a {@link P2pConfig}).
 *
 * @param mode          server or client
 * @param ip            the TUN's IPv4 address with its prefix (nospoon's {@code ip}; default 10.0.0.1/24 or 10.0.0.2/24)
 * @param ipv6          the TUN's IPv6 address with its prefix, or null
 * @param seed          the 32-byte identity seed ({@code seed} or {@code seedFile}), or null for a random identity
 * @param mtu           the TUN's MTU (default 1400)
 * @param fullTunnel    nospoon's {@code fullTunnel} (exactly JSON {@code true})
 * @param outInterface  server: the NAT's outgoing interface, or null to detect it
 * @param peers         server: allowed client keys (lowercase hex) in file order, each with its addresses or
 *                      prefixes; empty = open mode
 * @param serverKey     client: the server's public key (32 bytes)
 * @param bootstrap     DHT nodes to join through; empty = HyperDHT's public bootstrap nodes
 * @param port          UDP port of the DHT socket (0: any)
 * @param keepaliveSeconds seconds between nospoon keep-alive frames (0: none)
 */
public record P2pSettings(Mode mode, Cidr ip, Cidr ipv6, byte[] seed, int mtu, boolean fullTunnel,
                          String outInterface, Map<String, Peer> peers, byte[] serverKey,
                          List<BootstrapNode> bootstrap, int port, int keepaliveSeconds) {

    public enum Mode { SERVER, CLIENT }

    public static final int DEFAULT_MTU = 1400;
    public static final int DEFAULT_KEEPALIVE_SECONDS = 25;

    /**
     * A listed client.
     *
     * @param key      lowercase hex of its public key
     * @param written  its addresses as the file wrote them (for nospoon's log lines)
     * @param prefixes where its packets may come from and what is routed to it (a bare address is a /32 or /128)
     */
    public record Peer(String key, String written, List<Cidr> prefixes) {
        public Peer {
            prefixes = List.copyOf(prefixes);
        }
    }

    public P2pSettings {
        peers = peers == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(peers));
        bootstrap = List.copyOf(bootstrap);
    }

    /** nospoon's "peers" mode: only listed keys get an answer. */
    public boolean authMode() { return !peers.isEmpty(); }

    /** The TUN's addresses: {@code ip}, then {@code ipv6}. */
    public List<Cidr> addresses() { return ipv6 == null ? List.of(ip) : List.of(ip, ipv6); }
}
