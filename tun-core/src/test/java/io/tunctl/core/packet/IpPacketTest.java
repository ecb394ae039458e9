package io.tunctl.core.packet;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static io.tunctl.core.packet.TestPackets.*;
import static org.junit.jupiter.api.Assertions.*;

class IpPacketTest {

    @Test
    void ipv4FieldsOfCapturedPing() {
        MemorySegment s = seg(hex(PING4_REQUEST));
        assertEquals(4, IpPacket.version(s, 0));
        assertEquals(20, Ipv4.headerLength(s, 0));
        assertEquals(52, Ipv4.totalLength(s, 0));
        assertEquals(52, IpPacket.length(s, 0));
        assertEquals(0x10d2, Ipv4.identification(s, 0));
        assertEquals(Ipv4.FLAG_DF, Ipv4.flags(s, 0));
        assertEquals(0, Ipv4.fragmentOffset(s, 0));
        assertFalse(Ipv4.isFragment(s, 0));
        assertEquals(64, Ipv4.ttl(s, 0));
        assertEquals(IpPacket.PROTO_ICMP, Ipv4.protocol(s, 0));
        assertEquals(0x2bf5, Ipv4.headerChecksum(s, 0));
        assertEquals(0x7f000001, Ipv4.source(s, 0));
        assertEquals(0x7f000001, Ipv4.destination(s, 0));
        byte[] a = new byte[6];
        Ipv4.source(s, 0, a, 2);
        assertArrayEquals(new byte[] {0, 0, 127, 0, 0, 1}, a);
        assertEquals(0, Ipv4.dscp(s, 0));
        assertEquals(0, Ipv4.ecn(s, 0));
        long tp = IpPacket.transport(s, 0, 52);
        assertEquals(20, IpPacket.transportOffset(tp));
        assertEquals(IpPacket.PROTO_ICMP, IpPacket.transportProtocol(tp));
        assertEquals(Icmp.V4_ECHO_REQUEST, Icmp.type(s, 20));
        assertEquals(0, Icmp.code(s, 20));
        assertEquals(0x23c8, Icmp.checksum(s, 20));
        assertEquals(0x22c5, Icmp.echoIdentifier(s, 20));
        assertEquals(1, Icmp.echoSequence(s, 20));
        assertEquals(PacketValidity.VALID, IpPacket.validate(s));
    }

    @Test
    void dscpAndEcnOfCapturedIcmpError() {
        MemorySegment s = seg(hex(ICMP4_PORT_UNREACHABLE));
        assertEquals(0xc0, Ipv4.tos(s, 0));
        assertEquals(48, Ipv4.dscp(s, 0)); // CS6, network control
        assertEquals(0, Ipv4.ecn(s, 0));
        assertEquals(Icmp.V4_DEST_UNREACHABLE, Icmp.type(s, 20));
        assertEquals(3, Icmp.code(s, 20));
        Ipv4.setTos(s, 0, 0xb9);
        assertEquals(46, Ipv4.dscp(s, 0));
        assertEquals(1, Ipv4.ecn(s, 0));
    }

    @Test
    void ipv6FieldsOfCapturedPing() {
        MemorySegment s = seg(hex(PING6_REQUEST));
        assertEquals(6, IpPacket.version(s, 0));
        assertEquals(0, Ipv6.trafficClass(s, 0));
        assertEquals(0xc9d7f, Ipv6.flowLabel(s, 0));
        assertEquals(32, Ipv6.payloadLength(s, 0));
        assertEquals(72, IpPacket.length(s, 0));
        assertEquals(IpPacket.PROTO_ICMPV6, Ipv6.nextHeader(s, 0));
        assertEquals(64, Ipv6.hopLimit(s, 0));
        assertEquals(0L, Ipv6.sourceHigh(s, 0));
        assertEquals(1L, Ipv6.sourceLow(s, 0));
        assertEquals(1L, Ipv6.destinationLow(s, 0));
        byte[] a = new byte[16];
        Ipv6.destination(s, 0, a, 0);
        assertEquals("::1", Cidr.addressString(a));
        long tp = IpPacket.transport(s, 0, 72);
        assertEquals(40, IpPacket.transportOffset(tp));
        assertEquals(IpPacket.PROTO_ICMPV6, IpPacket.transportProtocol(tp));
        assertEquals(Icmp.V6_ECHO_REQUEST, Icmp.type(s, 40));
        assertEquals(PacketValidity.VALID, IpPacket.validate(s));
        Ipv6.setTrafficClass(s, 0, 0xb9);
        assertEquals(0xb9, Ipv6.trafficClass(s, 0));
        assertEquals(46, Ipv6.dscp(s, 0));
        assertEquals(1, Ipv6.ecn(s, 0));
        assertEquals(0xc9d7f, Ipv6.flowLabel(s, 0));
        assertEquals(6, Ipv6.version(s, 0));
    }

    @Test
    void tcpFieldsOfCapturedSyn() {
        MemorySegment s = seg(hex(TCP4_SYN_PARTIAL));
        long tp = IpPacket.transport(s, 0, (int) s.byteSize());
        assertEquals(IpPacket.PROTO_TCP, IpPacket.transportProtocol(tp));
        long t = IpPacket.transportOffset(tp);
        assertEquals(0xe722, Tcp.sourcePort(s, t));
        assertEquals(9, Tcp.destinationPort(s, t));
        assertEquals(0x269ed857L, Tcp.sequence(s, t));
        assertEquals(0, Tcp.acknowledgment(s, t));
        assertEquals(40, Tcp.headerLength(s, t));
        assertEquals(Tcp.SYN, Tcp.flags(s, t));
        assertEquals(0xffd7, Tcp.window(s, t));
        assertEquals(0xfe30, Tcp.checksum(s, t));
        assertEquals(0, Tcp.urgentPointer(s, t));
        Tcp.setSequence(s, t, 0xfffffffeL);
        assertEquals(0xfffffffeL, Tcp.sequence(s, t));
        Tcp.setHeaderLength(s, t, 24);
        assertEquals(24, Tcp.headerLength(s, t));
        assertEquals(Tcp.SYN, Tcp.flags(s, t));
    }

    @Test
    void udpFieldsOfCapturedDatagram() {
        MemorySegment s = seg(hex(UDP4_PARTIAL));
        assertEquals(0xdd8e, Udp.sourcePort(s, 20));
        assertEquals(9, Udp.destinationPort(s, 20));
        assertEquals(20, Udp.length(s, 20));
        assertEquals(0xfe27, Udp.checksum(s, 20));
        assertEquals(PacketValidity.VALID, IpPacket.validate(s));
    }

    @Test
    void accessorsHonourOffsetInOffHeapSegment() {
        try (Arena arena = Arena.ofConfined()) {
            byte[] p = hex(TCP6_SYN_PARTIAL);
            MemorySegment s = offHeap(arena, p, 13);
            assertEquals(PacketValidity.VALID, IpPacket.validate(s, 13, p.length));
            long tp = IpPacket.transport(s, 13, p.length);
            assertEquals(53, IpPacket.transportOffset(tp));
            assertEquals(IpPacket.PROTO_TCP, IpPacket.transportProtocol(tp));
            assertEquals(9, Tcp.destinationPort(s, 53));
            assertEquals(0x314e56e7L, Tcp.sequence(s, 53));
        }
    }

    @Test
    void walksIpv6ExtensionHeaders() {
        byte[] udp = withRefChecksum(ipv6(17, udp(5000, 53, pattern(10, 1))));
        byte[] l4 = java.util.Arrays.copyOfRange(udp, 40, udp.length);
        // hop-by-hop (8 bytes) -> destination options (16 bytes) -> UDP
        byte[] ext = new byte[24 + l4.length];
        ext[0] = (byte) IpPacket.PROTO_DSTOPTS;
        ext[1] = 0;
        ext[2] = 1; // PadN
        ext[3] = 4;
        ext[8] = (byte) IpPacket.PROTO_UDP;
        ext[9] = 1;
        ext[10] = 1;
        ext[11] = 12;
        System.arraycopy(l4, 0, ext, 24, l4.length);
        MemorySegment s = seg(ipv6(IpPacket.PROTO_HOPOPTS, ext));
        int len = (int) s.byteSize();
        long tp = IpPacket.transport(s, 0, len);
        assertEquals(IpPacket.PROTO_UDP, IpPacket.transportProtocol(tp));
        assertEquals(64, IpPacket.transportOffset(tp));
        assertEquals(53, Udp.destinationPort(s, 64));
        assertEquals(PacketValidity.VALID, IpPacket.validate(s));
        assertFalse(Ipv6.isFragment(s, 0, len));
        // the UDP checksum does not cover extension headers, so it still verifies
        assertTrue(Checksum.verifyTransport(s, 0, len));

        // a chain that points past the packet
        s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 49, (byte) 200);
        assertEquals(-1, IpPacket.transport(s, 0, len));
        assertEquals(PacketValidity.BAD_EXTENSION_HEADERS, IpPacket.validate(s));
    }

    @Test
    void fragmentsHaveNoTransportHeaderAfterTheFirst() {
        byte[] frag = new byte[8 + 16];
        frag[0] = (byte) IpPacket.PROTO_UDP;
        TestPackets.put16(frag, 2, (185 << 3) | 1); // offset 1480, more fragments
        MemorySegment s = seg(ipv6(IpPacket.PROTO_FRAGMENT, frag));
        long tp = IpPacket.transport(s, 0, (int) s.byteSize());
        assertEquals(IpPacket.PROTO_FRAGMENT, IpPacket.transportProtocol(tp));
        assertEquals(48, IpPacket.transportOffset(tp));
        assertTrue(Ipv6.isFragment(s, 0, (int) s.byteSize()));
        assertEquals(PacketValidity.VALID, IpPacket.validate(s));

        byte[] v4 = ipv4(IpPacket.PROTO_UDP, new byte[16]);
        TestPackets.put16(v4, 6, 185); // offset 1480, no DF
        MemorySegment s4 = seg(v4);
        assertTrue(Ipv4.isFragment(s4, 0));
        assertEquals(1480, Ipv4.fragmentOffset(s4, 0));
        assertEquals(IpPacket.PROTO_FRAGMENT, IpPacket.transportProtocol(IpPacket.transport(s4, 0, 36)));
        assertEquals(PacketValidity.VALID, IpPacket.validate(s4)); // no UDP header check in a fragment
        assertThrows(IllegalArgumentException.class, () -> Checksum.verifyTransport(s4, 0, 36));
    }

    @Test
    void validationNamesEachDefect() {
        assertEquals(PacketValidity.EMPTY, IpPacket.validate(MemorySegment.ofArray(new byte[0])));
        assertEquals(PacketValidity.BAD_VERSION, IpPacket.validate(seg(new byte[] {0x50, 0, 0, 0})));
        assertEquals(PacketValidity.TRUNCATED_IP_HEADER, IpPacket.validate(seg(new byte[] {0x45, 0, 0, 19})));

        byte[] ok = withRefChecksum(ipv4(6, tcp(1, 2, 3, 4, Tcp.ACK, new byte[0], pattern(10, 0))));
        assertEquals(PacketValidity.VALID, IpPacket.validate(seg(ok)));
        byte[] b = ok.clone();
        b[0] = 0x44;
        assertEquals(PacketValidity.BAD_IHL, IpPacket.validate(seg(b)));
        b[0] = 0x4f; // 60-byte header in a 50-byte packet
        assertEquals(PacketValidity.TRUNCATED_IP_HEADER, IpPacket.validate(seg(b)));
        b = ok.clone();
        put16(b, 2, 19);
        assertEquals(PacketValidity.BAD_TOTAL_LENGTH, IpPacket.validate(seg(b)));
        put16(b, 2, ok.length + 1);
        assertEquals(PacketValidity.LENGTH_EXCEEDS_BUFFER, IpPacket.validate(seg(b)));
        // trailing padding beyond the total length is fine
        assertEquals(PacketValidity.VALID, IpPacket.validate(seg(java.util.Arrays.copyOf(ok, ok.length + 6))));
        b = ok.clone();
        put16(b, 2, 30); // only 10 bytes of TCP
        assertEquals(PacketValidity.TRUNCATED_TRANSPORT_HEADER, IpPacket.validate(seg(b)));
        b = ok.clone();
        b[32] = 0x40;
        assertEquals(PacketValidity.BAD_TCP_DATA_OFFSET, IpPacket.validate(seg(b)));
        b[32] = (byte) 0xf0;
        assertEquals(PacketValidity.TRUNCATED_TRANSPORT_HEADER, IpPacket.validate(seg(b)));

        byte[] u = ipv6(17, udp(1, 2, pattern(4, 0)));
        assertEquals(PacketValidity.VALID, IpPacket.validate(seg(u)));
        byte[] u2 = u.clone();
        put16(u2, 44, 7);
        assertEquals(PacketValidity.BAD_UDP_LENGTH, IpPacket.validate(seg(u2)));
        put16(u2, 44, 13);
        assertEquals(PacketValidity.BAD_UDP_LENGTH, IpPacket.validate(seg(u2)));
        put16(u2, 4, 100);
        assertEquals(PacketValidity.LENGTH_EXCEEDS_BUFFER, IpPacket.validate(seg(u2)));
        assertEquals(PacketValidity.TRUNCATED_IP_HEADER,
                IpPacket.validate(seg(java.util.Arrays.copyOf(u, 39))));

        byte[] icmp = ipv4(1, new byte[6]);
        assertEquals(PacketValidity.TRUNCATED_TRANSPORT_HEADER, IpPacket.validate(seg(icmp)));
        for (PacketValidity v : PacketValidity.values()) assertFalse(v.description().isBlank());
    }

    @Test
    void validationOfRandomBytesNeverThrows() {
        java.util.Random r = new java.util.Random(7);
        for (int i = 0; i < 20000; i++) {
            byte[] b = new byte[r.nextInt(80)];
            r.nextBytes(b);
            if (b.length > 0) b[0] = (byte) ((r.nextBoolean() ? 0x40 : 0x60) | (b[0] & 0x0f));
            if (b.length > 6 && r.nextBoolean()) b[6] = (byte) new int[] {0, 43, 44, 51, 60, 6, 17}[r.nextInt(7)];
            MemorySegment s = seg(b);
            PacketValidity v = IpPacket.validate(s, 0, b.length);
            long tp = IpPacket.transport(s, 0, b.length);
            if (v.isValid()) {
                assertTrue(tp >= 0, "valid packet without transport: " + java.util.HexFormat.of().formatHex(b));
                assertTrue(IpPacket.transportOffset(tp) <= b.length);
            }
        }
    }

    @Test
    void ipv4AddressConversions() {
        assertEquals(0xc0000201, Ipv4.toInt(V4_SRC));
        assertArrayEquals(V4_SRC, Ipv4.toBytes(0xc0000201));
        assertThrows(IllegalArgumentException.class, () -> Ipv4.toInt(new byte[16]));
    }
}
