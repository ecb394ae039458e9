package io.tunctl.transport.socks.config;

import io.tunctl.core.config.ConfigDocument;
import io.tunctl.core.config.ConfigException;
import io.tunctl.core.config.ConfigProblem;
import io.tunctl.core.config.ConfigProblems;
import io.tunctl.core.packet.Cidr;
import io.tunctl.core.runtime.Transports;
import io.tunctl.core.runtime.TunnelConfig;
import io.tunctl.transport.socks.SocksTransportProvider;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NanoTunFileTest {

    private static ConfigDocument resource(String name) throws Exception {
        try (InputStream in = NanoTunFileTest.class.getResourceAsStream("/nanotun/" + name)) {
            return ConfigDocument.parse(Path.of(name), new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private static SocksSettings compile(SocksConfig c) {
        ConfigProblems p;
        try {
            p = new ConfigProblems(ConfigDocument.parse(null, "{}"));
        } catch (ConfigException e) {
            throw new AssertionError(e);
        }
        SocksSettings s = SettingsCompiler.compile(c, c.tunInterface().addresses(), p);
        assertTrue(p.isEmpty(), p.list().toString());
        return s;
    }

    @Test
    void theReadmeExampleRunsAsItIs() throws Exception {
        SocksConfig c = NanoTunFile.recognise(resource("readme-example.yaml")).orElseThrow();
        assertEquals("nano0", c.tunInterface().name());
        assertEquals(1500, c.tunInterface().mtu());
        assertEquals(SettingsCompiler.DEFAULT_ADDRESSES, c.tunInterface().addresses());
        assertTrue(c.tunInterface().vnetHdr(), "offload on, as the socks default interface");
        assertEquals("system", c.stack(), "gvisor runs on the system engine");
        SocksSettings s = compile(c);
        assertEquals("socks5://127.0.0.1:1080", s.proxy());
        assertEquals(new InetSocketAddress("8.8.8.8", 53), s.dnsUpstream());
        assertTrue(s.autoRoute());
        assertEquals(Duration.ofMinutes(1), s.udpIdle());
        assertEquals(List.of("curl", "telegram"), s.excludeProcesses());
        assertEquals(Duration.ofSeconds(15), s.excludeRefresh());
        assertEquals("info", s.logLevel());
        assertEquals("logs", s.logDir());
        assertEquals(SocksSettings.RESERVED, s.direct());
    }

    @Test
    void everyFieldIsMapped() throws Exception {
        SocksConfig c = NanoTunFile.map(resource("every-field.yaml"));
        assertEquals("nt7", c.tunInterface().name());
        assertEquals(9000, c.tunInterface().mtu());
        SocksSettings s = compile(c);
        assertEquals("socks5://127.0.0.1:1081", s.proxy(), "no scheme: socks5:// in front");
        assertEquals(new InetSocketAddress("2001:4860:4860::8888", 5353), s.dnsUpstream());
        assertFalse(s.autoRoute());
        assertEquals(Duration.ofSeconds(90), s.udpIdle());
        assertEquals(List.of("firefox", "ssh"), s.excludeProcesses(), "normalised, de-duplicated, sorted");
        assertEquals(Duration.ofSeconds(5), s.excludeRefresh(), "a bare integer is nanoseconds");
        assertEquals("warn", s.logLevel());
        assertEquals("/var/log/nt", s.logDir());
        List<Cidr> extra = s.direct().subList(SocksSettings.RESERVED.size(), s.direct().size());
        assertEquals(SocksSettings.RESERVED, s.direct().subList(0, SocksSettings.RESERVED.size()), "reserved first");
        assertEquals(List.of(Cidr.parse("192.0.2.7/32"), Cidr.parse("198.51.100.0/24"), Cidr.parse("2001:db8::/64")),
                extra, "bare addresses as /32 or /128, CIDRs masked");
    }

    @Test
    void defaultsAndZeroes() throws Exception {
        SocksConfig c = NanoTunFile.map(ConfigDocument.parse(Path.of("n.yaml"),
                "proxy: 10.0.0.1:1080\nmtu: 0\nudpTimeout: 0\nexcludeRefresh: 0s\nlogLevel: chatty\n"));
        assertEquals(1500, c.tunInterface().mtu(), "0 keeps 1500");
        SocksSettings s = compile(c);
        assertEquals(SocksSettings.DEFAULT_UDP_IDLE, s.udpIdle());
        assertEquals(SocksSettings.DEFAULT_EXCLUDE_REFRESH, s.excludeRefresh());
        assertEquals("info", s.logLevel(), "an unknown level means info");
        assertEquals("logs", s.logDir());
        assertEquals(SocksSettings.DEFAULT_DNS, s.dnsUpstream());
        assertEquals("none", NanoTunFile.logLevel("silent"));
    }

    @Test
    void everyProblemIsReportedAtItsLineAndColumn() throws Exception {
        ConfigException e = assertThrows(ConfigException.class, () -> NanoTunFile.map(resource("errors.yaml")));
        List<ConfigProblem> ps = e.problems();
        String all = e.getMessage();
        assertProblem(ps, 1, 10, "tunName", "1-15 characters", all);
        assertProblem(ps, 2, 6, "mtu", "negative", all);
        assertProblem(ps, 3, 12, "stackMode", "unknown stackMode 'lwip'", all);
        assertProblem(ps, 4, 8, "proxy", "proxy address is required", all);
        assertProblem(ps, 5, 6, "dns", "host names are not allowed", all);
        assertProblem(ps, 6, 13, "udpTimeout", "negative", all);
        assertProblem(ps, 7, 17, "excludeRefresh", "duration", all);
        assertProblem(ps, 8, 29, "excludedIPs[1]", "not-an-ip", all);
        assertProblem(ps, 9, 19, "autoDefaultRoute", "true or false", all);
        assertEquals(9, ps.size(), all);
        assertTrue(all.startsWith("errors.yaml:"), all);
    }

    private static void assertProblem(List<ConfigProblem> ps, int line, int col, String field, String text, String all) {
        assertTrue(ps.stream().anyMatch(p -> p.line() == line && p.column() == col && p.field().equals(field)
                && p.reason().contains(text)), "want " + line + ":" + col + " " + field + " '" + text + "' in\n" + all);
    }

    @Test
    void aProxyWithABadSchemeIsLocated() throws Exception {
        ConfigException e = assertThrows(ConfigException.class, () -> NanoTunFile.map(
                ConfigDocument.parse(Path.of("n.yaml"), "tunName: x\nproxy: gopher://h:1\n")));
        assertEquals(2, e.problems().getFirst().line(), e.getMessage());
    }

    @Test
    void recognisedOnlyWithoutTransportAndWithANanoTunKey() throws Exception {
        assertTrue(NanoTunFile.recognise(ConfigDocument.parse(Path.of("n.yaml"), "proxy: 1.2.3.4:1080\n")).isPresent());
        ConfigException noProxy = assertThrows(ConfigException.class, () -> NanoTunFile.recognise(
                ConfigDocument.parse(Path.of("n.yaml"), "tunName: x\n")), "without proxy still nano-tun's, so its error");
        assertTrue(noProxy.getMessage().contains("proxy address is required"), noProxy.getMessage());
        assertTrue(NanoTunFile.recognise(ConfigDocument.parse(Path.of("n.yaml"), "mtu: 1400\ndns: 1.1.1.1\n")).isEmpty());
        assertTrue(NanoTunFile.recognise(ConfigDocument.parse(Path.of("n.yaml"),
                "transport: socks\nsocks: {proxy: socks5://1.2.3.4:1}\n")).isEmpty());
        assertTrue(NanoTunFile.recognise(ConfigDocument.parse(Path.of("n.json"), "[{\"a\": 1}]")).isEmpty());
    }

    @Test
    void tunnelConfigLoadsANanoTunFileThroughTheProvider() throws Exception {
        TunnelConfig tc = TunnelConfig.of(resource("every-field.yaml"), Transports.of(List.of(new SocksTransportProvider())));
        assertEquals("socks", tc.provider().name());
        assertNull(tc.interfaceSpec(), "the interface travels in the config, not the context");
        assertEquals("nt7", ((SocksConfig) tc.config()).tunInterface().name());
    }

    @Test
    void theInterfaceCannotBeSetFromTheUnifiedSection() throws Exception {
        SocksConfig c = ConfigDocument.parse(Path.of("u.yaml"),
                "transport: socks\nsocks:\n  proxy: socks5://h:1\n  tunInterface: {name: x}\n")
                .bind("/socks", SocksConfig.class);
        assertNull(c.tunInterface(), "the interface section says it there");
    }
}
