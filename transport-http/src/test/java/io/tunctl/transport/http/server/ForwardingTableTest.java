package io.tunctl.transport.http.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tunctl.core.packet.Cidr;
import io.tunctl.core.peer.DropCounters;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** tapotun v1's forwarding rules (spec §3.4) on README example 3 (corp0). */
class ForwardingTableTest {
    static final ForwardingTable.Entry<String> A = new ForwardingTable.Entry<>("A", Cidr.parseAddress("10.50.0.2"), null,
            List.of(Cidr.parse("10.60.0.0/24"), Cidr.parse("10.61.0.0/24")), List.of(Cidr.parseAddress("192.168.100.10")));
    static final ForwardingTable.Entry<String> B = new ForwardingTable.Entry<>("B", Cidr.parseAddress("10.50.0.3"),
            Cidr.parse("2001:db8::3/64"), List.of(Cidr.parse("10.70.0.0/24"), Cidr.parse("10.60.0.128/25")), List.of());
    final ForwardingTable<String> t = new ForwardingTable<>(List.of(A, B),
            List.of(Cidr.parse("10.50.0.1/24"), Cidr.parse("10.50.0.254/24")), List.of(Cidr.parse("172.20.0.0/16")));

    static ForwardingTable.Decision<String> to(String c) { return new ForwardingTable.ToClient<>(c); }

    @Test
    void byClientAddressAndLongestRoute() {
        assertEquals(to("A"), t.route("10.50.0.1", "10.50.0.2", null));
        assertEquals(to("B"), t.route("10.50.0.1", "10.50.0.3", null));
        assertEquals(to("B"), t.route("10.50.0.2", "10.70.0.1", "A"));
        assertEquals(to("A"), t.route("10.50.0.1", "10.60.0.5", null));
        assertEquals(to("B"), t.route("10.50.0.1", "10.60.0.200", null), "the /25 of B beats the /24 of A");
        assertEquals(to("A"), t.route("10.50.0.1", "10.61.0.5", null));
        assertEquals(to("B"), t.route("2001:db8::1", "2001:db8::3", null));
    }

    @Test
    void unmatchedGoesToTheTunFromClientsAndIsDroppedFromTheTun() {
        assertInstanceOf(ForwardingTable.ToTun.class, t.route("10.50.0.2", "198.51.100.1", "A"));
        assertInstanceOf(ForwardingTable.Drop.class, t.route("10.50.0.1", "198.51.100.1", null));
    }

    @Test
    void theSenderIsSkipped() {
        // A sending to its own route: the entry is skipped, so the packet goes to the server TUN
        assertInstanceOf(ForwardingTable.ToTun.class, t.route("10.50.0.2", "10.61.0.1", "A"));
    }

    @Test
    void sourcePinning() {
        assertEquals(to("A"), t.route("192.168.100.10", "198.51.100.1", null), "from the TUN, pinned source goes to A");
        assertEquals(to("A"), t.route("192.168.100.10", "198.51.100.1", "B"), "from another client too");
        assertInstanceOf(ForwardingTable.ToTun.class, t.route("192.168.100.10", "10.50.0.1", "B"),
                "to the server's own address it falls through");
        assertInstanceOf(ForwardingTable.ToTun.class, t.route("192.168.100.10", "172.20.3.4", "B"),
                "to a top-level (local) route it falls through");
        assertEquals(to("A"), t.route("192.168.100.10", "172.20.3.4", null), "the local exception is for clients only");
    }

    static ForwardingTable.Entry<String> client(String name, String ip, String ip6, String... routes) {
        return new ForwardingTable.Entry<>(name, Cidr.parseAddress(ip), ip6 == null ? null : Cidr.parse(ip6 + "/64"),
                java.util.Arrays.stream(routes).map(Cidr::parse).toList(), List.of());
    }

    @Test
    void equalPrefixesGoToTheFirstClientInConfigOrderAndTheSenderIsSkipped() {
        ForwardingTable<String> f = new ForwardingTable<>(List.of(
                client("C", "10.50.0.4", null, "10.60.0.0/16", "10.80.0.0/24"),
                client("D", "10.50.0.5", null, "10.80.0.0/24"),
                client("E", "10.50.0.6", null, "10.80.0.0/24", "10.60.0.0/24")), List.of(), List.of());
        assertEquals(to("C"), f.route("10.50.0.1", "10.80.0.9", null), "config order among equal prefixes");
        assertEquals(to("D"), f.route("10.50.0.4", "10.80.0.9", "C"), "the sender's own entry is skipped: the next owner");
        assertEquals(to("C"), f.route("10.50.0.5", "10.80.0.9", "D"));
        assertEquals(to("E"), f.route("10.50.0.4", "10.60.0.9", "C"), "E's /24 beats C's /16");
        assertEquals(to("C"), f.route("10.50.0.6", "10.60.0.9", "E"), "E's own /24 is skipped: C's shorter /16");
        assertEquals(to("C"), f.route("10.50.0.5", "10.60.1.9", "D"));
        assertInstanceOf(ForwardingTable.ToTun.class, f.route("10.50.0.4", "10.60.1.9", "C"), "only the sender owns it");
        assertEquals(to("D"), f.route("10.50.0.4", "10.50.0.5", "C"));
    }

    @Test
    void ipv6ByLongestPrefixWithTheSenderSkipped() {
        ForwardingTable<String> f = new ForwardingTable<>(List.of(
                client("C", "10.50.0.4", "2001:db8:50::4", "2001:db8:60::/48"),
                client("D", "10.50.0.5", "2001:db8:50::5", "2001:db8::/32")), List.of(), List.of());
        assertEquals(to("C"), f.route("2001:db8:50::5", "2001:db8:50::4", "D"));
        assertEquals(to("C"), f.route("2001:db8:50::5", "2001:db8:60::1", "D"));
        assertEquals(to("D"), f.route("2001:db8:50::4", "2001:db8:60::1", "C"), "C skips its own /48: D's /32");
        assertEquals(to("D"), f.route("2001:db8:50::4", "2001:db8:77::1", null));
        assertInstanceOf(ForwardingTable.ToTun.class, f.route("2001:db8:50::5", "2001:db8:77::1", "D"));
        assertInstanceOf(ForwardingTable.Drop.class, f.route("2001:db8:50::1", "2001:db9::1", null));
        assertEquals(1, f.drops().noRoute(), "from the TUN with no client for it");
    }

    @Test
    void allowedSources() {
        assertTrue(t.allowedSource("B", "10.50.0.3"));
        assertTrue(t.allowedSource("B", "10.70.0.200"), "B's routes");
        assertTrue(t.allowedSource("B", "10.60.0.129"));
        assertTrue(t.allowedSource("B", "2001:db8::3"), "B's IPv6 address");
        assertFalse(t.allowedSource("B", "10.50.0.2"), "A's address");
        assertFalse(t.allowedSource("B", "10.60.0.1"), "A's route");
        assertFalse(t.allowedSource("B", "2001:db8::4"));
        assertFalse(t.allowedSource("B", "192.168.100.10"));
        for (String any : List.of("10.50.0.3", "198.51.100.1", "192.168.100.10", "2001:db8:ffff::1")) {
            assertTrue(t.allowedSource("A", any), "A lists sources: an exit, allowed " + any);
        }
        assertFalse(t.allowedSource("Z", "10.50.0.3"), "not a client");
    }

    @Test
    void admitReadsTheSourceFromTheFrameAndCountsSpoofing() {
        DropCounters drops = new DropCounters();
        ForwardingTable<String> f = new ForwardingTable<>(List.of(B), List.of(), List.of(), drops);
        ByteBuf v4 = Unpooled.buffer();
        v4.writeZero(12); // the frame's vnet header
        v4.writeByte(0x45).writeZero(11).writeBytes(Cidr.parseAddress("10.50.0.3")).writeBytes(Cidr.parseAddress("10.50.0.1"));
        assertTrue(f.admit("B", v4, 12));
        v4.setBytes(12 + 12, Cidr.parseAddress("10.50.0.2"));
        assertFalse(f.admit("B", v4, 12));
        ByteBuf v6 = Unpooled.buffer();
        v6.writeByte(0x60).writeZero(7).writeBytes(Cidr.parseAddress("2001:db8::3")).writeBytes(Cidr.parseAddress("2001:db8::1"));
        assertTrue(f.admit("B", v6, 0));
        v6.setByte(23, 2);
        assertFalse(f.admit("B", v6, 0));
        assertEquals(2, drops.spoofedSource());
        assertSame(drops, f.drops());
        assertTrue(f.admit("B", Unpooled.wrappedBuffer(new byte[] {0x45, 0, 0, 0}), 0), "too short: routing drops it");
        assertTrue(f.admit("B", Unpooled.wrappedBuffer(new byte[40]), 0), "not IP: routing drops it");
        assertEquals(2, drops.spoofedSource());
    }
}
