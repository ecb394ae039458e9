package io.tunctl.transport.socks.bench;

import io.tunctl.core.config.ConfigDocument;
import io.tunctl.core.config.ConfigProblems;
import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.InterfaceSpec;
import io.tunctl.transport.socks.config.SettingsCompiler;
import io.tunctl.transport.socks.config.SocksConfig;
import io.tunctl.transport.socks.config.SocksSettings;
import io.tunctl.core.spi.Benchmarkable;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.*;

class SocksBenchRowsTest {

    private static Benchmarkable.Network network() {
        return new Benchmarkable.Network(InetAddress.ofLiteral("192.0.2.1"), InetAddress.ofLiteral("192.0.2.2"),
                Cidr.parse("203.0.113.25/30"), Cidr.parse("203.0.113.26/30"), 51060, 1420);
    }

    @Test
    void registeredAsABenchServiceForTheSocksTransport() {
        // the class-path registration (META-INF/services); module-info's provides is checked by javac
        List<Benchmarkable> found = ServiceLoader.load(Benchmarkable.class).stream()
                .map(ServiceLoader.Provider::get).filter(b -> b instanceof SocksBenchRows).toList();
        assertEquals(1, found.size());
        assertEquals("socks", found.getFirst().transport());
    }

    @Test
    void socksRowHasATunInAOnlyAndIsComparedWithTheProxyAlone() {
        List<Benchmarkable.Setup> setups = new SocksBenchRows().benchSetups(network());
        assertEquals(List.of("socks", "socks-proxy-direct"), setups.stream().map(Benchmarkable.Setup::row).toList());

        Benchmarkable.Setup socks = setups.get(0);
        assertNull(socks.configB(), "no tunctl in B");
        assertEquals(String.join("\n",
                "transport: socks",
                "interface:",
                "  name: tnbs6",
                "  mtu: 1420",
                "  offload: true",
                "  addresses: [198.18.0.25/30]",
                "  routes: [{ to: 203.0.113.26/32 }]",
                "socks:",
                "  proxy: socks5://192.0.2.2:51060",
                "  direct: []",
                ""), socks.configA());
        assertEquals(Benchmarkable.Load.BUILTIN, socks.load(), "the same load as the row it is compared with");
        assertEquals("socks-proxy-direct", socks.comparedWith());

        Benchmarkable.Setup direct = setups.get(1);
        assertFalse(direct.runsTunctl());
        assertEquals(new InetSocketAddress(InetAddress.ofLiteral("192.0.2.2"), 51060), direct.load().socks5());
        assertNull(direct.comparedWith());

        for (Benchmarkable.Setup s : setups) {
            assertEquals(List.of("ip", "addr", "add", "203.0.113.26/32", "dev", "lo"), s.stepsB().get(0).command());
            Benchmarkable.Step dante = s.stepsB().get(1);
            assertTrue(dante.background());
            assertEquals(51060, dante.readyPort());
            assertEquals(List.of("danted", "-f", "%DIR%/danted.conf", "-p", "%DIR%/danted.pid"), dante.command());
            assertEquals(SocksBenchRows.dantedConf(network()), s.files().get("danted.conf"), "the same dante");
        }
    }

    /** The transport's own config reader takes the row's config as meant: nothing direct, the proxy in B. */
    @Test
    void socksConfigIsValidAndSendsEverythingThroughDante() throws Exception {
        String yaml = new SocksBenchRows().benchSetups(network()).getFirst().configA();
        ConfigDocument doc = ConfigDocument.parse(Path.of("a.cfg"), yaml);
        InterfaceSpec tun = doc.bind("/interface", InterfaceSpec.class);
        assertEquals("tnbs6", tun.name());
        assertTrue(tun.vnetHdr());
        assertEquals(List.of(Cidr.parse("198.18.0.25/30")), tun.addresses());
        assertEquals(Cidr.parse("203.0.113.26/32"), tun.routes().getFirst().destination());
        ConfigProblems problems = new ConfigProblems(doc);
        SocksSettings settings = SettingsCompiler.compile(doc.bind("/socks", SocksConfig.class), tun.addresses(),
                problems.at("/socks"));
        assertTrue(problems.isEmpty(), problems.list().toString());
        assertEquals(List.of(), settings.direct(), "203.0.113.0/24 is in the default direct list: the load would bypass dante");
        assertTrue(settings.proxy().contains("192.0.2.2:51060"), settings.proxy());
    }

    @Test
    void danteTakesOnlyAAndOnlyConnectsToTheTarget() {
        String conf = SocksBenchRows.dantedConf(network());
        assertTrue(conf.contains("internal: 192.0.2.2 port = 51060\nexternal: 192.0.2.2\n"), conf);
        assertTrue(conf.contains("client pass {\n  from: 192.0.2.1/32 to: 0.0.0.0/0\n}\n"), conf);
        assertTrue(conf.contains("socks pass {\n  from: 192.0.2.1/32 to: 203.0.113.26/32\n  command: connect\n"), conf);
        assertTrue(conf.contains("socksmethod: none\n"), conf);
    }

    @Test
    void rowsComeOutTheSameEveryTime() {
        assertEquals(new SocksBenchRows().benchSetups(network()), new SocksBenchRows().benchSetups(network()));
    }
}
