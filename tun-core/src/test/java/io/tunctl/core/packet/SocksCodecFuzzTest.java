package io.tunctl.core.packet;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.tunctl.core.packet.TestPackets.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Random and mutated packets through the codecs the socks engine runs on untrusted TUN input: nothing throws
 * (each input lies in a segment of exactly its length, so a read past {@code len} would), and whatever a builder
 * writes is a well-formed packet with right checksums.
 */
class SocksCodecFuzzTest {
    private static final int ROUNDS = Integer.getInteger("tunctl.fuzz.rounds", 20_000);

    private static List<byte[]> seeds() {
        List<byte[]> s = new ArrayList<>();
        s.add(hex(PING4_REQUEST));
        s.add(hex(PING6_REQUEST));
        s.add(hex(TCP4_SYN_PARTIAL));
        s.add(hex(TCP6_SYN_PARTIAL));
        s.add(hex(ICMP4_PORT_UNREACHABLE));
        s.add(withRefChecksum(ipv4(17, udp(1, 2, pattern(100, 1)))));
        s.add(withRefChecksum(ipv6(17, udp(1, 2, pattern(100, 2)))));
        s.add(Icmp6ControlTest.behindRouterAlert("8f0000000000000104000000ff0200000000000000000000000000fb"));
        byte[] d = Ipv4ReassemblerTest.datagram(5, pattern(300, 5), Ipv4ReassemblerTest.OPTIONS);
        s.add(d);
        s.add(Ipv4ReassemblerTest.fragment(d, 0, 160, true));
        s.add(Ipv4ReassemblerTest.fragment(d, 160, d.length - 32, false));
        s.add(ipv6(44, ChecksumTest.concat(hex("1100000100000001"), udp(1, 2, new byte[8]))));
        return s;
    }

    @Test
    void randomAndMutatedInputNeverThrowsAndBuildsOnlyGoodPackets() {
        long seed = System.nanoTime();
        Random r = new Random(seed);
        List<byte[]> seeds = seeds();
        Ipv4Reassembler reassembler = new Ipv4Reassembler(MemorySegment.ofArray(
                new byte[(int) Ipv4Reassembler.bufferSize(8, 4000)]), 8, 4000, 1000);
        Ipv4Fragmenter fragmenter = new Ipv4Fragmenter();
        MemorySegment out = MemorySegment.ofArray(new byte[1600]);
        for (int n = 0; n < ROUNDS; n++) {
            byte[] p;
            if (r.nextInt(4) == 0) {
                p = new byte[r.nextInt(120)];
                r.nextBytes(p);
                if (p.length > 0) p[0] = (byte) ((r.nextBoolean() ? 0x40 : 0x60) | p[0] & 0x0f);
            } else {
                byte[] base = seeds.get(r.nextInt(seeds.size()));
                p = Arrays.copyOf(base, r.nextInt(4) == 0 ? r.nextInt(base.length + 1) : base.length);
                for (int k = r.nextInt(4); k > 0 && p.length > 0; k--) p[r.nextInt(p.length)] = (byte) r.nextInt(256);
            }
            String what = "seed " + seed + " round " + n + ": " + java.util.HexFormat.of().formatHex(p);
            try {
                run(p, r, reassembler, fragmenter, out, n);
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError(what, e);
            }
        }
    }

    private static void run(byte[] p, Random r, Ipv4Reassembler reassembler, Ipv4Fragmenter fragmenter,
                            MemorySegment out, int n) {
        MemorySegment s = seg(p);
        int len = p.length;
        IcmpReplies.mayAnswerWithError(s, 0, len);
        Icmp6Control.icmpType(s, 0, len);
        Icmp6Control.isMldReport(s, 0, len);
        Icmp6Control.isRouterSolicitation(s, 0, len);

        byte[] copy = p.clone();
        if (IcmpReplies.echoReplyInPlace(seg(copy), 0, len)) assertGood(seg(copy), len);

        assertBuilt(out, PacketBuilder.tcpReset(s, 0, len, out, 0, 1600));
        int version = len > 0 ? (p[0] & 0xff) >>> 4 : 0;
        if (version == 4) {
            assertBuilt(out, IcmpReplies.destinationUnreachable(out, 0, 1600, r.nextInt(16), s, 0, len, 0x0a000001));
            assertBuilt(out, IcmpReplies.fragmentationNeeded(out, 0, 1600, 68 + r.nextInt(1500), s, 0, len, 1 << 24));
        } else if (version == 6) {
            assertBuilt(out, IcmpReplies.destinationUnreachable(out, 0, 1600, r.nextInt(9), s, 0, len, 1, 2));
            assertBuilt(out, IcmpReplies.packetTooBig6(out, 0, 1600, 1280, s, 0, len, 1, 2));
        }

        int res = reassembler.offer(s, 0, len, n);
        if (res > 0) {
            MemorySegment c = reassembler.completed();
            assertTrue(Checksum.verifyIpv4Header(c, reassembler.completedOffset()));
            assertEquals(res, Ipv4.totalLength(c, reassembler.completedOffset()));
        } else {
            assertTrue(res >= Ipv4Reassembler.DROPPED);
        }

        int count = fragmenter.start(s, 0, len, 68 + r.nextInt(200));
        int written = 0;
        for (int k; (k = fragmenter.next(out, 0, 1600)) > 0; written++) {
            assertEquals(PacketValidity.VALID, IpPacket.validate(out, 0, k));
            assertTrue(Checksum.verifyIpv4Header(out, 0));
        }
        assertEquals(Math.max(count, 0), written);
    }

    private static void assertBuilt(MemorySegment out, int len) {
        assertTrue(len >= 0, "cap 1600 is always enough");
        if (len > 0) assertGood(out, len);
    }

    private static void assertGood(MemorySegment s, int len) {
        assertEquals(PacketValidity.VALID, IpPacket.validate(s, 0, len));
        if (IpPacket.version(s, 0) == 4) assertTrue(Checksum.verifyIpv4Header(s, 0));
        assertTrue(Checksum.verifyTransport(s, 0, len));
    }
}
