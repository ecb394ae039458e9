package io.tunctl.core.tun;

import io.tunctl.core.netlink.Rtnetlink;
import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.InterfaceSpec;
import io.tunctl.core.spi.RouteSpec;
import io.tunctl.core.spi.RuleSpec;
import io.tunctl.core.testkit.Netns;
import io.tunctl.core.testkit.Root;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Configures TUN interfaces through netlink in a namespace of its own and checks them with {@code ip}. */
class LinuxInterfaceIT {
    private Netns ns;
    private NetworkNamespace netns;

    @BeforeEach
    void setUp() {
        Root.require();
        ns = Netns.create("tn-tun");
        netns = NetworkNamespace.named(ns.name());
    }

    @AfterEach
    void tearDown() {
        if (ns != null) ns.close();
    }

    private static void assertContains(String haystack, String regex) {
        assertTrue(Pattern.compile(regex, Pattern.MULTILINE).matcher(haystack).find(),
                "expected /" + regex + "/ in:\n" + haystack);
    }

    private static void assertLacks(String haystack, String regex) {
        assertFalse(Pattern.compile(regex, Pattern.MULTILINE).matcher(haystack).find(),
                "unexpected /" + regex + "/ in:\n" + haystack);
    }

    private String rules() {
        return ns.ip("-4", "rule") + ns.ip("-6", "rule");
    }

    @Test
    void configuresEverythingAndUndoesItOnClose() throws IOException {
        RuleSpec rule4 = new RuleSpec(4, 0x51820, null, 1000, null, true);
        RuleSpec rule6 = new RuleSpec(6, 0x1, 0xffL, 1000, 1234, false);
        InterfaceSpec spec = new InterfaceSpec("tnl0", 1400,
                List.of(Cidr.parse("192.0.2.1/24"), Cidr.parse("2001:db8:1::1/64")),
                List.of(RouteSpec.parse("198.51.100.0/24"),
                        new RouteSpec(Cidr.parse("203.0.113.0/24"), "192.0.2.254", 50, null),
                        RouteSpec.parse("2001:db8:2::/48"),
                        RouteSpec.parse("0.0.0.0/0").inTable(1000),
                        RouteSpec.parse("::/0").inTable(1000)),
                List.of(rule4, rule6), false, 1);
        LinuxInterface li = netns.call(() -> LinuxInterface.create(spec));
        try {
            assertEquals("tnl0", li.name());
            assertEquals(1400, li.device().mtu());
            String link = ns.ip("link", "show", "dev", "tnl0");
            assertContains(link, "mtu 1400");
            assertContains(link, "<[^>]*\\bUP\\b");
            String addr = ns.ip("addr", "show", "dev", "tnl0");
            assertContains(addr, "inet 192\\.0\\.2\\.1/24 ");
            assertContains(addr, "inet6 2001:db8:1::1/64 ");
            // iproute2 prints no "proto boot": it is the protocol it uses itself
            String routes = ns.ip("-4", "route", "show", "table", "all");
            assertContains(routes, "^198\\.51\\.100\\.0/24 dev tnl0 scope link");
            assertContains(routes, "^203\\.0\\.113\\.0/24 via 192\\.0\\.2\\.254 dev tnl0 metric 50");
            assertContains(routes, "^default dev tnl0 table 1000 scope link");
            String routes6 = ns.ip("-6", "route", "show", "table", "all");
            assertContains(routes6, "^2001:db8:2::/48 dev tnl0 metric 1024");
            assertContains(routes6, "^default dev tnl0 table 1000 metric 1024");
            String rules = rules();
            assertContains(rules, "^\\d+:\\s+not from all fwmark 0x51820 lookup 1000");
            assertContains(rules, "^1234:\\s+from all fwmark 0x1/0xff lookup 1000");

            // idempotent: adding what exists is a no-op, and does not duplicate the priority-less rule
            li.addAddress(Cidr.parse("192.0.2.1/24"));
            li.addRoute(new RouteSpec(Cidr.parse("203.0.113.0/24"), "192.0.2.254", 50, null));
            li.addRule(rule4);
            li.addRule(rule6);
            assertEquals(1, Pattern.compile("fwmark 0x51820").matcher(rules()).results().count(), rules());
            assertTrue(li.rtnetlink().ruleExists(rule4));
            assertTrue(li.rtnetlink().routeExists(li.index(), RouteSpec.parse("::/0").inTable(1000)));

            // later additions are recorded too
            li.addAddress(Cidr.parse("192.0.2.9/32"));
            li.addRoute(RouteSpec.parse("10.77.0.0/16"));
            assertContains(ns.ip("route"), "^10\\.77\\.0\\.0/16 dev tnl0");
        } finally {
            li.close();
        }
        li.close(); // idempotent
        assertFalse(ns.exec("ip", "link", "show", "dev", "tnl0").ok(), "interface gone");
        String routes = ns.ip("route", "show", "table", "all") + ns.ip("-6", "route", "show", "table", "all");
        assertLacks(routes, "tnl0");
        assertLacks(routes, "table 1000");
        String rules = rules();
        assertLacks(rules, "0x51820");
        assertLacks(rules, "lookup 1000");
    }

    private int count(String haystack, String regex) {
        return (int) Pattern.compile(regex, Pattern.MULTILINE).matcher(haystack).results().count();
    }

    @Test
    void routesAndAddressesComeAndGoWhileRunning() throws IOException {
        try (LinuxInterface li = netns.call(() -> LinuxInterface.create(InterfaceSpec.of("tnr0", 1400,
                List.of(Cidr.parse("192.0.2.1/24"), Cidr.parse("2001:db8:1::1/64")))))) {
            RouteSpec net = RouteSpec.parse("198.51.100.0/24");
            RouteSpec dflt = RouteSpec.parse("0.0.0.0/0").inTable(1000);
            RouteSpec net6 = RouteSpec.parse("2001:db8:2::/48");
            li.addRoute(net);
            li.addRoute(dflt);
            li.addRoute(net6);
            li.addRoute(net6); // twice: one route, removed once
            assertContains(ns.ip("-4", "route", "show", "table", "all"), "^198\\.51\\.100\\.0/24 dev tnr0");
            assertContains(ns.ip("-4", "route", "show", "table", "all"), "^default dev tnr0 table 1000");
            assertContains(ns.ip("-6", "route"), "^2001:db8:2::/48 dev tnr0");

            li.removeRoute(net);
            String routes = ns.ip("-4", "route", "show", "table", "all");
            assertLacks(routes, "^198\\.51\\.100\\.0/24");
            assertContains(routes, "^default dev tnr0 table 1000");
            li.removeRoute(net); // gone already: a no-op
            li.removeRoute(dflt);
            assertLacks(ns.ip("-4", "route", "show", "table", "all"), "table 1000");
            li.removeRoute(net6);
            assertLacks(ns.ip("-6", "route"), "2001:db8:2::");

            li.removeAddress(Cidr.parse("2001:db8:1::1/64"));
            String addr = ns.ip("addr", "show", "dev", "tnr0");
            assertLacks(addr, "2001:db8:1::1");
            assertContains(addr, "inet 192\\.0\\.2\\.1/24 ");
            li.removeAddress(Cidr.parse("2001:db8:1::1/64"));
            li.removeAddress(Cidr.parse("192.0.2.99/24")); // never there

            // a route removed while running and added back by someone else is not ours to remove on close
            li.addRoute(RouteSpec.parse("203.0.113.0/24").inTable(1001));
            li.removeRoute(RouteSpec.parse("203.0.113.0/24").inTable(1001));
            ns.ip("route", "add", "203.0.113.0/24", "dev", "lo", "table", "1001");

            li.setMtu(1300);
            assertContains(ns.ip("link", "show", "dev", "tnr0"), "mtu 1300 ");
            assertEquals(1300, li.device().mtu(), "the device's own MTU follows");
        }
        assertContains(ns.ip("route", "show", "table", "1001"), "^203\\.0\\.113\\.0/24 dev lo");
    }

    @Test
    void rulesWithEverySelectorComeAndGoWhileRunning() throws IOException {
        record Shown(RuleSpec rule, String asIpRulePrintsIt) {}
        List<Shown> shown = List.of(
                new Shown(RuleSpec.builder(4, 1000).priority(100).invert(true).fwmark(0x51820).build(),
                        "^100:\\s+not from all fwmark 0x51820 lookup 1000\\s*$"),
                new Shown(RuleSpec.builder(4, 254).priority(101).suppressPrefixLength(0).build(),
                        "^101:\\s+from all lookup main suppress_prefixlength 0\\s*$"),
                new Shown(RuleSpec.builder(4, 1001).priority(102).from(Cidr.parse("192.0.2.0/24"))
                        .to(Cidr.parse("198.51.100.0/24")).build(),
                        "^102:\\s+from 192\\.0\\.2\\.0/24 to 198\\.51\\.100\\.0/24 lookup 1001\\s*$"),
                new Shown(RuleSpec.builder(4, 1002).priority(103).ipProto(RuleSpec.parseIpProto("tcp"))
                        .sport(RuleSpec.PortRange.parse("1024-2048")).dport(RuleSpec.PortRange.of(443)).build(),
                        "^103:\\s+from all ipproto tcp sport 1024-2048 dport 443 lookup 1002\\s*$"),
                new Shown(RuleSpec.builder(4, 1003).priority(104).uidRange(RuleSpec.UidRange.parse("1000-1999"))
                        .build(), "^104:\\s+from all uidrange 1000-1999 lookup 1003\\s*$"),
                new Shown(RuleSpec.builder(4, 1004).priority(105).iif("lo").oif("tnx0").build(),
                        "^105:\\s+from all iif lo oif tnx0 lookup 1004\\s*$"),
                new Shown(RuleSpec.builder(4, 1005).priority(106).fwmark(0x10, 0xf0L).invert(true)
                        .ipProto(RuleSpec.parseIpProto("udp")).dport(RuleSpec.PortRange.parse("5000-5100")).build(),
                        "^106:\\s+not from all fwmark 0x10/0xf0 ipproto udp dport 5000-5100 lookup 1005\\s*$"),
                new Shown(RuleSpec.builder(6, 1006).priority(107).from(Cidr.parse("2001:db8:1::/64"))
                        .ipProto(RuleSpec.parseIpProto("ipv6-icmp")).build(),
                        "^107:\\s+from 2001:db8:1::/64 ipproto ipv6-icmp lookup 1006\\s*$"),
                new Shown(RuleSpec.builder(6, 254).priority(108).to(Cidr.parse("2001:db8:2::/48"))
                        .suppressPrefixLength(48).build(),
                        "^108:\\s+from all to 2001:db8:2::/48 lookup main suppress_prefixlength 48\\s*$"));
        try (LinuxInterface li = netns.call(() -> LinuxInterface.create(InterfaceSpec.of("tnx0", 1420, List.of())))) {
            for (Shown s : shown) {
                li.addRule(s.rule());
                assertContains(rules(), s.asIpRulePrintsIt());
                assertTrue(li.rtnetlink().ruleExists(s.rule()), s.rule().toString());
            }
            // removed one at a time, from the middle out: each goes, the others stay
            for (int i : new int[] {4, 0, 8, 2, 6, 1, 7, 3, 5}) {
                li.removeRule(shown.get(i).rule());
                String rules = rules();
                assertLacks(rules, shown.get(i).asIpRulePrintsIt());
                assertEquals(8 - count(rules, "^10[0-8]:"), List.of(4, 0, 8, 2, 6, 1, 7, 3, 5).indexOf(i),
                        "only that rule went:\n" + rules);
                li.removeRule(shown.get(i).rule()); // gone already: a no-op
            }

            // added twice, removed once; then someone else's equal rule is not ours to take on close
            RuleSpec plain = new RuleSpec(4, 0x7, null, 1007, null, false);
            li.addRule(plain);
            li.addRule(plain);
            assertEquals(1, count(rules(), "fwmark 0x7 lookup 1007"), rules());
            li.removeRule(plain);
            assertEquals(0, count(rules(), "fwmark 0x7 lookup 1007"), rules());
            ns.ip("rule", "add", "fwmark", "0x7", "lookup", "1007");

            // ours has no ipproto; the kernel's own delete would match the other rule first (lower priority)
            ns.ip("rule", "add", "priority", "50", "fwmark", "0x8", "ipproto", "udp", "lookup", "1008");
            RuleSpec ours = new RuleSpec(4, 0x8, null, 1008, null, false);
            li.addRule(ours);
            assertEquals(2, count(rules(), "fwmark 0x8 .*lookup 1008"), rules());
            li.removeRule(ours);
            assertContains(rules(), "^50:\\s+from all fwmark 0x8 ipproto udp lookup 1008");
            assertEquals(1, count(rules(), "fwmark 0x8 .*lookup 1008"), rules());
            li.addRule(ours); // and once more, for close to remove
        }
        String rules = rules();
        assertContains(rules, "from all fwmark 0x7 lookup 1007");
        assertContains(rules, "^50:\\s+from all fwmark 0x8 ipproto udp lookup 1008");
        assertEquals(1, count(rules, "lookup 1008"), rules);
        assertLacks(rules, "^10[0-8]:");
    }

    @Test
    void preexistingRuleIsLeftAlone() throws IOException {
        ns.ip("rule", "add", "fwmark", "0x99", "lookup", "1001");
        RuleSpec same = new RuleSpec(4, 0x99, null, 1001, null, false);
        try (LinuxInterface li = netns.call(() -> LinuxInterface.create(
                InterfaceSpec.of("tnp0", 1420, List.of()).withRules(List.of(same))))) {
            assertEquals(1, Pattern.compile("fwmark 0x99 ").matcher(rules()).results().count(), rules());
            assertTrue(li.index() > 0);
        }
        assertContains(rules(), "fwmark 0x99 lookup 1001"); // not ours: still there
    }

    @Test
    void kernelChosenNameWithAddress() throws IOException {
        try (LinuxInterface li = netns.call(() -> LinuxInterface.create(
                InterfaceSpec.of(null, 1280, List.of(Cidr.parse("2001:db8:5::1/64")))))) {
            assertTrue(li.name().matches("tun\\d+"), li.name());
            assertContains(ns.ip("addr", "show", "dev", li.name()), "inet6 2001:db8:5::1/64");
            assertContains(ns.ip("link", "show", "dev", li.name()), "mtu 1280");
        }
    }

    @Test
    void multiQueueInterface() throws IOException {
        InterfaceSpec spec = new InterfaceSpec("tnq0", 1500, List.of(Cidr.parse("192.0.2.1/24")), null, null, true, 3);
        try (LinuxInterface li = netns.call(() -> LinuxInterface.create(spec))) {
            assertEquals(3, li.queues().size());
            assertTrue(li.queues().stream().allMatch(q -> q.name().equals("tnq0") && q.acceptsGso()));
            assertContains(ns.ip("-d", "link", "show", "dev", "tnq0"), "multi_queue");
        }
        assertFalse(ns.exec("ip", "link", "show", "dev", "tnq0").ok());
    }

    @Test
    void failureHalfWayUndoesWhatWasDone() {
        InterfaceSpec spec = new InterfaceSpec("tnh0", 1400, List.of(Cidr.parse("192.0.2.1/24")),
                List.of(RouteSpec.parse("198.51.100.0/24"),
                        // the gateway is on no connected network: the kernel refuses
                        new RouteSpec(Cidr.parse("203.0.113.0/24"), "10.99.99.99", null, null)),
                List.of(), false, 1);
        NativeException e = assertThrows(NativeException.class, () -> netns.call(() -> LinuxInterface.create(spec)));
        assertTrue(e.getMessage().startsWith("RTM_NEWROUTE 203.0.113.0/24 via 10.99.99.99 dev tnh0: ENETUNREACH"),
                e.getMessage());
        assertFalse(ns.exec("ip", "link", "show", "dev", "tnh0").ok(), "interface removed after the failure");
        assertLacks(ns.ip("route", "show", "table", "all"), "198\\.51\\.100");
    }

    @Test
    void netlinkErrorsNameTheRequest() throws IOException {
        try (Rtnetlink rtnl = netns.call(Rtnetlink::open)) {
            NativeException e = assertThrows(NativeException.class, () -> rtnl.linkIndex("nosuchdev0"));
            assertEquals("ENODEV", e.errnoName());
            assertTrue(e.getMessage().startsWith("RTM_GETLINK dev nosuchdev0: ENODEV"), e.getMessage());
            assertTrue(rtnl.findLinkIndex("nosuchdev0").isEmpty());
            assertEquals(1, rtnl.linkIndex("lo"));
            assertEquals("lo", rtnl.linkName(1));
            assertTrue(rtnl.addresses(1).stream().anyMatch(a -> a.address().equals(Cidr.parse("127.0.0.1/8"))));
            assertFalse(rtnl.deleteAddress(1, Cidr.parse("192.0.2.200/32")), "deleting what is not there");
            assertTrue(rtnl.addAddress(1, Cidr.parse("192.0.2.200/32")));
            assertFalse(rtnl.addAddress(1, Cidr.parse("192.0.2.200/32")));
            assertTrue(rtnl.deleteAddress(1, Cidr.parse("192.0.2.200/32")));
        }
    }
}
