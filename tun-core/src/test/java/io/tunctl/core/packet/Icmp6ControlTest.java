package io.tunctl.core.packet;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static io.tunctl.core.packet.ChecksumTest.concat;
import static io.tunctl.core.packet.TestPackets.*;
import static org.junit.jupiter.api.Assertions.*;

class Icmp6ControlTest {
    /** Hop-by-hop header with the Router Alert option (MLD), next header ICMPv6. */
    static final String HBH_ROUTER_ALERT = "3a00050200000100";

    static byte[] behindRouterAlert(String icmp) {
        byte[] p = ipv6(0, concat(hex(HBH_ROUTER_ALERT), hex(icmp)));
        System.arraycopy(Cidr.parseAddress("ff02::16"), 0, p, 24, 16);
        return p;
    }

    @Test
    void mldReportsAndDoneBehindTheirHopByHopHeader() {
        // MLDv2 report with one record (change to exclude, ff02::fb), as a host sends when joining mDNS
        byte[] v2 = behindRouterAlert("8f0000000000000104000000ff0200000000000000000000000000fb");
        assertTrue(Icmp6Control.isMldReport(seg(v2), 0, v2.length));
        assertEquals(143, Icmp6Control.icmpType(seg(v2), 0, v2.length));
        byte[] v1 = behindRouterAlert("8300000000000000" + "ff0200000000000000000000000000fb");
        assertTrue(Icmp6Control.isMldReport(seg(v1), 0, v1.length));
        byte[] done = behindRouterAlert("8400000000000000" + "ff0200000000000000000000000000fb");
        assertTrue(Icmp6Control.isMldReport(seg(done), 0, done.length));
        byte[] query = behindRouterAlert("820000000000000000000000000000000000000000000000");
        assertFalse(Icmp6Control.isMldReport(seg(query), 0, query.length));
        assertFalse(Icmp6Control.isRouterSolicitation(seg(v2), 0, v2.length));
    }

    @Test
    void routerSolicitation() {
        byte[] rs = ipv6(58, hex("8500000000000000"));
        System.arraycopy(Cidr.parseAddress("ff02::2"), 0, rs, 24, 16);
        withRefChecksum(rs);
        assertTrue(Icmp6Control.isRouterSolicitation(seg(rs), 0, rs.length));
        assertFalse(Icmp6Control.isMldReport(seg(rs), 0, rs.length));
        assertFalse(Icmp6Control.isRouterSolicitation(seg(hex(PING6_REQUEST)), 0, 72));
        assertEquals(128, Icmp6Control.icmpType(seg(hex(PING6_REQUEST)), 0, 72));
    }

    @Test
    void otherPacketsAndTruncationsAreNeither() {
        byte[] v2 = behindRouterAlert("8f0000000000000104000000ff0200000000000000000000000000fb");
        for (int cut = 0; cut <= 48; cut++) {
            assertEquals(-1, Icmp6Control.icmpType(seg(v2), 0, cut), "cut at " + cut);
        }
        assertEquals(143, Icmp6Control.icmpType(seg(v2), 0, 49));
        byte[] udp6 = withRefChecksum(ipv6(17, udp(1, 2, new byte[4])));
        assertEquals(-1, Icmp6Control.icmpType(seg(udp6), 0, udp6.length));
        byte[] ping4 = hex(PING4_REQUEST);
        assertFalse(Icmp6Control.isMldReport(seg(ping4), 0, ping4.length));
        byte[] fragment = ipv6(44, concat(hex("3a00000800000001"), hex("8f00000000000000")));
        assertEquals(-1, Icmp6Control.icmpType(seg(fragment), 0, fragment.length), "non-first fragment");
        byte[] lying = Arrays.copyOf(v2, v2.length);
        put16(lying, 4, 8); // payload length covers the hop-by-hop header only
        assertEquals(-1, Icmp6Control.icmpType(seg(lying), 0, lying.length));
    }
}
