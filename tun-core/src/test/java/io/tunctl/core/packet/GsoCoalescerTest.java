package io.tunctl.core.packet;

import io.tunctl.core.spi.Offload;
import io.tunctl.core.spi.PacketBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static io.tunctl.core.packet.TestPackets.*;
import static org.junit.jupiter.api.Assertions.*;

class GsoCoalescerTest {
    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void close() { arena.close(); }

    private static final byte[] OPTS = hex("0101080a0001e2400000abcd");

    /** A super-packet whose checksum field is the full-length pseudo-header sum, as Linux and the coalescer make. */
    private PacketBatch superPacket(boolean v6, int sport, long seq, byte[] payload, int flags, int gsoSize) {
        byte[] l4 = tcp(sport, 443, seq, 0x01020304L, flags, OPTS, payload);
        byte[] p = v6 ? ipv6(6, l4) : ipv4(6, l4);
        int ip = v6 ? 40 : 20;
        put16(p, ip + 16, Checksum.pseudo(seg(p), 0, 6, p.length - ip));
        PacketBatch b = PacketBatch.allocate(arena, 1, 65599);
        b.add(p, 0, p.length);
        b.setOffload(0, Offload.F_NEEDS_CSUM, v6 ? Offload.GSO_TCPV6 : Offload.GSO_TCPV4, ip + 32, gsoSize, ip, 16);
        return b;
    }

    private PacketBatch segments(PacketBatch sp, int capacity) {
        PacketBatch b = PacketBatch.allocate(arena, capacity, 1600);
        GsoSegmenter.segment(sp, 0, b);
        return b;
    }

    @Test
    void segmentThenCoalesceRestoresTheSuperPacket() {
        for (boolean v6 : new boolean[] {false, true}) {
            PacketBatch sp = superPacket(v6, 40000, 0xffff0000L, pattern(64000, 5), Tcp.ACK | Tcp.PSH, 1400);
            PacketBatch segs = segments(sp, 64);
            assertEquals(46, segs.size());
            PacketBatch out = PacketBatch.allocate(arena, 64, 65599);
            assertEquals(1, new GsoCoalescer(64).coalesce(segs, out));
            assertArrayEquals(sp.toArray(0), out.toArray(0), v6 ? "v6" : "v4");
            assertEquals(Offload.F_NEEDS_CSUM, out.flags(0));
            assertEquals(sp.gsoType(0), out.gsoType(0));
            assertEquals(1400, out.gsoSize(0));
            assertEquals(sp.hdrLen(0), out.hdrLen(0));
            assertEquals(sp.csumStart(0), out.csumStart(0));
            assertEquals(16, out.csumOffset(0));
            // and back again: the same segments
            PacketBatch again = PacketBatch.allocate(arena, 64, 1600);
            assertEquals(46, GsoSegmenter.segment(out, 0, again));
            for (int k = 0; k < 46; k++) assertArrayEquals(segs.toArray(k), again.toArray(k), "segment " + k);
        }
    }

    @Test
    void interleavedFlowsMergePerFlowAndKeepOtherPackets() {
        PacketBatch a = segments(superPacket(false, 1111, 1000, pattern(5000, 1), Tcp.ACK, 1000), 8);
        PacketBatch b = segments(superPacket(true, 2222, 9000, pattern(3000, 2), Tcp.ACK, 1000), 8);
        byte[] udp = withRefChecksum(ipv4(17, udp(1, 2, pattern(100, 3))));
        PacketBatch in = PacketBatch.allocate(arena, 16, 1600);
        // a0 b0 a1 udp b1 a2 a3 b2 a4
        a.copyTo(0, in); b.copyTo(0, in); a.copyTo(1, in); in.add(udp, 0, udp.length); b.copyTo(1, in);
        a.copyTo(2, in); a.copyTo(3, in); b.copyTo(2, in); a.copyTo(4, in);
        PacketBatch out = PacketBatch.allocate(arena, 16, 65599);
        assertEquals(3, new GsoCoalescer(16).coalesce(in, out));
        assertEquals(Offload.GSO_TCPV4, out.gsoType(0));
        assertEquals(5000 + 52, out.length(0));
        assertEquals(Offload.GSO_TCPV6, out.gsoType(1));
        assertEquals(3000 + 72, out.length(1));
        assertArrayEquals(udp, out.toArray(2));
        assertEquals(0, out.gsoType(2) | out.flags(2));
        assertRoundTrip(out, 0, a);
        assertRoundTrip(out, 1, b);
    }

    private void assertRoundTrip(PacketBatch out, int slot, PacketBatch original) {
        PacketBatch re = PacketBatch.allocate(arena, 16, 1600);
        GsoSegmenter.segment(out, slot, re);
        assertEquals(original.size(), re.size());
        for (int k = 0; k < re.size(); k++) assertArrayEquals(original.toArray(k), re.toArray(k), "segment " + k);
    }

    @Test
    void breaksOnGapsFlagsShortSegmentsAndMismatches() {
        PacketBatch a = segments(superPacket(false, 1111, 1000, pattern(6000, 1), Tcp.ACK, 1000), 8);
        GsoCoalescer c = new GsoCoalescer(16);

        // a gap: 0 1 3 4 5 -> [0,1] [3,4,5]
        assertArrayEquals(new int[] {2, 3}, mergedSizes(c, a, new int[] {0, 1, 3, 4, 5}, 0));
        // out of order: 1 0 -> two plain packets
        assertArrayEquals(new int[] {1, 1}, mergedSizes(c, a, new int[] {1, 0}, 0));

        // a short segment ends the merge
        PacketBatch s = segments(superPacket(false, 1111, 1000, pattern(2500, 1), Tcp.ACK, 1000), 4);
        PacketBatch more = segments(superPacket(false, 1111, 3500, pattern(1000, 1), Tcp.ACK, 1000), 4);
        PacketBatch in = PacketBatch.allocate(arena, 8, 1600);
        for (int k = 0; k < 3; k++) s.copyTo(k, in);
        more.copyTo(0, in);
        PacketBatch out = PacketBatch.allocate(arena, 8, 65599);
        assertEquals(2, c.coalesce(in, out));
        assertEquals(2500 + 52, out.length(0));
        assertEquals(1052, out.length(1));

        // PSH ends it; FIN/SYN/RST/URG/ECE/CWR are never merged; a bad checksum is never merged
        for (int bad : new int[] {Tcp.FIN, Tcp.SYN, Tcp.RST, Tcp.URG, Tcp.ECE, Tcp.CWR}) {
            PacketBatch x = copyOf(a);
            setFlags(x, 1, Tcp.ACK | bad);
            assertArrayEquals(new int[] {1, 1, 4}, mergedSizes(c, x, new int[] {0, 1, 2, 3, 4, 5}, 0),
                    "flag " + bad);
        }
        PacketBatch psh = copyOf(a);
        setFlags(psh, 2, Tcp.ACK | Tcp.PSH);
        assertArrayEquals(new int[] {3, 3}, mergedSizes(c, psh, new int[] {0, 1, 2, 3, 4, 5}, 0));
        PacketBatch corrupt = copyOf(a);
        MemorySegment p2 = corrupt.buffer(2);
        p2.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 100, (byte) (p2.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 100) + 1));
        assertArrayEquals(new int[] {2, 1, 3}, mergedSizes(c, corrupt, new int[] {0, 1, 2, 3, 4, 5}, 0));

        // different ack, TTL, options: not merged
        PacketBatch ack = copyOf(a);
        Tcp.setAcknowledgment(ack.buffer(1), 20, 5);
        Checksum.fillTransport(ack.buffer(1), 0, ack.length(1));
        assertArrayEquals(new int[] {1, 1, 4}, mergedSizes(c, ack, new int[] {0, 1, 2, 3, 4, 5}, 0));
        PacketBatch ttl = copyOf(a);
        Ipv4.setTtl(ttl.buffer(3), 0, 9);
        Checksum.fillIpv4Header(ttl.buffer(3), 0);
        assertArrayEquals(new int[] {3, 1, 2}, mergedSizes(c, ttl, new int[] {0, 1, 2, 3, 4, 5}, 0));
        PacketBatch opt = copyOf(a);
        opt.buffer(4).set(java.lang.foreign.ValueLayout.JAVA_BYTE, 20 + 27, (byte) 7); // timestamp echo differs
        Checksum.fillTransport(opt.buffer(4), 0, opt.length(4));
        // packet 4 carries other options than its neighbours on both sides
        assertArrayEquals(new int[] {4, 1, 1}, mergedSizes(c, opt, new int[] {0, 1, 2, 3, 4, 5}, 0));
    }

    @Test
    void respectsTheSixtyFourKiBLimit() {
        PacketBatch first = segments(superPacket(false, 1111, 1000, pattern(64400, 1), Tcp.ACK, 1400), 64);
        PacketBatch second = segments(superPacket(false, 1111, 1000 + 64400, pattern(2800, 1), Tcp.ACK, 1400), 4);
        PacketBatch in = PacketBatch.allocate(arena, 64, 1600);
        for (int k = 0; k < 46; k++) first.copyTo(k, in);
        for (int k = 0; k < 2; k++) second.copyTo(k, in);
        PacketBatch out = PacketBatch.allocate(arena, 64, 65599);
        assertEquals(2, new GsoCoalescer(64).coalesce(in, out));
        assertEquals(52 + 46 * 1400, out.length(0)); // one more segment would pass 65535
        assertEquals(52 + 2 * 1400, out.length(1));
        assertEquals(1452, first.toArray(0).length);
        PacketBatch small = PacketBatch.allocate(arena, 64, 10000);
        // 7 segments (9852 B) per super-packet when the destination buffers hold 10000 B
        assertEquals(7, new GsoCoalescer(64).coalesce(in, small));
        assertEquals(52 + 7 * 1400, small.length(0));
    }

    @Test
    void passesThroughOffloadedNonTcpAndMalformed() {
        PacketBatch in = PacketBatch.allocate(arena, 8, 65599);
        byte[] ping = hex(PING6_REQUEST);
        in.add(ping, 0, ping.length);
        byte[] junk = {0x45, 1, 2};
        in.add(junk, 0, 3);
        PacketBatch sp = superPacket(false, 5, 1, pattern(3000, 1), Tcp.ACK, 1000);
        sp.copyTo(0, in);
        PacketBatch out = PacketBatch.allocate(arena, 8, 65599);
        assertEquals(3, new GsoCoalescer(8).coalesce(in, out));
        assertArrayEquals(ping, out.toArray(0));
        assertArrayEquals(junk, out.toArray(1));
        assertArrayEquals(sp.toArray(0), out.toArray(2));
        assertEquals(Offload.GSO_TCPV4, out.gsoType(2));
        assertThrows(IllegalArgumentException.class, () -> new GsoCoalescer(2).coalesce(in, out));
        PacketBatch tiny = PacketBatch.allocate(arena, 2, 2000);
        assertThrows(IllegalArgumentException.class, () -> new GsoCoalescer(8).coalesce(in, tiny));
    }

    private int[] mergedSizes(GsoCoalescer c, PacketBatch from, int[] order, int unused) {
        PacketBatch in = PacketBatch.allocate(arena, order.length, 1600);
        for (int k : order) from.copyTo(k, in);
        PacketBatch out = PacketBatch.allocate(arena, order.length, 65599);
        int n = c.coalesce(in, out);
        int[] sizes = new int[n];
        int total = 0;
        for (int j = 0; j < n; j++) {
            sizes[j] = out.gsoType(j) == 0 ? 1 : GsoSegmenter.segmentCount(out, j);
            total += sizes[j];
        }
        assertEquals(order.length, total, Arrays.toString(sizes));
        return sizes;
    }

    private PacketBatch copyOf(PacketBatch b) {
        PacketBatch c = PacketBatch.allocate(arena, b.capacity(), b.bufferSize());
        for (int k = 0; k < b.size(); k++) b.copyTo(k, c);
        return c;
    }

    private static void setFlags(PacketBatch b, int k, int flags) {
        MemorySegment p = b.buffer(k);
        long t = IpPacket.transportOffset(IpPacket.transport(p, 0, b.length(k)));
        Tcp.setFlags(p, t, flags);
        Checksum.fillTransport(p, 0, b.length(k));
    }
}
