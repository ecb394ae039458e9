package io.tunctl.core.packet;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static io.tunctl.core.packet.TestPackets.*;
import static org.junit.jupiter.api.Assertions.*;

class RouteTableTest {

    private static byte[] a(String s) { return Cidr.parseAddress(s); }

    @Test
    void overlappingIpv4PrefixesPickTheLongest() {
        RouteTable<String> t = new RouteTable<>();
        assertNull(t.lookup(a("192.0.2.1")));
        t.put(Cidr.parse("0.0.0.0/0"), "default");
        t.put(Cidr.parse("192.0.2.0/24"), "net24");
        t.put(Cidr.parse("192.0.2.128/25"), "net25");
        t.put(Cidr.parse("192.0.2.200/32"), "host");
        t.put(Cidr.parse("10.0.0.0/8"), "ten");
        assertEquals(5, t.size());
        assertEquals("default", t.lookup(a("198.51.100.1")));
        assertEquals("net24", t.lookup(a("192.0.2.1")));
        assertEquals("net25", t.lookup(a("192.0.2.129")));
        assertEquals("net25", t.lookup(a("192.0.2.255")));
        assertEquals("host", t.lookup(a("192.0.2.200")));
        assertEquals("net25", t.lookup(a("192.0.2.201")));
        assertEquals("ten", t.lookupIpv4(0x0a010203));
        assertEquals(Cidr.parse("192.0.2.128/25"), t.matchingPrefix(a("192.0.2.130")));
        assertNull(t.lookup(a("2001:db8::1")), "families are separate");

        assertEquals("net25", t.remove(Cidr.parse("192.0.2.128/25")));
        assertNull(t.remove(Cidr.parse("192.0.2.128/25")));
        assertEquals("net24", t.lookup(a("192.0.2.129")));
        assertEquals("host", t.lookup(a("192.0.2.200")));
        assertEquals("default", t.remove(Cidr.parse("0.0.0.0/0")));
        assertNull(t.lookup(a("198.51.100.1")));
        assertEquals(3, t.size());
    }

    @Test
    void hostBitsAreIgnoredAndReplaceReturnsPrevious() {
        RouteTable<Integer> t = new RouteTable<>();
        assertNull(t.put(Cidr.parse("192.0.2.77/24"), 1));
        assertEquals(1, t.put(Cidr.parse("192.0.2.0/24"), 2));
        assertEquals(1, t.size());
        assertEquals(2, t.get(Cidr.parse("192.0.2.1/24")));
        assertNull(t.get(Cidr.parse("192.0.2.0/25")), "get is exact, not longest match");
        assertEquals(2, t.putIfAbsent(Cidr.parse("192.0.2.0/24"), 3));
        assertEquals(2, t.lookup(a("192.0.2.9")));
        assertTrue(t.containsPrefix(Cidr.parse("192.0.2.0/24")));
        assertThrows(NullPointerException.class, () -> t.put(Cidr.parse("192.0.2.0/24"), null));
        assertThrows(IllegalArgumentException.class, () -> t.lookup(new byte[5]));
    }

    @Test
    void ipv6DefaultHostsAndDeepPrefixes() {
        RouteTable<String> t = new RouteTable<>();
        t.put(Cidr.parse("::/0"), "default");
        t.put(Cidr.parse("2001:db8::/32"), "doc");
        t.put(Cidr.parse("2001:db8:0:1::/64"), "lan");
        t.put(Cidr.parse("2001:db8:0:1::5/128"), "host");
        t.put(Cidr.parse("2001:db8:0:1:8000::/65"), "upper");
        t.put(Cidr.parse("2001:db8:0:1::4/127"), "pair");
        assertEquals("default", t.lookup(a("2001:db9::1")));
        assertEquals("doc", t.lookup(a("2001:db8:5::1")));
        assertEquals("lan", t.lookup(a("2001:db8:0:1::1")));
        assertEquals("host", t.lookup(a("2001:db8:0:1::5")));
        assertEquals("pair", t.lookup(a("2001:db8:0:1::4")));
        assertEquals("lan", t.lookup(a("2001:db8:0:1::6")));
        assertEquals("upper", t.lookup(a("2001:db8:0:1:8000::1")));
        assertEquals("upper", t.lookup(a("2001:db8:0:1:ffff:ffff:ffff:ffff")));
        assertEquals("lan", t.lookup(a("2001:db8:0:1:7fff:ffff:ffff:ffff")));
        assertEquals("host", t.remove(Cidr.parse("2001:db8:0:1::5/128")));
        assertEquals("pair", t.lookup(a("2001:db8:0:1::5")));
        assertNull(t.lookup(a("192.0.2.1")));
    }

    @Test
    void filteredAndShortestMatches() {
        RouteTable<String> t = new RouteTable<>();
        t.put(Cidr.parse("0.0.0.0/0"), "any");
        t.put(Cidr.parse("192.0.2.0/24"), "net24");
        t.put(Cidr.parse("192.0.2.128/25"), "net25");
        t.put(Cidr.parse("2001:db8::/32"), "doc");
        t.put(Cidr.parse("2001:db8::/64"), "lan");
        int addr = Ipv4.toInt(a("192.0.2.200"));
        assertEquals("net25", t.lookupIpv4(addr, (v, skip) -> !v.equals(skip), "none"));
        assertEquals("net24", t.lookupIpv4(addr, (v, skip) -> !v.equals(skip), "net25"), "the next shorter match");
        assertEquals("any", t.lookupIpv4(addr, (v, len) -> v.length() <= len, 3));
        assertNull(t.lookupIpv4(addr, (v, arg) -> false, null));
        assertEquals("any", t.shortestMatchIpv4(addr));
        assertNull(t.shortestMatchIpv6(0, 0));
        long hi = 0x20010db800000000L;
        assertEquals("doc", t.lookupIpv6(hi, 1, (v, skip) -> !v.equals(skip), "lan"));
        assertEquals("lan", t.lookupIpv6(hi, 1, (v, skip) -> !v.equals(skip), "doc"));
        assertEquals("doc", t.shortestMatchIpv6(hi, 1));
        assertEquals("doc", t.lookupIpv6(hi | 1, 1, (v, skip) -> true, null), "2001:db8:0:1::1 is outside the /64");
        assertNull(t.lookupIpv6(0x20010db900000000L, 1, (v, skip) -> true, null));
    }

    @Test
    void looksUpPacketAddressesInSegments() {
        RouteTable<String> t = new RouteTable<>();
        t.put(Cidr.parse("198.51.100.0/24"), "v4dst");
        t.put(Cidr.parse("192.0.2.1/32"), "v4src");
        t.put(Cidr.parse("2001:db8:1::/48"), "v6dst");
        t.put(Cidr.parse("2001:db8::1/128"), "v6src");
        MemorySegment p4 = seg(ipv4(17, udp(1, 2, new byte[4])));
        MemorySegment p6 = seg(ipv6(17, udp(1, 2, new byte[4])));
        assertEquals("v4dst", t.lookupDestination(p4, 0));
        assertEquals("v4src", t.lookupSource(p4, 0));
        assertEquals("v6dst", t.lookupDestination(p6, 0));
        assertEquals("v6src", t.lookupSource(p6, 0));
        assertEquals("v4dst", t.lookupIpv4(p4, Ipv4.OFF_DST));
        assertEquals("v6dst", t.lookupIpv6(p6, Ipv6.OFF_DST));
        assertNull(t.lookupDestination(seg(new byte[] {0x10, 0, 0, 0}), 0));
    }

    @Test
    void iteratesInOrderAndCopiesIndependently() {
        RouteTable<Integer> t = new RouteTable<>();
        String[] in = {"2001:db8::/32", "10.0.0.0/8", "0.0.0.0/0", "10.0.0.0/16", "192.0.2.0/24", "::/0",
            "10.128.0.0/9", "2001:db8::1/128"};
        for (int i = 0; i < in.length; i++) t.put(Cidr.parse(in[i]), i);
        List<String> order = new ArrayList<>();
        t.forEach((c, v) -> order.add(c.toString()));
        assertEquals(List.of("0.0.0.0/0", "10.0.0.0/8", "10.0.0.0/16", "10.128.0.0/9", "192.0.2.0/24",
                "::/0", "2001:db8::/32", "2001:db8::1/128"), order);
        assertEquals(8, t.entries().size());
        assertEquals(Cidr.parse("10.128.0.0/9"), t.entries().get(3).getKey());
        RouteTable<Integer> c = t.copy();
        c.remove(Cidr.parse("10.0.0.0/8"));
        assertEquals(1, t.lookup(a("10.1.0.0")));
        assertEquals(2, c.lookup(a("10.1.0.0")));
        assertEquals(7, c.size());
        assertTrue(t.toString().startsWith("{0.0.0.0/0=2, 10.0.0.0/8=1"), t.toString());
        t.clear();
        assertTrue(t.isEmpty());
        assertNull(t.lookup(a("10.0.0.1")));
    }

    /** Random prefixes clustered in a small space (to overlap), checked against a linear scan. */
    @Test
    void agreesWithLinearScanUnderRandomAddAndRemove() {
        for (int family : new int[] {4, 16}) {
            Random r = new Random(family);
            RouteTable<Integer> t = new RouteTable<>();
            Map<Cidr, Integer> ref = new HashMap<>();
            for (int step = 0; step < 1000; step++) {
                Cidr c = randomPrefix(r, family);
                int op = r.nextInt(10);
                if (op < 5) {
                    assertEquals(ref.put(c, step), t.put(c, step), "put " + c);
                } else if (op < 9) {
                    assertEquals(ref.remove(c), t.remove(c), "remove " + c);
                } else if (!ref.isEmpty()) {
                    Cidr victim = ref.keySet().iterator().next();
                    assertEquals(ref.remove(victim), t.remove(victim), "remove present " + victim);
                }
                assertEquals(ref.size(), t.size());
                for (int q = 0; q < 4; q++) {
                    byte[] addr = randomPrefix(r, family).addressBytes();
                    if (r.nextBoolean()) addr[family - 1] ^= (byte) r.nextInt(256);
                    Integer expect = null;
                    int best = -1;
                    for (Map.Entry<Cidr, Integer> e : ref.entrySet()) {
                        if (e.getKey().contains(addr) && e.getKey().prefixLength() > best) {
                            best = e.getKey().prefixLength();
                            expect = e.getValue();
                        }
                    }
                    assertEquals(expect, t.lookup(addr), () -> "lookup " + Cidr.addressString(addr) + " in " + ref);
                }
            }
            List<Cidr> keys = new ArrayList<>();
            t.forEach((c, v) -> keys.add(c));
            assertEquals(new ArrayList<>(new TreeMap<>(ref).keySet()), keys);
        }
    }

    /** One writer churning prefixes under a fixed /8 while readers look up: every answer must be a containing prefix. */
    @Test
    void concurrentReadersSeeConsistentAnswersDuringWrites() throws Exception {
        RouteTable<Cidr> t = new RouteTable<>();
        Cidr base = Cidr.parse("10.0.0.0/8");
        t.put(base, base);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<String> failure = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicLong lookups = new java.util.concurrent.atomic.AtomicLong();
        Runnable reader = () -> {
            Random r = new Random(Thread.currentThread().threadId());
            while (!stop.get() && failure.get() == null) {
                int addr = 0x0a000000 | (r.nextInt(4) << 22) | r.nextInt(1 << 22);
                Cidr got = t.lookupIpv4(addr);
                if (got == null || !got.contains(Ipv4.toBytes(addr))) {
                    failure.set(Integer.toHexString(addr) + " -> " + got);
                }
                lookups.incrementAndGet();
            }
        };
        Thread[] readers = {new Thread(reader), new Thread(reader)};
        for (Thread th : readers) th.start();
        try {
            Random r = new Random(9);
            long end = System.nanoTime() + 300_000_000L;
            while (System.nanoTime() < end && failure.get() == null) {
                int addr = 0x0a000000 | (r.nextInt(4) << 22) | r.nextInt(1 << 22);
                Cidr c = Cidr.of(java.net.InetAddress.getByAddress(Ipv4.toBytes(addr)), 9 + r.nextInt(24)).network();
                if (r.nextBoolean()) t.put(c, c);
                else t.remove(c);
            }
        } finally {
            stop.set(true);
            for (Thread th : readers) th.join(5000);
        }
        assertNull(failure.get());
        assertTrue(lookups.get() > 1000, "readers ran: " + lookups.get());
        assertEquals(base, t.get(base));
    }

    private static Cidr randomPrefix(Random r, int family) {
        byte[] b = new byte[family];
        // few distinct top bytes and lengths near them so prefixes overlap often
        b[0] = (byte) (r.nextInt(2) == 0 ? 0x20 : 0xc0);
        for (int i = 1; i < family; i++) b[i] = (byte) (r.nextInt(4) == 0 ? r.nextInt(256) : r.nextInt(2));
        int max = family * 8;
        int len = r.nextInt(5) == 0 ? max : r.nextInt(max + 1);
        try {
            return Cidr.of(java.net.InetAddress.getByAddress(b), len).network();
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
