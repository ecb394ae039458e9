package io.tunctl.core.packet;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

import static io.tunctl.core.packet.TestPackets.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The per-packet calls of the socks engine allocate nothing once warm: measured with the JVM's per-thread
 * allocation counter around many calls, so a single allocation per call (16 bytes at least) would show as
 * far more than the small fixed slack allowed for the counter's own reading.
 */
class SocksCodecAllocationTest {
    private static final int CALLS = 20_000;
    private static final long SLACK = 4096;
    private static final int WARMUP = 20_000;

    @Test
    void reassemblerOfferAllocatesNothing() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            Ipv4Reassembler r = new Ipv4Reassembler(arena, 64, 65535, 30_000_000_000L);
            byte[] d = Ipv4ReassemblerTest.datagram(1, pattern(3000, 1), Ipv4ReassemblerTest.OPTIONS);
            List<byte[]> parts = Ipv4ReassemblerTest.cut(d, 1480);
            MemorySegment[] fragments = new MemorySegment[parts.size()];
            for (int i = 0; i < fragments.length; i++) {
                fragments[i] = arena.allocate(parts.get(i).length);
                MemorySegment.copy(parts.get(i), 0, fragments[i], ValueLayout.JAVA_BYTE, 0, parts.get(i).length);
            }
            MemorySegment duplicate = fragments[fragments.length - 1]; // offered first in each round
            Runnable round = () -> {
                for (int i = fragments.length - 1; i >= 0; i--) {
                    int res = r.offer(fragments[i], 0, (int) fragments[i].byteSize(), 1);
                    if (i == 1) r.offer(duplicate, 0, (int) duplicate.byteSize(), 1); // DUPLICATE path too
                    if (i == 0 && res != d.length) throw new AssertionError("not completed: " + res);
                }
            };
            assertPerCallFree(round, fragments.length + 1);
            assertEquals(WARMUP + CALLS, r.reassembled());
            assertEquals(WARMUP + CALLS, r.dropped(Ipv4Reassembler.Drop.DUPLICATE));
        }
    }

    @Test
    void echoReplyInPlaceAllocatesNothing() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            byte[] req4 = hex(PING4_REQUEST), req6 = hex(PING6_REQUEST);
            MemorySegment s = arena.allocate(200);
            Runnable round = () -> {
                MemorySegment.copy(req4, 0, s, ValueLayout.JAVA_BYTE, 0, req4.length);
                if (!IcmpReplies.echoReplyInPlace(s, 0, req4.length)) throw new AssertionError("v4");
                MemorySegment.copy(req6, 0, s, ValueLayout.JAVA_BYTE, 0, req6.length);
                if (!IcmpReplies.echoReplyInPlace(s, 0, req6.length)) throw new AssertionError("v6");
            };
            assertPerCallFree(round, 2);
        }
    }

    @Test
    void buildersAndPredicatesAllocateNothing() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(1600);
            byte[] udpBytes = withRefChecksum(ipv6(17, udp(1, 2, pattern(200, 1))));
            MemorySegment udp6 = arena.allocate(udpBytes.length);
            MemorySegment.copy(udpBytes, 0, udp6, ValueLayout.JAVA_BYTE, 0, udpBytes.length);
            byte[] synBytes = hex(TCP4_SYN_PARTIAL);
            MemorySegment syn = arena.allocate(synBytes.length);
            MemorySegment.copy(synBytes, 0, syn, ValueLayout.JAVA_BYTE, 0, synBytes.length);
            Ipv4Fragmenter fragmenter = new Ipv4Fragmenter();
            byte[] bigBytes = Ipv4ReassemblerTest.datagram(2, pattern(3000, 2), new byte[0]);
            MemorySegment big = arena.allocate(bigBytes.length);
            MemorySegment.copy(bigBytes, 0, big, ValueLayout.JAVA_BYTE, 0, bigBytes.length);
            Runnable round = () -> {
                int n = PacketBuilder.udp4(out, 0, 1600, 1, 2, 3, 4, udp6, 48, 200, 5)
                        + PacketBuilder.tcpReset(syn, 0, (int) syn.byteSize(), out, 0, 1600)
                        + IcmpReplies.destinationUnreachable(out, 0, 1600, 4, udp6, 0, (int) udp6.byteSize(), 7, 8)
                        + (IcmpReplies.mayAnswerWithError(udp6, 0, (int) udp6.byteSize()) ? 1 : 0)
                        + (Icmp6Control.isMldReport(udp6, 0, (int) udp6.byteSize()) ? 1 : 0);
                fragmenter.start(big, 0, (int) big.byteSize(), 1500);
                while (fragmenter.next(out, 0, 1600) > 0) n++;
                if (n <= 0) throw new AssertionError();
            };
            assertPerCallFree(round, 8);
        }
    }

    // written by the counter self-check, so the allocation cannot be optimised away
    static volatile Object sink;

    private static void assertPerCallFree(Runnable round, int callsPerRound) throws Exception {
        long probe = allocatedBytes();
        sink = new long[1024];
        assertTrue(allocatedBytes() - probe >= 8192, "the allocation counter works on this JVM");
        for (int i = 0; i < WARMUP; i++) round.run(); // warm up: let C2 compile and scalar-replace
        long before = allocatedBytes();
        for (int i = 0; i < CALLS; i++) round.run();
        long used = allocatedBytes() - before;
        assertTrue(used < SLACK, used + " bytes over " + (long) CALLS * callsPerRound + " calls");
    }

    /**
     * The current thread's com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes, reached reflectively:
     * the test sources are compiled into the module, which does not read java.management.
     */
    private static long allocatedBytes() throws ReflectiveOperationException {
        Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        Class<?> api = Class.forName("com.sun.management.ThreadMXBean");
        return (Long) api.getMethod("getCurrentThreadAllocatedBytes").invoke(bean);
    }
}
