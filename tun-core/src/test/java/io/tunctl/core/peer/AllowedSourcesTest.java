package io.tunctl.core.peer;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.packet.Ipv4;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class AllowedSourcesTest {

    static int v4(String s) { return Ipv4.toInt(Cidr.parseAddress(s)); }

    @Test
    void eachPeerSendsOnlyFromItsPrefixes() {
        DropCounters drops = new DropCounters();
        AllowedSources<String> s = new AllowedSources<>(drops);
        s.allow("A", List.of(Cidr.parse("10.50.0.2/32"), Cidr.parse("10.60.0.0/24"), Cidr.parse("2001:db8::2/128")));
        s.allow("B", Cidr.parse("10.50.0.3/32"));
        s.allowAny("exit");
        assertTrue(s.allowedSourceIpv4("A", v4("10.50.0.2")));
        assertTrue(s.allowedSourceIpv4("A", v4("10.60.0.77")));
        assertFalse(s.allowedSourceIpv4("A", v4("10.50.0.3")), "B's address");
        assertTrue(s.allowedSourceIpv6("A", 0x20010db800000000L, 2));
        assertFalse(s.allowedSourceIpv6("A", 0x20010db800000000L, 3));
        assertFalse(s.allowedSourceIpv6("B", 0x20010db800000000L, 3), "B has no IPv6 prefix");
        assertTrue(s.allowedSourceIpv4("exit", v4("203.0.113.9")));
        assertTrue(s.allowedSourceIpv6("exit", -1, -1));
        assertFalse(s.allowedSourceIpv4("stranger", v4("10.50.0.2")), "an unknown peer may send nothing");
        assertEquals(0, drops.spoofedSource(), "checks do not count");

        assertTrue(s.admitIpv4("B", v4("10.50.0.3")));
        assertFalse(s.admitIpv4("B", v4("10.50.0.2")));
        assertFalse(s.admitIpv6("B", 0, 1));
        assertEquals(2, drops.spoofedSource());
        assertEquals(0, drops.noRoute());

        assertTrue(s.disallow("A", Cidr.parse("10.60.0.0/24")));
        assertFalse(s.disallow("A", Cidr.parse("10.60.0.0/24")));
        assertFalse(s.allowedSourceIpv4("A", v4("10.60.0.77")));
        assertEquals(List.of(Cidr.parse("10.50.0.2/32"), Cidr.parse("2001:db8::2/128")), s.allowed("A"));
        s.removePeer("A");
        assertFalse(s.allowedSourceIpv4("A", v4("10.50.0.2")));
        assertEquals(List.of(), s.allowed("A"));
    }

    @Test
    void packetsBySourceAddress() {
        AllowedSources<String> s = new AllowedSources<>();
        s.allow("A", Cidr.parse("192.0.2.0/24"));
        s.allow("A", Cidr.parse("2001:db8::/64"));
        byte[] p4 = new byte[32];
        p4[12] = 0x45; // behind a 12-byte frame header
        System.arraycopy(Cidr.parseAddress("192.0.2.9"), 0, p4, 12 + 12, 4);
        assertTrue(s.admit("A", MemorySegment.ofArray(p4), 12));
        p4[12 + 12] = (byte) 198;
        assertFalse(s.allowedSource("A", MemorySegment.ofArray(p4), 12));
        assertFalse(s.admit("A", MemorySegment.ofArray(p4), 12));
        byte[] p6 = new byte[40];
        p6[0] = 0x60;
        System.arraycopy(Cidr.parseAddress("2001:db8::77"), 0, p6, 8, 16);
        assertTrue(s.admit("A", MemorySegment.ofArray(p6), 0));
        p6[0] = 0x70;
        assertFalse(s.allowedSource("A", MemorySegment.ofArray(p6), 0), "neither IPv4 nor IPv6");
        assertEquals(1, s.drops().spoofedSource());
    }

    @Test
    void tableAddsAndRemovesAPeerWhole() {
        PeerTable<String> t = new PeerTable<>();
        t.addPeer("A", List.of(Cidr.parse("10.60.0.0/24")), List.of(Cidr.parse("10.50.0.2/32"), Cidr.parse("10.60.0.0/24")));
        t.addPeer("B", List.of(Cidr.parse("10.60.0.0/24"), Cidr.parse("10.70.0.0/24")), List.of(Cidr.parse("10.50.0.3/32")));
        assertEquals("A", t.routes().lookupIpv4(v4("10.60.0.1")));
        assertEquals("B", t.routes().lookupIpv4Except(v4("10.60.0.1"), "A"));
        assertTrue(t.sources().admitIpv4("A", v4("10.60.0.1")));
        t.removePeer("A");
        assertEquals("B", t.routes().lookupIpv4(v4("10.60.0.1")));
        assertFalse(t.sources().admitIpv4("A", v4("10.60.0.1")));
        assertEquals(1, t.drops().spoofedSource());
        assertSame(t.drops(), t.sources().drops());
        DropCounters kept = t.drops();
        assertSame(kept, new PeerTable<String>(kept).drops(), "a new table can keep counting where the old one did");
    }
}
