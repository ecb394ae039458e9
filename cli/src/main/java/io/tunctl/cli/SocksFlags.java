package io.tunctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import io.tunctl.core.config.ConfigDocument;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * nano-tun's flags on {@code tunctl up}, for the socks transport. Only typed flags count; each one overrides the
 * file's value (a list flag replaces the file's list) and, unlike nano-tun, may set it back to false or zero
 * ({@code --auto-route=false}, {@code --mtu 0} for the default). They are set on the config document, under
 * nano-tun's keys for a nano-tun file (or no file), under the unified keys for a unified socks file, so the
 * transport checks them like the file's own values and a bad one is reported as given by its flag.
 */
final class SocksFlags {
    private static final System.Logger LOG = System.getLogger("tunctl");

    @Option(names = "--config", paramLabel = "PATH", description = "nano-tun YAML file or a unified tunctl config.")
    Path config;

    @Option(names = "--tun", paramLabel = "NAME", description = "TUN interface name (nano-tun default: nano0).")
    String tun;

    @Option(names = "--mtu", paramLabel = "N", description = "MTU; 0 means the default (1500).")
    Integer mtu;

    @Option(names = "--stack", paramLabel = "MODE",
            description = "gvisor or simple (both run on the system engine for now).")
    String stack;

    @Option(names = "--proxy", paramLabel = "URL",
            description = "Upstream proxy, e.g. socks5://127.0.0.1:1080 (socks5:// is assumed without a scheme).")
    String proxy;

    @Option(names = "--dns", paramLabel = "ADDR", description = "Resolver for the gateway's DNS relay: ip or ip:port.")
    String dns;

    @Option(names = "--auto-route", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
            description = "Default routes into the TUN, without loops (--auto-route=false turns it off).")
    Boolean autoRoute;

    @Option(names = "--udp-timeout", paramLabel = "DUR", description = "UDP session idle timeout (Go duration, 0 = 1m).")
    String udpTimeout;

    @Option(names = "--exclude", paramLabel = "NAME", split = ",",
            description = "Process whose flows go direct (repeatable; replaces the file's list).")
    List<String> exclude;

    @Option(names = "--exclude-refresh", paramLabel = "DUR", description = "Process table rescan interval (0 = 15s).")
    String excludeRefresh;

    @Option(names = "--exclude-ip", paramLabel = "CIDR", split = ",",
            description = "Destination (CIDR or IP) that goes direct (repeatable; replaces the file's list).")
    List<String> excludeIp;

    @Option(names = "--log-level", paramLabel = "LEVEL", description = "debug, info, warn, error or none.")
    String logLevel;

    @Option(names = "--log-dir", paramLabel = "DIR", description = "Directory for date-named log files.")
    String logDir;

    /** Whether any setting flag (not {@code --config}) was typed. */
    boolean any() {
        return tun != null || mtu != null || stack != null || proxy != null || dns != null || autoRoute != null
                || udpTimeout != null || exclude != null || excludeRefresh != null || excludeIp != null
                || logLevel != null || logDir != null;
    }

    /** The document with the typed flags set on it: nano-tun's keys, or a unified socks file's. */
    ConfigDocument applyTo(ConfigDocument doc) {
        return doc.root().has("transport") ? unified(doc) : nanoTun(doc);
    }

    private ConfigDocument nanoTun(ConfigDocument d) {
        d = set(d, "/tunName", text(tun), "--tun");
        d = set(d, "/mtu", mtu == null ? null : IntNode.valueOf(mtu), "--mtu");
        d = set(d, "/stackMode", text(stack), "--stack");
        d = set(d, "/proxy", text(proxy), "--proxy");
        d = set(d, "/dns", text(dns), "--dns");
        d = set(d, "/autoDefaultRoute", autoRoute == null ? null : BooleanNode.valueOf(autoRoute), "--auto-route");
        d = set(d, "/udpTimeout", text(udpTimeout), "--udp-timeout");
        d = set(d, "/excludedProcesses", list(exclude), "--exclude");
        d = set(d, "/excludeRefresh", text(excludeRefresh), "--exclude-refresh");
        d = set(d, "/excludedIPs", list(excludeIp), "--exclude-ip");
        d = set(d, "/logLevel", text(logLevel), "--log-level");
        return set(d, "/logDir", text(logDir), "--log-dir");
    }

    /** The same flags on a unified socks file; a zero MTU or duration removes the key, so its default applies. */
    private ConfigDocument unified(ConfigDocument d) {
        d = set(d, "/interface/name", text(tun), "--tun");
        if (mtu != null) d = d.with("/interface/mtu", mtu == 0 ? null : IntNode.valueOf(mtu), "--mtu");
        if (stack != null) {
            String s = stack.strip().toLowerCase(Locale.ROOT);
            if (s.equals("gvisor") || s.equals("simple")) {
                LOG.log(System.Logger.Level.INFO, "--stack {0}: runs on the system engine (the kernel''s TCP through"
                        + " NAT); tunctl has no user-space stack yet", s);
                s = "system";
            }
            d = d.with("/socks/stack", TextNode.valueOf(s), "--stack");
        }
        if (proxy != null) {
            String p = proxy.strip();
            d = d.with("/socks/proxy", TextNode.valueOf(p.contains("://") || p.isEmpty() ? p : "socks5://" + p), "--proxy");
        }
        d = set(d, "/socks/dns/upstream", text(dns), "--dns");
        d = set(d, "/socks/autoRoute", autoRoute == null ? null : BooleanNode.valueOf(autoRoute), "--auto-route");
        if (udpTimeout != null) d = d.with("/socks/timeouts/udpIdle", zero(udpTimeout) ? null : text(udpTimeout), "--udp-timeout");
        d = set(d, "/socks/exclude/processes", list(exclude), "--exclude");
        if (excludeRefresh != null) {
            d = d.with("/socks/exclude/refresh", zero(excludeRefresh) ? null : text(excludeRefresh), "--exclude-refresh");
        }
        if (excludeIp != null) {
            // the addresses replace the file's; the word 'reserved' (the default) stays as it was
            JsonNode given = d.root().at("/socks/direct");
            boolean reserved = !given.isArray();
            for (JsonNode n : given) reserved |= n.asText().equals("reserved");
            ArrayNode direct = JsonNodeFactory.instance.arrayNode();
            if (reserved) direct.add("reserved");
            excludeIp.forEach(direct::add);
            d = d.with("/socks/direct", direct, "--exclude-ip");
        }
        d = set(d, "/socks/log/level", text(logLevel), "--log-level");
        return set(d, "/socks/log/dir", text(logDir), "--log-dir");
    }

    private static ConfigDocument set(ConfigDocument d, String pointer, JsonNode value, String flag) {
        return value == null ? d : d.with(pointer, value, flag);
    }

    private static TextNode text(String v) {
        return v == null ? null : TextNode.valueOf(v.strip());
    }

    private static ArrayNode list(List<String> v) {
        if (v == null) return null;
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        v.forEach(a::add);
        return a;
    }

    /** A Go duration of zero ({@code 0}, {@code 0s}, {@code 0m0s}): nano-tun's "use the default". */
    static boolean zero(String duration) {
        return duration.strip().matches("[+]?(0+(\\.0*)?(ns|us|µs|μs|ms|s|m|h)?)+");
    }
}
