package io.tunctl.transport.http.server;

import io.tunctl.core.packet.Cidr;
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
}
