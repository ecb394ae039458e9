package io.tunctl.core.packet;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;

import static io.tunctl.core.packet.PacketBuilderTest.*;
import static io.tunctl.core.packet.TestPackets.*;
import static org.junit.jupiter.api.Assertions.*;

class IcmpRepliesTest {
    static final byte[] MULTICAST6 = Cidr.parseAddress("ff02::1");

    // ---- echo ----

    @Test
    void capturedPingBecomesTheKernelsReply() {
        byte[] p = hex(PING4_REQUEST);
        assertTrue(IcmpReplies.echoReplyInPlace(seg(p), 0, p.length));
        byte[] kernel = hex(PING4_REPLY);
        // the kernel's reply has its own identification and no DF; all else is the same
        assertArrayEquals(Arrays.copyOfRange(kernel, 0, 4), Arrays.copyOfRange(p, 0, 4));
        assertArrayEquals(Arrays.copyOfRange(kernel, 8, 10), Arrays.copyOfRange(p, 8, 10));
        assertArrayEquals(Arrays.copyOfRange(kernel, 12, kernel.length), Arrays.copyOfRange(p, 12, p.length));
        assertWellFormed(seg(p), 0, p.length);

        byte[] p6 = hex(PING6_REQUEST);
        assertTrue(IcmpReplies.echoReplyInPlace(seg(p6), 0, p6.length));
        byte[] kernel6 = hex(PING6_REPLY); // differs only in the flow label
        assertArrayEquals(Arrays.copyOfRange(kernel6, 4, kernel6.length), Arrays.copyOfRange(p6, 4, p6.length));
        assertWellFormed(seg(p6), 0, p6.length);
    }

    @Test
    void incrementalChecksumsEqualAFullRecomputation() {
        Random r = new Random(5);
        for (int n = 0; n < 500; n++) {
            byte[] payload = pattern(r.nextInt(1400), n);
            boolean v4 = n % 2 == 0;
            byte[] p = v4 ? ipv4(1, ChecksumTest.concat(hex("0800000012340001"), payload))
                    : ipv6(58, ChecksumTest.concat(hex("8000000012340001"), payload));
            p[v4 ? 8 : 7] = (byte) (1 + r.nextInt(255)); // any TTL; the reply gets 64
            p[v4 ? 21 : 41] = (byte) r.nextInt(256); // any code
            if (v4) put16(p, 10, 0);
            if (v4) put16(p, 10, ~refSum(p, 0, 20) & 0xffff);
            withRefChecksum(p);
            assertTrue(IcmpReplies.echoReplyInPlace(seg(p), 0, p.length), "request " + n);
            assertEquals(v4 ? 0 : 129, p[v4 ? 20 : 40] & 0xff);
            assertEquals(64, p[v4 ? 8 : 7]);
            byte[] fresh = withRefChecksum(p.clone());
            assertArrayEquals(fresh, p, "checksum as recomputed " + n);
            if (v4) assertEquals(0xffff, refSum(p, 0, 20), "IPv4 header checksum " + n);
            assertWellFormed(seg(p), 0, p.length);
        }
    }

    @Test
    void onlyGoodUnicastEchoRequestsAreAnswered() {
        byte[] reply = hex(PING4_REPLY);
        assertUntouched(reply);
        byte[] badSum = hex(PING4_REQUEST);
        badSum[30] ^= 1;
        assertUntouched(badSum);
        byte[] badSum6 = hex(PING6_REQUEST);
        badSum6[50] ^= 1;
        assertUntouched(badSum6);
        byte[] toMulticast = withRefChecksum(ipv4(1, hex("0800000012340001")));
        toMulticast[16] = (byte) 224;
        put16(toMulticast, 10, 0);
        put16(toMulticast, 10, ~refSum(toMulticast, 0, 20) & 0xffff);
        assertUntouched(toMulticast);
        byte[] toBroadcast = toMulticast.clone();
        Arrays.fill(toBroadcast, 16, 20, (byte) 0xff);
        assertUntouched(toBroadcast);
        byte[] toMulticast6 = ipv6(58, hex("8000000012340001"));
        System.arraycopy(MULTICAST6, 0, toMulticast6, 24, 16);
        assertUntouched(withRefChecksum(toMulticast6));
        byte[] fragment = hex(PING4_REQUEST);
        fragment[6] = 0x20;
        assertUntouched(fragment);
        byte[] hopByHop = ipv6(0, ChecksumTest.concat(hex("3a00000000000000"), hex("8000000012340001")));
        assertUntouched(hopByHop);
        assertUntouched(withRefChecksum(ipv4(17, udp(1, 2, new byte[8]))));
        assertUntouched(Arrays.copyOf(hex(PING4_REQUEST), 27));
    }

    private static void assertUntouched(byte[] p) {
        byte[] before = p.clone();
        assertFalse(IcmpReplies.echoReplyInPlace(seg(p), 0, p.length));
        assertArrayEquals(before, p);
    }

    // ---- IPv4 errors ----

    /** A capture of Linux answering a UDP datagram to a closed port, readdressed to the documentation ranges. */
    @Test
    void portUnreachableHasTheKernelsLayout() {
        byte[] offending = hex(UDP4_PARTIAL);
        readdress4(offending, 0);
        byte[] expected = hex(ICMP4_PORT_UNREACHABLE);
        System.arraycopy(V4_DST, 0, expected, 12, 4); // from the unreachable destination
        System.arraycopy(V4_SRC, 0, expected, 16, 4);
        System.arraycopy(offending, 0, expected, 28, offending.length);
        put16(expected, 4, 0); // our identification
        put16(expected, 10, 0);
        put16(expected, 10, ~refSum(expected, 0, 20) & 0xffff);
        put16(expected, 22, 0);
        put16(expected, 22, ~refSum(expected, 20, expected.length - 20) & 0xffff);

        MemorySegment out = seg(new byte[600]);
        int len = IcmpReplies.destinationUnreachable(out, 7, 593, IcmpReplies.V4_PORT_UNREACHABLE,
                seg(offending), 0, offending.length, DST4);
        assertEquals(expected.length, len);
        assertArrayEquals(expected, bytes(out, 7, len));
        assertWellFormed(out, 7, len);
    }

    private static void readdress4(byte[] p, int off) {
        System.arraycopy(V4_SRC, 0, p, off + 12, 4);
        System.arraycopy(V4_DST, 0, p, off + 16, 4);
        put16(p, off + 10, 0);
        put16(p, off + 10, ~refSum(p, off, 20) & 0xffff);
    }

    @Test
    void fragmentationNeededQuotesUpTo576BytesAndCarriesTheMtu() {
        byte[] big = withRefChecksum(ipv4(17, udp(1, 2, pattern(1472, 1))));
        MemorySegment out = seg(new byte[2000]);
        int len = IcmpReplies.fragmentationNeeded(out, 0, 2000, 1280, seg(big), 0, big.length, 0x0a000001);
        assertEquals(576, len);
        byte[] got = bytes(out, 0, len);
        assertEquals(3, got[20]);
        assertEquals(4, got[21]);
        assertEquals(0, u16(got, 24));
        assertEquals(1280, u16(got, 26));
        assertArrayEquals(Arrays.copyOf(big, 548), Arrays.copyOfRange(got, 28, 576));
        assertEquals(0xffff, refSum(got, 20, len - 20), "ICMP checksum");
        assertEquals(0x0a000001, Ipv4.source(out, 0));
        assertEquals(SRC4, Ipv4.destination(out, 0));
        assertEquals(0xc0, Ipv4.tos(out, 0));
        assertWellFormed(out, 0, len);
        assertThrows(IllegalArgumentException.class,
                () -> IcmpReplies.fragmentationNeeded(out, 0, 2000, 67, seg(big), 0, big.length, 1));
    }

    @Test
    void aSmallCapacityShortensTheQuoteDownToHeaderPlusEight() {
        byte[] big = withRefChecksum(ipv4(17, udp(1, 2, pattern(300, 1))));
        MemorySegment out = seg(new byte[600]);
        assertEquals(100, IcmpReplies.destinationUnreachable(out, 0, 100, 1, seg(big), 0, big.length, DST4));
        assertWellFormed(out, 0, 100);
        assertEquals(56, IcmpReplies.destinationUnreachable(out, 0, 56, 1, seg(big), 0, big.length, DST4));
        assertEquals(-1, IcmpReplies.destinationUnreachable(out, 0, 55, 1, seg(big), 0, big.length, DST4));
        byte[] tiny = withRefChecksum(ipv4(17, udp(1, 2, new byte[0])));
        assertEquals(56, IcmpReplies.destinationUnreachable(out, 0, 56, 13, seg(tiny), 0, tiny.length, DST4));
        assertEquals(13, Icmp.code(out, 20));
        assertThrows(IllegalArgumentException.class,
                () -> IcmpReplies.destinationUnreachable(out, 0, 600, 16, seg(big), 0, big.length, DST4));
        byte[] v6 = withRefChecksum(ipv6(17, udp(1, 2, new byte[3])));
        assertThrows(IllegalArgumentException.class,
                () -> IcmpReplies.destinationUnreachable(out, 0, 600, 1, seg(v6), 0, v6.length, DST4));
    }

    @Test
    void errorBuiltOverItsOwnOffendingPacket() {
        byte[] udpPacket = withRefChecksum(ipv4(17, udp(1, 2, pattern(100, 4))));
        MemorySegment apart = seg(new byte[200]);
        int len = IcmpReplies.destinationUnreachable(apart, 0, 200, 3, seg(udpPacket), 0, udpPacket.length, DST4);
        byte[] buf = new byte[300];
        System.arraycopy(udpPacket, 0, buf, 10, udpPacket.length);
        assertEquals(len, IcmpReplies.destinationUnreachable(seg(buf), 0, 300, 3, seg(buf), 10, udpPacket.length, DST4));
        assertArrayEquals(bytes(apart, 0, len), Arrays.copyOf(buf, len));
    }

    @Test
    void errorsAreNeverSentWhereTheRfcsForbid() {
        MemorySegment out = seg(new byte[700]);
        byte[] portUnreachable = hex(ICMP4_PORT_UNREACHABLE);
        readdress4(portUnreachable, 0);
        assertForbidden(portUnreachable, "an ICMP error");
        byte[] echo = withRefChecksum(ipv4(1, hex("0800000012340001")));
        assertTrue(IcmpReplies.mayAnswerWithError(seg(echo), 0, echo.length), "an echo request");
        byte[] udpPacket = withRefChecksum(ipv4(17, udp(1, 2, pattern(16, 1))));
        assertTrue(IcmpReplies.mayAnswerWithError(seg(udpPacket), 0, udpPacket.length));
        byte[] firstFragment = udpPacket.clone();
        firstFragment[6] = 0x20;
        assertTrue(IcmpReplies.mayAnswerWithError(seg(firstFragment), 0, firstFragment.length), "first fragment");
        byte[] laterFragment = udpPacket.clone();
        laterFragment[7] = 1;
        assertForbidden(laterFragment, "non-first fragment");
        for (int first : new int[] {224, 239, 240, 255, 0}) {
            byte[] d = udpPacket.clone();
            d[16] = (byte) first;
            assertForbidden(d, "destination " + first + ".x");
        }
        for (int first : new int[] {224, 255, 0, 127}) {
            byte[] s = udpPacket.clone();
            s[12] = (byte) first;
            assertForbidden(s, "source " + first + ".x");
        }
        byte[] timestamp = ipv4(1, hex("0d00000000000000"));
        assertTrue(IcmpReplies.mayAnswerWithError(seg(timestamp), 0, timestamp.length), "timestamp request");
        for (int type : new int[] {3, 4, 5, 11, 12, 19, 40}) {
            assertForbidden(ipv4(1, new byte[] {(byte) type, 0, 0, 0, 0, 0, 0, 0}), "ICMP type " + type);
        }
        assertForbidden(new byte[0], "empty");
        assertForbidden(Arrays.copyOf(udpPacket, 20), "truncated");
        assertEquals(0, IcmpReplies.destinationUnreachable(out, 0, 700, 1, seg(laterFragment), 0,
                laterFragment.length, DST4));
    }

    private static void assertForbidden(byte[] p, String what) {
        assertFalse(IcmpReplies.mayAnswerWithError(seg(p), 0, p.length), what);
    }

    // ---- IPv6 errors ----

    @Test
    void ipv6UnreachableQuotesUpTo1280Bytes() {
        byte[] big = withRefChecksum(ipv6(17, udp(1, 2, pattern(1452, 1))));
        MemorySegment out = seg(new byte[1600]);
        int len = IcmpReplies.destinationUnreachable(out, 4, 1596, IcmpReplies.V6_PORT_UNREACHABLE, seg(big), 0,
                big.length, DST6_HI, DST6_LO);
        assertEquals(1280, len);
        byte[] got = bytes(out, 4, len);
        assertEquals(0x60, got[0] & 0xff);
        assertEquals(1240, u16(got, 4));
        assertEquals(58, got[6]);
        assertEquals(64, got[7]);
        assertArrayEquals(V6_DST, Arrays.copyOfRange(got, 8, 24));
        assertArrayEquals(V6_SRC, Arrays.copyOfRange(got, 24, 40));
        assertArrayEquals(hex("01040000" + "00000000"), new byte[] {got[40], got[41], 0, 0, got[44], got[45],
                got[46], got[47]});
        assertArrayEquals(Arrays.copyOf(big, 1232), Arrays.copyOfRange(got, 48, 1280));
        assertEquals(refTransportChecksum(got), u16(got, 42));
        assertWellFormed(out, 4, len);

        byte[] small = withRefChecksum(ipv6(17, udp(1, 2, pattern(10, 1))));
        len = IcmpReplies.destinationUnreachable(out, 0, 1600, IcmpReplies.V6_ADMIN_PROHIBITED, seg(small), 0,
                small.length, DST6_HI, DST6_LO);
        assertEquals(48 + small.length, len);
        assertWellFormed(out, 0, len);
        assertEquals(-1, IcmpReplies.destinationUnreachable(out, 0, 95, 1, seg(small), 0, small.length, 1, 2));
        assertThrows(IllegalArgumentException.class,
                () -> IcmpReplies.destinationUnreachable(out, 0, 1600, 9, seg(small), 0, small.length, 1, 2));
    }

    @Test
    void packetTooBigCarriesTheMtuAndAnswersMulticastToo() {
        byte[] big = withRefChecksum(ipv6(17, udp(1, 2, pattern(1600, 1))));
        System.arraycopy(MULTICAST6, 0, big, 24, 16);
        withRefChecksum(big);
        assertFalse(IcmpReplies.mayAnswerWithError(seg(big), 0, big.length));
        MemorySegment out = seg(new byte[1500]);
        assertEquals(0, IcmpReplies.destinationUnreachable(out, 0, 1500, 1, seg(big), 0, big.length, 1, 2));
        int len = IcmpReplies.packetTooBig6(out, 0, 1500, 1400, seg(big), 0, big.length, DST6_HI, DST6_LO);
        assertEquals(1280, len);
        assertEquals(Icmp.V6_PACKET_TOO_BIG, Icmp.type(out, 40));
        assertEquals(0, Icmp.code(out, 40));
        assertEquals(1400, Bytes.i32(out, 44));
        assertWellFormed(out, 0, len);
        assertThrows(IllegalArgumentException.class,
                () -> IcmpReplies.packetTooBig6(out, 0, 1500, 1279, seg(big), 0, big.length, 1, 2));
        byte[] v4 = withRefChecksum(ipv4(17, udp(1, 2, new byte[3])));
        assertThrows(IllegalArgumentException.class,
                () -> IcmpReplies.packetTooBig6(out, 0, 1500, 1280, seg(v4), 0, v4.length, 1, 2));
    }

    @Test
    void ipv6ErrorRules() {
        byte[] udpPacket = withRefChecksum(ipv6(17, udp(1, 2, pattern(16, 1))));
        assertTrue(IcmpReplies.mayAnswerWithError(seg(udpPacket), 0, udpPacket.length));
        byte[] unspecifiedSource = udpPacket.clone();
        Arrays.fill(unspecifiedSource, 8, 24, (byte) 0);
        assertForbidden(unspecifiedSource, "source ::");
        byte[] multicastSource = udpPacket.clone();
        System.arraycopy(MULTICAST6, 0, multicastSource, 8, 16);
        assertForbidden(multicastSource, "multicast source");
        assertTrue(IcmpReplies.mayAnswerWithError(seg(hex(PING6_REQUEST)), 0, 72), "echo request");
        for (int type : new int[] {1, 2, 3, 4, 100, 127, 137}) {
            assertForbidden(ipv6(58, new byte[] {(byte) type, 0, 0, 0, 0, 0, 0, 0}), "ICMPv6 type " + type);
        }
        assertTrue(IcmpReplies.mayAnswerWithError(seg(ipv6(58, hex("8700000000000000"))), 0, 48), "type 135");
        // fragment header (offset 0, M) then UDP: a first fragment may be answered; offset 8 may not
        byte[] first = ipv6(44, ChecksumTest.concat(hex("1100000100000001"), udp(1, 2, new byte[8])));
        assertTrue(IcmpReplies.mayAnswerWithError(seg(first), 0, first.length), "first fragment");
        byte[] later = ipv6(44, ChecksumTest.concat(hex("1100000900000001"), new byte[16]));
        assertForbidden(later, "non-first fragment");
        // an ICMPv6 error behind a hop-by-hop header is still an error
        assertForbidden(ipv6(0, ChecksumTest.concat(hex("3a00000000000000"), hex("0100000000000000"))), "hbh error");
    }

    @Test
    void errorChecksumsEqualANaiveRecomputation() {
        Random r = new Random(11);
        MemorySegment out = seg(new byte[1400]);
        for (int n = 0; n < 300; n++) {
            boolean v4 = n % 2 == 0;
            byte[] payload = pattern(r.nextInt(1300), n);
            byte[] p = withRefChecksum(v4 ? ipv4(17, udp(n, 53, payload)) : ipv6(17, udp(n, 53, payload)));
            int cap = 96 + r.nextInt(1300); // room for the IPv6 minimum: headers and 48 quoted bytes
            int len = v4 ? IcmpReplies.destinationUnreachable(out, 0, cap, r.nextInt(16), seg(p), 0, p.length, DST4)
                    : IcmpReplies.destinationUnreachable(out, 0, cap, r.nextInt(9), seg(p), 0, p.length, r.nextLong(),
                            r.nextLong());
            assertTrue(len > 0 && len <= cap, "length " + len + " cap " + cap);
            byte[] got = bytes(out, 0, len);
            assertEquals(refTransportChecksum(got), u16(got, v4 ? 22 : 42), "checksum " + n);
            if (v4) assertEquals(0xffff, refSum(got, 0, 20));
        }
    }
}
