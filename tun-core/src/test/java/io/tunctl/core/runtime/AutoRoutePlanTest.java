package io.tunctl.core.runtime;

import io.tunctl.core.netlink.RuleEntry;
import io.tunctl.core.packet.Cidr;
import io.tunctl.core.runtime.Nft;
import io.tunctl.core.spi.RouteSpec;
import io.tunctl.core.spi.RuleSpec;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AutoRoutePlanTest {
    static final InetAddress GW4 = InetAddress.ofLiteral("198.18.0.2"), GW6 = InetAddress.ofLiteral("fdfe:dcba:9876::2");

    @Test
    void wgQuickStyleRulesAndRoutesPerFamily() {
        AutoRoute.Plan p = AutoRoute.plan("socks0", 0x6e74, true, true, GW4, GW6, 32766, 1000);
        assertEquals(List.of(
                RuleSpec.builder(4, 254).priority(32764).suppressPrefixLength(0).build(),
                RuleSpec.builder(4, 0x6e74).priority(32765).invert(true).fwmark(0x6e74).build(),
                RuleSpec.builder(6, 254).priority(998).suppressPrefixLength(0).build(),
                RuleSpec.builder(6, 0x6e74).priority(999).invert(true).fwmark(0x6e74).build()), p.rules());
        assertEquals(List.of(new RouteSpec(Cidr.parse("0.0.0.0/0"), null, null, 0x6e74),
                new RouteSpec(Cidr.parse("::/0"), null, null, 0x6e74)), p.routes());
        assertEquals("ipv4 priority 32765 not from all fwmark 0x6e74 lookup 28276", p.rules().get(1).toString());
        assertEquals("ipv4 priority 32764 from all lookup 254 suppress_prefixlength 0", p.rules().get(0).toString());
    }

    @Test
    void dnsRedirectSkipsMarkedPacketsAndTheGatewayItself() {
        AutoRoute.Plan p = AutoRoute.plan("tun-x.1", 0x6e74, true, true, GW4, GW6, 32766, 32766);
        assertEquals(List.of(new Nft.Table("ip", "tunctl_tun_x_1"), new Nft.Table("ip6", "tunctl_tun_x_1")), p.nftTables());
        String s = p.nftScript();
        assertTrue(s.contains("type nat hook output priority -100; policy accept;"), s);
        assertTrue(s.contains("meta mark != 0x6e74 ip daddr != 198.18.0.2 udp dport 53 counter dnat to 198.18.0.2:53"), s);
        assertTrue(s.contains("meta mark != 0x6e74 ip daddr != 198.18.0.2 tcp dport 53 counter dnat to 198.18.0.2:53"), s);
        assertTrue(s.contains("meta mark != 0x6e74 ip6 daddr != fdfe:dcba:9876::2 udp dport 53 counter dnat to "
                + "[fdfe:dcba:9876::2]:53"), s);
        // an existing table of that name is replaced, not added to
        assertTrue(s.startsWith("table ip tunctl_tun_x_1 {}\ndelete table ip tunctl_tun_x_1\ntable ip tunctl_tun_x_1 {"), s);
    }

    @Test
    void onlyTheFamiliesTheTunHas() {
        AutoRoute.Plan p = AutoRoute.plan("t", 0x10, true, false, GW4, GW6, 32766, 32766);
        assertEquals(2, p.rules().size());
        assertTrue(p.rules().stream().allMatch(r -> r.family() == 4));
        assertEquals(List.of(new Nft.Table("ip", "tunctl_t")), p.nftTables());
        AutoRoute.Plan none = AutoRoute.plan("t", 0x10, true, true, null, null, 32766, 32766);
        assertEquals("", none.nftScript());
        assertEquals(List.of(), none.nftTables());
    }

    @Test
    void priorityGoesAboveTheHighestPlacedRuleButNotBelowOne() {
        RuleEntry local = entry(0), main = entry(32766), other = entry(500);
        assertEquals(500, AutoRoute.top(List.of(local, main, other)));
        assertEquals(32766, AutoRoute.top(List.of(local)));
        AutoRoute.Plan p = AutoRoute.plan("t", 0x10, true, false, null, null, 1, 1);
        assertEquals(1, p.rules().get(0).priority());
        assertEquals(2, p.rules().get(1).priority());
    }

    @Test
    void theMarkMustNameATable() {
        for (long bad : new long[] {0, 253, 254, 255, 0x1_0000_0000L}) {
            assertThrows(IllegalArgumentException.class, () -> AutoRoute.table(bad));
        }
        assertEquals(-1, AutoRoute.table(0xffff_ffffL)); // unsigned 32 bits, as the kernel takes it
    }

    private static RuleEntry entry(int priority) {
        return new RuleEntry(4, priority, false, 0, 0, null, null, null, null, null, null, null, null, null, 254, 1);
    }
}
