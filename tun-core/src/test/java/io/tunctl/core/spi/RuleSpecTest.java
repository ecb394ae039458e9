package io.tunctl.core.spi;

import io.tunctl.core.packet.Cidr;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RuleSpecTest {

    private static String rejected(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void printsAsIpRuleDoes() {
        RuleSpec r = RuleSpec.builder(4, 100).priority(10).invert(true).from(Cidr.parse("192.0.2.0/24"))
                .fwmark(0x51820).ipProto(17).dport(RuleSpec.PortRange.parse("5000-5010"))
                .uidRange(RuleSpec.UidRange.of(1000)).suppressPrefixLength(0).build();
        assertEquals("ipv4 priority 10 not from 192.0.2.0/24 fwmark 0x51820 uidrange 1000-1000 ipproto udp"
                + " dport 5000-5010 lookup 100 suppress_prefixlength 0", r.toString());
        assertEquals("ipv6 from all fwmark 0x1/0xff lookup 4294967295",
                new RuleSpec(6, 1, 0xffL, -1, null, false).toString());
    }

    @Test
    void fwmarkConstructorAndBuilderMakeEqualRules() {
        assertEquals(new RuleSpec(4, 0x64, null, 100, null, false), RuleSpec.builder(4, 100).fwmark(0x64).build());
        RuleSpec r = RuleSpec.builder(6, 7).oif("tun0").build();
        assertEquals(r, r.toBuilder().build());
        assertNull(r.fwmark(), "a rule may have no fwmark");
        assertEquals(5, r.withPriority(5).priority());
    }

    @Test
    void allPrefixesAreNoSelector() {
        assertNull(RuleSpec.builder(4, 1).from(Cidr.parse("0.0.0.0/0")).build().from());
        assertEquals(Cidr.parse("198.51.100.0/24"),
                RuleSpec.builder(4, 1).to(Cidr.parse("198.51.100.9/24")).build().to());
    }

    @Test
    void badValuesNameTheField() {
        assertEquals("family must be 4 or 6, not 5", rejected(() -> RuleSpec.builder(5, 1)));
        assertEquals("a rule needs 'table' (1..4294967295)", rejected(() -> RuleSpec.builder(4, 0)));
        assertEquals("from 2001:db8::/32 is IPv6 but the rule is IPv4",
                rejected(() -> RuleSpec.builder(4, 1).from(Cidr.parse("2001:db8::/32"))));
        assertEquals("to 192.0.2.0/24 is IPv4 but the rule is IPv6",
                rejected(() -> RuleSpec.builder(6, 1).to(Cidr.parse("192.0.2.0/24"))));
        assertEquals("port range 2000-1000 ends before it starts", rejected(() -> RuleSpec.PortRange.parse("2000-1000")));
        assertEquals("port 65535 out of range: a rule matches ports 1..65534",
                rejected(() -> RuleSpec.PortRange.parse("1-65535")));
        assertEquals("port 0 out of range: a rule matches ports 1..65534", rejected(() -> RuleSpec.PortRange.of(0)));
        assertEquals("bad port range 'http' (want N or N-M)", rejected(() -> RuleSpec.PortRange.parse("http")));
        assertEquals("uid range 10-5 ends before it starts", rejected(() -> RuleSpec.UidRange.parse("10-5")));
        assertEquals("uid 4294967295 out of range 0..4294967294", rejected(() -> RuleSpec.UidRange.of(0xffffffffL)));
        assertEquals("ipproto must be 1..255, not 0", rejected(() -> RuleSpec.builder(4, 1).ipProto(0)));
        assertTrue(rejected(() -> RuleSpec.parseIpProto("tcpp")).startsWith("unknown protocol 'tcpp' (a number"));
        assertEquals("ipproto must be 1..255, not 256", rejected(() -> RuleSpec.parseIpProto("256")));
        assertEquals("suppress_prefixlength must be 0..32 for IPv4, not 64",
                rejected(() -> RuleSpec.builder(4, 1).suppressPrefixLength(64)));
        assertEquals("fwmark is 32 bits (0..0xffffffff), not 4294967296",
                rejected(() -> new RuleSpec(4, 1L << 32, null, 1, null, false)));
        assertEquals("mask needs fwmark", rejected(() -> new RuleSpec(4, null, false, null, 1L, null, null, null,
                null, null, null, null, null, null, 1)));
        assertTrue(rejected(() -> RuleSpec.builder(4, 1).iif("a/b")).startsWith("iif 'a/b' is not an interface name"));
        assertTrue(rejected(() -> RuleSpec.builder(4, 1).oif("sixteen-chars-xx")).startsWith("oif 'sixteen-chars-xx'"));
    }

    @Test
    void protocolNamesAndNumbers() {
        assertEquals(6, RuleSpec.parseIpProto("tcp"));
        assertEquals(17, RuleSpec.parseIpProto("UDP"));
        assertEquals(1, RuleSpec.parseIpProto("icmp"));
        assertEquals(58, RuleSpec.parseIpProto("icmpv6"));
        assertEquals(58, RuleSpec.parseIpProto("ipv6-icmp"));
        assertEquals(132, RuleSpec.parseIpProto("132"));
        assertEquals("sctp", RuleSpec.ipProtoName(132));
        assertEquals("253", RuleSpec.ipProtoName(253));
    }
}
