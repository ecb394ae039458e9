package io.tunctl.transport.http.config;

import io.tunctl.core.config.ConfigDocument;
import io.tunctl.core.config.ConfigException;
import io.tunctl.core.config.ConfigProblem;
import io.tunctl.core.config.ConfigProblems;
import io.tunctl.core.packet.Cidr;
import io.tunctl.core.runtime.TunnelConfig;
import io.tunctl.core.runtime.Transports;
import io.tunctl.transport.http.HttpTransportProvider;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class TapotunFileTest {

    static Path resource(String name) {
        try {
            return Path.of(TapotunFileTest.class.getResource("/tapotun/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    static List<Endpoints.Endpoint> endpoints(String name) throws ConfigException {
        ConfigDocument doc = ConfigDocument.read(resource(name));
        HttpConfig c = TapotunFile.recognise(doc).orElseThrow();
        ConfigProblems p = new ConfigProblems(doc);
        List<Endpoints.Endpoint> eps = ConfigCompiler.compile(c, p);
        assertTrue(p.isEmpty(), () -> p.list().toString());
        return eps;
    }

    @Test
    void readmeMinimalServer() throws ConfigException {
        Endpoints.Server s = (Endpoints.Server) endpoints("readme-server.json").getFirst();
        assertEquals("tun0", s.name());
        assertEquals(8080, s.port());
        assertEquals("0.0.0.0", s.listen());
        assertEquals(Cidr.parse("10.10.0.1/24"), s.net());
        assertEquals(1500, s.mtu());
        assertEquals(1, s.clients().size());
        assertEquals("a94a8fe5ccb19ba61c4c0873d391e987982fbbd3", s.clients().getFirst().tokenHex());
        assertEquals("10.10.0.2", s.clients().getFirst().ipString());
        assertFalse(s.mark().enabled());
    }

    @Test
    void readmeCorp0WithRoutesSourcesAndMark() throws ConfigException {
        Endpoints.Server s = (Endpoints.Server) endpoints("readme-corp0.json").getFirst();
        assertEquals(1400, s.mtu());
        assertEquals(List.of(Cidr.parse("10.50.0.254/24")), s.extraIps());
        assertEquals(List.of(Cidr.parse("172.20.0.0/16")), s.localRoutes());
        assertEquals(new Endpoints.Mark(100, 100), s.mark());
        assertEquals(List.of(Cidr.parse("10.60.0.0/24"), Cidr.parse("10.61.0.0/24")), s.clients().get(0).routes());
        assertEquals("192.168.100.10", Cidr.addressString(s.clients().get(0).sources().getFirst()));
        assertEquals(List.of(Cidr.parse("10.70.0.0/24")), s.clients().get(1).routes());
    }

    @Test
    void readmeClients() throws ConfigException {
        Endpoints.Client c = (Endpoints.Client) endpoints("readme-client.json").getFirst();
        assertEquals("https://edge.example.com/ip", c.server().toString());
        assertEquals("test", c.token());
        Endpoints.Client m = (Endpoints.Client) endpoints("readme-client-mark.json").getFirst();
        assertEquals(new Endpoints.Mark(100, 100), m.mark());
    }

    @Test
    void theCoreLoaderPicksTheHttpProvider() throws ConfigException {
        TunnelConfig tc = TunnelConfig.load(resource("readme-corp0.json"),
                Transports.of(List.of(new HttpTransportProvider())));
        assertEquals("http", tc.provider().name());
        assertInstanceOf(HttpConfig.class, tc.config());
    }

    @Test
    void everyProblemIsLocated() throws ConfigException {
        ConfigDocument doc = ConfigDocument.read(resource("bad-many.json"));
        ConfigException e = assertThrows(ConfigException.class, () -> TapotunFile.recognise(doc));
        String all = e.getMessage();
        List<ConfigProblem> ps = e.problems();
        assertProblem(ps, "[0].name", 3, "1..15");
        assertProblem(ps, "[0].net", 5, "exactly one '/'");
        assertProblem(ps, "[0].mtu", 6, "68..9000");
        assertProblem(ps, "[0].clients[0].token", 8, "lower-case");
        assertProblem(ps, "[0].clients[1].token", 9, "SHA-1");
        assertProblem(ps, "[0].clients[1].ip", 9, "10.10.0.300");
        assertProblem(ps, "[0].clients[1].routes[0]", 9, "host bits");
        assertProblem(ps, "[1].server", 12, "http or https");
        assertProblem(ps, "[1].mark", 12, "'table'");
        assertTrue(all.contains("bad-many.json:3:"), all);
    }

    private static void assertProblem(List<ConfigProblem> ps, String field, int line, String text) {
        assertTrue(ps.stream().anyMatch(p -> p.field().equals(field) && p.line() == line && p.reason().contains(text)
                        && p.column() > 0),
                () -> "no problem at " + field + " line " + line + " containing '" + text + "' in\n"
                        + String.join("\n", ps.stream().map(ConfigProblem::toString).toList()));
    }

    @Test
    void unknownFieldsAreNamed() throws ConfigException {
        ConfigDocument doc = ConfigDocument.read(resource("bad-unknown-field.json"));
        ConfigException e = assertThrows(ConfigException.class, () -> TapotunFile.recognise(doc));
        ConfigProblem p = e.problems().getFirst();
        assertEquals(3, p.line(), e.getMessage());
        assertTrue(p.reason().contains("colour"), e.getMessage());
    }

    @Test
    void v2HubExampleCompilesToTheRightParameters() throws ConfigException {
        List<Endpoints.Endpoint> eps = endpoints("v2-server.json");
        Endpoints.Server s = (Endpoints.Server) eps.getFirst();
        assertEquals(2, s.generation());
        assertEquals(Cidr.parse("10.50.0.1/24"), s.net());
        assertEquals(1400, s.mtu());
        Endpoints.Peer a = s.clients().get(0), b = s.clients().get(1);
        assertEquals("a", a.name());
        assertEquals("10.50.0.2", a.ipString());
        // a's explicit peer (acl node/a -> lan) is b's address, whose routes a is told about
        assertEquals(List.of(Cidr.parse("10.70.0.0/24")), a.pushed());
        assertEquals(List.of(), b.pushed());
        assertEquals(List.of(), s.kernelRoutes(), "no explicit peer of __self__ has routes");
        assertInstanceOf(Endpoints.Client.class, eps.get(1), "a v1/v2 client object in the same file");
    }

    @Test
    void v2ProblemsAreLocated() throws ConfigException {
        ConfigDocument doc = ConfigDocument.read(resource("v2-bad.json"));
        ConfigException e = assertThrows(ConfigException.class, () -> TapotunFile.recognise(doc));
        List<ConfigProblem> ps = e.problems();
        assertProblem(ps, "[0].mtu", 1, "68..9000");
        assertProblem(ps, "[0].nodes", 2, "__self__");
        assertProblem(ps, "[0].nodes.b.token", 4, "duplicate token");
        assertProblem(ps, "[0].acl[0].from", 5, "'nosuchtag' not found");
        assertProblem(ps, "[0].exit_nodes[0]", 6, "its own exit node");
        assertProblem(ps, "[0].exit_nodes[2]", 6, "given twice");
    }

    @Test
    void globsFollowDsGlobMatch() {
        assertTrue(V2Compiler.glob("node/*").matcher("node/__self__").matches());
        assertTrue(V2Compiler.glob("sp?ke").matcher("spoke").matches());
        assertTrue(V2Compiler.glob("{lan,wan}").matcher("wan").matches());
        assertTrue(V2Compiler.glob("node/[ab]").matcher("node/b").matches());
        assertFalse(V2Compiler.glob("node/[!ab]").matcher("node/b").matches());
        assertFalse(V2Compiler.glob("Spoke").matcher("spoke").matches());
    }

    @Test
    void globClassesHoldLiteralCharacters() {
        // D has no ranges in [...]: '-' is itself; and nothing in a class may break the regex (fuzz finding 6)
        assertTrue(V2Compiler.glob("node/[a-c]").matcher("node/-").matches());
        assertFalse(V2Compiler.glob("node/[a-c]").matcher("node/b").matches());
        assertTrue(V2Compiler.glob("[z-a]").matcher("z").matches());
        assertTrue(V2Compiler.glob("[&&^\\]x").matcher("^x").matches());
        assertFalse(V2Compiler.glob("nos[]]]").matcher("nos]]").matches());
        assertTrue(V2Compiler.glob("a[!]c").matcher("abc").matches());
        assertTrue(V2Compiler.glob("a*c").matcher("a\nc").matches());
        assertFalse(V2Compiler.glob("nos[]]]]]][[[[").matcher("nos]]]][[[[").matches());
    }

    @Test
    void otherShapesAreNotOurs() throws ConfigException {
        assertEquals(Optional.empty(), TapotunFile.recognise(ConfigDocument.parse(Path.of("x.json"), "{\"transport\":\"udp\"}")));
        assertEquals(Optional.empty(), TapotunFile.recognise(ConfigDocument.parse(Path.of("x.json"), "[1,2]")));
        assertEquals(Optional.empty(), TapotunFile.recognise(ConfigDocument.parse(Path.of("x.json"), "[]")));
    }

    @Test
    void unifiedSectionBindsTheSameArray() throws ConfigException {
        String text = """
                { "transport": "http",
                  "http": [ { "name": "tun9", "server": "http://192.0.2.1:8080/ip", "token": "t" },
                            { "name": "tun8", "port": 8081, "net": "10.9.0.1/24", "clients": [ { "token": "x", "ip": "10.9.0.2" } ] } ] }
                """;
        ConfigDocument doc = ConfigDocument.parse(Path.of("unified.json"), text);
        ConfigException e = assertThrows(ConfigException.class,
                () -> TunnelConfig.of(doc, Transports.of(List.of(new HttpTransportProvider()))));
        assertEquals("http[1].clients[0].token", e.problems().getFirst().field(), e.getMessage());
        assertEquals(3, e.problems().getFirst().line());
    }
}
