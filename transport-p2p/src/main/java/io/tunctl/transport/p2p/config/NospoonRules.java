package io.tunctl.transport.p2p.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.tunctl.core.config.ConfigProblems;
import io.tunctl.core.packet.Cidr;
import io.tunctl.transport.p2p.dht.rpc.BootstrapNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * nospoon 0.4.0's config rules (nospoon-compat spec §2): every field, its default and its check, with nospoon's
 * error texts; each problem is located at its field. Where nospoon has a defect tunctl does the right thing instead:
 * peer keys are compared case-insensitively, peer addresses (IPv6 too) as addresses, and every problem is reported,
 * not just the first. Unknown keys are ignored, as nospoon ignores them. tunctl's additions: {@code bootstrap},
 * {@code port}, {@code keepalive}, and a list of addresses or prefixes as a peer's value.
 */
public final class NospoonRules {
    private NospoonRules() {}

    private static final Pattern HEX64 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern IPV4_CIDR = Pattern.compile("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}/\\d{1,2}");

    /**
     * Checks {@code config} and remembers the result in it. {@code problems} is relative to the document root.
     *
     * @return the settings, or null when a problem was recorded
     */
    public static P2pSettings check(P2pConfig config, ConfigProblems problems) {
        ConfigProblems at = problems.at(config.pointerBase());
        int before = problems.list().size();
        P2pSettings s = read(config.node(), at);
        if (problems.list().size() != before) return null;
        config.settings(s);
        return s;
    }

    private static P2pSettings read(JsonNode c, ConfigProblems at) {
        if (!c.isObject()) {
            at.add("a p2p config is an object (nospoon's fields: mode, ip, seed, peers, server, ...)");
            return null;
        }
        JsonNode modeNode = c.get("mode");
        P2pSettings.Mode mode = null;
        if (modeNode != null && modeNode.isTextual() && modeNode.textValue().equals("server")) {
            mode = P2pSettings.Mode.SERVER;
        } else if (modeNode != null && modeNode.isTextual() && modeNode.textValue().equals("client")) {
            mode = P2pSettings.Mode.CLIENT;
        } else {
            at.add("/mode", "\"mode\" must be \"server\" or \"client\"");
        }

        Cidr ip = ipv4(c.get("ip"), mode, at.at("/ip"));
        Cidr ipv6 = JsValues.truthy(c.get("ipv6")) ? ipv6(c.get("ipv6"), at.at("/ipv6")) : null;
        byte[] seed = seed(c, at);

        int mtu = P2pSettings.DEFAULT_MTU;
        if (c.has("mtu")) {
            Integer m = JsValues.parseInt(JsValues.string(c.get("mtu")));
            if (m == null || m < 576 || m > 65535) at.add("/mtu", "MTU must be between 576 and 65535");
            else mtu = m;
        }
        boolean fullTunnel = c.path("fullTunnel").isBoolean() && c.get("fullTunnel").booleanValue();
        if (ipv6 != null && mtu < 1280) {
            at.add("/mtu", "IPv6 needs an MTU of at least 1280, not " + mtu + " (ipv6 is set)");
        }

        String outInterface = null;
        Map<String, P2pSettings.Peer> peers = Map.of();
        byte[] serverKey = null;
        if (mode == P2pSettings.Mode.SERVER) {
            if (JsValues.truthy(c.get("outInterface"))) outInterface = JsValues.string(c.get("outInterface"));
            peers = peers(c.get("peers"), ip, at.at("/peers"));
        } else if (mode == P2pSettings.Mode.CLIENT) {
            JsonNode s = c.get("server");
            if (!JsValues.truthy(s)) {
                at.add("/server", "\"server\" (64-char hex public key) is required in client mode");
            } else if (!s.isTextual() || !HEX64.matcher(s.textValue()).matches()) {
                at.add("/server", "server must be exactly 64 hex characters");
            } else {
                serverKey = HexFormat.of().parseHex(s.textValue().toLowerCase(Locale.ROOT));
            }
        }

        List<BootstrapNode> bootstrap = bootstrap(c.get("bootstrap"), at.at("/bootstrap"));
        int port = integer(c.get("port"), 0, 0, 65535, at.at("/port"),
                "port must be a UDP port number 0-65535 (0: any)");
        int keepalive = integer(c.get("keepalive"), P2pSettings.DEFAULT_KEEPALIVE_SECONDS, 0, 86_400,
                at.at("/keepalive"), "keepalive must be a number of seconds 0-86400 (0: none)");
        if (mode == null || ip == null) return null;
        return new P2pSettings(mode, ip, ipv6, seed, mtu, fullTunnel, outInterface, peers, serverKey, bootstrap,
                port, keepalive);
    }

    /** nospoon's {@code ip}: any falsy value means the mode's default. */
    private static Cidr ipv4(JsonNode v, P2pSettings.Mode mode, ConfigProblems at) {
        if (!JsValues.truthy(v)) {
            return Cidr.parse(mode == P2pSettings.Mode.CLIENT ? "10.0.0.2/24" : "10.0.0.1/24");
        }
        String text = JsValues.string(v);
        if (!v.isTextual() || !IPV4_CIDR.matcher(text).matches()) {
            at.add("ip must be in CIDR format (e.g. 10.0.0.1/24)");
            return null;
        }
        String[] parts = text.split("[./]");
        for (int i = 0; i < 4; i++) {
            if (Integer.parseInt(parts[i]) > 255) {
                at.add("ip has invalid IP octets or prefix length");
                return null;
            }
        }
        if (Integer.parseInt(parts[4]) > 32) {
            at.add("ip has invalid IP octets or prefix length");
            return null;
        }
        byte[] a = new byte[4];
        for (int i = 0; i < 4; i++) a[i] = (byte) Integer.parseInt(parts[i]);
        return Cidr.parse(Cidr.addressString(a) + "/" + Integer.parseInt(parts[4]));
    }

    private static Cidr ipv6(JsonNode v, ConfigProblems at) {
        String text = JsValues.string(v);
        String[] parts = text.split("/", -1);
        if (!v.isTextual() || parts.length != 2) {
            at.add("ipv6 must be in CIDR format (e.g. fd00::1/64)");
            return null;
        }
        byte[] addr = ipv6Address(parts[0]);
        boolean prefixOk = parts[1].matches("\\d{1,3}") && Integer.parseInt(parts[1]) >= 1
                && Integer.parseInt(parts[1]) <= 128;
        if (addr == null || !prefixOk) {
            at.add("ipv6 must be a valid IPv6 CIDR (e.g. fd00::1/64)");
            return null;
        }
        return Cidr.parse(Cidr.addressString(addr) + "/" + Integer.parseInt(parts[1]));
    }

    private static byte[] seed(JsonNode c, ConfigProblems at) {
        JsonNode seed = c.get("seed");
        JsonNode seedFile = c.get("seedFile");
        if (JsValues.truthy(seed) && JsValues.truthy(seedFile)) {
            at.add("/seedFile", "\"seed\" and \"seedFile\" are mutually exclusive");
            return null;
        }
        if (JsValues.truthy(seed)) {
            if (!seed.isTextual() || !HEX64.matcher(seed.textValue()).matches()) {
                at.add("/seed", "seed must be exactly 64 hex characters");
                return null;
            }
            return HexFormat.of().parseHex(seed.textValue().toLowerCase(Locale.ROOT));
        }
        if (JsValues.truthy(seedFile)) {
            String path = JsValues.string(seedFile);
            String text;
            try {
                text = Files.readString(Path.of(path), StandardCharsets.UTF_8).strip();
            } catch (IOException | java.nio.file.InvalidPathException | java.io.UncheckedIOException e) {
                at.add("/seedFile", "Cannot read seed file " + path + ": " + osError(e));
                return null;
            }
            if (!HEX64.matcher(text).matches()) {
                at.add("/seedFile", "seedFile content must be exactly 64 hex characters");
                return null;
            }
            return HexFormat.of().parseHex(text.toLowerCase(Locale.ROOT));
        }
        return null;
    }

    private static String osError(Exception e) {
        if (e instanceof NoSuchFileException) return "no such file or directory";
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof java.nio.charset.CharacterCodingException) return "not UTF-8 text";
        return e.getMessage();
    }

    /**
     * nospoon's {@code peers}: auth mode when truthy with at least one own key. Values are an address (nospoon) or,
     * tunctl's addition, a CIDR prefix or a list of addresses and prefixes.
     */
    private static Map<String, P2pSettings.Peer> peers(JsonNode peers, Cidr serverIp, ConfigProblems at) {
        if (!JsValues.truthy(peers) || JsValues.ownKeys(peers) == 0) return Map.of();
        if (!peers.isObject()) {
            at.add("\"peers\" must be an object mapping public keys to IPs");
            return Map.of();
        }
        Map<String, P2pSettings.Peer> out = new LinkedHashMap<>();
        Map<Cidr, String> owners = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = peers.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            ConfigProblems here = at.at("/" + key.replace("~", "~0").replace("/", "~1"));
            if (!HEX64.matcher(key).matches()) {
                here.add("peer key must be exactly 64 hex characters");
                continue;
            }
            String lower = key.toLowerCase(Locale.ROOT);
            String short8 = key.substring(0, 8);
            if (out.containsKey(lower)) {
                here.add("peer " + short8 + "... is listed twice (keys are compared case-insensitively)");
                continue;
            }
            List<Cidr> prefixes = new ArrayList<>();
            JsonNode v = e.getValue();
            List<JsonNode> values = new ArrayList<>();
            List<ConfigProblems> places = new ArrayList<>();
            if (v.isArray() && !v.isEmpty()) {
                for (int i = 0; i < v.size(); i++) {
                    values.add(v.get(i));
                    places.add(here.at(i));
                }
            } else {
                values.add(v);
                places.add(here);
            }
            boolean ok = true;
            for (int i = 0; i < values.size(); i++) {
                Cidr p = peerPrefix(values.get(i), short8, serverIp, places.get(i));
                if (p == null) {
                    ok = false;
                    continue;
                }
                String prev = owners.putIfAbsent(p, lower);
                if (prev != null) {
                    places.get(i).add("Duplicate IP assignment in peers: " + JsValues.string(values.get(i)));
                    ok = false;
                    continue;
                }
                prefixes.add(p);
            }
            if (ok) {
                out.put(lower, new P2pSettings.Peer(lower, v.isArray() ? String.join(", ",
                        values.stream().map(JsValues::string).toList()) : JsValues.string(v), prefixes));
            }
        }
        return out;
    }

    /** One peer address (nospoon's checks for an IPv4 host) or prefix; null after recording a problem. */
    private static Cidr peerPrefix(JsonNode v, String short8, Cidr serverIp, ConfigProblems at) {
        String text = JsValues.string(v);
        String invalid = "Invalid IP for peer " + short8 + "...: ";
        if (!v.isTextual()) {
            at.add(invalid + text);
            return null;
        }
        int slash = text.indexOf('/');
        String addrText = slash < 0 ? text : text.substring(0, slash);
        byte[] addr = addrText.indexOf(':') >= 0 ? ipv6Address(addrText) : ipv4Address(addrText);
        if (addr == null) {
            at.add(invalid + text);
            return null;
        }
        int max = addr.length * 8;
        int prefix = max;
        if (slash >= 0) {
            String p = text.substring(slash + 1);
            if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > max) {
                at.add(invalid + text);
                return null;
            }
            prefix = Integer.parseInt(p);
        }
        Cidr c = Cidr.parse(Cidr.addressString(addr) + "/" + prefix);
        if (!c.isNetwork()) {
            at.add("peer " + short8 + "... prefix " + text + " has host bits set; write " + c.network());
            return null;
        }
        if (addr.length == 4 && prefix == 32) {
            int a = ((addr[0] & 0xff) << 24) | ((addr[1] & 0xff) << 16) | ((addr[2] & 0xff) << 8) | (addr[3] & 0xff);
            if (a == 0) {
                at.add(invalid + "0.0.0.0");
                return null;
            }
            if ((addr[0] & 0xff) == 127) {
                at.add(invalid + "loopback address");
                return null;
            }
            if (serverIp != null) {
                String peer = "Peer " + short8 + "... IP " + text;
                Cidr net = serverIp.network();
                byte[] s = serverIp.addressBytes();
                int sp = serverIp.prefixLength();
                int mask = sp == 0 ? 0 : -1 << (32 - sp);
                int srv = ((s[0] & 0xff) << 24) | ((s[1] & 0xff) << 16) | ((s[2] & 0xff) << 8) | (s[3] & 0xff);
                if (!net.contains(addr)) {
                    at.add(peer + " is not in server subnet");
                    return null;
                }
                if (a == (srv & mask)) {
                    at.add(peer + " is the network address");
                    return null;
                }
                if (a == ((srv & mask) | ~mask)) {
                    at.add(peer + " is the broadcast address");
                    return null;
                }
                if (a == srv) {
                    at.add(peer + " conflicts with server IP");
                    return null;
                }
            }
        }
        return c;
    }

    /** An IPv4 literal as Node's {@code net.isIPv4} takes it (no leading zeros); null if it is not one. */
    static byte[] ipv4Address(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) return null;
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(ch -> ch >= '0' && ch <= '9')
                    || (p.length() > 1 && p.charAt(0) == '0') || Integer.parseInt(p) > 255) {
                return null;
            }
            out[i] = (byte) Integer.parseInt(p);
        }
        return out;
    }

    /** An IPv6 literal (no zone); null if it is not one. */
    static byte[] ipv6Address(String s) {
        if (s.isEmpty() || s.indexOf(':') < 0) return null;
        try {
            byte[] a = Cidr.parseAddress(s);
            return a.length == 16 ? a : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static List<BootstrapNode> bootstrap(JsonNode v, ConfigProblems at) {
        if (v == null || v.isNull()) return List.of();
        List<BootstrapNode> out = new ArrayList<>();
        if (v.isTextual()) {
            add(v.textValue(), at, out);
        } else if (v.isArray()) {
            if (v.isEmpty()) at.add("bootstrap must name at least one DHT node (host:port), or be left out");
            for (int i = 0; i < v.size(); i++) {
                if (!v.get(i).isTextual()) at.at(i).add("a bootstrap node is a \"host:port\" string");
                else add(v.get(i).textValue(), at.at(i), out);
            }
        } else {
            at.add("bootstrap is a list of \"host:port\" strings");
        }
        return out;
    }

    private static void add(String text, ConfigProblems at, List<BootstrapNode> out) {
        try {
            out.add(BootstrapNode.parse(text));
        } catch (IllegalArgumentException e) {
            at.add(e.getMessage());
        }
    }

    private static int integer(JsonNode v, int dflt, int min, int max, ConfigProblems at, String reason) {
        if (v == null || v.isNull()) return dflt;
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < min || v.intValue() > max) {
            at.add(reason);
            return dflt;
        }
        return v.intValue();
    }
}
