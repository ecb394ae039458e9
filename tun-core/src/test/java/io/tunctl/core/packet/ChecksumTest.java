package io.tunctl.core.packet;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

import static io.tunctl.core.packet.TestPackets.*;
import static org.junit.jupiter.api.Assertions.*;

class ChecksumTest {

    @Test
    void sumMatchesReferenceForEveryLengthAndAlignment() {
        Random r = new Random(1);
        byte[] data = new byte[3000];
        r.nextBytes(data);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment off = arena.allocate(data.length + 64);
            MemorySegment.copy(data, 0, off, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, data.length);
            MemorySegment heap = seg(data);
            for (int start = 0; start < 9; start++) {
                for (int len = 0; len <= 300; len++) {
                    int ref = refSum(data, start, len);
                    assertEquals(ref, Checksum.sum(heap, start, len, 0), "heap start " + start + " len " + len);
                    assertEquals(ref, Checksum.sum(off, start, len, 0), "off-heap start " + start + " len " + len);
                }
            }
            for (int i = 0; i < 200; i++) {
                int start = r.nextInt(100);
                int len = r.nextInt(data.length - start);
                assertEquals(refSum(data, start, len), Checksum.sum(off, start, len, 0));
                assertEquals(refSum(data, start, len), Checksum.sum(data, start, len, 0));
            }
        }
    }

    @Test
    void sumOfAllOnesAndCarries() {
        byte[] ff = new byte[65535];
        java.util.Arrays.fill(ff, (byte) 0xff);
        assertEquals(0xffff, Checksum.sum(seg(ff), 0, 65534, 0));
        assertEquals(0xff00, Checksum.sum(seg(ff), 0, ff.length, 0)); // odd byte padded: ff00
        assertEquals(refSum(ff, 0, ff.length), Checksum.sum(seg(ff), 0, ff.length, 0));
        assertEquals(0, Checksum.checksum(seg(ff), 0, 2));
        // RFC 1071 §3 example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2
        byte[] rfc = hex("0001f203f4f5f6f7");
        assertEquals(0xddf2, Checksum.sum(seg(rfc), 0, 8, 0));
        assertEquals(0x220d, Checksum.checksum(seg(rfc), 0, 8));
    }

    @Test
    void initialSumChainsRanges() {
        byte[] d = pattern(1001, 5);
        MemorySegment s = seg(d);
        int whole = Checksum.sum(s, 0, 1001, 0);
        // chaining must split at an even boundary (a word straddling the split would change meaning)
        for (int split = 0; split <= 1000; split += 2) {
            assertEquals(whole, Checksum.sum(s, split, 1001 - split, Checksum.sum(s, 0, split, 0)));
        }
        assertEquals(Checksum.add(0x1234, 0xfedc), Checksum.sum(seg(hex("1234fedc")), 0, 4, 0));
    }

    @Test
    void ipv4HeaderChecksums() {
        // the header from RFC 1071-style worked examples (Wikipedia "IPv4 header checksum"): b861
        MemorySegment h = seg(hex("450000730000400040110000c0a80001c0a800c7"));
        assertEquals(0xb861, Checksum.ipv4Header(h, 0));
        Checksum.fillIpv4Header(h, 0);
        assertEquals(0xb861, Ipv4.headerChecksum(h, 0));
        assertTrue(Checksum.verifyIpv4Header(h, 0));
        h.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 8, (byte) 63);
        assertFalse(Checksum.verifyIpv4Header(h, 0));

        for (String p : new String[] {PING4_REQUEST, PING4_REPLY, TCP4_RST, ICMP4_PORT_UNREACHABLE, UDP4_PARTIAL}) {
            MemorySegment s = seg(hex(p));
            assertTrue(Checksum.verifyIpv4Header(s, 0), p);
            int stored = Ipv4.headerChecksum(s, 0);
            assertEquals(stored, Checksum.ipv4Header(s, 0), p);
            Ipv4.setHeaderChecksum(s, 0, 0);
            Checksum.fillIpv4Header(s, 0);
            assertEquals(stored, Ipv4.headerChecksum(s, 0), p);
        }
    }

    @Test
    void capturedPacketsVerifyAndRecomputeToTheWireValue() {
        for (String p : new String[] {PING4_REQUEST, PING4_REPLY, PING6_REQUEST, PING6_REPLY, TCP4_RST,
                ICMP4_PORT_UNREACHABLE}) {
            byte[] b = hex(p);
            MemorySegment s = seg(b);
            assertTrue(Checksum.verifyTransport(s, 0, b.length), p);
            long t = IpPacket.transportOffset(IpPacket.transport(s, 0, b.length));
            int field = Checksum.checksumFieldOffset(IpPacket.transportProtocol(IpPacket.transport(s, 0, b.length)));
            int stored = TestPackets.u16(b, (int) t + field);
            assertEquals(stored, Checksum.transport(s, 0, b.length), p);
            assertEquals(stored, refTransportChecksum(b), p);
            TestPackets.put16(b, (int) t + field, 0x5555);
            assertFalse(Checksum.verifyTransport(s, 0, b.length), p);
            Checksum.fillTransport(s, 0, b.length);
            assertEquals(stored, TestPackets.u16(b, (int) t + field), p);
        }
    }

    @Test
    void capturedPartialChecksumsComplete() {
        // Linux CHECKSUM_PARTIAL packets from lo: field = pseudo-header sum; csumStart = IP header length
        String[] pkts = {TCP4_SYN_PARTIAL, TCP6_SYN_PARTIAL, TCP6_RST_PARTIAL, UDP4_PARTIAL};
        int[] starts = {20, 40, 40, 20};
        int[] offsets = {16, 16, 16, 6};
        for (int i = 0; i < pkts.length; i++) {
            byte[] b = hex(pkts[i]);
            MemorySegment s = seg(b);
            assertFalse(Checksum.verifyTransport(s, 0, b.length), pkts[i]);
            int proto = IpPacket.transportProtocol(IpPacket.transport(s, 0, b.length));
            int tlen = b.length - starts[i];
            // the partial value is exactly our pseudo-header sum
            assertEquals(Checksum.pseudo(s, 0, proto, tlen), TestPackets.u16(b, starts[i] + offsets[i]), pkts[i]);
            Checksum.completePartial(s, b.length, starts[i], offsets[i]);
            assertTrue(Checksum.verifyTransport(s, 0, b.length), pkts[i]);
            assertEquals(refTransportChecksum(b), TestPackets.u16(b, starts[i] + offsets[i]), pkts[i]);
        }
        assertThrows(IllegalArgumentException.class,
                () -> Checksum.completePartial(seg(new byte[40]), 40, 20, 19));
    }

    @Test
    void builtPacketsMatchReference() {
        Random r = new Random(3);
        for (int n = 0; n < 300; n++) {
            byte[] payload = new byte[r.nextInt(1500)];
            r.nextBytes(payload);
            byte[] opts = r.nextBoolean() ? new byte[0] : hex("020405b40402080a0000000100000000");
            byte[][] pkts = {
                ipv4(6, tcp(r.nextInt(65536), 443, r.nextInt() & 0xffffffffL, 7, Tcp.ACK, opts, payload)),
                ipv6(6, tcp(r.nextInt(65536), 443, r.nextInt() & 0xffffffffL, 7, Tcp.ACK, opts, payload)),
                ipv4(17, udp(r.nextInt(65536), 53, payload)),
                ipv6(17, udp(r.nextInt(65536), 53, payload)),
                ipv4(1, concat(hex("0800000012340001"), payload)),
                ipv6(58, concat(hex("8000000012340001"), payload)),
            };
            for (byte[] p : pkts) {
                int expect = refTransportChecksum(p);
                MemorySegment s = seg(p);
                assertEquals(expect, Checksum.transport(s, 0, p.length));
                Checksum.fillTransport(s, 0, p.length);
                assertTrue(Checksum.verifyTransport(s, 0, p.length));
                assertEquals(p, withRefChecksum(p.clone()), "fill must equal the reference bytes");
            }
        }
    }

    private static void assertEquals(byte[] a, byte[] b, String msg) { assertArrayEquals(b, a, msg); }

    private static void assertEquals(int a, int b) { org.junit.jupiter.api.Assertions.assertEquals(a, b); }

    private static void assertEquals(int a, int b, String m) { org.junit.jupiter.api.Assertions.assertEquals(a, b, m); }

    private static void assertEquals(long a, long b) { org.junit.jupiter.api.Assertions.assertEquals(a, b); }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Test
    void udpZeroChecksumRules() {
        // find a payload whose UDP checksum computes to 0, which must be sent as ffff
        byte[] p = ipv4(17, udp(1000, 2000, new byte[2]));
        int c = refTransportChecksum(p); // with payload 0000
        // choose payload word w so the total sum becomes ffff: sum' = sum + w; checksum = ~sum'
        int sumWithout = ~c & 0xffff;
        TestPackets.put16(p, 28, ~sumWithout & 0xffff);
        MemorySegment s = seg(p);
        assertEquals(0xffff, Checksum.transport(s, 0, p.length));
        Checksum.fillTransport(s, 0, p.length);
        assertEquals(0xffff, Udp.checksum(s, 20));
        assertTrue(Checksum.verifyTransport(s, 0, p.length));

        byte[] z4 = ipv4(17, udp(1, 2, pattern(9, 1)));
        assertTrue(Checksum.verifyTransport(seg(z4), 0, z4.length), "IPv4 UDP checksum 0 = not computed");
        byte[] z6 = ipv6(17, udp(1, 2, pattern(9, 1)));
        assertFalse(Checksum.verifyTransport(seg(z6), 0, z6.length), "IPv6 UDP needs a checksum");
    }

    @Test
    void incrementalUpdatesMatchRecomputation() {
        Random r = new Random(11);
        for (int n = 0; n < 2000; n++) {
            byte[] p = withRefChecksum(ipv4(6, tcp(r.nextInt(65536), r.nextInt(65536), r.nextInt() & 0xffffffffL,
                    r.nextInt() & 0xffffffffL, Tcp.ACK, new byte[0], pattern(r.nextInt(200), n))));
            MemorySegment s = seg(p);
            // rewrite source address (IP header + TCP pseudo-header) and destination port
            int oldAddr = Ipv4.source(s, 0);
            int newAddr = r.nextInt();
            int oldPort = Tcp.destinationPort(s, 20);
            int newPort = r.nextInt(65536);
            int ipc = Checksum.update32(Ipv4.headerChecksum(s, 0), oldAddr, newAddr);
            int tc = Checksum.update32(Tcp.checksum(s, 20), oldAddr, newAddr);
            tc = Checksum.update16(tc, oldPort, newPort);
            Ipv4.setSource(s, 0, newAddr);
            Tcp.setDestinationPort(s, 20, newPort);
            Ipv4.setHeaderChecksum(s, 0, ipc);
            Tcp.setChecksum(s, 20, tc);
            assertTrue(Checksum.verifyIpv4Header(s, 0));
            assertTrue(Checksum.verifyTransport(s, 0, p.length));
        }
        for (int n = 0; n < 500; n++) {
            byte[] p = withRefChecksum(ipv6(17, udp(r.nextInt(65536), 53, pattern(r.nextInt(100), n))));
            MemorySegment s = seg(p);
            byte[] addr = new byte[16];
            r.nextBytes(addr);
            int c = Checksum.update(Udp.checksum(s, 40), s, Ipv6.OFF_DST, seg(addr), 0, 16);
            Ipv6.setDestination(s, 0, addr);
            Udp.setChecksum(s, 40, c);
            assertTrue(Checksum.verifyTransport(s, 0, p.length));
        }
    }

    @Test
    void rejectsWhatItCannotChecksum() {
        byte[] esp = ipv4(50, new byte[16]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Checksum.transport(seg(esp), 0, esp.length));
        assertTrue(e.getMessage().contains("50"), e.getMessage());
        byte[] bad = ipv4(6, new byte[8]);
        e = assertThrows(IllegalArgumentException.class, () -> Checksum.fillTransport(seg(bad), 0, bad.length));
        assertTrue(e.getMessage().contains("TCP/UDP/ICMP header"), e.getMessage());
    }
}
