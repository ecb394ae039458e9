package io.tunctl.core.packet;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.*;

class CidrTest {

    @Test
    void parsesAndPrintsBothFamilies() {
        Cidr c = Cidr.parse(" 192.0.2.9/24 ");
        assertTrue(c.isIpv4());
        assertEquals(24, c.prefixLength());
        assertEquals("192.0.2.9/24", c.toString());
        assertEquals("192.0.2.0/24", c.network().toString());
        assertFalse(c.isNetwork());
        assertTrue(c.network().isNetwork());
        assertEquals("192.0.2.1/32", Cidr.parse("192.0.2.1").toString());
        Cidr v6 = Cidr.parse("2001:DB8:0:0:1:0:0:1/64");
        assertTrue(v6.isIpv6());
        assertEquals(10, v6.family());
        assertEquals("2001:db8::1:0:0:1/64", v6.toString());
        assertEquals("2001:db8::/64", v6.network().toString());
        assertEquals("::/0", Cidr.parse("::/0").toString());
        assertEquals("::1/128", Cidr.parse("::1").toString());
        assertEquals("2001:db8:0:1:1:1:1:1/128", Cidr.parse("2001:db8:0:1:1:1:1:1").toString());
        assertEquals("2001:0:0:1::1/128", Cidr.parse("2001:0:0:1:0:0:0:1").toString(), "longest zero run wins");
        assertEquals("2001:db8:0:1:1:1:1:0/128", Cidr.parse("2001:db8:0:1:1:1:1:0").toString(),
                "a single zero group is not shortened");
    }

    @Test
    void ipv4MappedAddressesStayIpv6() {
        Cidr m = Cidr.parse("::ffff:192.0.2.1/128");
        assertTrue(m.isIpv6());
        assertEquals(16, m.addressLength());
        assertEquals("::ffff:192.0.2.1/128", m.toString());
        assertEquals(m, Cidr.parse("::ffff:c000:201"));
        assertEquals("::ffff:0.0.0.0/96", Cidr.parse("::ffff:0:0/96").toString());
    }

    @Test
    void containment() {
        Cidr net = Cidr.parse("198.51.100.0/22");
        assertTrue(net.contains(Cidr.parseAddress("198.51.103.255")));
        assertFalse(net.contains(Cidr.parseAddress("198.51.104.0")));
        assertFalse(net.contains(Cidr.parseAddress("2001:db8::1")));
        assertTrue(net.contains(Cidr.parse("198.51.101.0/24")));
        assertFalse(net.contains(Cidr.parse("198.51.100.0/21")));
        assertTrue(Cidr.parse("0.0.0.0/0").contains(Cidr.parseAddress("203.0.113.5")));
        assertTrue(Cidr.parse("2001:db8::/33").contains(Cidr.parseAddress("2001:db8:7fff::1")));
        assertFalse(Cidr.parse("2001:db8::/33").contains(Cidr.parseAddress("2001:db8:8000::1")));
    }

    @Test
    void rejectsBadTextWithTheReason() {
        String[] bad = {"", " ", "192.0.2.1/", "192.0.2.1/33", "192.0.2.256", "192.0.2", "192.0.2.1.5", "1.2.3.x",
            "192.0.2.1/-1", "192.0.2.1/1a", "2001:db8::1/129", "2001:db8:::1", "1:2", "fe80::1%eth0", "example.com",
            ".:", "2001:db8::g"};
        for (String s : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(s), s);
            assertNotNull(e.getMessage(), s);
        }
        assertThrows(IllegalArgumentException.class, () -> Cidr.of(InetAddress.getByName("192.0.2.1"), 33));
    }

    @Test
    void orderingAndEquality() throws Exception {
        assertEquals(Cidr.parse("192.0.2.0/24"), Cidr.of(InetAddress.getByName("192.0.2.0"), 24));
        assertNotEquals(Cidr.parse("192.0.2.0/24"), Cidr.parse("192.0.2.0/25"));
        assertEquals(Cidr.parse("192.0.2.0/24").hashCode(), Cidr.parse("192.0.2.0/24").hashCode());
        assertTrue(Cidr.parse("10.0.0.0/8").compareTo(Cidr.parse("10.0.0.0/16")) < 0);
        assertTrue(Cidr.parse("255.0.0.0/8").compareTo(Cidr.parse("::/0")) < 0, "IPv4 sorts before IPv6");
        assertTrue(Cidr.parse("128.0.0.0/1").compareTo(Cidr.parse("1.0.0.0/8")) > 0, "unsigned byte order");
        byte[] copy = Cidr.parse("192.0.2.1").addressBytes();
        copy[0] = 0;
        assertEquals("192.0.2.1/32", Cidr.parse("192.0.2.1").toString());
        assertEquals("192.0.2.1", Cidr.parse("192.0.2.1/32").address().getHostAddress());
    }
}
