package io.tunctl.core.peer;

import io.tunctl.core.packet.Cidr;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.InetAddress;
import java.util.Random;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Peer routing lookups and source checks allocate nothing: the bytes this thread allocates over a million
 * lookups of every kind, on a table of 1,000 peers with overlapping IPv4 and IPv6 prefixes, stay below one
 * 16-byte object per thousand lookups (what is left is JIT and JVM noise: a few hundred bytes in all).
 */
class PeerRoutingAllocationTest {
    private static final int PEERS = 1000;
    private static final int ROUNDS = 1 << 20;

    /** A peer as a server keeps it: identity equality, an online flag. */
    static final class Peer {
        final int id;
        volatile boolean online = true;

        Peer(int id) { this.id = id; }
    }

    @Test
    void lookupsAndChecksAllocateNothing() throws Throwable {
        Random r = new Random(7);
        PeerTable<Peer> t = new PeerTable<>();
        Peer[] peers = new Peer[PEERS];
        for (int i = 0; i < PEERS; i++) {
            Peer p = peers[i] = new Peer(i);
            p.online = i % 3 != 0;
            byte[] a4 = {10, (byte) (i >> 8), (byte) i, 0};
            byte[] a6 = Cidr.parseAddress("2001:db8::");
            a6[4] = (byte) (i >> 8);
            a6[5] = (byte) i;
            t.routes().add(Cidr.of(InetAddress.getByAddress(a4), 24), p);
            t.routes().add(Cidr.of(InetAddress.getByAddress(a6), 48), p);
            t.routes().add(Cidr.of(InetAddress.getByAddress(new byte[] {10, (byte) (i >> 8), 0, 0}), 16), p); // shared
            t.sources().allow(p, Cidr.of(InetAddress.getByAddress(a4), 24));
            t.sources().allow(p, Cidr.of(InetAddress.getByAddress(a6), 48));
            if (i % 100 == 0) t.sources().allowAny(p);
        }
        t.routes().add(Cidr.parse("0.0.0.0/0"), peers[0]);
        Predicate<Peer> online = p -> p.online;

        int[] dst4 = new int[1024];
        long[] dst6 = new long[2048];
        for (int i = 0; i < dst4.length; i++) {
            dst4[i] = 0x0a000000 | r.nextInt(1 << 16) << 8 | r.nextInt(256);
            dst6[2 * i] = 0x20010db800000000L | (long) r.nextInt(1 << 16) << 16;
            dst6[2 * i + 1] = r.nextLong();
        }
        byte[] packet = new byte[40];
        packet[0] = 0x45;
        MemorySegment seg = MemorySegment.ofArray(packet);

        MethodHandle allocated = allocatedBytes();
        long sink = run(t, peers, online, dst4, dst6, seg, 50_000); // warm up: compile before measuring
        long before = (long) allocated.invokeExact();
        sink += run(t, peers, online, dst4, dst6, seg, ROUNDS);
        long after = (long) allocated.invokeExact();
        assertTrue(sink != 0);
        long bytes = after - before;
        assertTrue(bytes < 16L * ROUNDS / 1000, bytes + " bytes allocated over " + ROUNDS + " rounds of lookups");
        assertTrue(t.drops().spoofedSource() > 0, "the rounds include refused sources");
    }

    private static long run(PeerTable<Peer> t, Peer[] peers, Predicate<Peer> online, int[] dst4, long[] dst6,
                            MemorySegment seg, int rounds) {
        long sink = 0;
        PeerRoutes<Peer> routes = t.routes();
        AllowedSources<Peer> sources = t.sources();
        for (int i = 0; i < rounds; i++) {
            int k = i & 1023;
            Peer from = peers[i % PEERS];
            Peer p;
            switch (i & 7) {
                case 0 -> p = routes.lookupIpv4(dst4[k]);
                case 1 -> p = routes.lookupIpv4Except(dst4[k], from);
                case 2 -> p = routes.lookupIpv4Preferring(dst4[k], online);
                case 3 -> p = routes.lookupIpv6(dst6[2 * k], dst6[2 * k + 1]);
                case 4 -> p = routes.lookupIpv6Except(dst6[2 * k], dst6[2 * k + 1], from);
                case 5 -> {
                    seg.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 16, Integer.reverseBytes(dst4[k]));
                    p = routes.lookupDestinationExcept(seg, 0, from);
                }
                case 6 -> p = sources.admitIpv4(from, dst4[k]) ? from : null;
                default -> p = sources.admitIpv6(from, dst6[2 * k], dst6[2 * k + 1]) ? from : null;
            }
            if (p != null) sink += p.id + 1;
        }
        return sink;
    }

    /**
     * com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes, reached reflectively (the tests are
     * compiled into module io.tunctl.core, which does not read java.management) and bound once, so the
     * measurement itself allocates nothing between the two calls.
     */
    private static MethodHandle allocatedBytes() throws ReflectiveOperationException {
        Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        Class<?> type = Class.forName("com.sun.management.ThreadMXBean");
        return MethodHandles.publicLookup().findVirtual(type, "getCurrentThreadAllocatedBytes", MethodType.methodType(long.class))
                .bindTo(bean);
    }
}
