package io.tunctl.transport.socks.config;

import io.tunctl.core.config.ConfigDocument;
import io.tunctl.core.config.ConfigProblem;
import io.tunctl.core.config.ConfigProblems;
import io.tunctl.core.packet.Cidr;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SettingsCompilerTest {

    private static List<ConfigProblem> problems(String yaml, List<Cidr> tun) throws Exception {
        ConfigDocument doc = ConfigDocument.parse(Path.of("t.yaml"), yaml);
        SocksConfig c = doc.bind("/socks", SocksConfig.class);
        ConfigProblems p = new ConfigProblems(doc);
        SettingsCompiler.compile(c, tun, p.at("/socks"));
        return p.list();
    }

    private static SocksSettings settings(String yaml) throws Exception {
        ConfigDocument doc = ConfigDocument.parse(Path.of("t.yaml"), yaml);
        ConfigProblems p = new ConfigProblems(doc);
        SocksSettings s = SettingsCompiler.compile(doc.bind("/socks", SocksConfig.class), SettingsCompiler.DEFAULT_ADDRESSES, p.at("/socks"));
        assertTrue(p.isEmpty(), p.list().toString());
        return s;
    }

    @Test
    void defaultsAreNanoTunsWithTheGatewayNextToTheHost() throws Exception {
        SocksSettings s = settings("socks:\n  proxy: socks5://127.0.0.1:1080\n");
        assertEquals(List.of(InetAddress.getByName("198.18.0.2"), InetAddress.getByName("fdfe:dcba:9876::2")), s.gateway());
        assertEquals(Duration.ofSeconds(5), s.connectTimeout());
        assertEquals(Duration.ofMinutes(1), s.udpIdle());
        assertEquals(Duration.ZERO, s.tcpIdle());
        assertFalse(s.acceptFirst());
        assertEquals(0x6e74, s.mark());
        assertTrue(s.blockPorts().contains(445));
        assertTrue(s.direct().contains(Cidr.parse("2001:db8::/32")), "nano-tun's 2001:db8 mistake is fixed");
    }

    @Test
    void everyProblemIsReportedAtItsLine() throws Exception {
        List<ConfigProblem> ps = problems(String.join("\n",
                "socks:",
                "  proxy: ftp://x",
                "  stack: gvisor",
                "  handshake: sometimes",
                "  direct: [10.0.0.0/8, not-an-ip]",
                "  timeouts: { connect: 0s, udpIdle: 5 }",
                "  limits: { flows: 0 }",
                "  gateway: [198.18.0.1]",
                ""), SettingsCompiler.DEFAULT_ADDRESSES);
        String all = ps.toString();
        assertEquals(8, ps.size(), all);
        assertTrue(ps.stream().anyMatch(p -> p.line() == 2 && p.reason().contains("ftp")), all);
        assertTrue(ps.stream().anyMatch(p -> p.line() == 3 && p.reason().contains("unknown stack")), all);
        assertTrue(ps.stream().anyMatch(p -> p.line() == 5 && p.reason().contains("not-an-ip")), all);
        assertTrue(ps.stream().anyMatch(p -> p.line() == 8 && p.reason().contains("TUN's own address")), all);
        assertTrue(ps.stream().anyMatch(p -> p.reason().contains("missing unit")), all);
    }

    @Test
    void autoRouteNeedsAMarkThatNamesATable() throws Exception {
        for (String mark : new String[] {"0", "254"}) {
            List<ConfigProblem> ps = problems("socks:\n  proxy: socks5://127.0.0.1:1080\n  autoRoute: true\n  mark: " + mark
                    + "\n", SettingsCompiler.DEFAULT_ADDRESSES);
            assertEquals(1, ps.size(), ps.toString());
            assertTrue(ps.get(0).field().endsWith("autoRoute"), ps.toString());
        }
        assertEquals(List.of(), problems("socks:\n  proxy: socks5://127.0.0.1:1080\n  autoRoute: true\n  mark: 0\n"
                .replace("autoRoute: true", "autoRoute: false"), SettingsCompiler.DEFAULT_ADDRESSES));
    }

    @Test
    void aMissingProxyIsNamed() throws Exception {
        List<ConfigProblem> ps = problems("socks:\n  stack: system\n", SettingsCompiler.DEFAULT_ADDRESSES);
        assertEquals(1, ps.size());
        assertTrue(ps.getFirst().reason().contains("proxy address is required"));
    }

    @Test
    void aSlash31OrSlash32LeavesNoRoomForAGatewayUnlessGiven() throws Exception {
        List<ConfigProblem> ps = problems("socks:\n  proxy: socks5://127.0.0.1:1080\n", List.of(Cidr.parse("198.18.0.1/32")));
        assertTrue(ps.toString().contains("no room for a gateway"), ps.toString());
        assertNull(SettingsCompiler.plusOne(Cidr.parse("198.18.0.2/30")), ".3 is the broadcast");
        assertNotNull(SettingsCompiler.plusOne(Cidr.parse("198.18.0.1/30")));
    }
}
