package io.tunctl.transport.socks.proxy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProxyUrlTest {

    @ParameterizedTest
    @CsvSource({
            "socks5://127.0.0.1:1080, SOCKS5, 127.0.0.1, 1080",
            "socks5h://proxy.example:1081, SOCKS5H, proxy.example, 1081",
            "socks4://10.0.0.1:9050, SOCKS4, 10.0.0.1, 9050",
            "socks4a://10.0.0.1, SOCKS4A, 10.0.0.1, 1080",
            "http://127.0.0.1:8888, HTTP, 127.0.0.1, 8888",
            "http://127.0.0.1, HTTP, 127.0.0.1, 8080",
            "SOCKS5://Host-1.example, SOCKS5, Host-1.example, 1080",
            "HtTp://h:1/, HTTP, h, 1",
            "127.0.0.1:1080, SOCKS5, 127.0.0.1, 1080",
            "localhost, SOCKS5, localhost, 1080",
            "socks5://[::1]:1080, SOCKS5, ::1, 1080",
            "socks5://[2001:db8::7], SOCKS5, 2001:db8::7, 1080",
            "http://[::ffff:192.0.2.1]:3128, HTTP, ::ffff:192.0.2.1, 3128",
    })
    void parsesSchemesHostsAndPorts(String text, ProxyUrl.Scheme scheme, String host, int port) {
        ProxyUrl u = ProxyUrl.parse(text);
        assertEquals(scheme, u.scheme());
        assertEquals(host, u.host());
        assertEquals(port, u.port());
        assertNull(u.username());
        assertNull(u.password());
    }

    @Test
    void directAndRejectHaveNoHost() {
        for (String s : new String[] {"direct://", "DIRECT://", "reject://", "reject:///"}) {
            ProxyUrl u = ProxyUrl.parse(s);
            assertNull(u.host(), s);
            assertEquals(0, u.port(), s);
        }
        assertEquals(ProxyUrl.Scheme.DIRECT, ProxyUrl.parse("direct://").scheme());
        assertEquals("direct://", ProxyUrl.parse("direct://").toString());
        assertEquals("reject://", ProxyUrl.parse("Reject://").toString());
    }

    @Test
    void userInfoIsPercentDecoded() {
        ProxyUrl u = ProxyUrl.parse("socks5://us%40er:p%3Ass%2Fw%25rd+x@127.0.0.1:1081");
        assertEquals("us@er", u.username());
        assertEquals("p:ss/w%rd+x", u.password()); // '+' is not a space in a URL
        ProxyUrl utf8 = ProxyUrl.parse("http://J%C3%BCrgen:%E2%82%AC@h");
        assertEquals("Jürgen", utf8.username());
        assertEquals("€", utf8.password());
        ProxyUrl onlyUser = ProxyUrl.parse("socks5://alice@h:1");
        assertEquals("alice", onlyUser.username());
        assertNull(onlyUser.password());
        ProxyUrl atInPassword = ProxyUrl.parse("socks5://bob:a@b@h:2");
        assertEquals("a@b", atInPassword.password()); // the last '@' ends the user info
        assertEquals("h", atInPassword.host());
        ProxyUrl empty = ProxyUrl.parse("socks5://:@h:2");
        assertNull(empty.username());
        assertNull(empty.password());
    }

    @Test
    void toStringRedactsThePassword() {
        ProxyUrl u = ProxyUrl.parse("socks5://alice:s3cret@127.0.0.1:1081");
        assertEquals("socks5://alice:***@127.0.0.1:1081", u.toString());
        assertFalse(u.toString().contains("s3cret"));
        assertEquals("socks5://alice@[::1]:1080", ProxyUrl.parse("socks5://alice@[::1]").toString());
        assertEquals("http://us%40er:***@h:8080", ProxyUrl.parse("http://us%40er:x@h").toString());
        assertEquals("socks5h://h:1080", ProxyUrl.parse("socks5h://h").toString());
        // a redacted URL parses back to the same proxy, user and all
        ProxyUrl back = ProxyUrl.parse(ProxyUrl.parse("http://us%40er:x@h").toString());
        assertEquals("us@er", back.username());
    }

    @Test
    void carriesUdp() {
        assertTrue(ProxyUrl.parse("socks5://h").carriesUdp());
        assertTrue(ProxyUrl.parse("socks5h://h").carriesUdp());
        assertTrue(ProxyUrl.parse("direct://").carriesUdp());
        assertFalse(ProxyUrl.parse("socks4://h").carriesUdp());
        assertFalse(ProxyUrl.parse("socks4a://h").carriesUdp());
        assertFalse(ProxyUrl.parse("http://h").carriesUdp());
        assertFalse(ProxyUrl.parse("reject://").carriesUdp());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "ftp://h:21|unknown proxy scheme 'ftp' (want socks5, socks5h, socks4, socks4a, http, direct, reject)",
            "https://h|unknown proxy scheme 'https'",
            "socks5://h:0|port 0 is not a valid port (want 1-65535)",
            "socks5://h:65536|port 65536 is not a valid port",
            "socks5://h:http|port 'http' is not a number",
            "socks5://h:|port missing after ':'",
            "socks5://h:-1|port '-1' is not a number",
            "socks5://:1080|proxy host missing",
            "socks5://user:pw@:1080|'socks5://user:***@:1080': proxy host missing",
            "socks5://::1:1080|an IPv6 host must be written in brackets",
            "socks5://[::1|IPv6 host misses its ']'",
            "socks5://[nothost]:1|'nothost' in brackets is not an IPv6 address",
            "socks5://[::1]x|unexpected 'x' after the IPv6 host",
            "socks5:///run/tor.sock|a proxy on a Unix socket (empty host, path /run/tor.sock) is not supported",
            "socks5://h:1/path|unexpected '/path' after the host",
            "socks5://h?x=1|unexpected '?x=1' after the host",
            "socks5://ho st|'ho st' is not a host name or IP address",
            "socks5://u%zz@h|bad percent-escape in the user name at position 1",
            "socks5://u:p%4@h|bad percent-escape in the password",
            "socks5://u:%ff@h|the percent-decoded password is not valid UTF-8",
            "direct://h:1|direct:// takes no host, port or credentials",
            "reject://x|reject:// takes no host",
            "'   '|empty proxy URL",
    })
    void errorsSayWhatIsWrong(String text, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProxyUrl.parse(text));
        assertTrue(e.getMessage().contains(expected), () -> "message '" + e.getMessage() + "' lacks '" + expected + "'");
    }

    @Test
    void errorMessagesNeverShowThePassword() {
        for (String text : new String[] {"socks5://u:TOPSECRET@:1", "socks5://u:TOPSECRET@h/x", "direct://u:TOPSECRET@"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProxyUrl.parse(text));
            assertFalse(e.getMessage().contains("TOPSECRET"), e.getMessage());
        }
    }

    @Test
    void recordChecksItsFields() {
        assertThrows(IllegalArgumentException.class, () -> new ProxyUrl(ProxyUrl.Scheme.SOCKS5, null, 1080, null, null));
        assertThrows(IllegalArgumentException.class, () -> new ProxyUrl(ProxyUrl.Scheme.HTTP, "h", 0, null, null));
        assertThrows(IllegalArgumentException.class, () -> new ProxyUrl(ProxyUrl.Scheme.DIRECT, "h", 0, null, null));
        assertEquals(ProxyUrl.parse("socks5://a:b@h:1"), new ProxyUrl(ProxyUrl.Scheme.SOCKS5, "h", 1, "a", "b"));
        assertEquals("socks5://a@h:1", ProxyUrl.parse("socks5://a:b@h:1").withPassword(null).toString());
    }
}
