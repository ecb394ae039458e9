package io.tunctl.transport.socks.dns;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdTableTest {

    @Test
    void everyEntryGetsAnIdOfItsOwnUpToCapacity() {
        IdTable<String> t = new IdTable<>(1000, new Random(1));
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            int id = t.add("q" + i);
            assertTrue(id >= 0 && id < 65536);
            assertTrue(ids.add(id), "id " + id + " given twice");
            assertEquals("q" + i, t.get(id));
        }
        assertEquals(1000, t.size());
        assertEquals(-1, t.add("one too many"));
        assertEquals(1000, t.size());
    }

    @Test
    void removeTakesOnlyTheEntryItNamesAndFreesItsSlot() {
        IdTable<String> t = new IdTable<>(1, new Random(2));
        String a = "a";
        int id = t.add(a);
        assertFalse(t.remove(id, "another"), "a different value under that id is not removed");
        assertFalse(t.remove((id + 1) & 0xffff, a));
        assertSame(a, t.get(id));
        assertTrue(t.remove(id, a));
        assertNull(t.get(id));
        assertFalse(t.remove(id, a), "twice");
        assertEquals(0, t.size());
        assertTrue(t.add("b") >= 0, "the slot is free again");
    }

    @Test
    void idsAreSpreadOverTheWholeSpace() {
        // the same client ID (glibc's A and AAAA) must not become predictable upstream IDs
        IdTable<Integer> t = new IdTable<>(16, new Random(3));
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < 16; i++) ids.add(t.add(i));
        long distinctHighBytes = ids.stream().map(i -> i >> 8).distinct().count();
        assertTrue(distinctHighBytes > 8, "ids " + ids);
    }

    @Test
    void aCrowdedNeighbourhoodStillFindsAFreeSlot() {
        // a generator that always says 65535: the probe wraps around to 0
        IdTable<Integer> t = new IdTable<>(32768, new java.util.random.RandomGenerator() {
            @Override public long nextLong() { return -1; }
            @Override public int nextInt(int bound) { return bound - 1; }
        });
        assertEquals(65535, t.add(1));
        assertEquals(0, t.add(2));
        assertEquals(1, t.add(3));
    }

    @Test
    void clearHandsOutEveryEntry() {
        IdTable<Integer> t = new IdTable<>(100, new Random(4));
        for (int i = 0; i < 100; i++) t.add(i);
        List<Integer> seen = new ArrayList<>();
        t.clear(seen::add);
        assertEquals(100, seen.size());
        assertEquals(0, t.size());
        assertEquals(new HashSet<>(seen).size(), 100);
    }

    @Test
    void capacityIsBoundedToHalfTheIdSpace() {
        assertThrows(IllegalArgumentException.class, () -> new IdTable<>(0, new Random()));
        assertThrows(IllegalArgumentException.class, () -> new IdTable<>(32769, new Random()));
        assertThrows(IllegalArgumentException.class, () -> new IdTable<>(1, new Random()).add(null));
    }
}
