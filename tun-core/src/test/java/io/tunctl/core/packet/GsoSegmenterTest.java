package io.tunctl.core.packet;

import io.tunctl.core.spi.Offload;
import io.tunctl.core.spi.PacketBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static io.tunctl.core.packet.TestPackets.*;
import static org.junit.jupiter.api.Assertions.*;

class GsoSegmenterTest {
    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void close() { arena.close(); }

    private static final byte[] TCP_OPTS = hex("0101080a0001e2400000abcd"); // NOP NOP timestamps: 12 bytes

    /** A TCP super-packet as Linux hands it over: partial pseudo-header sum in the checksum field. */
    private PacketBatch tcpSuperPacket(boolean v6, byte[] payload, int flags, int gsoSize) {
        byte[] l4 = tcp(40000, 443, 0xfffff000L, 0x01020304L, flags, TCP_OPTS, payload);
        byte[] p = v6 ? ipv6(6, l4) : ipv4(6, l4);
        int ipHdr = v6 ? 40 : 20;
        MemorySegment s = seg(p);
        put16(p, ipHdr + 16, Checksum.pseudo(s, 0, 6, p.length - ipHdr));
        PacketBatch b = PacketBatch.allocate(arena, 1, 65599);
        b.add(p, 0, p.length);
        // hdrLen as Linux may report it (the whole linear part): must not be trusted
        b.setOffload(0, Offload.F_NEEDS_CSUM, v6 ? Offload.GSO_TCPV6 : Offload.GSO_TCPV4, 4096, gsoSize, ipHdr, 16);
        return b;
    }

    private PacketBatch udpSuperPacket(boolean v6, byte[] payload, int gsoSize) {
        byte[] l4 = udp(5353, 4433, payload);
        byte[] p = v6 ? ipv6(17, l4) : ipv4(17, l4);
        int ipHdr = v6 ? 40 : 20;
        put16(p, ipHdr + 6, Checksum.pseudo(seg(p), 0, 17, p.length - ipHdr));
        PacketBatch b = PacketBatch.allocate(arena, 1, 65599);
        b.add(p, 0, p.length);
        b.setOffload(0, Offload.F_NEEDS_CSUM, Offload.GSO_UDP_L4, ipHdr + 8, gsoSize, ipHdr, 6);
        return b;
    }

    @Test
    void segmentsA64000ByteTcpSuperPacketV4AndV6() {
        for (boolean v6 : new boolean[] {false, true}) {
            byte[] payload = pattern(64000, v6 ? 2 : 1);
            int flags = Tcp.ACK | Tcp.PSH | Tcp.FIN | Tcp.CWR;
            PacketBatch src = tcpSuperPacket(v6, payload, flags, 1400);
            byte[] before = src.toArray(0);
            assertEquals(46, GsoSegmenter.segmentCount(src, 0));
            PacketBatch dst = PacketBatch.allocate(arena, 64, 1500);
            assertEquals(46, GsoSegmenter.segment(src, 0, dst));
            assertEquals(46, dst.size());
            assertArrayEquals(before, src.toArray(0), "source untouched");
            int ipHdr = v6 ? 40 : 20;
            int hdr = ipHdr + 32;
            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            for (int k = 0; k < 46; k++) {
                byte[] p = dst.toArray(k);
                String at = (v6 ? "v6" : "v4") + " segment " + k;
                int pLen = k < 45 ? 1400 : 1000;
                assertEquals(hdr + pLen, p.length, at);
                assertEquals(0, dst.flags(k) | dst.gsoType(k), at + ": plain packet");
                assertEquals(PacketValidity.VALID, IpPacket.validate(seg(p)), at);
                if (v6) {
                    assertEquals(p.length - 40, u16(p, 4), at);
                    assertArrayEquals(Arrays.copyOfRange(before, 0, 4), Arrays.copyOfRange(p, 0, 4), at);
                    assertArrayEquals(Arrays.copyOfRange(before, 6, 40), Arrays.copyOfRange(p, 6, 40), at);
                } else {
                    assertEquals(p.length, u16(p, 2), at);
                    assertEquals(0x1234 + k, u16(p, 4), at);
                    assertEquals(0xffff, refSum(p, 0, 20), at + ": IPv4 header checksum");
                    assertArrayEquals(Arrays.copyOfRange(before, 6, 10), Arrays.copyOfRange(p, 6, 10), at);
                }
                assertEquals((0xfffff000L + 1400L * k) & 0xffffffffL, u32(p, ipHdr + 4), at + ": sequence wraps");
                assertEquals(0x01020304L, u32(p, ipHdr + 8), at);
                int f = p[ipHdr + 13] & 0xff;
                assertEquals(Tcp.ACK, f & Tcp.ACK, at);
                assertEquals(k == 0, (f & Tcp.CWR) != 0, at + ": CWR first only");
                assertEquals(k == 45, (f & Tcp.FIN) != 0, at + ": FIN last only");
                assertEquals(k == 45, (f & Tcp.PSH) != 0, at + ": PSH last only");
                assertArrayEquals(TCP_OPTS, Arrays.copyOfRange(p, ipHdr + 20, ipHdr + 32), at + ": options");
                assertEquals(refTransportChecksum(p), u16(p, ipHdr + 16), at + ": TCP checksum");
                assertTrue(Checksum.verifyTransport(seg(p), 0, p.length), at);
                joined.write(p, hdr, pLen);
            }
            assertArrayEquals(payload, joined.toByteArray());
        }
    }

    /** A batch that only refers to its packets (the socks engine passes packets on so) segments the same. */
    @Test
    void segmentsAPacketABatchOnlyRefersTo() {
        for (boolean v6 : new boolean[] {false, true}) {
            PacketBatch src = tcpSuperPacket(v6, pattern(20000, 5), Tcp.ACK, 1400);
            PacketBatch refs = PacketBatch.references(4, 65599);
            refs.addRef(src, 0);
            PacketBatch viaSlot = PacketBatch.allocate(arena, 64, 1500), viaRef = PacketBatch.allocate(arena, 64, 1500);
            assertEquals(GsoSegmenter.segmentCount(src, 0), GsoSegmenter.segmentCount(refs, 0));
            assertEquals(GsoSegmenter.segment(src, 0, viaSlot), GsoSegmenter.segment(refs, 0, viaRef));
            for (int k = 0; k < viaSlot.size(); k++) assertArrayEquals(viaSlot.toArray(k), viaRef.toArray(k), "segment " + k);
        }
    }

    @Test
    void segmentsUdpL4SuperPackets() {
        for (boolean v6 : new boolean[] {false, true}) {
            byte[] payload = pattern(10000, 9);
            PacketBatch src = udpSuperPacket(v6, payload, 1200);
            assertEquals(9, GsoSegmenter.segmentCount(src, 0));
            PacketBatch dst = PacketBatch.allocate(arena, 16, 1500);
            assertEquals(9, GsoSegmenter.segment(src, 0, dst));
            int ipHdr = v6 ? 40 : 20;
            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            for (int k = 0; k < 9; k++) {
                byte[] p = dst.toArray(k);
                int pLen = k < 8 ? 1200 : 400;
                assertEquals(ipHdr + 8 + pLen, p.length);
                assertEquals(PacketValidity.VALID, IpPacket.validate(seg(p)));
                assertEquals(8 + pLen, u16(p, ipHdr + 4), "UDP length");
                assertEquals(5353, u16(p, ipHdr));
                assertEquals(4433, u16(p, ipHdr + 2));
                if (!v6) {
                    assertEquals(0x1234 + k, u16(p, 4));
                    assertEquals(0xffff, refSum(p, 0, 20));
                }
                assertEquals(refTransportChecksum(p), u16(p, ipHdr + 6));
                assertTrue(Checksum.verifyTransport(seg(p), 0, p.length));
                joined.write(p, ipHdr + 8, pLen);
            }
            assertArrayEquals(payload, joined.toByteArray());
        }
    }

    @Test
    void resumesWhenTheDestinationFills() {
        byte[] payload = pattern(64000, 3);
        PacketBatch src = tcpSuperPacket(false, payload, Tcp.ACK | Tcp.PSH, 1400);
        PacketBatch all = PacketBatch.allocate(arena, 64, 1500);
        GsoSegmenter.segment(src, 0, all);
        PacketBatch small = PacketBatch.allocate(arena, 10, 1500);
        int n = GsoSegmenter.segmentCount(src, 0);
        int done = 0, rounds = 0;
        int[] perRound = new int[5];
        while (done < n) {
            int w = GsoSegmenter.segment(src, 0, small, done);
            perRound[rounds++] = w;
            for (int k = 0; k < small.size(); k++) {
                assertArrayEquals(all.toArray(done + k), small.toArray(k), "segment " + (done + k));
            }
            done += w;
            assertEquals(0, GsoSegmenter.segment(src, 0, small, done), "full destination takes nothing");
            small.clear();
        }
        assertArrayEquals(new int[] {10, 10, 10, 10, 6}, perRound);
        assertEquals(0, GsoSegmenter.segment(src, 0, small, n), "nothing left after the last");
        assertThrows(IllegalArgumentException.class, () -> GsoSegmenter.segment(src, 0, small, n + 1));
    }

    @Test
    void edgeSizes() {
        // exact multiple, payload smaller than gsoSize, no payload at all, ECN bit set
        int[][] cases = {{2800, 1400, 2}, {100, 1400, 1}, {0, 1400, 1}, {1401, 1400, 2}, {5, 1, 5}};
        for (int[] c : cases) {
            PacketBatch src = tcpSuperPacket(true, pattern(c[0], 4), Tcp.ACK | Tcp.FIN, c[1]);
            src.setOffload(0, Offload.F_NEEDS_CSUM, Offload.GSO_TCPV6 | Offload.GSO_ECN, 0, c[1], 40, 16);
            PacketBatch dst = PacketBatch.allocate(arena, 8, 1500);
            assertEquals(c[2], GsoSegmenter.segmentCount(src, 0), Arrays.toString(c));
            assertEquals(c[2], GsoSegmenter.segment(src, 0, dst), Arrays.toString(c));
            int total = 0;
            for (int k = 0; k < dst.size(); k++) {
                byte[] p = dst.toArray(k);
                assertTrue(Checksum.verifyTransport(seg(p), 0, p.length));
                assertEquals(k == dst.size() - 1, (p[53] & Tcp.FIN) != 0);
                total += p.length - 72;
            }
            assertEquals(c[0], total);
        }
    }

    @Test
    void plainPacketsAreCopiedWithTheirChecksumCompleted() {
        PacketBatch src = PacketBatch.allocate(arena, 4, 2048);
        byte[] syn = hex(TCP6_SYN_PARTIAL);
        byte[] udp = hex(UDP4_PARTIAL);
        byte[] ping = hex(PING4_REQUEST);
        src.add(syn, 0, syn.length);
        src.setOffload(0, Offload.F_NEEDS_CSUM, Offload.GSO_NONE, 0, 0, 40, 16);
        src.add(udp, 0, udp.length);
        src.setOffload(1, Offload.F_NEEDS_CSUM, Offload.GSO_NONE, 0, 0, 20, 6);
        src.add(ping, 0, ping.length);
        PacketBatch dst = PacketBatch.allocate(arena, 4, 2048);
        for (int i = 0; i < 3; i++) {
            assertEquals(1, GsoSegmenter.segmentCount(src, i));
            assertEquals(1, GsoSegmenter.segment(src, i, dst));
            byte[] p = dst.toArray(i);
            assertTrue(Checksum.verifyTransport(seg(p), 0, p.length), "slot " + i);
            assertEquals(0, dst.flags(i));
        }
        assertArrayEquals(ping, dst.toArray(2));
        assertArrayEquals(syn, src.toArray(0), "source untouched");

        // in place
        GsoSegmenter.completeChecksum(src, 0);
        assertEquals(0, src.flags(0) & Offload.F_NEEDS_CSUM);
        assertArrayEquals(dst.toArray(0), src.toArray(0));
        GsoSegmenter.completeChecksum(src, 0); // no flag: nothing happens
        assertArrayEquals(dst.toArray(0), src.toArray(0));
        assertThrows(IllegalArgumentException.class, () -> GsoSegmenter.segment(src, 2, dst, 1));
    }

    @Test
    void completeChecksumRefusesSuperPacketsAndBadOffsets() {
        PacketBatch b = tcpSuperPacket(false, pattern(3000, 1), Tcp.ACK, 1400);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GsoSegmenter.completeChecksum(b, 0));
        assertTrue(e.getMessage().contains("GSO"), e.getMessage());
        b.setOffload(0, Offload.F_NEEDS_CSUM, Offload.GSO_NONE, 0, 0, 3040, 16);
        e = assertThrows(IllegalArgumentException.class, () -> GsoSegmenter.completeChecksum(b, 0));
        assertTrue(e.getMessage().contains("outside"), e.getMessage());
    }

    @Test
    void rejectsMalformedSuperPacketsWithReasons() {
        PacketBatch dst = PacketBatch.allocate(arena, 64, 1500);
        PacketBatch b = tcpSuperPacket(false, pattern(3000, 1), Tcp.ACK, 1400);
        assertRejects(b, dst, Offload.F_NEEDS_CSUM, Offload.GSO_TCPV6, 1400, 20, 16, "IPv4");
        assertRejects(b, dst, Offload.F_NEEDS_CSUM, Offload.GSO_UDP_L4, 1400, 20, 16, "protocol 6");
        assertRejects(b, dst, Offload.F_NEEDS_CSUM, Offload.GSO_UDP, 1400, 20, 16, "not supported");
        assertRejects(b, dst, Offload.F_NEEDS_CSUM, 9, 1400, 20, 16, "unknown GSO type 9");
        assertRejects(b, dst, Offload.F_NEEDS_CSUM, Offload.GSO_TCPV4, 0, 20, 16, "gsoSize 0");
        assertRejects(b, dst, Offload.F_NEEDS_CSUM, Offload.GSO_TCPV4, 1400, 20, 6, "csumStart/csumOffset");
        assertRejects(b, dst, Offload.F_NEEDS_CSUM, Offload.GSO_TCPV4, 1600, 20, 16, "destination buffer");
        b.buffer(0).set(java.lang.foreign.ValueLayout.JAVA_BYTE, 3, (byte) 0xff); // total length 0x0bff... too big
        Ipv4.setTotalLength(b.buffer(0), 0, 4000);
        assertRejects(b, dst, Offload.F_NEEDS_CSUM, Offload.GSO_TCPV4, 1400, 20, 16, "larger than the bytes");
        // without F_NEEDS_CSUM the csum fields are not checked, and checksums are still computed
        PacketBatch ok = tcpSuperPacket(false, pattern(3000, 1), Tcp.ACK, 1400);
        ok.setOffload(0, 0, Offload.GSO_TCPV4, 0, 1400, 0, 0);
        assertEquals(3, GsoSegmenter.segment(ok, 0, dst));
        for (int k = 0; k < 3; k++) assertTrue(Checksum.verifyTransport(dst.buffer(k), 0, dst.length(k)));
    }

    private static void assertRejects(PacketBatch b, PacketBatch dst, int flags, int gso, int gsoSize,
                                      int csumStart, int csumOffset, String reason) {
        b.setOffload(0, flags, gso, 0, gsoSize, csumStart, csumOffset);
        int before = dst.size();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GsoSegmenter.segment(b, 0, dst));
        assertTrue(e.getMessage().contains(reason), e.getMessage() + " should mention " + reason);
        assertEquals(before, dst.size(), "nothing written on error");
    }
}
