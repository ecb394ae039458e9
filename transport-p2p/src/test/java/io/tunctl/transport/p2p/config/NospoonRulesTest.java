package io.tunctl.transport.p2p.config;

import io.tunctl.core.config.ConfigDocument;
import io.tunctl.core.config.ConfigException;
import io.tunctl.core.config.ConfigProblem;
import io.tunctl.core.config.ConfigProblems;
import io.tunctl.core.packet.Cidr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** nospoon's config rules (spec §2): defaults, checks and their texts, located; tunctl's documented differences. */
class NospoonRulesTest {
    static final String K1 = "afd613261c74b231218c03a15f92c1ea3f051eb5bcd776345b6281ffc048dac8";
    static final String K2 = "0f045d63" + "ab".repeat(28);
    static final String SEED = "ead2e30ed40324cfe5ac67b7dcdaec8729240889e15e867270f3d0e6ca610fe3";

    private static final Path FILE = Path.of("config.jsonc");

    static P2pSettings ok(String json) throws ConfigException {
        Optional<P2pConfig> c = NospoonFile.recognise(ConfigDocument.parse(FILE, json));
        assertTrue(c.isPresent(), "not recognised: " + json);
        return c.get().settings();
    }

    static List<ConfigProblem> problems(String json) {
        ConfigException e = assertThrows(ConfigException.class, () -> NospoonFile.recognise(
                ConfigDocument.parse(FILE, json)), json);
        return e.problems();
    }

    /** The only problem of {@code json}: its reason, with the field checked. */
    static String problem(String json, String field) {
        List<ConfigProblem> ps = problems(json);
        assertEquals(1, ps.size(), ps.toString());
        assertEquals(field, ps.getFirst().field(), ps.toString());
        return ps.getFirst().reason();
    }

    @Test
    void serverDefaultsAreNospoons() throws Exception {
        P2pSettings s = ok("{\"mode\": \"server\"}");
        assertEquals(P2pSettings.Mode.SERVER, s.mode());
        assertEquals(Cidr.parse("10.0.0.1/24"), s.ip());
        assertEquals(1400, s.mtu());
        assertFalse(s.fullTunnel());
        assertNull(s.seed());
        assertFalse(s.authMode());
        assertNull(s.ipv6());
        assertTrue(s.bootstrap().isEmpty());
        assertEquals(0, s.port());
        assertEquals(25, s.keepaliveSeconds());
    }

    @Test
    void clientDefaultsAndCommentsAsNospoonWritesThem() throws Exception {
        P2pSettings s = ok("""
                {
                  // a nospoon client
                  "mode": "client",
                  "server": "%s", // the server's key
                  "seed": "%s",
                  "ip": ""
                }
                """.formatted(K1.toUpperCase(), SEED));
        assertEquals(Cidr.parse("10.0.0.2/24"), s.ip());
        assertArrayEquals(HexFormat.of().parseHex(K1), s.serverKey());
        assertArrayEquals(HexFormat.of().parseHex(SEED), s.seed());
    }

    @Test
    void falsyIpMeansTheDefault() throws Exception {
        for (String v : new String[] {"null", "0", "false", "\"\""}) {
            assertEquals(Cidr.parse("10.0.0.1/24"), ok("{\"mode\":\"server\",\"ip\":" + v + "}").ip(), v);
        }
    }

    @Test
    void modeAndIpErrorsAreNospoonsAndLocated() {
        List<ConfigProblem> ps = problems("{\n  \"mode\": \"peer\"\n}");
        assertEquals("\"mode\" must be \"server\" or \"client\"", ps.getFirst().reason());
        assertEquals(2, ps.getFirst().line());
        assertEquals(11, ps.getFirst().column());
        assertEquals("config.jsonc:2:11: mode: \"mode\" must be \"server\" or \"client\"", ps.getFirst().toString());
        assertEquals("ip must be in CIDR format (e.g. 10.0.0.1/24)",
                problem("{\"mode\":\"server\",\"ip\":\"10.0.0.1\"}", "ip"));
        assertEquals("ip must be in CIDR format (e.g. 10.0.0.1/24)",
                problem("{\"mode\":\"server\",\"ip\":5}", "ip"));
        assertEquals("ip has invalid IP octets or prefix length",
                problem("{\"mode\":\"server\",\"ip\":\"10.0.0.256/24\"}", "ip"));
        assertEquals("ip has invalid IP octets or prefix length",
                problem("{\"mode\":\"server\",\"ip\":\"10.0.0.1/33\"}", "ip"));
        assertEquals(Cidr.parse("10.0.0.1/0"), assertDoesNotThrow("{\"mode\":\"server\",\"ip\":\"10.0.0.1/0\"}").ip());
    }

    private static P2pSettings assertDoesNotThrow(String json) {
        try {
            return ok(json);
        } catch (ConfigException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    @Test
    void ipv6Rules() throws Exception {
        assertEquals(Cidr.parse("fd00::1/64"), ok("{\"mode\":\"server\",\"ipv6\":\"fd00::1/64\"}").ipv6());
        assertEquals("ipv6 must be in CIDR format (e.g. fd00::1/64)",
                problem("{\"mode\":\"server\",\"ipv6\":\"fd00::1\"}", "ipv6"));
        assertEquals("ipv6 must be in CIDR format (e.g. fd00::1/64)",
                problem("{\"mode\":\"server\",\"ipv6\":\"fd00::1/64/1\"}", "ipv6"));
        assertEquals("ipv6 must be a valid IPv6 CIDR (e.g. fd00::1/64)",
                problem("{\"mode\":\"server\",\"ipv6\":\"fd00::1/0\"}", "ipv6"));
        assertEquals("ipv6 must be a valid IPv6 CIDR (e.g. fd00::1/64)",
                problem("{\"mode\":\"server\",\"ipv6\":\"10.0.0.1/64\"}", "ipv6"));
        assertNull(ok("{\"mode\":\"server\",\"ipv6\":false}").ipv6());
    }

    @Test
    void seedAndSeedFile(@TempDir Path dir) throws Exception {
        assertEquals("seed must be exactly 64 hex characters",
                problem("{\"mode\":\"server\",\"seed\":\"abc\"}", "seed"));
        assertEquals("\"seed\" and \"seedFile\" are mutually exclusive",
                problem("{\"mode\":\"server\",\"seed\":\"abc\",\"seedFile\":\"x\"}", "seedFile"));
        Path f = dir.resolve("seed");
        Files.writeString(f, "  " + SEED.toUpperCase() + "\n");
        String path = f.toString().replace("\\", "\\\\");
        assertArrayEquals(HexFormat.of().parseHex(SEED), ok("{\"mode\":\"server\",\"seedFile\":\"" + path + "\"}").seed());
        Files.writeString(f, "nope");
        assertEquals("seedFile content must be exactly 64 hex characters",
                problem("{\"mode\":\"server\",\"seedFile\":\"" + path + "\"}", "seedFile"));
        String missing = dir.resolve("missing").toString().replace("\\", "\\\\");
        assertEquals("Cannot read seed file " + dir.resolve("missing") + ": no such file or directory",
                problem("{\"mode\":\"server\",\"seedFile\":\"" + missing + "\"}", "seedFile"));
    }

    @Test
    void mtuIsParsedAsNospoonsParseIntDoes() throws Exception {
        assertEquals(1400, ok("{\"mode\":\"server\",\"mtu\":1400.7}").mtu());
        assertEquals(1400, ok("{\"mode\":\"server\",\"mtu\":\"1400abc\"}").mtu());
        assertEquals(9000, ok("{\"mode\":\"server\",\"mtu\":\" 9000\"}").mtu());
        assertEquals(1280, ok("{\"mode\":\"server\",\"mtu\":[1280]}").mtu());
        for (String bad : new String[] {"null", "575", "65536", "\"abc\"", "true", "{}", "-1400", "1e21"}) {
            assertEquals("MTU must be between 576 and 65535",
                    problem("{\"mode\":\"server\",\"mtu\":" + bad + "}", "mtu"), bad);
        }
    }

    @Test
    void fullTunnelOnlyForExactlyTrue() throws Exception {
        assertTrue(ok("{\"mode\":\"server\",\"fullTunnel\":true}").fullTunnel());
        for (String v : new String[] {"\"true\"", "1", "false", "null"}) {
            assertFalse(ok("{\"mode\":\"server\",\"fullTunnel\":" + v + "}").fullTunnel(), v);
        }
    }

    @Test
    void clientNeedsTheServersKey() {
        assertEquals("\"server\" (64-char hex public key) is required in client mode",
                problem("{\"mode\":\"client\"}", "server"));
        assertEquals("\"server\" (64-char hex public key) is required in client mode",
                problem("{\"mode\":\"client\",\"server\":\"\"}", "server"));
        assertEquals("server must be exactly 64 hex characters",
                problem("{\"mode\":\"client\",\"server\":\"" + K1 + "0\"}", "server"));
    }

    @Test
    void peersMakeAuthModeWithNospoonsChecks() throws Exception {
        P2pSettings s = ok("{\"mode\":\"server\",\"peers\":{\"" + K1.toUpperCase() + "\":\"10.0.0.2\",\"" + K2
                + "\":\"fd00::2\"}}");
        assertTrue(s.authMode());
        // keys are compared in lowercase (nospoon would never match an upper-case key)
        assertEquals(List.of(Cidr.parse("10.0.0.2/32")), s.peers().get(K1).prefixes());
        assertEquals(List.of(Cidr.parse("fd00::2/128")), s.peers().get(K2).prefixes());
        String server = "{\"mode\":\"server\",\"peers\":{\"" + K1 + "\":%s}}";
        String p = "peers." + K1;
        assertEquals("Invalid IP for peer afd61326...: 10.0.0.x", problem(server.formatted("\"10.0.0.x\""), p));
        assertEquals("Invalid IP for peer afd61326...: 010.0.0.2", problem(server.formatted("\"010.0.0.2\""), p));
        assertEquals("Invalid IP for peer afd61326...: 7", problem(server.formatted("7"), p));
        assertEquals("Invalid IP for peer afd61326...: 0.0.0.0", problem(server.formatted("\"0.0.0.0\""), p));
        assertEquals("Invalid IP for peer afd61326...: loopback address", problem(server.formatted("\"127.0.0.5\""), p));
        assertEquals("Peer afd61326... IP 10.0.1.2 is not in server subnet", problem(server.formatted("\"10.0.1.2\""), p));
        assertEquals("Peer afd61326... IP 10.0.0.0 is the network address", problem(server.formatted("\"10.0.0.0\""), p));
        assertEquals("Peer afd61326... IP 10.0.0.255 is the broadcast address",
                problem(server.formatted("\"10.0.0.255\""), p));
        assertEquals("Peer afd61326... IP 10.0.0.1 conflicts with server IP", problem(server.formatted("\"10.0.0.1\""), p));
        assertEquals("peer key must be exactly 64 hex characters",
                problem("{\"mode\":\"server\",\"peers\":{\"abc\":\"10.0.0.2\"}}", "peers.abc"));
    }

    @Test
    void peersTruthinessDecidesTheMode() throws Exception {
        for (String v : new String[] {"{}", "[]", "0", "true", "false", "null", "\"\""}) {
            assertFalse(ok("{\"mode\":\"server\",\"peers\":" + v + "}").authMode(), v);
        }
        for (String v : new String[] {"\"x\"", "[1]"}) {
            assertEquals("\"peers\" must be an object mapping public keys to IPs",
                    problem("{\"mode\":\"server\",\"peers\":" + v + "}", "peers"), v);
        }
    }

    @Test
    void duplicatesAreFoundAsAddressesAndKeysIgnoringCase() {
        assertEquals("Duplicate IP assignment in peers: fd00:0::2", problem("{\"mode\":\"server\",\"peers\":{\"" + K1
                + "\":\"fd00::2\",\"" + K2 + "\":\"fd00:0::2\"}}", "peers." + K2));
        assertEquals("peer AFD61326... is listed twice (keys are compared case-insensitively)",
                problem("{\"mode\":\"server\",\"peers\":{\"" + K1 + "\":\"10.0.0.2\",\"" + K1.toUpperCase()
                        + "\":\"10.0.0.3\"}}", "peers." + K1.toUpperCase()));
    }

    @Test
    void aPeerMayHaveSeveralAddressesAndPrefixes() throws Exception {
        P2pSettings s = ok("{\"mode\":\"server\",\"peers\":{\"" + K1
                + "\":[\"10.0.0.2\",\"fd00::2\",\"192.168.50.0/24\"]}}");
        assertEquals(List.of(Cidr.parse("10.0.0.2/32"), Cidr.parse("fd00::2/128"), Cidr.parse("192.168.50.0/24")),
                s.peers().get(K1).prefixes());
        assertEquals("peer afd61326... prefix 192.168.50.1/24 has host bits set; write 192.168.50.0/24",
                problem("{\"mode\":\"server\",\"peers\":{\"" + K1 + "\":[\"192.168.50.1/24\"]}}",
                        "peers." + K1 + "[0]"));
    }

    @Test
    void tunctlAdditions() throws Exception {
        P2pSettings s = ok("{\"mode\":\"server\",\"bootstrap\":[\"192.0.2.1:49737\",\"192.0.2.2:1\"],\"port\":5000,"
                + "\"keepalive\":0}");
        assertEquals(2, s.bootstrap().size());
        assertEquals("192.0.2.1", s.bootstrap().getFirst().host());
        assertEquals(5000, s.port());
        assertEquals(0, s.keepaliveSeconds());
        assertTrue(problem("{\"mode\":\"server\",\"bootstrap\":[\"nohost\"]}", "bootstrap[0]")
                .contains("format is [suggested-ip@]host:port"));
        assertEquals("port must be a UDP port number 0-65535 (0: any)",
                problem("{\"mode\":\"server\",\"port\":70000}", "port"));
        assertEquals("keepalive must be a number of seconds 0-86400 (0: none)",
                problem("{\"mode\":\"server\",\"keepalive\":\"25\"}", "keepalive"));
    }

    @Test
    void everyProblemIsReportedNotJustTheFirst() {
        List<ConfigProblem> ps = problems("{\"mode\":\"client\",\"ip\":\"x\",\"mtu\":1,\"seed\":\"y\"}");
        assertEquals(List.of("ip", "seed", "mtu", "server"), ps.stream().map(ConfigProblem::field).toList());
    }

    @Test
    void otherFilesAreNotNospoons() throws Exception {
        assertTrue(NospoonFile.recognise(ConfigDocument.parse(FILE, "{\"proxy\":\"socks5://h:1\"}")).isEmpty());
        assertTrue(NospoonFile.recognise(ConfigDocument.parse(FILE, "[{\"mode\":\"server\"}]")).isEmpty());
        assertTrue(NospoonFile.recognise(ConfigDocument.parse(FILE, "{\"transport\":\"p2p\"}")).isEmpty());
        // no mode but nospoon's keys: it is one, and says what is missing
        assertEquals("\"mode\" must be \"server\" or \"client\"", problem("{\"seed\":\"" + SEED + "\"}", "mode"));
    }

    @Test
    void theUnifiedSectionIsCheckedAtItsOwnPaths() throws Exception {
        ConfigDocument doc = ConfigDocument.parse(Path.of("t.yaml"), """
                transport: p2p
                p2p:
                  mode: client
                  server: nope
                """);
        P2pConfig c = doc.bind("/p2p", P2pConfig.class);
        ConfigProblems problems = new ConfigProblems(doc);
        assertNull(NospoonRules.check(c, problems));
        assertEquals("t.yaml:4:11: p2p.server: server must be exactly 64 hex characters",
                problems.list().getFirst().toString());
    }

    @Test
    void defaultPathPerOs() {
        assertEquals("/etc/nospoon/config.jsonc", NospoonFile.defaultPath("Linux", null).toString());
        assertEquals("/etc/nospoon/config.jsonc", NospoonFile.defaultPath("Mac OS X", "x").toString());
        assertEquals("D:\\Data\\nospoon\\config.jsonc", NospoonFile.defaultPath("Windows 11", "D:\\Data").toString());
        assertEquals("C:\\ProgramData\\nospoon\\config.jsonc", NospoonFile.defaultPath("Windows 11", null).toString());
    }
}
