package io.tunctl.core.peer;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.packet.Ipv4;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class PrefixSetTest {

    static int v4(String s) { return Ipv4.toInt(Cidr.parseAddress(s)); }

    @Test
    void membershipByLongestContainingPrefix() {
        PrefixSet s = PrefixSet.of(Cidr.parse("192.0.2.9/24"), Cidr.parse("198.51.100.7/32"), Cidr.parse("2001:db8:1::/48"));
        assertFalse(s.add(Cidr.parse("192.0.2.0/24")), "stored as the network");
        assertEquals(3, s.size());
        assertTrue(s.containsIpv4(v4("192.0.2.200")));
        assertTrue(s.containsIpv4(v4("198.51.100.7")));
        assertFalse(s.containsIpv4(v4("198.51.100.8")));
        assertFalse(s.containsIpv4(v4("203.0.113.1")));
        assertTrue(s.contains(Cidr.parseAddress("2001:db8:1:ffff::1")));
        assertFalse(s.contains(Cidr.parseAddress("2001:db8:2::1")));
        assertTrue(s.containsIpv6(0x20010db800010000L, 5));
        assertEquals(List.of(Cidr.parse("192.0.2.0/24"), Cidr.parse("198.51.100.7/32"), Cidr.parse("2001:db8:1::/48")),
                s.prefixes());
        assertTrue(s.remove(Cidr.parse("192.0.2.0/24")));
        assertFalse(s.remove(Cidr.parse("192.0.2.0/24")));
        assertFalse(s.containsIpv4(v4("192.0.2.200")));
        s.clear();
        assertTrue(s.isEmpty());
    }

    @Test
    void everythingAndNothing() {
        PrefixSet any = PrefixSet.of(Cidr.parse("0.0.0.0/0"), Cidr.parse("::/0"));
        assertTrue(any.containsIpv4(0));
        assertTrue(any.containsIpv4(-1));
        assertTrue(any.containsIpv6(-1, -1));
        PrefixSet none = new PrefixSet();
        assertFalse(none.containsIpv4(0));
        assertFalse(none.containsIpv6(0, 0));
    }

    @Test
    void sourceOfAPacket() {
        PrefixSet s = PrefixSet.of(Cidr.parse("192.0.2.0/24"), Cidr.parse("2001:db8::/64"));
        byte[] p4 = new byte[20];
        p4[0] = 0x45;
        System.arraycopy(Cidr.parseAddress("192.0.2.5"), 0, p4, 12, 4);
        System.arraycopy(Cidr.parseAddress("203.0.113.1"), 0, p4, 16, 4);
        assertTrue(s.containsSource(MemorySegment.ofArray(p4), 0));
        p4[12] = (byte) 198;
        assertFalse(s.containsSource(MemorySegment.ofArray(p4), 0));
        byte[] p6 = new byte[40];
        p6[0] = 0x60;
        System.arraycopy(Cidr.parseAddress("2001:db8::5"), 0, p6, 8, 16);
        assertTrue(s.containsSource(MemorySegment.ofArray(p6), 0));
        p6[0] = 0x50;
        assertFalse(s.containsSource(MemorySegment.ofArray(p6), 0), "neither IPv4 nor IPv6");
    }
}
