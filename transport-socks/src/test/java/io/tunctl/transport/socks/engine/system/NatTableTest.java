package io.tunctl.transport.socks.engine.system;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NatTableTest {

    @Test
    void findsAFlowByItsTupleAndByItsNatPortAndForgetsIt() {
        NatTable t = new NatTable(8);
        int e = t.add(4, 0, 0xc6120001L, 40000, 0, 0xc000020aL, 80, 1);
        assertEquals(e, t.find(4, 0, 0xc6120001L, 40000, 0, 0xc000020aL, 80));
        assertEquals(-1, t.find(4, 0, 0xc6120001L, 40001, 0, 0xc000020aL, 80));
        assertEquals(-1, t.find(6, 0, 0xc6120001L, 40000, 0, 0xc000020aL, 80), "the family is part of the key");
        assertEquals(e, t.byNatPort(t.natPort[e]));
        t.remove(e);
        assertEquals(-1, t.find(4, 0, 0xc6120001L, 40000, 0, 0xc000020aL, 80));
        assertEquals(0, t.size());
    }

    @Test
    void natPortsComeBackOnlyAfterEveryOtherFreePortWasUsed() {
        NatTable t = new NatTable(4);
        int first = t.natPort[t.add(4, 0, 1, 1, 0, 2, 80, 0)];
        t.remove(t.byNatPort(first));
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < NatTable.PORTS - 1; i++) {
            int e = t.add(4, 0, 1, 2 + i % 1000, 0, 2, 80 + i / 1000, 0);
            int port = t.natPort[e];
            assertNotEquals(first, port, "reused after " + i + " flows");
            assertTrue(seen.add(port));
            t.remove(e);
        }
        assertEquals(first, t.natPort[t.add(4, 0, 1, 1, 0, 2, 80, 0)]);
    }

    @Test
    void theLeastRecentlyUsedEntryIsTheOldest() {
        NatTable t = new NatTable(3);
        int a = t.add(4, 0, 1, 1, 0, 9, 80, 1);
        int b = t.add(4, 0, 1, 2, 0, 9, 80, 2);
        int c = t.add(4, 0, 1, 3, 0, 9, 80, 3);
        assertTrue(t.isFull());
        assertEquals(a, t.lruOldest());
        t.touch(a, 4);
        assertEquals(b, t.lruOldest());
        assertEquals(c, t.younger(b));
        t.remove(b);
        assertEquals(c, t.lruOldest());
    }

    @Test
    void manyFlowsIpv4AndIpv6AgreeWithAReferenceMap() {
        Random r = new Random(11);
        NatTable t = new NatTable(1000);
        java.util.Map<String, Integer> ref = new java.util.HashMap<>();
        for (int step = 0; step < 200_000; step++) {
            int fam = r.nextBoolean() ? 4 : 6;
            long aHi = fam == 6 ? r.nextInt(4) : 0, aLo = r.nextInt(50), dHi = fam == 6 ? r.nextInt(3) : 0, dLo = r.nextInt(20);
            int ap = r.nextInt(30), dp = r.nextInt(5);
            String k = fam + "/" + aHi + "/" + aLo + "/" + ap + "/" + dHi + "/" + dLo + "/" + dp;
            int e = t.find(fam, aHi, aLo, ap, dHi, dLo, dp);
            Integer want = ref.get(k);
            assertEquals(want == null ? -1 : want, e, k);
            if (e < 0) {
                if (t.isFull()) {
                    int old = t.lruOldest();
                    ref.values().remove(old);
                    t.remove(old);
                }
                ref.put(k, t.add(fam, aHi, aLo, ap, dHi, dLo, dp, step));
            } else if (r.nextInt(4) == 0) {
                t.remove(e);
                ref.remove(k);
            } else {
                t.touch(e, step);
            }
            assertEquals(ref.size(), t.size());
        }
    }
}
