package io.tunctl.core.packet;

import io.tunctl.core.spi.Offload;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.testkit.OffloadCases;
import io.tunctl.core.testkit.OffloadCases.Case;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.tunctl.core.packet.TestPackets.hex;
import static org.junit.jupiter.api.Assertions.*;

class OffloadCheckTest {
    static final int MTU = 1400;
    static final byte[] SRC4 = Cidr.parseAddress("192.0.2.2");
    static final byte[] DST4 = Cidr.parseAddress("192.0.2.1");
    static final byte[] SRC6 = Cidr.parseAddress("2001:db8::2");
    static final byte[] DST6 = Cidr.parseAddress("2001:db8::1");

    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void close() { arena.close(); }

    static List<Case> forged() { return OffloadCases.forged(SRC4, DST4, SRC6, DST6, MTU); }

    static List<Case> valid() { return OffloadCases.valid(SRC4, DST4, SRC6, DST6, MTU); }

    /** The packet in a segment of exactly its length: a read past it throws instead of seeing zeros. */
    private static int check(Case c, int mtu) {
        byte[] p = c.packet();
        return OffloadCheck.check(MemorySegment.ofArray(p), p.length, c.flags(), c.gsoType(), c.hdrLen(), c.gsoSize(),
                c.csumStart(), c.csumOffset(), mtu);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forged")
    void eachForgedHeaderIsRefusedForItsReason(Case c) {
        assertEquals(OffloadCheck.name(c.reason()), OffloadCheck.name(check(c, MTU)), c.what());
        // the same through a batch slot, where bytes after the packet are there but must not be looked at
        PacketBatch b = PacketBatch.allocate(arena, 1, 65599);
        c.addTo(b);
        assertEquals(c.reason(), OffloadCheck.check(b, 0, MTU), c.what());
    }

    @Test
    void everyReasonHasAForgedCase() {
        Set<Integer> covered = new HashSet<>();
        for (Case c : forged()) covered.add(c.reason());
        for (int r = 1; r < OffloadCheck.REASONS; r++) {
            assertTrue(covered.contains(r), "no forged case for " + OffloadCheck.name(r));
        }
        assertFalse(covered.contains(OffloadCheck.OK));
        assertEquals(OffloadCheck.REASONS - 1, forged().size(), "one case per reason");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void whatLinuxHandsATunReaderPasses(Case c) {
        assertEquals("ok", OffloadCheck.name(check(c, MTU)), c.what());
    }

    /** What the check lets through, the software path (a device without vnet headers) can segment or complete. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void validPacketsAlsoSegmentInSoftwareWithinTheMtu(Case c) {
        PacketBatch src = PacketBatch.allocate(arena, 1, 65599);
        c.addTo(src);
        if (src.gsoType(0) == Offload.GSO_NONE && src.length(0) > MTU) return;
        PacketBatch dst = PacketBatch.allocate(arena, 256, MTU);
        int n = GsoSegmenter.segmentCount(src, 0);
        assertEquals(n, GsoSegmenter.segment(src, 0, dst));
        for (int k = 0; k < dst.size(); k++) {
            assertTrue(dst.length(k) <= MTU);
            assertTrue(IpPacket.validate(dst.buffer(k), 0, dst.length(k)).isValid());
        }
    }

    @Test
    void capturedPartialChecksumPacketsPass() {
        String[] partial = {TestPackets.TCP4_SYN_PARTIAL, TestPackets.TCP6_SYN_PARTIAL, TestPackets.TCP6_RST_PARTIAL,
                TestPackets.UDP4_PARTIAL};
        for (String h : partial) {
            byte[] p = hex(h);
            int l3 = (p[0] & 0xf0) == 0x40 ? 20 : 40;
            int proto = (p[0] & 0xf0) == 0x40 ? p[9] : p[6];
            int field = proto == IpPacket.PROTO_TCP ? 16 : 6;
            assertEquals(OffloadCheck.OK, OffloadCheck.check(MemorySegment.ofArray(p), p.length, Offload.F_NEEDS_CSUM,
                    Offload.GSO_NONE, 0, 0, l3, field, 1500), h);
        }
        byte[] ping = hex(TestPackets.PING4_REQUEST);
        assertEquals(OffloadCheck.OK, OffloadCheck.check(MemorySegment.ofArray(ping), ping.length, 0, 0, 0, 0, 0, 0, 1500));
    }

    @Test
    void fieldsAreTakenAtTheirWidthInTheHeader() {
        Case t = OffloadCases.tcp(SRC4, DST4, 5000, 1000);
        byte[] p = t.packet();
        MemorySegment s = MemorySegment.ofArray(p);
        // 0x101 is written to the 8-bit flags field as 1, 0x10001 to a 16-bit field as 1
        assertEquals(OffloadCheck.OK, OffloadCheck.check(s, p.length, 0x101, 0x100 | Offload.GSO_TCPV4, t.hdrLen(),
                0x10000 + 1000, 0x10000 + 20, 16, MTU));
        // and a 16-bit gso_size of 0 is 0 however it was passed
        assertEquals(OffloadCheck.GSO_SIZE_ZERO, OffloadCheck.check(s, p.length, 1, Offload.GSO_TCPV4, 0, 0x10000,
                20, 16, MTU));
    }

    @Test
    void theMtuBoundsTheSegmentNotTheSuperPacket() {
        Case t = OffloadCases.tcp(SRC4, DST4, 20000, 1348);
        assertEquals(OffloadCheck.OK, check(t, 1400));
        assertEquals(OffloadCheck.GSO_SIZE_ABOVE_MTU, check(t, 1399));
        Case u = OffloadCases.udp(SRC6, DST6, 53, 5000, 1352);
        assertEquals(OffloadCheck.OK, check(u, 1400));
        assertEquals(OffloadCheck.GSO_SIZE_ABOVE_MTU, check(u, 1399));
    }

    @Test
    void emptyAndOversizedLengths() {
        MemorySegment s = MemorySegment.ofArray(new byte[40]);
        assertEquals(OffloadCheck.OK, OffloadCheck.check(s, 0, 0, 0, 0, 0, 0, 0, MTU), "nothing to act on");
        assertEquals(OffloadCheck.BAD_IP_HEADER, OffloadCheck.check(s, 0, 1, 0, 0, 0, 0, 0, MTU));
        assertThrows(IllegalArgumentException.class, () -> OffloadCheck.check(s, 41, 0, 0, 0, 0, 0, 0, MTU));
        assertThrows(IllegalArgumentException.class, () -> OffloadCheck.check(s, -1, 0, 0, 0, 0, 0, 0, MTU));
    }

    @Test
    void namesAndDescriptions() {
        Set<String> names = new HashSet<>();
        for (int r = 0; r < OffloadCheck.REASONS; r++) {
            assertTrue(names.add(OffloadCheck.name(r)), "unique: " + OffloadCheck.name(r));
            assertTrue(OffloadCheck.name(r).matches("[a-z0-9_]+"), OffloadCheck.name(r));
            assertFalse(OffloadCheck.description(r).isBlank());
        }
        assertEquals("gso_size_above_mtu", OffloadCheck.name(OffloadCheck.GSO_SIZE_ABOVE_MTU));
        assertEquals("unknown_reason_99", OffloadCheck.name(99));
    }

    @Test
    void allocatesNothing() throws ReflectiveOperationException {
        PacketBatch b = PacketBatch.allocate(arena, 64, 65599);
        for (Case c : valid()) if (!b.isFull()) c.addTo(b);
        for (Case c : forged()) if (!b.isFull()) c.addTo(b);
        long sink = 0;
        for (int round = 0; round < 2000; round++) for (int i = 0; i < b.size(); i++) sink += OffloadCheck.check(b, i, MTU);
        long before = allocatedBytes();
        for (int round = 0; round < 2000; round++) for (int i = 0; i < b.size(); i++) sink += OffloadCheck.check(b, i, MTU);
        long allocated = allocatedBytes() - before;
        assertTrue(sink > 0);
        // 2000 rounds of ~40 packets: a single object per call would be > 1 MB
        assertTrue(allocated < 4096, allocated + " bytes allocated by " + 2000 * b.size() + " checks");
    }

    /** As TunHotPathIT: reflectively, since the test sources are compiled into a module that reads no java.management. */
    private static long allocatedBytes() throws ReflectiveOperationException {
        Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        return (long) Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes")
                .invoke(bean);
    }
}
