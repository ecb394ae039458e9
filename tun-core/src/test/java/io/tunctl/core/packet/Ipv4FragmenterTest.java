package io.tunctl.core.packet;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.tunctl.core.packet.Ipv4ReassemblerTest.OPTIONS;
import static io.tunctl.core.packet.Ipv4ReassemblerTest.datagram;
import static io.tunctl.core.packet.TestPackets.*;
import static org.junit.jupiter.api.Assertions.*;

class Ipv4FragmenterTest {

    static List<byte[]> split(Ipv4Fragmenter f, byte[] p, int mtu, int expectedCount) {
        assertEquals(expectedCount, f.start(seg(p), 0, p.length, mtu));
        List<byte[]> out = new ArrayList<>();
        byte[] buf = new byte[2000];
        int len;
        while ((len = f.next(seg(buf), 0, buf.length)) > 0) out.add(Arrays.copyOf(buf, len));
        assertEquals(expectedCount, out.size());
        assertEquals(0, f.next(seg(buf), 0, buf.length), "stays done");
        return out;
    }

    /** Headers worked out by hand (checksums with a pencil-and-paper one's complement sum). */
    @Test
    void minimumMtuSplitMatchesHandWorkedHeaders() {
        byte[] d = datagram(0x1234, pattern(92, 1), new byte[0]); // 100 data bytes
        List<byte[]> fs = split(new Ipv4Fragmenter(), d, 68, 3);
        assertHeader("450000441234200040115c39c0000201c6336407", fs.get(0));
        assertHeader("450000441234200640115c33c0000201c6336407", fs.get(1));
        assertHeader("450000181234000c40117c59c0000201c6336407", fs.get(2));
        assertArrayEquals(Arrays.copyOfRange(d, 20, 68), Arrays.copyOfRange(fs.get(0), 20, 68));
        assertArrayEquals(Arrays.copyOfRange(d, 68, 116), Arrays.copyOfRange(fs.get(1), 20, 68));
        assertArrayEquals(Arrays.copyOfRange(d, 116, 120), Arrays.copyOfRange(fs.get(2), 20, 24));
        for (byte[] f : fs) {
            assertEquals(PacketValidity.VALID, IpPacket.validate(seg(f), 0, f.length));
            assertTrue(Checksum.verifyIpv4Header(seg(f), 0));
        }
    }

    @Test
    void laterFragmentsCarryOnlyCopiedOptions() {
        byte[] d = datagram(0x1234, pattern(92, 1), OPTIONS); // IHL 8: router alert (copied), record route, NOP
        List<byte[]> fs = split(new Ipv4Fragmenter(), d, 68, 3);
        assertHeader("480000401234200040110000c0000201c6336407940400000707040000000001".replace("40110000", "4011ba30"),
                fs.get(0));
        assertHeader("460000401234200440110000c0000201c633640794040000".replace("40110000", "4011c734"), fs.get(1));
        assertEquals(24 + 28, fs.get(2).length); // data 72..100
        assertEquals(9, u16(fs.get(2), 6)); // offset 72 / 8, MF clear
        assertEquals(0xffff, refSum(fs.get(2), 0, 24));
    }

    private static void assertHeader(String hexHeader, byte[] fragment) {
        byte[] h = hex(hexHeader);
        assertArrayEquals(h, Arrays.copyOf(fragment, h.length));
        assertEquals(0xffff, refSum(fragment, 0, h.length), "header checksum");
    }

    @Test
    void aFragmentIsSplitFurtherKeepingItsOffsetAndMf() {
        byte[] d = datagram(9, pattern(392, 9), new byte[0]); // 400 data bytes
        byte[] middle = Ipv4ReassemblerTest.fragment(d, 80, 240, true);
        List<byte[]> fs = split(new Ipv4Fragmenter(), middle, 100, 2);
        assertEquals(0x2000 | 10, u16(fs.get(0), 6));
        assertEquals(0x2000 | 20, u16(fs.get(1), 6), "MF stays: the original continues");
        assertEquals(100, fs.get(0).length);
        assertEquals(20 + 80, fs.get(1).length);
        byte[] last = Ipv4ReassemblerTest.fragment(d, 240, 400, false);
        List<byte[]> ls = split(new Ipv4Fragmenter(), last, 100, 2);
        assertEquals(0, u16(ls.get(1), 6) & 0x2000);
        assertEquals(30 + 10, u16(ls.get(1), 6));
    }

    @Test
    void dfFitsInvalidAndBadMtu() {
        Ipv4Fragmenter f = new Ipv4Fragmenter();
        byte[] df = withRefChecksum(ipv4(17, udp(1, 2, pattern(1500, 1)))); // TestPackets sets DF
        assertEquals(Ipv4Fragmenter.DONT_FRAGMENT, f.start(seg(df), 0, df.length, 1500));
        assertEquals(0, f.next(seg(new byte[2000]), 0, 2000));
        assertEquals(Ipv4Fragmenter.FITS, f.start(seg(df), 0, df.length, df.length));
        assertEquals(Ipv4Fragmenter.INVALID, f.start(seg(df), 0, 30, 100));
        assertEquals(Ipv4Fragmenter.INVALID, f.start(seg(hex(PING6_REQUEST)), 0, 72, 68));
        byte[] badOption = datagram(1, pattern(200, 1), hex("9409000000000000")); // claims 9 bytes, has 8
        assertEquals(Ipv4Fragmenter.INVALID, f.start(seg(badOption), 0, badOption.length, 100));
        byte[] zeroLength = datagram(1, pattern(200, 1), hex("9400000000000000"));
        assertEquals(Ipv4Fragmenter.INVALID, f.start(seg(zeroLength), 0, zeroLength.length, 100));
        assertThrows(IllegalArgumentException.class, () -> f.start(seg(df), 0, df.length, 67));
        assertThrows(IllegalArgumentException.class, () -> f.start(seg(df), 0, df.length, 65536));
    }

    @Test
    void aTooSmallBufferIsRetriedWithoutLosingTheFragment() {
        byte[] d = datagram(3, pattern(3000, 3), new byte[0]);
        Ipv4Fragmenter f = new Ipv4Fragmenter();
        int count = f.start(seg(d), 0, d.length, 1500);
        assertEquals(3, count);
        MemorySegment small = seg(new byte[1499]);
        assertEquals(-1, f.next(small, 0, 1499));
        assertEquals(3008, f.remaining());
        MemorySegment out = seg(new byte[1500]);
        assertEquals(1500, f.next(out, 0, 1500));
        assertEquals(1500, f.next(out, 0, 1500));
        assertEquals(20 + 3008 - 2960, f.next(out, 0, 1500));
        assertEquals(0, f.next(out, 0, 1500));
        assertEquals(0, f.remaining());
    }

    @Test
    void everyFragmentRespectsTheMtuAndAlignment() {
        Ipv4Fragmenter f = new Ipv4Fragmenter();
        byte[] buf = new byte[1600];
        for (int mtu = 68; mtu <= 1500; mtu += 37) {
            byte[] d = datagram(mtu, pattern(4000, mtu), mtu % 2 == 0 ? OPTIONS : new byte[0]);
            int count = f.start(seg(d), 0, d.length, mtu);
            assertTrue(count > 1);
            int expectOffset = 0, len, n = 0;
            while ((len = f.next(seg(buf), 0, buf.length)) > 0) {
                n++;
                assertTrue(len <= mtu);
                int ihl = (buf[0] & 0x0f) * 4;
                int frag = u16(buf, 6);
                assertEquals(expectOffset, (frag & 0x1fff) * 8);
                assertEquals(n < count, (frag & 0x2000) != 0);
                if (n < count) assertEquals(0, (len - ihl) % 8);
                assertEquals(0xffff, refSum(buf, 0, ihl));
                expectOffset += len - ihl;
            }
            assertEquals(count, n);
            assertEquals(d.length - (d[0] & 0x0f) * 4, expectOffset);
        }
    }
}
