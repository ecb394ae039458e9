package io.tunctl.transport.socks.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.tunctl.core.config.ConfigDocument;
import io.tunctl.core.config.ConfigException;
import io.tunctl.core.config.ConfigProblems;
import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.InterfaceSpec;
import io.tunctl.transport.socks.proxy.ProxyUrl;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * nano-tun's YAML file, read as nano-tun reads it (camelCase keys, Go durations, the same defaults and checks) and
 * mapped onto a {@link SocksConfig} with the interface it describes. Its flags reach it as keys of the same names
 * (the CLI sets them on the document), so a file, flags, or both give one config.
 *
 * <p>Where tunctl differs on purpose: an unknown key is ignored as nano-tun does but logged as a warning;
 * {@code stackMode} {@code gvisor} and {@code simple} both run on the system engine (logged); {@code dns} also takes a
 * bare IPv6 literal; the MTU must fit the interface (68..65535, at least 1280 since the TUN has an IPv6 address).
 */
public final class NanoTunFile {
    private NanoTunFile() {}

    private static final System.Logger LOG = System.getLogger(NanoTunFile.class.getName());

    /** Every key nano-tun reads. */
    public static final Set<String> KEYS = Set.of("tunName", "mtu", "stackMode", "proxy", "dns", "autoDefaultRoute",
            "udpTimeout", "excludedProcesses", "excludeRefresh", "excludedIPs", "logLevel", "logDir");
    /** Keys no other seed format uses: with {@code proxy}, any one of them marks a mapping as nano-tun's. */
    private static final Set<String> MARKERS = Set.of("proxy", "tunName", "stackMode", "autoDefaultRoute",
            "udpTimeout", "excludedProcesses", "excludeRefresh", "excludedIPs", "logLevel", "logDir");

    public static final String DEFAULT_TUN = "nano0";
    public static final int DEFAULT_MTU = 1500;
    public static final String DEFAULT_LOG_DIR = "logs";

    /** A mapping with no {@code transport} key and at least one of nano-tun's own keys. */
    public static boolean isNanoTun(JsonNode root) {
        if (root == null || !root.isObject() || root.has("transport")) return false;
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            if (MARKERS.contains(it.next())) return true;
        }
        return false;
    }

    /** The config a nano-tun document gives, or empty when the document is not one. */
    public static Optional<SocksConfig> recognise(ConfigDocument doc) throws ConfigException {
        return isNanoTun(doc.root()) ? Optional.of(map(doc)) : Optional.empty();
    }

    /** Maps a nano-tun document; every problem is reported at its key's line and column. */
    public static SocksConfig map(ConfigDocument doc) throws ConfigException {
        JsonNode root = doc.root();
        ConfigProblems problems = new ConfigProblems(doc);
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) {
                var p = doc.problemAtKey("/" + k.replace("~", "~0").replace("/", "~1"), "");
                LOG.log(System.Logger.Level.WARNING, "{0}:{1}:{2}: unknown key ''{3}'' ignored (as nano-tun does)",
                        doc.file() == null ? "<config>" : doc.file(), p.line(), p.column(), k);
            }
        }
        String tunName = text(root, "tunName", problems);
        if (tunName == null || tunName.isEmpty()) tunName = DEFAULT_TUN;
        else if (tunName.length() > 15 || !tunName.matches("[A-Za-z0-9_.-]+")) {
            problems.add("/tunName", "an interface name is 1-15 characters of [A-Za-z0-9_.-], not '" + tunName + "'");
        }
        int mtu = DEFAULT_MTU;
        JsonNode m = present(root, "mtu");
        if (m != null) {
            if (!m.isIntegralNumber()) problems.add("/mtu", "want a whole number, not '" + m.asText() + "'");
            else if (m.asLong() < 0) problems.add("/mtu", "a negative MTU is not allowed");
            else if (m.asLong() > 65535) problems.add("/mtu", "MTU " + m.asLong() + " out of range (at most 65535)");
            else if (m.asInt() != 0 && m.asInt() < 1280) {
                problems.add("/mtu", "MTU " + m.asInt() + " is too small: the TUN has an IPv6 address, which needs 1280");
            } else if (m.asInt() != 0) mtu = m.asInt();
        }
        String stackMode = text(root, "stackMode", problems);
        if (stackMode != null && !stackMode.isEmpty()) {
            String s = stackMode.toLowerCase(Locale.ROOT);
            if (!s.equals("gvisor") && !s.equals("simple")) {
                problems.add("/stackMode", "unknown stackMode '" + stackMode + "' (want gvisor or simple)");
            } else {
                LOG.log(System.Logger.Level.INFO, "stackMode {0}: runs on the system engine (the kernel''s TCP through"
                        + " NAT); tunctl has no user-space stack yet", s);
            }
        }
        String proxy = text(root, "proxy", problems);
        if (proxy == null || proxy.isEmpty()) {
            problems.add("/proxy", "proxy address is required");
            proxy = null;
        } else {
            if (!proxy.contains("://")) proxy = "socks5://" + proxy;
            try {
                ProxyUrl.parse(proxy);
            } catch (IllegalArgumentException e) {
                problems.add("/proxy", e.getMessage());
            }
        }
        String dns = text(root, "dns", problems);
        if (dns != null && !dns.isEmpty()) {
            try {
                SettingsCompiler.ipAndPort(dns, 53);
            } catch (IllegalArgumentException e) {
                problems.add("/dns", e.getMessage());
            }
        } else {
            dns = null;
        }
        Boolean autoRoute = bool(root, "autoDefaultRoute", problems);
        Duration udpTimeout = duration(root, "udpTimeout", problems);
        Duration excludeRefresh = duration(root, "excludeRefresh", problems);
        TreeSet<String> processes = new TreeSet<>();
        List<String> rawProcesses = list(root, "excludedProcesses", problems);
        for (String p : rawProcesses) {
            String n = SettingsCompiler.normaliseProcess(p);
            if (!n.isEmpty()) processes.add(n);
        }
        List<String> direct = null;
        List<String> ips = list(root, "excludedIPs", problems);
        if (!ips.isEmpty()) {
            direct = new ArrayList<>(List.of("reserved"));
            for (int i = 0; i < ips.size(); i++) {
                try {
                    direct.add(cidr(ips.get(i)).toString());
                } catch (IllegalArgumentException e) {
                    problems.add("/excludedIPs/" + i, "not an IP address or CIDR: '" + ips.get(i) + "'");
                }
            }
        }
        String level = text(root, "logLevel", problems);
        level = level == null || level.isEmpty() ? null : logLevel(level);
        String logDir = text(root, "logDir", problems);
        if (logDir == null || logDir.isEmpty()) logDir = DEFAULT_LOG_DIR;
        problems.throwIfAny();

        InterfaceSpec tun = new InterfaceSpec(tunName, mtu, SettingsCompiler.DEFAULT_ADDRESSES, List.of(), List.of(),
                true, 1);
        return new SocksConfig(proxy, "system", null, null, direct, null, null, null,
                new SocksConfig.Timeouts(null, null, udpTimeout == null ? null : GoDuration.format(udpTimeout)),
                null, null, new SocksConfig.Dns(dns, null), autoRoute,
                new SocksConfig.Exclude(List.copyOf(processes),
                        excludeRefresh == null ? null : GoDuration.format(excludeRefresh)),
                new SocksConfig.Log(level, logDir), tun);
    }

    /** nano-tun's level names; {@code silent} is its alias of {@code none}; anything else means {@code info}. */
    public static String logLevel(String given) {
        String l = given.strip().toLowerCase(Locale.ROOT);
        if (l.equals("silent")) return "none";
        if (List.of("debug", "info", "warn", "error", "none").contains(l)) return l;
        LOG.log(System.Logger.Level.WARNING, "unknown log level ''{0}'': using info (as nano-tun does)", given);
        return "info";
    }

    /** A CIDR, masked, or a bare address as /32 or /128. */
    static Cidr cidr(String v) {
        String t = v.strip();
        if (t.contains("/")) return Cidr.parse(t).network();
        try {
            return Cidr.of(InetAddress.getByAddress(Cidr.parseAddress(t)), t.contains(":") ? 128 : 32);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** The value at {@code key}, or null when absent or YAML null (nano-tun keeps the zero value). */
    private static JsonNode present(JsonNode root, String key) {
        JsonNode n = root.get(key);
        return n == null || n.isNull() ? null : n;
    }

    private static String text(JsonNode root, String key, ConfigProblems problems) {
        JsonNode n = present(root, key);
        if (n == null) return null;
        if (!n.isValueNode()) {
            problems.add("/" + key, "want a single value, not a " + (n.isArray() ? "list" : "mapping"));
            return null;
        }
        return n.asText().strip();
    }

    private static Boolean bool(JsonNode root, String key, ConfigProblems problems) {
        JsonNode n = present(root, key);
        if (n == null) return null;
        if (n.isBoolean()) return n.asBoolean();
        problems.add("/" + key, "want true or false, not '" + n.asText() + "'");
        return null;
    }

    /** A Go duration string, or a bare integer in nanoseconds; 0 means the default (null). */
    private static Duration duration(JsonNode root, String key, ConfigProblems problems) {
        JsonNode n = present(root, key);
        if (n == null) return null;
        Duration d;
        if (n.isIntegralNumber()) {
            if (n.asLong() < 0) {
                problems.add("/" + key, "a negative duration is not allowed");
                return null;
            }
            d = Duration.ofNanos(n.asLong());
        } else if (n.isTextual()) {
            try {
                d = GoDuration.parse(n.asText());
            } catch (IllegalArgumentException e) {
                problems.add("/" + key, e.getMessage());
                return null;
            }
        } else {
            problems.add("/" + key, "want a duration such as 30s or 1m30s, not '" + n.asText() + "'");
            return null;
        }
        return d.isZero() ? null : d;
    }

    private static List<String> list(JsonNode root, String key, ConfigProblems problems) {
        JsonNode n = present(root, key);
        if (n == null) return List.of();
        if (!n.isArray()) {
            problems.add("/" + key, "want a list, e.g. [a, b]");
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            JsonNode e = n.get(i);
            if (e.isValueNode() && !e.isNull()) out.add(e.asText());
            else problems.add("/" + key + "/" + i, "want a single value");
        }
        return out;
    }
}
