package io.tunctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tunctl.core.runtime.Transports;
import io.tunctl.core.runtime.TunnelConfig;
import io.tunctl.core.spi.InterfaceSpec;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** nano-tun's flags on {@code tunctl up}: merged over a nano-tun file, a unified file, or nothing. */
class SocksFlagsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Loaded(TunnelConfig tc, JsonNode config) {
        InterfaceSpec tun() throws Exception {
            return (InterfaceSpec) tc.config().getClass().getMethod("tunInterface").invoke(tc.config());
        }
    }

    private static Loaded load(String... args) throws Exception {
        UpCommand up = new UpCommand();
        new CommandLine(up).parseArgs(args);
        TunnelConfig tc = TunnelConfig.of(up.document(), Transports.load());
        return new Loaded(tc, JSON.valueToTree(tc.config()));
    }

    private static String resource(String name) {
        try {
            return Path.of(SocksFlagsTest.class.getResource("/nanotun/" + name).toURI()).toString();
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> texts(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    @Test
    void flagsAloneAreNanoTunsDefaultsPlusTheFlags() throws Exception {
        Loaded l = load("--transport", "socks", "--proxy", "127.0.0.1:1080", "--tun", "nt0", "--mtu", "1400",
                "--auto-route", "--exclude", "a", "--exclude", "B.exe", "--exclude-ip", "192.0.2.1",
                "--udp-timeout", "30s", "--log-level", "debug", "--log-dir", "/tmp/x", "--stack", "simple");
        assertEquals("socks", l.tc().provider().name());
        JsonNode c = l.config();
        assertEquals("socks5://127.0.0.1:1080", c.path("proxy").asText());
        assertTrue(c.path("autoRoute").asBoolean());
        assertEquals(List.of("a", "b"), texts(c.at("/exclude/processes")));
        assertEquals(List.of("reserved", "192.0.2.1/32"), texts(c.path("direct")));
        assertEquals("30s", c.at("/timeouts/udpIdle").asText());
        assertEquals("debug", c.at("/log/level").asText());
        assertEquals("/tmp/x", c.at("/log/dir").asText());
        assertEquals("nt0", l.tun().name());
        assertEquals(1400, l.tun().mtu());
    }

    @Test
    void withNoFileTheDefaultsAreNanoTuns() throws Exception {
        Loaded l = load("--transport", "socks", "--proxy", "socks5://127.0.0.1:1080");
        assertEquals("nano0", l.tun().name());
        assertEquals(1500, l.tun().mtu());
        assertEquals("logs", l.config().at("/log/dir").asText());
        assertFalse(l.config().path("autoRoute").asBoolean());
    }

    @Test
    void typedFlagsOverrideANanoTunFileAndCanResetToFalseOrZero() throws Exception {
        Loaded file = load("--config", resource("nano.yaml"));
        assertTrue(file.config().path("autoRoute").asBoolean());
        assertEquals(9000, file.tun().mtu());
        Loaded l = load("--config", resource("nano.yaml"), "--auto-route=false", "--mtu", "0", "--exclude", "z",
                "--udp-timeout", "0", "--exclude-ip", "198.51.100.0/24");
        JsonNode c = l.config();
        assertFalse(c.path("autoRoute").asBoolean(), "--auto-route=false turns the file's true off");
        assertEquals(1500, l.tun().mtu(), "--mtu 0 is the default");
        assertEquals(List.of("z"), texts(c.at("/exclude/processes")), "a list flag replaces the file's list");
        assertEquals(List.of("reserved", "198.51.100.0/24"), texts(c.path("direct")));
        assertTrue(c.at("/timeouts/udpIdle").isNull() || c.at("/timeouts/udpIdle").isMissingNode(), "0: the default");
        assertEquals("warn", c.at("/log/level").asText(), "untouched values stay");
        assertEquals("nano0", l.tun().name());
    }

    @Test
    void typedFlagsOverrideAUnifiedSocksFile() throws Exception {
        Loaded l = load("--config", resource("unified.yaml"), "--tun", "nt1", "--auto-route=false",
                "--exclude-ip", "198.51.100.0/24", "--stack", "gvisor", "--udp-timeout", "0s", "--proxy", "10.1.1.1:1");
        JsonNode c = l.config();
        assertEquals("nt1", l.tc().interfaceSpec().name());
        assertTrue(l.tc().interfaceSpec().addresses().isEmpty(), "the provider gives a section without addresses its own");
        assertFalse(c.path("autoRoute").asBoolean());
        assertEquals(List.of("reserved", "198.51.100.0/24"), texts(c.path("direct")));
        assertEquals("system", c.path("stack").asText());
        assertTrue(c.at("/timeouts/udpIdle").isNull(), "0s removes the key: the default 1m applies");
        assertEquals("socks5://10.1.1.1:1", c.path("proxy").asText());
    }

    @Test
    void thePositionalConfigStillWorksAndFlagsApplyToItToo() throws Exception {
        Loaded l = load(resource("unified.yaml"));
        assertTrue(l.config().path("autoRoute").asBoolean());
        assertEquals("2m", l.config().at("/timeouts/udpIdle").asText());
    }

    @Test
    void aBadFlagValueIsAUsageErrorNamingTheFlag() {
        var r = ValidateCommandTest.run("up", "--transport", "socks", "--proxy", "127.0.0.1:1", "--mtu", "-1");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("mtu: a negative MTU is not allowed (given by --mtu)"), r.err());
        var bad = ValidateCommandTest.run("up", "--config", resource("nano.yaml"), "--exclude-ip", "nope");
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("excludedIPs[0]: not an IP address or CIDR: 'nope' (given by --exclude-ip)"), bad.err());
    }

    @Test
    void usageErrors() {
        assertEquals(2, ValidateCommandTest.run("up", "--transport", "socks", "--no-such-flag").code());
        var noProxy = ValidateCommandTest.run("up", "--transport", "socks", "--tun", "x");
        assertEquals(2, noProxy.code());
        assertTrue(noProxy.err().contains("proxy address is required"), noProxy.err());
        assertEquals(2, ValidateCommandTest.run("up").code());
        assertEquals(2, ValidateCommandTest.run("up", "--transport", "udp", "--proxy", "x").code());
        assertEquals(2, ValidateCommandTest.run("up", resource("nano.yaml"), "--config", resource("nano.yaml")).code());
    }

    @Test
    void zeroDurations() {
        for (String z : List.of("0", "0s", "0m0s", "0.0h")) assertTrue(SocksFlags.zero(z), z);
        for (String nz : List.of("1s", "0m1s", "10ms")) assertFalse(SocksFlags.zero(nz), nz);
    }
}
