package io.tunctl.transport.http.config;

import io.tunctl.core.config.ConfigProblems;
import io.tunctl.core.packet.Cidr;
import io.tunctl.transport.http.wire.Tokens;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Checks a {@link HttpConfig} the way tapotun reads it, reporting every problem at the value that causes it, and
 * turns it into {@link Endpoints}. Touches no system state (it only checks that a CA file is readable).
 */
public final class ConfigCompiler {
    private ConfigCompiler() {}

    public static final int DEFAULT_MTU = 1500;
    static final int MIN_MTU = 68;
    static final int MAX_MTU = 9000;

    /**
     * Validates all interfaces; problems go to {@code problems} at paths below the config's pointer base.
     * @return the endpoints, or null when there was any problem
     */
    public static List<Endpoints.Endpoint> compile(HttpConfig config, ConfigProblems problems) {
        ConfigProblems root = problems.at(config.pointerBase());
        List<Endpoints.Endpoint> out = new ArrayList<>();
        boolean ok = true;
        if (config.interfaces().isEmpty()) {
            root.add("no interfaces: the array needs at least one server (with port) or client (with server) object");
            return null;
        }
        Map<String, Integer> names = new HashMap<>();
        Map<Integer, Integer> ports = new HashMap<>();
        for (int i = 0; i < config.interfaces().size(); i++) {
            InterfaceConfig ic = config.interfaces().get(i);
            ConfigProblems at = root.at(i);
            if (ic == null) {
                at.add("must be an object");
                ok = false;
                continue;
            }
            int before = problems.list().size();
            Endpoints.Endpoint e = compileOne(ic, at);
            if (ic.name() != null) {
                Integer prev = names.putIfAbsent(ic.name(), i);
                if (prev != null) at.add("/name", "interface name '" + ic.name() + "' already used by entry [" + prev + "]");
            }
            if (e instanceof Endpoints.Server s) {
                Integer prev = ports.putIfAbsent(s.port(), i);
                if (prev != null) at.add("/port", "port " + s.port() + " already used by entry [" + prev + "]");
            }
            if (problems.list().size() != before || e == null) ok = false;
            else out.add(e);
        }
        return ok ? out : null;
    }

    static Endpoints.Endpoint compileOne(InterfaceConfig ic, ConfigProblems at) {
        checkName(ic.name(), at);
        Endpoints.Mark mark = mark(ic.mark(), at);
        boolean offload = ic.offload() == null || ic.offload();
        if (ic.port() != null && ic.server() != null) {
            at.add("/server", "an entry is a server (it has 'port') or a client (it has 'server'), not both");
            return null;
        }
        if (ic.isV2Server()) return V2Compiler.compile(ic, at, mark, offload);
        if (ic.isServer()) return server(ic, at, mark, offload);
        if (ic.server() != null || ic.token() != null) return client(ic, at, mark, offload);
        at.add("neither 'port' (a server) nor 'server' (a client) is present");
        return null;
    }

    private static void checkName(String name, ConfigProblems at) {
        if (name == null) {
            at.add("/name", "missing: the TUN interface name");
        } else if (name.isEmpty() || name.length() > 15) {
            at.add("/name", "interface name must be 1..15 characters, got " + name.length());
        } else if (!name.chars().allMatch(c -> c > ' ' && c < 127 && c != '/' && c != ':')) {
            at.add("/name", "interface name '" + name + "' may not contain spaces, '/' or ':'");
        }
    }

    private static Endpoints.Mark mark(InterfaceConfig.Mark m, ConfigProblems at) {
        if (m == null) return new Endpoints.Mark(0, 0);
        boolean ok = true;
        if (m.value() == null) { at.add("/mark", "mark needs 'value' (the fwmark)"); ok = false; }
        else if (m.value() < 0 || m.value() > 0xffffffffL) { at.add("/mark/value", "fwmark must be 0..4294967295"); ok = false; }
        if (m.table() == null) { at.add("/mark", "mark needs 'table' (the routing table)"); ok = false; }
        else if (m.table() < 0 || m.table() > 0xffffffffL) { at.add("/mark/table", "table must be 0..4294967295"); ok = false; }
        else if (m.value() != null && m.value() != 0 && (m.table() == 0 || m.table() == 253 || m.table() == 254 || m.table() == 255)) {
            at.add("/mark/table", "table " + m.table() + " is reserved (unspec/default/main/local); use 1..252 or above 255");
            ok = false;
        }
        return ok ? new Endpoints.Mark(m.value(), m.table()) : new Endpoints.Mark(0, 0);
    }

    private static Endpoints.Client client(InterfaceConfig ic, ConfigProblems at, Endpoints.Mark mark, boolean offload) {
        for (String f : new String[] {"net", "mtu", "ips", "routes", "clients", "net6", "listen", "admin"}) {
            if (present(ic, f)) at.add("/" + f, "'" + f + "' is a server field; a client (no 'port') gets its parameters from the server");
        }
        URI uri = null;
        if (ic.server() == null) {
            at.add("/server", "missing: the server URL, e.g. https://edge.example.com/ip");
        } else {
            try {
                uri = new URI(ic.server());
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
                if (!scheme.equals("http") && !scheme.equals("https")) {
                    at.add("/server", "URL scheme must be http or https: '" + ic.server() + "'");
                    uri = null;
                } else if (uri.getHost() == null || uri.getHost().isEmpty()) {
                    at.add("/server", "URL has no host: '" + ic.server() + "'");
                    uri = null;
                }
            } catch (URISyntaxException e) {
                at.add("/server", "not a URL: " + e.getMessage());
            }
        }
        if (ic.token() == null || ic.token().isEmpty()) {
            at.add("/token", "missing: the raw client token (the server stores its SHA-1)");
        } else if (ic.token().chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            at.add("/token", "token contains control characters, which cannot travel in an HTTP header");
        }
        Path ca = null;
        if (ic.ca() != null) {
            ca = Path.of(ic.ca());
            if (!Files.isReadable(ca)) at.add("/ca", "CA file '" + ic.ca() + "' is not readable");
            else if (uri != null && "http".equalsIgnoreCase(uri.getScheme())) at.add("/ca", "'ca' only applies to https:// servers");
        }
        if (uri == null || ic.token() == null || ic.token().isEmpty()) return null;
        return new Endpoints.Client(ic.name(), uri, ic.token(), ca, offload, mark);
    }

    private static boolean present(InterfaceConfig ic, String field) {
        return switch (field) {
            case "net" -> ic.net() != null;
            case "mtu" -> ic.mtu() != null;
            case "ips" -> ic.ips() != null;
            case "routes" -> ic.routes() != null;
            case "clients" -> ic.clients() != null;
            case "net6" -> ic.net6() != null;
            case "listen" -> ic.listen() != null;
            case "admin" -> ic.admin() != null;
            case "token" -> ic.token() != null;
            case "ca" -> ic.ca() != null;
            default -> false;
        };
    }

    private static Endpoints.Server server(InterfaceConfig ic, ConfigProblems at, Endpoints.Mark mark, boolean offload) {
        for (String f : new String[] {"token", "ca"}) {
            if (present(ic, f)) at.add("/" + f, "'" + f + "' is a client field; this entry is a server (it has 'port')");
        }
        int port = ic.port();
        if (port < 1 || port > 65535) at.add("/port", "port must be 1..65535, got " + port);
        Cidr net = null;
        if (ic.net() == null) {
            at.add("/net", "missing: the server's TUN address and prefix, e.g. 10.10.0.1/24");
        } else {
            net = v4Cidr(ic.net(), true, at, "/net");
            if (net != null && net.prefixLength() > 30) {
                at.add("/net", "prefix /" + net.prefixLength() + " leaves no room for clients; use /30 or shorter");
                net = null;
            }
        }
        int mtu = DEFAULT_MTU;
        if (ic.mtu() != null) {
            mtu = ic.mtu();
            if (mtu < MIN_MTU || mtu > MAX_MTU) at.add("/mtu", "mtu must be " + MIN_MTU + ".." + MAX_MTU + ", got " + mtu);
        }
        List<Cidr> extra = new ArrayList<>();
        if (ic.ips() != null) {
            for (int i = 0; i < ic.ips().size(); i++) {
                byte[] a = v4Address(ic.ips().get(i), at, "/ips/" + i);
                if (a != null && net != null) extra.add(Cidr.parse(Cidr.addressString(a) + "/" + net.prefixLength()));
            }
        }
        List<Cidr> local = routes(ic.routes(), at, "/routes");
        Cidr net6 = null;
        if (ic.net6() != null) {
            try {
                net6 = Cidr.parse(ic.net6());
                if (!net6.isIpv6()) { at.add("/net6", "net6 must be an IPv6 address/prefix, e.g. 2001:db8::1/64"); net6 = null; }
                else if (ic.net6().indexOf('/') < 0) { at.add("/net6", "net6 needs a prefix length, e.g. 2001:db8::1/64"); net6 = null; }
                else if (net6.prefixLength() > 126) { at.add("/net6", "prefix /" + net6.prefixLength() + " leaves no room for clients"); net6 = null; }
            } catch (IllegalArgumentException e) {
                at.add("/net6", e.getMessage());
            }
        }
        String listen = ic.listen() == null ? "0.0.0.0" : ic.listen();
        if (ic.listen() != null) {
            try {
                Cidr.parseAddress(ic.listen());
            } catch (IllegalArgumentException e) {
                at.add("/listen", "listen must be a numeric IP address: " + e.getMessage());
            }
        }
        InetSocketAddress admin = null;
        if (ic.admin() != null) admin = hostPort(ic.admin(), at, "/admin");
        if (admin != null && admin.getPort() == port && admin.getHostString().equals(listen)) {
            at.add("/admin", "admin endpoint may not use the tunnel port " + port);
        }
        List<Endpoints.Peer> peers = new ArrayList<>();
        if (ic.clients() == null) {
            at.add("/clients", "missing: the list of allowed clients (may be empty)");
        } else {
            Map<String, Integer> tokens = new HashMap<>();
            Map<String, Integer> ips = new HashMap<>();
            for (int i = 0; i < ic.clients().size(); i++) {
                InterfaceConfig.ClientEntry c = ic.clients().get(i);
                ConfigProblems ca = at.at("/clients/" + i);
                if (c == null) { ca.add("must be an object"); continue; }
                Endpoints.Peer p = peer(c, ca, net, net6);
                if (c.token() != null) {
                    Integer prev = tokens.putIfAbsent(c.token(), i);
                    if (prev != null) ca.add("/token", "duplicate token (clients[" + prev + "] has it): a token names exactly one client");
                }
                if (c.ip() != null) {
                    Integer prev = ips.putIfAbsent(c.ip().strip(), i);
                    if (prev != null) ca.add("/ip", "address " + c.ip() + " is already given to clients[" + prev + "]");
                    if (net != null && c.ip().strip().equals(Cidr.addressString(net.addressBytes()))) {
                        ca.add("/ip", "address " + c.ip() + " is the server's own address (net)");
                    }
                }
                if (p != null) peers.add(p);
            }
        }
        if (net == null) return null;
        return new Endpoints.Server(ic.name(), port, listen, net, mtu, extra, local, peers, net6, admin, offload, mark);
    }

    private static Endpoints.Peer peer(InterfaceConfig.ClientEntry c, ConfigProblems at, Cidr net, Cidr net6) {
        byte[] digest = null;
        if (c.token() == null) {
            at.add("/token", "missing: SHA-1 of the client's raw token, 40 lower-case hex digits");
        } else if (!Tokens.isSha1Hex(c.token())) {
            String t = c.token();
            String why = t.length() == 40 && Tokens.isSha1Hex(t.toLowerCase(java.util.Locale.ROOT))
                    ? "must be lower-case hex (tapotun compares it case-sensitively, so '" + t + "' never matches)"
                    : "must be the SHA-1 of the raw token as 40 lower-case hex digits (e.g. sha1('test') = "
                    + Tokens.sha1Hex("test") + "), got " + t.length() + " characters";
            at.add("/token", why);
        } else {
            digest = HexFormat.of().parseHex(c.token());
        }
        byte[] ip = null;
        if (c.ip() == null) at.add("/ip", "missing: the client's address in the tunnel");
        else ip = v4Address(c.ip(), at, "/ip");
        List<Cidr> routes = routes(c.routes(), at, "/routes");
        List<byte[]> sources = new ArrayList<>();
        if (c.sources() != null) {
            for (int i = 0; i < c.sources().size(); i++) {
                byte[] s = v4Address(c.sources().get(i), at, "/sources/" + i);
                if (s != null) sources.add(s);
            }
        }
        Cidr ip6 = null;
        if (c.ip6() != null) {
            if (net6 == null) {
                at.add("/ip6", "a client ip6 needs the server's net6");
            } else {
                try {
                    byte[] a = Cidr.parseAddress(c.ip6().strip());
                    if (a.length != 16) at.add("/ip6", "ip6 must be an IPv6 address");
                    else if (!net6.contains(a)) at.add("/ip6", c.ip6() + " is outside net6 " + net6.network());
                    else ip6 = Cidr.parse(Cidr.addressString(a) + "/" + net6.prefixLength());
                } catch (IllegalArgumentException e) {
                    at.add("/ip6", e.getMessage());
                }
            }
        }
        if (digest == null || ip == null) return null;
        return new Endpoints.Peer(digest, ip, routes, sources, ip6);
    }

    private static List<Cidr> routes(List<String> in, ConfigProblems at, String pointer) {
        List<Cidr> out = new ArrayList<>();
        if (in == null) return out;
        for (int i = 0; i < in.size(); i++) {
            Cidr c = v4Cidr(in.get(i), false, at, pointer + "/" + i);
            if (c != null) out.add(c);
        }
        return out;
    }

    /** {@code a.b.c.d/p} with exactly one slash, as tapotun requires; {@code keepHost} keeps the address bits. */
    private static Cidr v4Cidr(String text, boolean keepHost, ConfigProblems at, String pointer) {
        if (text == null) { at.add(pointer, "must be a string a.b.c.d/p"); return null; }
        if (text.chars().filter(ch -> ch == '/').count() != 1) {
            at.add(pointer, "'" + text + "' must be a.b.c.d/p (exactly one '/')");
            return null;
        }
        try {
            Cidr c = Cidr.parse(text);
            if (!c.isIpv4()) { at.add(pointer, "'" + text + "' is not IPv4 (tapotun's fields are IPv4; use net6/ip6 for IPv6)"); return null; }
            if (!keepHost && !c.isNetwork()) {
                at.add(pointer, "'" + text + "' has host bits set; the network is " + c.network());
                return null;
            }
            return c;
        } catch (IllegalArgumentException e) {
            at.add(pointer, e.getMessage());
            return null;
        }
    }

    private static byte[] v4Address(String text, ConfigProblems at, String pointer) {
        if (text == null) { at.add(pointer, "must be an IPv4 address string"); return null; }
        try {
            byte[] a = Cidr.parseAddress(text.strip());
            if (a.length != 4) { at.add(pointer, "'" + text + "' is not an IPv4 address"); return null; }
            return a;
        } catch (IllegalArgumentException e) {
            at.add(pointer, e.getMessage());
            return null;
        }
    }

    private static InetSocketAddress hostPort(String text, ConfigProblems at, String pointer) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0) { at.add(pointer, "must be host:port, e.g. 127.0.0.1:9180"); return null; }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        try {
            Cidr.parseAddress(host);
            int port = Integer.parseInt(text.substring(colon + 1));
            if (port < 1 || port > 65535) { at.add(pointer, "port must be 1..65535"); return null; }
            return new InetSocketAddress(host, port);
        } catch (NumberFormatException e) {
            at.add(pointer, "'" + text.substring(colon + 1) + "' is not a port number");
        } catch (IllegalArgumentException e) {
            at.add(pointer, "host must be a numeric IP address: " + e.getMessage());
        }
        return null;
    }
}
