package io.tunctl.transport.socks.proxy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * A parsed proxy URL: {@code scheme://[user[:password]@]host[:port]}. {@link #toString()} redacts the password, so
 * the URL can go into logs and error messages as it is.
 *
 * @param scheme   what kind of proxy
 * @param host     host name or IP literal (IPv6 without brackets); null for {@code direct} and {@code reject}
 * @param port     1-65535; 0 for {@code direct} and {@code reject}
 * @param username percent-decoded user name, or null when absent or empty
 * @param password percent-decoded password, or null when absent or empty
 */
public record ProxyUrl(Scheme scheme, String host, int port, String username, String password) {

    /** The proxy kinds. {@code socks5h} and {@code socks4a} dial exactly like their plain forms: the TUN only sees IPs. */
    public enum Scheme {
        SOCKS5, SOCKS5H, SOCKS4, SOCKS4A, HTTP, DIRECT, REJECT;

        /** The lower-case name used in URLs. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** True for the schemes that name a proxy server (all but direct and reject). */
        public boolean hasServer() {
            return this != DIRECT && this != REJECT;
        }

        /** The port used when the URL gives none: 1080 for SOCKS, 8080 for HTTP. */
        public int defaultPort() {
            return switch (this) {
                case SOCKS5, SOCKS5H, SOCKS4, SOCKS4A -> 1080;
                case HTTP -> 8080;
                case DIRECT, REJECT -> 0;
            };
        }
    }

    private static final String SCHEMES = "socks5, socks5h, socks4, socks4a, http, direct, reject";

    public ProxyUrl {
        if (scheme == null) throw new IllegalArgumentException("proxy scheme missing");
        if (scheme.hasServer()) {
            if (host == null || host.isEmpty()) throw new IllegalArgumentException(scheme.id() + ":// needs a host");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " is not a valid port (want 1-65535)");
            }
        } else if (host != null || port != 0 || username != null || password != null) {
            throw new IllegalArgumentException(scheme.id() + ":// takes no host, port or credentials");
        }
        if (username != null && username.isEmpty()) username = null;
        if (password != null && password.isEmpty()) password = null;
    }

    /**
     * Parses {@code socks5://}, {@code socks5h://}, {@code socks4://}, {@code socks4a://}, {@code http://},
     * {@code direct://} and {@code reject://} (scheme case-insensitive). The user info {@code user:pass@} is
     * percent-decoded (UTF-8); an IPv6 host is written in brackets. A value without {@code "://"} gets
     * {@code "socks5://"} prepended, as nano-tun does. Default ports: SOCKS 1080, HTTP 8080.
     *
     * @throws IllegalArgumentException with a message that says what is wrong with {@code text}
     */
    public static ProxyUrl parse(String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("empty proxy URL");
        String s = text.strip();
        int sep = s.indexOf("://");
        if (sep < 0) {
            s = "socks5://" + s;
            sep = "socks5".length();
        }
        String schemeText = s.substring(0, sep);
        Scheme scheme;
        try {
            scheme = Scheme.valueOf(schemeText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown proxy scheme '" + schemeText + "' (want " + SCHEMES + ")");
        }
        String rest = s.substring(sep + 3);
        int end = firstOf(rest, "/?#");
        String authority = end < 0 ? rest : rest.substring(0, end);
        if (end >= 0) {
            String tail = rest.substring(end);
            if (!tail.equals("/")) {
                if (authority.isEmpty() && tail.startsWith("/") && scheme.hasServer()) {
                    throw new IllegalArgumentException("'" + redactedInput(text)
                            + "': a proxy on a Unix socket (empty host, path " + tail + ") is not supported");
                }
                throw new IllegalArgumentException("'" + redactedInput(text) + "': unexpected '" + tail
                        + "' after the host (a proxy URL has no path, query or fragment)");
            }
        }
        if (!scheme.hasServer()) {
            if (!authority.isEmpty()) {
                throw new IllegalArgumentException(scheme.id() + ":// takes no host, port or credentials, got '"
                        + redactedInput(text) + "'");
            }
            return new ProxyUrl(scheme, null, 0, null, null);
        }

        String username = null;
        String password = null;
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            authority = authority.substring(at + 1);
            int colon = userInfo.indexOf(':');
            username = percentDecode(colon < 0 ? userInfo : userInfo.substring(0, colon), "user name");
            if (colon >= 0) password = percentDecode(userInfo.substring(colon + 1), "password");
        }

        String host;
        String portText = null;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) throw new IllegalArgumentException("'" + redactedInput(text) + "': IPv6 host misses its ']'");
            host = authority.substring(1, close);
            if (!isIpv6Literal(host)) {
                throw new IllegalArgumentException("'" + host + "' in brackets is not an IPv6 address");
            }
            String after = authority.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw new IllegalArgumentException("'" + redactedInput(text) + "': unexpected '" + after
                            + "' after the IPv6 host");
                }
                portText = after.substring(1);
            }
        } else {
            int colon = authority.indexOf(':');
            if (colon >= 0 && authority.indexOf(':', colon + 1) >= 0) {
                throw new IllegalArgumentException("'" + authority + "': an IPv6 host must be written in brackets, "
                        + "e.g. " + scheme.id() + "://[::1]:" + scheme.defaultPort());
            }
            host = colon < 0 ? authority : authority.substring(0, colon);
            if (colon >= 0) portText = authority.substring(colon + 1);
            if (host.isEmpty()) throw new IllegalArgumentException("'" + redactedInput(text) + "': proxy host missing");
            if (!isHostName(host)) {
                throw new IllegalArgumentException("'" + host + "' is not a host name or IP address");
            }
        }
        int port = scheme.defaultPort();
        if (portText != null) port = parsePort(portText);
        return new ProxyUrl(scheme, host, port, username, password);
    }

    /** True when UDP can go through it: socks5, socks5h and direct. (reject swallows UDP: false.) */
    public boolean carriesUdp() {
        return scheme == Scheme.SOCKS5 || scheme == Scheme.SOCKS5H || scheme == Scheme.DIRECT;
    }

    /** The host as it goes into a URL: IPv6 literals in brackets. */
    public String hostForUrl() {
        return host != null && host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }

    /** This URL with another password (null for none): for tests and for credentials kept apart from the URL. */
    public ProxyUrl withPassword(String newPassword) {
        return new ProxyUrl(scheme, host, port, username, newPassword);
    }

    /** The URL with the password replaced by {@code ***}, and the user name percent-encoded where needed. */
    @Override
    public String toString() {
        if (!scheme.hasServer()) return scheme.id() + "://";
        StringBuilder b = new StringBuilder(scheme.id()).append("://");
        if (username != null || password != null) {
            if (username != null) b.append(percentEncode(username));
            if (password != null) b.append(":***");
            b.append('@');
        }
        return b.append(hostForUrl()).append(':').append(port).toString();
    }

    private static int parsePort(String text) {
        if (text.isEmpty()) throw new IllegalArgumentException("port missing after ':'");
        if (text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("port '" + text + "' is not a number in 1-65535");
        }
        int port = Integer.parseInt(text);
        if (port < 1 || port > 65535) throw new IllegalArgumentException("port " + port + " is not a valid port (want 1-65535)");
        return port;
    }

    private static int firstOf(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) return i;
        }
        return -1;
    }

    /** Letters, digits, '-', '_' and '.' (host names and IPv4 literals). */
    private static boolean isHostName(String host) {
        if (host.length() > 253) return false;
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.';
            if (!ok) return false;
        }
        return true;
    }

    static boolean isIpv6Literal(String s) {
        return !s.isEmpty() && s.indexOf(':') >= 0 && io.netty.util.NetUtil.isValidIpV6Address(s);
    }

    /** RFC 3986 percent-decoding, UTF-8; '+' stays '+' (that rule is for form data, not URLs). */
    static String percentDecode(String s, String what) {
        if (s.indexOf('%') < 0) return s;
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); ) {
            char c = s.charAt(i);
            if (c == '%') {
                int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
                int lo = i + 2 < s.length() ? Character.digit(s.charAt(i + 2), 16) : -1;
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("bad percent-escape in the " + what + " at position " + i
                            + " (want %XX with two hex digits)");
                }
                out.write(hi << 4 | lo);
                i += 3;
            } else {
                byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
                    utf8 = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                out.writeBytes(utf8);
                i++;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(out.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the percent-decoded " + what + " is not valid UTF-8");
        }
    }

    static String percentEncode(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            boolean unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~';
            if (unreserved) b.append((char) c);
            else b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                    .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
        }
        return b.toString();
    }

    /** The input with whatever sits between ':' and '@' of the user info masked, for error messages. */
    private static String redactedInput(String text) {
        int sep = text.indexOf("://");
        int start = sep < 0 ? 0 : sep + 3;
        int at = text.lastIndexOf('@');
        if (at < start) return text;
        int colon = text.indexOf(':', start);
        if (colon < 0 || colon > at) return text;
        return text.substring(0, colon + 1) + "***" + text.substring(at);
    }
}
