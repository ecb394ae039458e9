package io.tunctl.transport.http.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.tunctl.core.config.ConfigProblems;
import io.tunctl.core.packet.Cidr;
import io.tunctl.transport.http.wire.Tokens;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * tapotun v2 server objects ({@code network}, {@code nodes}, tags, {@code acl}, {@code exit_nodes}; spec §3.2):
 * checked with located problems and compiled into a {@link Endpoints.V2Graph}. Selector results keep the order
 * in which the addresses are defined.
 */
final class V2Compiler {
    private V2Compiler() {}

    static final String SELF = "__self__";
    private static final Set<String> NODE_KEYS = Set.of("token", "ip", "ips", "routes", "tags");
    private static final Set<String> ADDRESS_KEYS = Set.of("ip", "routes", "tags");

    private record Addr(int node, String nodeName, byte[] ip, List<Cidr> routes, List<String> tags) {}

    static Endpoints.Server compile(InterfaceConfig ic, ConfigProblems at, Endpoints.Mark mark, boolean offload) {
        for (String f : new String[] {"net", "ips", "routes", "clients", "net6", "token", "ca", "server"}) {
            if (present(ic, f)) at.add("/" + f, "'" + f + "' does not belong in a v2 server object (network/nodes)");
        }
        int port = ic.port() == null ? 0 : ic.port();
        if (ic.port() == null) at.add("/port", "missing: a v2 server needs 'port'");
        else if (port < 1 || port > 65535) at.add("/port", "port must be 1..65535, got " + port);
        int prefix = 32;
        if (ic.network() == null) {
            at.add("/network", "missing: the tunnel network, e.g. 10.50.0.0/24");
        } else {
            try {
                Cidr n = Cidr.parse(ic.network());
                if (!n.isIpv4()) at.add("/network", "network must be IPv4");
                else prefix = n.prefixLength();
            } catch (IllegalArgumentException e) {
                at.add("/network", e.getMessage());
            }
        }
        int mtu = ConfigCompiler.DEFAULT_MTU;
        if (ic.mtu() != null) {
            mtu = ic.mtu();
            if (mtu < ConfigCompiler.MIN_MTU || mtu > ConfigCompiler.MAX_MTU) {
                at.add("/mtu", "mtu must be " + ConfigCompiler.MIN_MTU + ".." + ConfigCompiler.MAX_MTU + ", got " + mtu);
            }
        }
        List<Addr> addrs = new ArrayList<>();
        List<String> nodeNames = new ArrayList<>();
        List<byte[]> tokens = new ArrayList<>();
        Map<String, List<Integer>> tags = new LinkedHashMap<>();
        JsonNode nodes = ic.nodes();
        if (nodes == null || !nodes.isObject()) {
            at.add("/nodes", nodes == null ? "missing: the nodes object (with __self__)" : "nodes must be an object");
            return null;
        }
        if (!nodes.has(SELF)) at.add("/nodes", "nodes must define '__self__' (the server itself)");
        nodeNames.add(SELF);
        tokens.add(null);
        List<String> order = new ArrayList<>();
        order.add(SELF);
        for (Iterator<String> it = nodes.fieldNames(); it.hasNext(); ) {
            String n = it.next();
            if (!n.equals(SELF)) order.add(n);
        }
        Map<String, String> seenTokens = new HashMap<>();
        for (int idx = 0; idx < order.size(); idx++) {
            String name = order.get(idx);
            JsonNode node = nodes.get(name);
            String p = "/nodes/" + name.replace("~", "~0").replace("/", "~1");
            if (idx > 0) {
                nodeNames.add(name);
                tokens.add(null);
            }
            if (node == null) continue;
            if (!node.isObject()) {
                at.add(p, "a node must be an object");
                continue;
            }
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!NODE_KEYS.contains(k)) at.add(p + "/" + k, "unknown field '" + k + "' (known: " + new TreeSet<>(NODE_KEYS) + ")");
            }
            JsonNode token = node.get("token");
            if (name.equals(SELF)) {
                if (token != null) at.add(p + "/token", "__self__ is the server and has no token");
            } else if (token == null || !token.isTextual()) {
                at.add(p + "/token", "missing: SHA-1 of the node's raw token, 40 lower-case hex digits");
            } else if (!Tokens.isSha1Hex(token.asText())) {
                at.add(p + "/token", "must be the SHA-1 of the raw token as 40 lower-case hex digits");
            } else if (seenTokens.putIfAbsent(token.asText(), name) != null) {
                at.add(p + "/token", "duplicate token (node '" + seenTokens.get(token.asText()) + "' has it)");
            } else {
                tokens.set(idx, HexFormat.of().parseHex(token.asText()));
            }
            List<Cidr> nodeRoutes = routes(node.get("routes"), at, p + "/routes");
            List<String> nodeTags = strings(node.get("tags"), at, p + "/tags");
            JsonNode list = node.has("ip") ? node.get("ip") : node.get("ips");
            String lp = node.has("ip") ? p + "/ip" : p + "/ips";
            if (list == null) {
                at.add(p, "a node needs 'ip' or 'ips'");
                continue;
            }
            List<JsonNode> items = new ArrayList<>();
            List<String> pointers = new ArrayList<>();
            if (node.has("ip")) {
                items.add(list);
                pointers.add(lp);
            } else if (list.isArray()) {
                for (int i = 0; i < list.size(); i++) {
                    items.add(list.get(i));
                    pointers.add(lp + "/" + i);
                }
            } else {
                at.add(lp, "ips must be an array");
            }
            if (items.isEmpty()) at.add(lp, "a node needs at least one address");
            for (int i = 0; i < items.size(); i++) {
                JsonNode a = items.get(i);
                String ap = pointers.get(i);
                byte[] ip;
                List<Cidr> r = nodeRoutes;
                List<String> t = nodeTags;
                if (a.isTextual()) {
                    ip = v4(a.asText(), at, ap);
                } else if (a.isObject()) {
                    for (Iterator<String> it = a.fieldNames(); it.hasNext(); ) {
                        String k = it.next();
                        if (!ADDRESS_KEYS.contains(k)) at.add(ap + "/" + k, "unknown field '" + k + "' (known: ip, routes, tags)");
                    }
                    ip = a.has("ip") && a.get("ip").isTextual() ? v4(a.get("ip").asText(), at, ap + "/ip") : null;
                    if (!a.has("ip")) at.add(ap, "an address object needs 'ip'");
                    r = routes(a.get("routes"), at, ap + "/routes");
                    t = strings(a.get("tags"), at, ap + "/tags");
                } else {
                    at.add(ap, "an address is a string or an object {ip, routes, tags}");
                    continue;
                }
                if (ip == null) continue;
                List<String> allTags = new ArrayList<>(t);
                allTags.add("node/" + name);
                int ai = addrs.size();
                addrs.add(new Addr(idx, name, ip, r, allTags));
                for (String tag : allTags) tags.computeIfAbsent(tag, k -> new ArrayList<>()).add(ai);
            }
        }
        Map<Integer, Map<Integer, Boolean>> peers = new HashMap<>();
        Map<Integer, List<Integer>> gateways = new HashMap<>();
        for (int i = 0; i < addrs.size(); i++) {
            peers.put(i, new LinkedHashMap<>());
            gateways.put(i, new ArrayList<>());
        }
        JsonNode acl = ic.acl();
        if (acl != null) {
            if (!acl.isArray()) at.add("/acl", "acl must be an array of {from, to}");
            else for (int i = 0; i < acl.size(); i++) {
                String p = "/acl/" + i;
                JsonNode e = acl.get(i);
                if (!checkPair(e, "to", at, p)) continue;
                Set<Integer> from = select(e.get("from"), tags, at, p + "/from");
                Set<Integer> to = select(e.get("to"), tags, at, p + "/to");
                for (int s : from) {
                    for (int d : to) {
                        if (addrs.get(s).node() == addrs.get(d).node()) continue;
                        peers.get(s).merge(d, true, Boolean::logicalOr);
                        peers.get(d).merge(s, false, Boolean::logicalOr);
                    }
                }
            }
        }
        JsonNode exits = ic.exitNodes();
        if (exits != null) {
            if (!exits.isArray()) at.add("/exit_nodes", "exit_nodes must be an array of {from, via}");
            else for (int i = 0; i < exits.size(); i++) {
                String p = "/exit_nodes/" + i;
                JsonNode e = exits.get(i);
                if (!checkPair(e, "via", at, p)) continue;
                Set<Integer> from = select(e.get("from"), tags, at, p + "/from");
                Set<Integer> via = select(e.get("via"), tags, at, p + "/via");
                for (int s : from) {
                    for (int d : via) {
                        if (s == d) {
                            at.add(p, "address " + Cidr.addressString(addrs.get(s).ip()) + " cannot be its own exit node");
                            continue;
                        }
                        if (gateways.get(s).contains(d)) {
                            at.add(p, "exit node " + Cidr.addressString(addrs.get(d).ip()) + " is given twice for "
                                    + Cidr.addressString(addrs.get(s).ip()));
                            continue;
                        }
                        gateways.get(s).add(d);
                        peers.get(d).merge(s, false, Boolean::logicalOr);
                    }
                }
            }
        }
        if (addrs.stream().noneMatch(a -> a.node() == 0)) {
            if (nodes.has(SELF)) at.add("/nodes/__self__", "__self__ needs an address");
            return null;
        }
        // routers and what each node is told
        List<Endpoints.V2Address> graph = new ArrayList<>();
        for (int x = 0; x < addrs.size(); x++) {
            List<Endpoints.V2Route> rows = new ArrayList<>();
            for (int pIdx : peers.get(x).keySet()) {
                Addr peer = addrs.get(pIdx);
                rows.add(new Endpoints.V2Route(Cidr.parse(Cidr.addressString(peer.ip()) + "/32"), peer.node()));
                for (Cidr r : peer.routes()) rows.add(new Endpoints.V2Route(r, peer.node()));
            }
            rows.sort(Comparator.comparingInt((Endpoints.V2Route r) -> r.prefix().prefixLength()).reversed());
            List<Integer> gw = gateways.get(x).stream().map(g -> addrs.get(g).node()).toList();
            Addr a = addrs.get(x);
            graph.add(new Endpoints.V2Address(a.node(), toInt(a.ip()), a.routes(), rows, gw));
        }
        List<Cidr> selfAddresses = new ArrayList<>();
        Set<Cidr> kernelRoutes = new LinkedHashSet<>();
        List<Endpoints.Peer> clients = new ArrayList<>();
        for (int n = 0; n < nodeNames.size(); n++) {
            List<byte[]> ips = new ArrayList<>();
            List<Cidr> pushed = new ArrayList<>();
            for (int x = 0; x < addrs.size(); x++) {
                if (addrs.get(x).node() != n) continue;
                ips.add(addrs.get(x).ip());
                for (Map.Entry<Integer, Boolean> e : peers.get(x).entrySet()) {
                    if (e.getValue()) pushed.addAll(addrs.get(e.getKey()).routes());
                }
            }
            if (n == 0) {
                for (byte[] ip : ips) selfAddresses.add(Cidr.parse(Cidr.addressString(ip) + "/" + prefix));
                kernelRoutes.addAll(pushed);
                continue;
            }
            if (ips.isEmpty() || tokens.get(n) == null) continue;
            if (ips.size() > 255 || pushed.size() > 255) {
                at.add("/nodes/" + nodeNames.get(n), "x-tun-conf carries at most 255 addresses and 255 routes");
                continue;
            }
            clients.add(new Endpoints.Peer(tokens.get(n), ips.getFirst(), List.of(), List.of(), null,
                    ips.subList(1, ips.size()), pushed, nodeNames.get(n)));
        }
        String listen = ic.listen() == null ? "0.0.0.0" : ic.listen();
        java.net.InetSocketAddress admin = null;
        if (ic.admin() != null) {
            int colon = ic.admin().lastIndexOf(':');
            try {
                admin = new java.net.InetSocketAddress(ic.admin().substring(0, colon), Integer.parseInt(ic.admin().substring(colon + 1)));
            } catch (RuntimeException e) {
                at.add("/admin", "must be host:port, e.g. 127.0.0.1:9180");
            }
        }
        return new Endpoints.Server(ic.name(), port, listen, selfAddresses.getFirst(), mtu,
                selfAddresses.subList(1, selfAddresses.size()), List.of(), clients, null, admin, offload, mark,
                List.copyOf(kernelRoutes), new Endpoints.V2Graph(graph));
    }

    private static boolean checkPair(JsonNode e, String second, ConfigProblems at, String p) {
        if (e == null || !e.isObject()) {
            at.add(p, "must be an object {from, " + second + "}");
            return false;
        }
        for (Iterator<String> it = e.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals("from") && !k.equals(second)) at.add(p + "/" + k, "unknown field '" + k + "' (known: from, " + second + ")");
        }
        if (!e.has("from")) at.add(p, "missing 'from'");
        if (!e.has(second)) at.add(p, "missing '" + second + "'");
        return e.has("from") && e.has(second);
    }

    /** A selector: a glob matched against every tag, or an array of selectors; the union of their addresses. */
    private static Set<Integer> select(JsonNode sel, Map<String, List<Integer>> tags, ConfigProblems at, String p) {
        Set<Integer> out = new TreeSet<>();
        if (sel == null) return out;
        if (sel.isArray()) {
            for (int i = 0; i < sel.size(); i++) out.addAll(select(sel.get(i), tags, at, p + "/" + i));
            return out;
        }
        if (!sel.isTextual()) {
            at.add(p, "a selector is a tag glob (string) or an array of selectors");
            return out;
        }
        Pattern glob = glob(sel.asText());
        boolean any = false;
        for (Map.Entry<String, List<Integer>> e : tags.entrySet()) {
            if (glob.matcher(e.getKey()).matches()) {
                any = true;
                out.addAll(e.getValue());
            }
        }
        if (!any) at.add(p, "tag '" + sel.asText() + "' not found (tags: " + String.join(", ", tags.keySet()) + ")");
        return out;
    }

    /** D's globMatch: {@code * ? [abc] [!abc] {a,b}}, case-sensitive, whole string. */
    static Pattern glob(String g) {
        StringBuilder re = new StringBuilder();
        int braces = 0;
        for (int i = 0; i < g.length(); i++) {
            char c = g.charAt(i);
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                case '[' -> {
                    int end = g.indexOf(']', i + 1);
                    if (end < 0) {
                        re.append("\\[");
                        break;
                    }
                    String body = g.substring(i + 1, end);
                    boolean neg = body.startsWith("!");
                    if (neg) body = body.substring(1);
                    re.append(charClass(body, neg));
                    i = end;
                }
                case '{' -> {
                    braces++;
                    re.append("(?:");
                }
                case '}' -> {
                    if (braces > 0) {
                        braces--;
                        re.append(')');
                    } else {
                        re.append("\\}");
                    }
                }
                case ',' -> re.append(braces > 0 ? "|" : ",");
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        while (braces-- > 0) re.append(')');
        // D's ? and * match any character, line terminators too
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    /**
     * D's {@code [abc]}: each character literally (no ranges, so {@code -}, {@code ^}, {@code &&} and {@code \} mean
     * themselves); {@code []} matches nothing and {@code [!]} any one character.
     */
    private static String charClass(String body, boolean negated) {
        if (body.isEmpty()) return negated ? "." : "(?!)";
        StringBuilder c = new StringBuilder(negated ? "[^" : "[");
        body.codePoints().forEach(cp -> c.append("\\x{").append(Integer.toHexString(cp)).append('}'));
        return c.append(']').toString();
    }

    private static List<Cidr> routes(JsonNode n, ConfigProblems at, String p) {
        List<Cidr> out = new ArrayList<>();
        for (String s : strings(n, at, p)) {
            try {
                Cidr c = Cidr.parse(s);
                if (!c.isIpv4()) at.add(p, "'" + s + "' is not IPv4");
                else out.add(c.network());
            } catch (IllegalArgumentException e) {
                at.add(p, e.getMessage());
            }
        }
        return out;
    }

    private static List<String> strings(JsonNode n, ConfigProblems at, String p) {
        List<String> out = new ArrayList<>();
        if (n == null) return out;
        if (n.isTextual()) {
            out.add(n.asText());
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                if (n.get(i).isTextual()) out.add(n.get(i).asText());
                else at.add(p + "/" + i, "must be a string");
            }
        } else {
            at.add(p, "must be a string or an array of strings");
        }
        return out;
    }

    private static byte[] v4(String s, ConfigProblems at, String p) {
        try {
            byte[] a = Cidr.parseAddress(s.strip());
            if (a.length != 4) {
                at.add(p, "'" + s + "' is not an IPv4 address");
                return null;
            }
            return a;
        } catch (IllegalArgumentException e) {
            at.add(p, e.getMessage());
            return null;
        }
    }

    static int toInt(byte[] a) {
        return (a[0] & 0xff) << 24 | (a[1] & 0xff) << 16 | (a[2] & 0xff) << 8 | (a[3] & 0xff);
    }

    private static boolean present(InterfaceConfig ic, String f) {
        return switch (f) {
            case "net" -> ic.net() != null;
            case "ips" -> ic.ips() != null;
            case "routes" -> ic.routes() != null;
            case "clients" -> ic.clients() != null;
            case "net6" -> ic.net6() != null;
            case "token" -> ic.token() != null;
            case "ca" -> ic.ca() != null;
            case "server" -> ic.server() != null;
            default -> false;
        };
    }
}
