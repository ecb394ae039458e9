package io.tunctl.core.packet;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import static io.tunctl.core.packet.TestPackets.*;
import static org.junit.jupiter.api.Assertions.*;

class RewriteTest {

    @Test
    void ipv4RewritesKeepEveryChecksumRight() {
        Random r = new Random(21);
        for (int n = 0; n < 1500; n++) {
            byte[] payload = pattern(r.nextInt(300), n);
            byte[] p = switch (n % 3) {
                case 0 -> ipv4(6, tcp(r.nextInt(65536), r.nextInt(65536), r.nextInt() & 0xffffffffL, 1, Tcp.ACK,
                        new byte[0], payload));
                case 1 -> ipv4(17, udp(r.nextInt(65536), r.nextInt(65536), payload));
                default -> ipv4(1, ChecksumTest.concat(hex("0800000012340001"), payload));
            };
            withRefChecksum(p);
            MemorySegment s = seg(p);
            int addr = r.nextInt();
            int port = r.nextInt(65536);
            switch (r.nextInt(4)) {
                case 0 -> Rewrite.ipv4Source(s, 0, p.length, addr);
                case 1 -> Rewrite.ipv4Destination(s, 0, p.length, addr);
                case 2 -> Rewrite.sourcePort(s, 0, p.length, port);
                default -> Rewrite.destinationPort(s, 0, p.length, port);
            }
            assertTrue(Checksum.verifyIpv4Header(s, 0), "IP header after rewrite " + n);
            assertTrue(Checksum.verifyTransport(s, 0, p.length), "transport after rewrite " + n);
            byte[] expect = withRefChecksum(p.clone());
            assertEquals(u16(expect, 20 + (n % 3 == 0 ? 16 : n % 3 == 1 ? 6 : 2)),
                    u16(p, 20 + (n % 3 == 0 ? 16 : n % 3 == 1 ? 6 : 2)), "same as recomputed " + n);
        }
    }

    @Test
    void ipv6RewritesIncludingIcmpv6() {
        Random r = new Random(22);
        for (int n = 0; n < 1500; n++) {
            byte[] payload = pattern(r.nextInt(300), n);
            byte[] p = switch (n % 3) {
                case 0 -> ipv6(6, tcp(r.nextInt(65536), 80, 5, 1, Tcp.ACK, new byte[0], payload));
                case 1 -> ipv6(17, udp(r.nextInt(65536), 53, payload));
                default -> ipv6(58, ChecksumTest.concat(hex("8000000012340001"), payload));
            };
            withRefChecksum(p);
            MemorySegment s = seg(p);
            long hi = r.nextLong(), lo = r.nextLong();
            switch (r.nextInt(3)) {
                case 0 -> Rewrite.ipv6Source(s, 0, p.length, hi, lo);
                case 1 -> Rewrite.ipv6Destination(s, 0, p.length, hi, lo);
                default -> Rewrite.destinationPort(s, 0, p.length, r.nextInt(65536));
            }
            assertTrue(Checksum.verifyTransport(s, 0, p.length), "after rewrite " + n);
        }
        byte[] p = withRefChecksum(ipv6(17, udp(1, 2, new byte[3])));
        Rewrite.ipv6Destination(seg(p), 0, p.length, 0x20010db800000000L, 7);
        assertEquals("2001:db8::7", Cidr.addressString(java.util.Arrays.copyOfRange(p, 24, 40)));
    }

    @Test
    void udpWithoutChecksumStaysWithout() {
        byte[] p = ipv4(17, udp(1, 2, pattern(20, 1)));
        MemorySegment s = seg(p);
        Rewrite.ipv4Destination(s, 0, p.length, 0x0a000001);
        Rewrite.sourcePort(s, 0, p.length, 999);
        assertEquals(0, Udp.checksum(s, 20));
        assertEquals(999, Udp.sourcePort(s, 20));
        assertEquals(0x0a000001, Ipv4.destination(s, 0));
        assertTrue(Checksum.verifyIpv4Header(s, 0));
    }

    @Test
    void capturedPingRewrittenStillVerifies() {
        byte[] p = hex(TCP4_RST);
        MemorySegment s = seg(p);
        Rewrite.ipv4Source(s, 0, p.length, Ipv4.toInt(V4_SRC));
        Rewrite.destinationPort(s, 0, p.length, 443);
        assertTrue(Checksum.verifyIpv4Header(s, 0));
        assertTrue(Checksum.verifyTransport(s, 0, p.length));
        assertEquals(443, Tcp.destinationPort(s, 20));
    }
}
