package io.tunctl.core.packet;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;

import static io.tunctl.core.packet.TestPackets.*;
import static org.junit.jupiter.api.Assertions.*;

class PacketBuilderTest {
    static final int SRC4 = Ipv4.toInt(V4_SRC), DST4 = Ipv4.toInt(V4_DST);
    static final long SRC6_HI = hi(V6_SRC), SRC6_LO = lo(V6_SRC), DST6_HI = hi(V6_DST), DST6_LO = lo(V6_DST);

    static long hi(byte[] a) { return MemorySegment.ofArray(a).get(Bytes.U64, 0); }

    static long lo(byte[] a) { return MemorySegment.ofArray(a).get(Bytes.U64, 8); }

    /** The reference IPv4 packet of TestPackets with DF cleared, as PacketBuilder sends UDP. */
    static byte[] refUdp4(int sport, int dport, byte[] payload, int id) {
        byte[] p = ipv4(17, udp(sport, dport, payload));
        put16(p, 4, id);
        p[6] = 0;
        put16(p, 10, 0);
        put16(p, 10, ~refSum(p, 0, 20) & 0xffff);
        return withRefChecksum(p);
    }

    /** The reference IPv6 packet of TestPackets with traffic class and flow label 0. */
    static byte[] refUdp6(int sport, int dport, byte[] payload) {
        byte[] p = ipv6(17, udp(sport, dport, payload));
        p[1] = p[2] = p[3] = 0;
        return withRefChecksum(p);
    }

    static void assertWellFormed(MemorySegment s, long off, int len) {
        assertEquals(PacketValidity.VALID, IpPacket.validate(s, off, len));
        if (IpPacket.version(s, off) == 4) assertTrue(Checksum.verifyIpv4Header(s, off), "IPv4 header checksum");
        assertTrue(Checksum.verifyTransport(s, off, len), "transport checksum");
    }

    static byte[] bytes(MemorySegment s, long off, int len) {
        return s.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void udp4MatchesReferenceBytesAtManyLengths() {
        Random r = new Random(1);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(2100);
            for (int n = 0; n < 300; n++) {
                byte[] payload = pattern(r.nextInt(1473), n);
                int sport = r.nextInt(65536), dport = r.nextInt(65536), id = r.nextInt(65536);
                int off = r.nextInt(64);
                int len = PacketBuilder.udp4(out, off, 2000, SRC4, sport, DST4, dport, seg(payload), 0,
                        payload.length, id);
                assertEquals(28 + payload.length, len);
                assertArrayEquals(refUdp4(sport, dport, payload, id), bytes(out, off, len), "packet " + n);
                assertWellFormed(out, off, len);
            }
        }
    }

    @Test
    void udp6MatchesReferenceBytes() {
        Random r = new Random(2);
        MemorySegment out = MemorySegment.ofArray(new byte[2100]);
        for (int n = 0; n < 300; n++) {
            byte[] payload = pattern(r.nextInt(1453), n);
            int sport = r.nextInt(65536), dport = r.nextInt(65536);
            int off = r.nextInt(64);
            int len = PacketBuilder.udp6(out, off, 2000, SRC6_HI, SRC6_LO, sport, DST6_HI, DST6_LO, dport,
                    seg(payload), 0, payload.length);
            assertEquals(48 + payload.length, len);
            assertArrayEquals(refUdp6(sport, dport, payload), bytes(out, off, len), "packet " + n);
            assertWellFormed(out, off, len);
        }
    }

    @Test
    void headersOnlyLeaveAPayloadInPlace() {
        byte[] payload = pattern(333, 7);
        byte[] buf = new byte[500];
        System.arraycopy(payload, 0, buf, 10 + 28, payload.length);
        MemorySegment s = seg(buf);
        assertEquals(361, PacketBuilder.udp4Headers(s, 10, 490, SRC4, 5353, DST4, 53, payload.length, 9));
        assertArrayEquals(refUdp4(5353, 53, payload, 9), Arrays.copyOfRange(buf, 10, 371));

        byte[] buf6 = new byte[500];
        System.arraycopy(payload, 0, buf6, 3 + 48, payload.length);
        MemorySegment s6 = seg(buf6);
        assertEquals(381, PacketBuilder.udp6Headers(s6, 3, 497, SRC6_HI, SRC6_LO, 5353, DST6_HI, DST6_LO, 53,
                payload.length));
        assertArrayEquals(refUdp6(5353, 53, payload), Arrays.copyOfRange(buf6, 3, 384));
    }

    @Test
    void payloadOverlappingTheDestinationIsMovedIntact() {
        byte[] payload = pattern(200, 3);
        byte[] buf = new byte[400];
        System.arraycopy(payload, 0, buf, 0, payload.length); // payload where the headers will go
        MemorySegment s = seg(buf);
        int len = PacketBuilder.udp4(s, 0, 400, SRC4, 1, DST4, 2, s, 0, payload.length, 0x1234);
        assertArrayEquals(refUdp4(1, 2, payload, 0x1234), Arrays.copyOf(buf, len));
    }

    @Test
    void aComputedZeroUdpChecksumIsSentAsFfff() {
        byte[] payload = new byte[4];
        MemorySegment out = seg(new byte[100]);
        int len = PacketBuilder.udp4(out, 0, 100, SRC4, 1000, DST4, 2000, seg(payload), 0, 4, 1);
        int c = Udp.checksum(out, 20);
        put16(payload, 2, c); // adds ~sum to the sum: the one's complement sum becomes 0xffff, the checksum 0
        len = PacketBuilder.udp4(out, 0, 100, SRC4, 1000, DST4, 2000, seg(payload), 0, 4, 1);
        assertEquals(0xffff, Udp.checksum(out, 20));
        assertWellFormed(out, 0, len);

        int len6 = PacketBuilder.udp6(out, 0, 100, SRC6_HI, SRC6_LO, 1, DST6_HI, DST6_LO, 2, seg(new byte[4]), 0, 4);
        put16(payload, 2, Udp.checksum(out, 40));
        len6 = PacketBuilder.udp6(out, 0, 100, SRC6_HI, SRC6_LO, 1, DST6_HI, DST6_LO, 2, seg(payload), 0, 4);
        assertEquals(0xffff, Udp.checksum(out, 40));
        assertWellFormed(out, 0, len6);
    }

    @Test
    void tooSmallACapacityWritesNothing() {
        byte[] buf = new byte[200];
        Arrays.fill(buf, (byte) 0x5a);
        MemorySegment s = seg(buf);
        assertEquals(-1, PacketBuilder.udp4(s, 0, 127, SRC4, 1, DST4, 2, seg(new byte[100]), 0, 100, 0));
        assertEquals(-1, PacketBuilder.udp4Headers(s, 0, 127, SRC4, 1, DST4, 2, 100, 0));
        assertEquals(-1, PacketBuilder.udp6(s, 0, 147, SRC6_HI, SRC6_LO, 1, DST6_HI, DST6_LO, 2,
                seg(new byte[100]), 0, 100));
        assertEquals(-1, PacketBuilder.udp6Headers(s, 0, 147, SRC6_HI, SRC6_LO, 1, DST6_HI, DST6_LO, 2, 100));
        assertEquals(-1, PacketBuilder.udp4Headers(s, 0, 1 << 20, SRC4, 1, DST4, 2, 65535 - 27, 0), "IPv4 limit");
        assertEquals(-1, PacketBuilder.udp6Headers(s, 0, 1 << 20, SRC6_HI, SRC6_LO, 1, DST6_HI, DST6_LO, 2,
                65535 - 7), "UDP length limit");
        assertEquals(-1, PacketBuilder.udp4Headers(s, 0, 200, SRC4, 1, DST4, 2, -1, 0));
        for (byte b : buf) assertEquals((byte) 0x5a, b);
        assertEquals(128, PacketBuilder.udp4Headers(s, 0, 128, SRC4, 1, DST4, 2, 100, 0), "exact fit");
    }

    // ---- resets ----

    @Test
    void resetForCapturedSynIsTheKernelsReset() {
        MemorySegment syn = seg(hex(TCP4_SYN_PARTIAL));
        MemorySegment out = seg(new byte[60]);
        int len = PacketBuilder.tcpReset(syn, 0, (int) syn.byteSize(), out, 0, 60);
        assertEquals(40, len);
        assertArrayEquals(hex(TCP4_RST), bytes(out, 0, len), "Linux answered the same SYN with these bytes");
        assertWellFormed(out, 0, len);
    }

    @Test
    void resetForCapturedIpv6Syn() {
        byte[] synBytes = hex(TCP6_SYN_PARTIAL);
        MemorySegment out = seg(new byte[80]);
        int len = PacketBuilder.tcpReset(seg(synBytes), 0, synBytes.length, out, 0, 80);
        assertEquals(60, len);
        byte[] got = bytes(out, 0, len);
        byte[] kernel = hex(TCP6_RST_PARTIAL); // its checksum field holds only the pseudo-header sum
        assertArrayEquals(Arrays.copyOfRange(kernel, 4, 56), Arrays.copyOfRange(got, 4, 56));
        assertArrayEquals(Arrays.copyOfRange(kernel, 58, 60), Arrays.copyOfRange(got, 58, 60));
        assertEquals(refTransportChecksum(got), u16(got, 56));
        assertWellFormed(out, 0, len);
    }

    @Test
    void resetFollowsRfc793ReplyRules() {
        MemorySegment out = seg(new byte[100]);
        // ACK set: the reset takes SEQ from the ACK field and carries no ACK
        byte[] p = withRefChecksum(ipv4(6, tcp(40000, 80, 1000, 777777, Tcp.ACK | Tcp.PSH, new byte[0], pattern(10, 1))));
        assertEquals(40, PacketBuilder.tcpReset(seg(p), 0, p.length, out, 0, 100));
        assertEquals(Tcp.RST, Tcp.flags(out, 20));
        assertEquals(777777, Tcp.sequence(out, 20));
        assertEquals(0, Tcp.acknowledgment(out, 20));
        assertEquals(80, Tcp.sourcePort(out, 20));
        assertEquals(40000, Tcp.destinationPort(out, 20));
        assertEquals(DST4, Ipv4.source(out, 0));
        assertEquals(SRC4, Ipv4.destination(out, 0));
        assertWellFormed(out, 0, 40);
        // no ACK: SEQ 0, ACK = seq + payload + SYN + FIN, wrapping at 2^32
        p = withRefChecksum(ipv4(6, tcp(1, 2, 0xfffffff0L, 0, Tcp.SYN | Tcp.FIN, new byte[4], pattern(20, 2))));
        assertEquals(40, PacketBuilder.tcpReset(seg(p), 0, p.length, out, 0, 100));
        assertEquals(Tcp.RST | Tcp.ACK, Tcp.flags(out, 20));
        assertEquals(0, Tcp.sequence(out, 20));
        assertEquals(6, Tcp.acknowledgment(out, 20)); // 0xfffffff0 + 20 + 2 - 2^32
        assertEquals(20, Tcp.headerLength(out, 20));
        assertEquals(0, Tcp.window(out, 20));
        assertWellFormed(out, 0, 40);
        // IPv6 with ACK
        p = withRefChecksum(ipv6(6, tcp(5, 6, 9, 0x80000000L, Tcp.ACK, new byte[0], new byte[0])));
        assertEquals(60, PacketBuilder.tcpReset(seg(p), 0, p.length, out, 0, 100));
        assertEquals(0x80000000L, Tcp.sequence(out, 40));
        assertEquals(DST6_HI, Ipv6.sourceHigh(out, 0));
        assertEquals(SRC6_LO, Ipv6.destinationLow(out, 0));
        assertWellFormed(out, 0, 60);
    }

    @Test
    void resetWrittenOverTheSegmentItself() {
        byte[] p = withRefChecksum(ipv6(6, tcp(5, 6, 9, 0, Tcp.SYN, new byte[0], pattern(30, 1))));
        MemorySegment apart = seg(new byte[60]);
        PacketBuilder.tcpReset(seg(p), 0, p.length, apart, 0, 60);
        assertEquals(60, PacketBuilder.tcpReset(seg(p), 0, p.length, seg(p), 0, p.length));
        assertArrayEquals(bytes(apart, 0, 60), Arrays.copyOf(p, 60));
    }

    @Test
    void noResetForResetsOtherProtocolsFragmentsOrGarbage() {
        MemorySegment out = seg(new byte[100]);
        byte[] rst = withRefChecksum(ipv4(6, tcp(1, 2, 3, 4, Tcp.RST, new byte[0], new byte[0])));
        assertEquals(0, PacketBuilder.tcpReset(seg(rst), 0, rst.length, out, 0, 100));
        byte[] udp = withRefChecksum(ipv4(17, udp(1, 2, new byte[5])));
        assertEquals(0, PacketBuilder.tcpReset(seg(udp), 0, udp.length, out, 0, 100));
        byte[] frag = withRefChecksum(ipv4(6, tcp(1, 2, 3, 4, Tcp.SYN, new byte[0], new byte[0])));
        frag[6] = 0x20; // MF
        assertEquals(0, PacketBuilder.tcpReset(seg(frag), 0, frag.length, out, 0, 100));
        assertEquals(0, PacketBuilder.tcpReset(seg(new byte[30]), 0, 30, out, 0, 100));
        byte[] toMulticast = withRefChecksum(ipv4(6, tcp(1, 2, 3, 4, Tcp.SYN, new byte[0], new byte[0])));
        toMulticast[16] = (byte) 239;
        assertEquals(0, PacketBuilder.tcpReset(seg(toMulticast), 0, toMulticast.length, out, 0, 100));
        byte[] fromUnspecified = withRefChecksum(ipv6(6, tcp(1, 2, 3, 4, Tcp.SYN, new byte[0], new byte[0])));
        java.util.Arrays.fill(fromUnspecified, 8, 24, (byte) 0);
        assertEquals(0, PacketBuilder.tcpReset(seg(fromUnspecified), 0, fromUnspecified.length, out, 0, 100));
        byte[] syn = hex(TCP4_SYN_PARTIAL);
        assertEquals(-1, PacketBuilder.tcpReset(seg(syn), 0, syn.length, out, 0, 39));
    }
}
