package io.tunctl.core.peer;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.packet.Ipv4;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.*;

class PeerRoutesTest {

    static int v4(String s) { return Ipv4.toInt(Cidr.parseAddress(s)); }

    static long hi(String s) { return java.nio.ByteBuffer.wrap(Cidr.parseAddress(s)).getLong(0); }

    static long lo(String s) { return java.nio.ByteBuffer.wrap(Cidr.parseAddress(s)).getLong(8); }

    @Test
    void longestPrefixAndEqualPrefixesInTheOrderAdded() {
        PeerRoutes<String> r = new PeerRoutes<>();
        assertTrue(r.add(Cidr.parse("10.60.0.0/24"), "A"));
        assertTrue(r.add(Cidr.parse("10.60.0.0/24"), "B"));
        assertFalse(r.add(Cidr.parse("10.60.0.7/24"), "A"), "already an owner: keeps its place");
        r.add(Cidr.parse("10.60.0.128/25"), "C");
        assertEquals(List.of("A", "B"), r.owners(Cidr.parse("10.60.0.0/24")));
        assertEquals(2, r.size());
        assertEquals("A", r.lookupIpv4(v4("10.60.0.5")), "first added wins");
        assertEquals("C", r.lookupIpv4(v4("10.60.0.200")), "longer prefix wins");
        assertNull(r.lookupIpv4(v4("10.61.0.1")));
        assertTrue(r.remove(Cidr.parse("10.60.0.0/24"), "A"));
        assertFalse(r.remove(Cidr.parse("10.60.0.0/24"), "A"));
        assertEquals("B", r.lookupIpv4(v4("10.60.0.5")), "the next owner takes over");
        assertTrue(r.remove(Cidr.parse("10.60.0.0/24"), "B"));
        assertNull(r.lookupIpv4(v4("10.60.0.5")));
        assertEquals(1, r.size());
    }

    @Test
    void exceptSkipsTheSenderWithinAPrefixAndThenToShorterOnes() {
        PeerRoutes<String> r = new PeerRoutes<>();
        r.add(Cidr.parse("0.0.0.0/0"), "exit");
        r.add(Cidr.parse("10.60.0.0/16"), "B");
        r.add(Cidr.parse("10.60.0.0/24"), "A");
        r.add(Cidr.parse("10.60.0.0/24"), "C");
        r.add(Cidr.parse("10.60.0.2/32"), "A");
        int dst = v4("10.60.0.2");
        assertEquals("A", r.lookupIpv4Except(dst, null));
        assertEquals("A", r.lookupIpv4Except(dst, "B"));
        assertEquals("C", r.lookupIpv4Except(dst, "A"), "A's /32 and A's place in the /24 are skipped");
        assertEquals("A", r.lookupIpv4Except(v4("10.60.0.9"), "C"));
        assertEquals("B", r.lookupIpv4Except(v4("10.60.1.1"), "exit"));
        assertEquals("exit", r.lookupIpv4Except(v4("10.60.1.1"), "B"));
        assertNull(r.lookupIpv4Except(v4("198.51.100.1"), "exit"));
    }

    @Test
    void preferringTakesTheFirstUsableElseTheLastInMatchOrder() {
        PeerRoutes<String> r = new PeerRoutes<>();
        r.add(Cidr.parse("10.0.0.0/8"), "w");
        r.add(Cidr.parse("10.0.0.0/8"), "x");
        r.add(Cidr.parse("10.70.0.0/24"), "y");
        r.add(Cidr.parse("10.70.0.0/24"), "z");
        Set<String> down = new HashSet<>();
        Predicate<String> up = p -> !down.contains(p);
        int dst = v4("10.70.0.9");
        assertEquals("y", r.lookupIpv4Preferring(dst, up));
        down.add("y");
        assertEquals("z", r.lookupIpv4Preferring(dst, up));
        down.add("z");
        assertEquals("w", r.lookupIpv4Preferring(dst, up), "the /24 is down: the /8");
        down.add("w");
        assertEquals("x", r.lookupIpv4Preferring(dst, up));
        down.add("x");
        assertEquals("x", r.lookupIpv4Preferring(dst, up), "all down: the last owner of the shortest match");
        assertNull(r.lookupIpv4Preferring(v4("192.0.2.1"), up));
    }

    @Test
    void ipv6AndPackets() {
        PeerRoutes<String> r = new PeerRoutes<>();
        r.add(Cidr.parse("2001:db8::/32"), "gw");
        r.add(Cidr.parse("2001:db8:0:3::/64"), "B");
        r.add(Cidr.parse("2001:db8:0:3::2/128"), "A");
        assertEquals("A", r.lookupIpv6(hi("2001:db8:0:3::2"), lo("2001:db8:0:3::2")));
        assertEquals("B", r.lookupIpv6Except(hi("2001:db8:0:3::2"), lo("2001:db8:0:3::2"), "A"));
        assertEquals("gw", r.lookupIpv6Except(hi("2001:db8:0:3::9"), lo("2001:db8:0:3::9"), "B"));
        assertEquals("gw", r.lookupIpv6Preferring(hi("2001:db8:0:3::9"), lo("2001:db8:0:3::9"), p -> !p.equals("B")));
        assertEquals("gw", r.lookupIpv6Preferring(hi("2001:db8:0:3::9"), lo("2001:db8:0:3::9"), p -> false),
                "all down: the shortest match's last owner");
        assertNull(r.lookupIpv6(hi("2001:db9::1"), 1));

        byte[] p6 = new byte[40];
        p6[0] = 0x60;
        System.arraycopy(Cidr.parseAddress("2001:db8:0:3::2"), 0, p6, 24, 16);
        byte[] p4 = new byte[24];
        p4[4] = 0x45; // the IP header at offset 4, as after a frame header
        System.arraycopy(Cidr.parseAddress("10.1.2.3"), 0, p4, 4 + 16, 4);
        r.add(Cidr.parse("10.0.0.0/8"), "v4");
        assertEquals("A", r.lookupDestination(MemorySegment.ofArray(p6), 0));
        assertEquals("B", r.lookupDestinationExcept(MemorySegment.ofArray(p6), 0, "A"));
        assertEquals("v4", r.lookupDestination(MemorySegment.ofArray(p4), 4));
        assertNull(r.lookupDestinationExcept(MemorySegment.ofArray(p4), 4, "v4"));
        p6[0] = 0x10;
        assertNull(r.lookupDestination(MemorySegment.ofArray(p6), 0));
    }

    @Test
    void removePeerTakesItOutOfEveryPrefix() {
        PeerRoutes<String> r = new PeerRoutes<>();
        r.add(List.of(Cidr.parse("192.0.2.0/24"), Cidr.parse("198.51.100.0/24"), Cidr.parse("2001:db8::/48")), "A");
        r.add(Cidr.parse("192.0.2.0/24"), "B");
        assertEquals(3, r.removePeer("A"));
        assertEquals(1, r.size());
        assertEquals("B", r.lookupIpv4(v4("192.0.2.1")));
        assertEquals("{192.0.2.0/24=[B]}", r.toString());
        assertThrows(NullPointerException.class, () -> r.add(Cidr.parse("192.0.2.0/24"), null));
        assertThrows(UnsupportedOperationException.class, () -> r.owners(Cidr.parse("192.0.2.0/24")).add("C"));
    }

    /** A reference: rows (prefix, owner) in the order added, scanned longest prefix first (stable). */
    record Row(Cidr prefix, String owner) {}

    static List<Row> sorted(List<Row> rows) {
        List<Row> s = new ArrayList<>(rows);
        s.sort(java.util.Comparator.comparingInt((Row w) -> w.prefix().prefixLength()).reversed());
        return s;
    }

    @Test
    void agreesWithAStableSortedScan() {
        Random rnd = new Random(13);
        String[] peers = {"p0", "p1", "p2", "p3", "p4"};
        for (int round = 0; round < 40; round++) {
            PeerRoutes<String> r = new PeerRoutes<>();
            List<Row> rows = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                int len = rnd.nextInt(4) * 4 + 12; // 12..24: many overlaps and equal prefixes
                int addr = 0x0a000000 | (rnd.nextInt(4) << 20) | (rnd.nextInt(16) << 8);
                Cidr c = Cidr.parse(Cidr.addressString(Ipv4.toBytes(addr)) + "/" + len).network();
                String p = peers[rnd.nextInt(peers.length)];
                if (rows.stream().noneMatch(w -> w.prefix().equals(c) && w.owner().equals(p))) rows.add(new Row(c, p));
                r.add(c, p);
            }
            Set<String> up = new HashSet<>();
            for (String p : peers) if (rnd.nextBoolean()) up.add(p);
            List<Row> table = sorted(rows);
            for (int q = 0; q < 200; q++) {
                int dst = 0x0a000000 | rnd.nextInt(1 << 24) & 0x003fffff;
                byte[] d = Ipv4.toBytes(dst);
                String except = peers[rnd.nextInt(peers.length)];
                String first = null, other = null, usable = null, last = null;
                for (Row w : table) {
                    if (!w.prefix().contains(d)) continue;
                    if (first == null) first = w.owner();
                    if (other == null && !w.owner().equals(except)) other = w.owner();
                    if (usable == null && up.contains(w.owner())) usable = w.owner();
                    last = w.owner();
                }
                assertEquals(first, r.lookupIpv4(dst));
                assertEquals(other, r.lookupIpv4Except(dst, except));
                assertEquals(usable != null ? usable : last, r.lookupIpv4Preferring(dst, up::contains));
            }
        }
    }

    /** One writer moving a prefix between owners while readers look up: every answer is a current or past owner. */
    @Test
    void concurrentReadersDuringOwnerChanges() throws Exception {
        PeerRoutes<String> r = new PeerRoutes<>();
        Cidr base = Cidr.parse("10.0.0.0/8");
        r.add(base, "base");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> failure = new AtomicReference<>();
        Set<String> valid = Set.of("base", "a", "b", "c");
        Runnable reader = () -> {
            Random rnd = new Random(Thread.currentThread().threadId());
            while (!stop.get() && failure.get() == null) {
                int dst = 0x0a000000 | rnd.nextInt(1 << 24);
                String got = r.lookupIpv4Except(dst, "a");
                if (got == null || !valid.contains(got) || got.equals("a")) failure.set(Integer.toHexString(dst) + " -> " + got);
            }
        };
        Thread[] readers = {new Thread(reader), new Thread(reader)};
        for (Thread t : readers) t.start();
        try {
            Random rnd = new Random(3);
            long end = System.nanoTime() + 300_000_000L;
            while (System.nanoTime() < end && failure.get() == null) {
                Cidr c = Cidr.parse("10." + rnd.nextInt(4) + ".0.0/" + (12 + rnd.nextInt(12))).network();
                String p = List.of("a", "b", "c").get(rnd.nextInt(3));
                if (rnd.nextBoolean()) r.add(c, p);
                else r.remove(c, p);
            }
        } finally {
            stop.set(true);
            for (Thread t : readers) t.join(5000);
        }
        assertNull(failure.get());
    }
}
