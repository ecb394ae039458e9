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
