package io.tunctl.core.config;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.runtime.TunnelConfig;
import io.tunctl.core.spi.InterfaceSpec;
import io.tunctl.core.spi.RouteSpec;
import io.tunctl.core.spi.RuleSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code interface} section as config loading binds it (the SPI types carry no Jackson annotations): valid
 * files give the values meant, and each failure reason, one resource file each, is reported at
 * {@code file:line:col: field}.
 */
class InterfaceSectionTest {

    static Path resource(String name) {
        try {
            return Path.of(InterfaceSectionTest.class.getResource("/config/interface/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    /** Binds and validates the section as {@code tunctl} does. */
    static InterfaceSpec load(Path file) throws ConfigException {
        ConfigDocument doc = ConfigDocument.read(file);
        InterfaceSpec spec = doc.bind("/interface", InterfaceSpec.class);
        ConfigProblems problems = new ConfigProblems(doc);
        TunnelConfig.validateInterface(spec, problems.at("/interface"));
        problems.throwIfAny();
        return spec;
    }

    @Test
    void everySelectorInYaml() throws ConfigException {
        List<RuleSpec> rules = load(resource("ok-rules.yaml")).rules();
        assertEquals(5, rules.size());
        assertEquals(new RuleSpec(4, 0x51820, null, 51820, 100, true), rules.get(0));
        assertEquals(RuleSpec.builder(4, 254).suppressPrefixLength(0).priority(99).build(), rules.get(1));
        assertEquals(RuleSpec.builder(4, 1000).from(Cidr.parse("192.0.2.0/24")).to(Cidr.parse("198.51.100.0/24"))
                .iif("lo").oif("eth0").ipProto(6).sport(new RuleSpec.PortRange(1024, 2048))
                .dport(RuleSpec.PortRange.of(443)).uidRange(new RuleSpec.UidRange(1000, 1999)).build(), rules.get(2));
        assertEquals(RuleSpec.builder(6, 7).ipProto(58).to(Cidr.parse("2001:db8::/32")).fwmark(1, 0xffL).build(),
                rules.get(3));
        assertEquals(RuleSpec.builder(4, 8).ipProto(17).dport(RuleSpec.PortRange.of(53))
                .uidRange(RuleSpec.UidRange.of(0)).build(), rules.get(4));
    }

    @Test
    void everySelectorInJsonc() throws ConfigException {
        List<RuleSpec> rules = load(resource("ok-rules.json")).rules();
        assertEquals(new RuleSpec(4, 0x51820, 0xffffffffL, 51820, null, false), rules.get(0));
        assertEquals(RuleSpec.builder(4, 9).ipProto(17).sport(new RuleSpec.PortRange(1000, 2000))
                .dport(RuleSpec.PortRange.of(53)).uidRange(RuleSpec.UidRange.of(1000)).oif("tun0")
                .suppressPrefixLength(24).build(), rules.get(1));
    }

    @Test
    void routesAddressesAndOffloadBindWithoutAnnotations() throws ConfigException {
        ConfigDocument doc = ConfigDocument.parse(Path.of("t.yaml"), """
                interface:
                  name: tun3
                  mtu: 1400
                  offload: true
                  queues: 2
                  io: auto
                  addresses: [198.51.100.1/24, "2001:db8:1::1/64"]
                  routes: [198.51.100.128/25, {to: 203.0.113.9/24, via: 198.51.100.9, metric: 5, table: 100}]
                """);
        InterfaceSpec s = doc.bind("/interface", InterfaceSpec.class);
        assertEquals(new InterfaceSpec("tun3", 1400, List.of(Cidr.parse("198.51.100.1/24"),
                Cidr.parse("2001:db8:1::1/64")), List.of(RouteSpec.parse("198.51.100.128/25"),
                new RouteSpec(Cidr.parse("203.0.113.0/24"), "198.51.100.9", 5, 100)), List.of(), true, 2, "auto"), s);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigDocument.parse(Path.of("t.yaml"),
                "interface: {vnetHdr: true}").bind("/interface", InterfaceSpec.class));
        assertEquals("t.yaml:1:13: interface.vnetHdr: unknown field 'vnetHdr' (known: addresses, io, mtu, name,"
                + " offload, queues, routes, rules)", e.problems().getFirst().toString());
        e = assertThrows(ConfigException.class, () -> ConfigDocument.parse(Path.of("t.yaml"),
                "interface: {routes: [{destination: 192.0.2.0/24}]}").bind("/interface", InterfaceSpec.class));
        assertTrue(e.problems().getFirst().toString().startsWith(
                "t.yaml:1:23: interface.routes[0].destination: unknown field 'destination' (known: metric, table,"
                        + " to, via)"), e.problems().toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "rule-dport-order.yaml          | 5:14: interface.rules[0].dport: port range 2000-1000 ends before it starts",
            "rule-sport-range.yaml          | 3:40: interface.rules[0].sport: port 65535 out of range: a rule matches ports 1..65534",
            "rule-uidrange-order.yaml       | 4:17: interface.rules[0].uidrange: uid range 2000-1000 ends before it starts",
            "rule-uidrange-syntax.yaml      | 4:17: interface.rules[0].uidrange: bad uid range 'root' (want N or N-M)",
            "rule-unknown-protocol.yaml     | 4:16: interface.rules[0].ipproto: unknown protocol 'tcpp' (a number 1..255 or one of [ah, esp, gre, icmp, igmp, ipv6, ipv6-icmp, sctp, tcp, udp, udplite])",
            "rule-protocol-number.yaml      | 4:16: interface.rules[0].ipproto: ipproto 300 out of range 1..255",
            "rule-prefix-family.yaml        | 5:11: interface.rules[0].to: to 2001:db8::/32 is IPv6 but the rule is IPv4",
            "rule-missing-table.yaml        | 3:7: interface.rules[0].table: a rule needs 'table' (1..4294967295)",
            "rule-bad-family.yaml           | 3:15: interface.rules[0].family: family must be 4 or 6",
            "rule-fwmark-bits.yaml          | 4:15: interface.rules[0].fwmark: fwmark is 32 bits (0..0xffffffff), not 4294967296",
            "rule-mask-without-fwmark.yaml  | 4:13: interface.rules[0].mask: mask needs fwmark",
            "rule-unknown-field.yaml        | 4:7: interface.rules[0].dports: unknown field 'dports' (known: dport, family, from, fwmark, iif, invert, ipproto, mask, oif, priority, sport, suppress_prefixlength, table, to, uidrange)",
            "rule-bad-interface.yaml        | 4:12: interface.rules[0].iif: iif 'eth0/1' is not an interface name",
            "rule-suppress-prefixlength.yaml | 4:30: interface.rules[0].suppress_prefixlength: suppress_prefixlength must be 0..32 for IPv4, not 33",
            "rule-invert-not-boolean.yaml   | 5:15: interface.rules[0].invert: invert must be true or false",
            "rule-bad-table.yaml            | 4:14: interface.rules[0].table: table must be 1..4294967295 or main, default, local, not \"mian\""})
    void brokenRulesNameFileLineColumnAndField(String file, String expected) {
        Path p = resource(file);
        ConfigException e = assertThrows(ConfigException.class, () -> load(p));
        String first = e.problems().getFirst().toString();
        assertTrue(first.startsWith(p + ":" + expected), "got: " + first);
    }
}
