package io.tunctl.transport.p2p.dht.rpc;

import java.util.Objects;

/**
 * A bootstrap entry in dht-rpc's text form {@code [suggested-ip@]host:port}: the suggested IPv4 address is pinged
 * first and the host name resolved (IPv4) only if that fails, as hyperdht's {@code node1.hyperdht.org} entries do.
 *
 * @param suggestedIp an IPv4 literal to try before resolving {@code host}, or null
 * @param host        an IPv4 literal or a DNS name
 */
public record BootstrapNode(String suggestedIp, String host, int port) {
    public BootstrapNode {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("bootstrap node host is empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("bootstrap node port must be 1-65535, got " + port);
        }
    }

    /** Parses {@code [suggested-ip@]host:port}. */
    public static BootstrapNode parse(String text) {
        String s = Objects.requireNonNull(text, "bootstrap node").trim();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1 || s.indexOf(':') != colon) {
            throw new IllegalArgumentException("bootstrap node '" + text + "': format is [suggested-ip@]host:port");
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bootstrap node '" + text + "': port is not a number");
        }
        String host = s.substring(0, colon);
        String suggested = null;
        int at = host.indexOf('@');
        if (at >= 0) {
            suggested = host.substring(0, at);
            host = host.substring(at + 1);
            if (!isIpv4Literal(suggested)) {
                throw new IllegalArgumentException("bootstrap node '" + text + "': '" + suggested
                        + "' before '@' is not an IPv4 address");
            }
        }
        try {
            return new BootstrapNode(suggested, host, port);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bootstrap node '" + text + "': " + e.getMessage());
        }
    }

    static boolean isIpv4Literal(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return (suggestedIp == null ? "" : suggestedIp + "@") + host + ":" + port;
    }
}
