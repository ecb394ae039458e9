package io.tunctl.transport.socks.config;

import io.tunctl.core.config.ConfigProblems;
import io.tunctl.core.packet.Cidr;
import io.tunctl.transport.socks.proxy.ProxyUrl;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a {@link SocksConfig} against the TUN's addresses and makes {@link SocksSettings}, reporting every problem
 * (not only the first) at its field.
 */
public final class SettingsCompiler {
    private SettingsCompiler() {}

    /** Host-side addresses when a config has no {@code interface} section: nano-tun's, with a /30 and a /126. */
    public static final List<Cidr> DEFAULT_ADDRESSES = List.of(Cidr.parse("198.18.0.1/30"), Cidr.parse("fdfe:dcba:9876::1/126"));

    /**
     * @param at         problems at the {@code socks} section (e.g. {@code problems.at("/socks")})
     * @param interfaceAddresses the TUN's own addresses (host side)
     * @return the settings, or null when a problem was reported
     */
    public static SocksSettings compile(SocksConfig c, List<Cidr> interfaceAddresses, ConfigProblems at) {
        int before = at.list().size();
        if (c == null) {
            at.add("the socks section is missing (it needs at least 'proxy')");
            return null;
        }
        if (c.proxy() == null || c.proxy().isBlank()) {
            at.at("/proxy").add("proxy address is required, e.g. socks5://127.0.0.1:1080");
        } else {
            try {
                ProxyUrl.parse(c.proxy());
            } catch (IllegalArgumentException e) {
                at.at("/proxy").add(e.getMessage());
            }
        }
        String stack = c.stack() == null ? "system" : c.stack().toLowerCase(java.util.Locale.ROOT);
        if (!stack.equals("system")) {
            at.at("/stack").add("unknown stack '" + c.stack() + "' (want 'system': the kernel's TCP through NAT;"
                    + " the user-space stack is not there yet)");
        }
        String hs = c.handshake() == null ? "dial-first" : c.handshake();
        if (!hs.equals("dial-first") && !hs.equals("accept-first")) {
            at.at("/handshake").add("want 'dial-first' or 'accept-first', not '" + hs + "'");
        }
        String echo = c.icmpEcho() == null ? "gateway" : c.icmpEcho();
        if (!echo.equals("gateway") && !echo.equals("all")) {
            at.at("/icmpEcho").add("want 'gateway' or 'all', not '" + echo + "'");
        }
        List<InetAddress> gateway = gateway(c.gateway(), interfaceAddresses, at);
        List<Cidr> direct = new ArrayList<>();
        List<String> d = c.direct() == null ? List.of("reserved") : c.direct();
        for (int i = 0; i < d.size(); i++) {
            String v = d.get(i);
            if (v == null) {
                at.at("/direct").at(i).add("null is not a destination");
            } else if (v.equals("reserved")) {
                direct.addAll(SocksSettings.RESERVED);
            } else {
                try {
                    direct.add(v.contains("/") ? Cidr.parse(v).network()
                            : Cidr.of(InetAddress.getByAddress(Cidr.parseAddress(v)), v.contains(":") ? 128 : 32));
                } catch (IllegalArgumentException | UnknownHostException e) {
                    at.at("/direct").at(i).add("not an address or CIDR: '" + v + "'");
                }
            }
        }
        Set<Integer> block = new LinkedHashSet<>();
        List<Integer> bp = c.blockPorts() == null ? SocksSettings.DEFAULT_BLOCK_PORTS : c.blockPorts();
        for (int i = 0; i < bp.size(); i++) {
            Integer p = bp.get(i);
            if (p == null || p < 1 || p > 65535) at.at("/blockPorts").at(i).add("a port is 1..65535");
            else block.add(p);
        }
        long mark = c.mark() == null ? SocksSettings.DEFAULT_MARK : c.mark();
        if (mark < 0 || mark > 0xffff_ffffL) at.at("/mark").add("a mark is 0..0xffffffff");
        SocksConfig.Timeouts t = c.timeouts() == null ? new SocksConfig.Timeouts(null, null, null) : c.timeouts();
        Duration connect = duration(t.connect(), SocksSettings.DEFAULT_CONNECT, at.at("/timeouts").at("/connect"));
        if (connect != null && connect.isZero()) at.at("/timeouts").at("/connect").add("a dial needs a bound: 0s is not allowed");
        Duration tcpIdle = duration(t.tcpIdle(), Duration.ZERO, at.at("/timeouts").at("/tcpIdle"));
        Duration udpIdle = duration(t.udpIdle(), SocksSettings.DEFAULT_UDP_IDLE, at.at("/timeouts").at("/udpIdle"));
        if (udpIdle != null && udpIdle.isZero()) at.at("/timeouts").at("/udpIdle").add("UDP sessions need an idle bound: 0s is not allowed");
        SocksConfig.Limits l = c.limits() == null ? new SocksConfig.Limits(null, null, null) : c.limits();
        int flows = limit(l.flows(), SocksSettings.DEFAULT_FLOWS, 1, 60_000, at.at("/limits").at("/flows"));
        int pending = limit(l.pendingDials(), SocksSettings.DEFAULT_PENDING_DIALS, 1, 60_000, at.at("/limits").at("/pendingDials"));
        int udp = limit(l.udpSessions(), SocksSettings.DEFAULT_UDP_SESSIONS, 1, 1_000_000, at.at("/limits").at("/udpSessions"));
        if (c.metrics() != null && !c.metrics().matches("\\[?[0-9a-fA-F.:]+]?:[0-9]{1,5}")) {
            at.at("/metrics").add("want address:port (e.g. 127.0.0.1:9102), not '" + c.metrics() + "'");
        }
        SocksConfig.Dns dns = c.dns() == null ? new SocksConfig.Dns(null, null) : c.dns();
        java.net.InetSocketAddress dnsUpstream = SocksSettings.DEFAULT_DNS;
        if (dns.upstream() != null) {
            try {
                dnsUpstream = ipAndPort(dns.upstream(), 53);
            } catch (IllegalArgumentException e) {
                at.at("/dns/upstream").add(e.getMessage());
            }
        }
        String via = dns.via() == null ? "direct" : dns.via();
        if (!via.equals("direct") && !via.equals("proxy")) at.at("/dns/via").add("want 'direct' or 'proxy', not '" + via + "'");
        SocksConfig.Exclude ex = c.exclude() == null ? new SocksConfig.Exclude(null, null) : c.exclude();
        java.util.TreeSet<String> processes = new java.util.TreeSet<>();
        if (ex.processes() != null) {
            for (int i = 0; i < ex.processes().size(); i++) {
                String name = ex.processes().get(i) == null ? "" : normaliseProcess(ex.processes().get(i));
                if (name.isEmpty()) at.at("/exclude/processes").at(i).add("an empty process name");
                else processes.add(name);
            }
        }
        Duration refresh = duration(ex.refresh(), SocksSettings.DEFAULT_EXCLUDE_REFRESH, at.at("/exclude/refresh"));
        if (refresh != null && refresh.isZero()) refresh = SocksSettings.DEFAULT_EXCLUDE_REFRESH; // nano-tun: 0 is the default
        SocksConfig.Log log = c.log() == null ? new SocksConfig.Log(null, null) : c.log();
        String level = log.level() == null ? "info" : log.level().toLowerCase(java.util.Locale.ROOT);
        if (!List.of("debug", "info", "warn", "error", "none").contains(level)) {
            at.at("/log/level").add("want debug, info, warn, error or none, not '" + log.level() + "'");
        }
        if (Boolean.TRUE.equals(c.autoRoute()) && (mark == 0 || (mark >= 253 && mark <= 255))) {
            // the mark keeps tunctl's own sockets out of the TUN and names its routing table
            at.at("/autoRoute").add("autoRoute needs a mark that can name a routing table (not 0, 253, 254 or 255)");
        }
        if (at.list().size() > before) return null;
        return new SocksSettings(c.proxy(), hs.equals("accept-first"), gateway, List.copyOf(direct), Set.copyOf(block),
                echo.equals("all"), mark, connect, tcpIdle, udpIdle, flows, pending, udp, c.metrics(),
                dnsUpstream, via.equals("proxy"), Boolean.TRUE.equals(c.autoRoute()), List.copyOf(processes), refresh,
                level, log.dir());
    }

    /** nano-tun's normalisation of an excluded process name: trimmed, lower case, without a trailing .exe. */
    public static String normaliseProcess(String name) {
        String n = name.strip().toLowerCase(java.util.Locale.ROOT);
        return n.endsWith(".exe") ? n.substring(0, n.length() - 4) : n;
    }

    /**
     * An IP literal with an optional port: {@code ip}, {@code ip:port} or {@code [v6]:port} (a bare IPv6 literal
     * takes {@code defaultPort}); host names are refused, since the relay must not need DNS to reach DNS.
     */
    public static java.net.InetSocketAddress ipAndPort(String text, int defaultPort) {
        String t = text.strip();
        String host = t;
        int port = defaultPort;
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0) throw new IllegalArgumentException("missing ']' in '" + text + "'");
            host = t.substring(1, close);
            if (close + 1 < t.length()) {
                if (t.charAt(close + 1) != ':') throw new IllegalArgumentException("want [v6]:port, not '" + text + "'");
                port = port(t.substring(close + 2), text);
            }
        } else if (t.indexOf(':') >= 0 && t.indexOf(':') == t.lastIndexOf(':')) {
            host = t.substring(0, t.indexOf(':'));
            port = port(t.substring(t.indexOf(':') + 1), text);
        }
        try {
            return new java.net.InetSocketAddress(InetAddress.getByAddress(Cidr.parseAddress(host)), port);
        } catch (IllegalArgumentException | UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address (with an optional port); "
                    + "host names are not allowed here");
        }
    }

    private static int port(String p, String text) {
        try {
            int v = Integer.parseInt(p);
            if (v >= 1 && v <= 65535) return v;
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException("bad port in '" + text + "' (want 1..65535)");
    }

    private static List<InetAddress> gateway(List<String> given, List<Cidr> tun, ConfigProblems at) {
        List<InetAddress> out = new ArrayList<>();
        if (given != null) {
            for (int i = 0; i < given.size(); i++) {
                String g = given.get(i);
                try {
                    InetAddress a = InetAddress.getByAddress(Cidr.parseAddress(g));
                    Cidr on = tun.stream().filter(x -> x.contains(a) && x.addressLength() == a.getAddress().length)
                            .findFirst().orElse(null);
                    if (on == null) {
                        at.at("/gateway").at(i).add(g + " is not inside any of the TUN's prefixes " + tun
                                + " (the kernel must route it into the TUN)");
                    } else if (java.util.Arrays.equals(on.addressBytes(), a.getAddress())) {
                        at.at("/gateway").at(i).add(g + " is the TUN's own address: the host would answer for it, "
                                + "not tunctl; use another address of the prefix");
                    } else if (out.stream().anyMatch(o -> o.getClass() == a.getClass())) {
                        at.at("/gateway").at(i).add("one gateway address per IP version");
                    } else {
                        out.add(a);
                    }
                } catch (IllegalArgumentException | UnknownHostException | NullPointerException e) {
                    at.at("/gateway").at(i).add("not an IP address: '" + g + "'");
                }
            }
            return out;
        }
        for (Cidr c : tun) {
            if (out.stream().anyMatch(o -> o.getAddress().length == c.addressLength())) continue;
            InetAddress next = plusOne(c);
            if (next == null) {
                at.at("/gateway").add("the TUN prefix " + c + " has no room for a gateway next to the host address;"
                        + " give 'gateway' or a shorter prefix");
            } else {
                out.add(next);
            }
        }
        if (tun.isEmpty()) at.add("the TUN has no address: give the interface an IPv4 and/or IPv6 address");
        return out;
    }

    /** The host address + 1, if still a usable address inside the prefix (not the v4 broadcast). */
    static InetAddress plusOne(Cidr c) {
        byte[] a = c.addressBytes();
        for (int i = a.length - 1; i >= 0; i--) {
            if (++a[i] != 0) break;
        }
        try {
            InetAddress n = InetAddress.getByAddress(a);
            if (!c.contains(n)) return null;
            if (c.isIpv4() && c.prefixLength() < 31) {
                byte[] bc = c.network().addressBytes();
                int host = 32 - c.prefixLength();
                for (int bit = 0; bit < host; bit++) bc[3 - bit / 8] |= (byte) (1 << (bit % 8));
                if (java.util.Arrays.equals(bc, a)) return null;
            }
            return n;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static Duration duration(String v, Duration dflt, ConfigProblems at) {
        if (v == null) return dflt;
        try {
            return GoDuration.parse(v);
        } catch (IllegalArgumentException e) {
            at.add(e.getMessage());
            return null;
        }
    }

    private static int limit(Integer v, int dflt, int min, int max, ConfigProblems at) {
        if (v == null) return dflt;
        if (v < min || v > max) {
            at.add("want " + min + ".." + max + ", not " + v);
            return dflt;
        }
        return v;
    }
}
