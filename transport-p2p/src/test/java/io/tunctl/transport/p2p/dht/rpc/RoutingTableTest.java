package io.tunctl.transport.p2p.dht.rpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunctl.transport.p2p.crypto.Blake2b;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RoutingTableTest {
    // recorded from kademlia-routing-table 1.0.6: table id h("self"), nodes h("n0") .. h("n399") added in order
    private static final int[] REJECTED = {32,37,40,41,42,43,44,47,48,50,58,59,60,61,64,65,66,67,69,71,72,73,76,77,79,80,81,84,85,86,87,89,90,91,92,93,94,95,96,97,99,100,101,102,103,104,106,107,109,111,112,113,114,115,116,117,118,119,121,122,123,124,127,128,129,130,131,132,133,134,135,136,137,138,139,140,142,144,145,146,148,149,150,151,152,155,156,157,158,159,160,161,162,163,164,167,169,170,171,172,173,175,176,179,181,182,183,185,186,187,188,189,190,191,192,194,197,198,199,200,203,204,207,208,210,211,212,213,214,215,216,218,219,220,221,223,224,225,226,227,228,229,230,231,232,233,234,235,236,237,238,239,240,241,242,243,244,245,246,247,248,249,250,251,252,253,256,257,258,259,260,261,262,263,264,265,266,268,270,271,273,274,275,276,278,279,280,281,282,283,284,285,286,287,289,290,291,292,293,294,295,296,297,298,299,300,301,302,303,304,307,308,309,310,311,312,313,314,315,316,317,318,319,320,321,322,324,325,326,327,328,330,331,332,333,334,335,336,337,338,339,340,341,344,345,346,347,348,349,350,351,352,354,355,356,357,358,359,360,361,362,363,364,365,366,367,368,369,370,371,372,373,374,375,376,377,378,379,380,381,382,383,384,385,386,387,388,389,390,391,392,393,394,395,396,397,398,399};
    private static final int[] CLOSEST_T0 = {34,9,56,53,51,39,45,13,16,4,26,35,62,2,70,54,36,31,11,55};
    private static final int[] CLOSEST_T1 = {180,178,272,269,217,222,329,206,353,255,267,323,305,21,343,288,75,209,193,33};
    private static final int[] CLOSEST_T2 = {7,6,23,15,17,24,30,3,8,18,22,5,25,0,20,12,27,19,1,10};
    private static final int[] CLOSEST_SELF_30 = {14,165,141,174,68,254,28,342,154,88,168,105,306,63,153,83,277,143,29,126,205,201,180,178,272,269,217,222,329,206};

    private static byte[] h(String s) {
        return Blake2b.hash256(s.getBytes(StandardCharsets.UTF_8));
    }

    private static DhtPeer peer(int i) {
        return new DhtPeer(h("n" + i), new InetSocketAddress("10.0." + (i / 250) + "." + (i % 250 + 1), 1000 + i));
    }

    private final Map<DhtPeer, Integer> index = new HashMap<>();

    private RoutingTable filled(List<Integer> rejected) {
        RoutingTable t = new RoutingTable(h("self"));
        t.onFullRow((newcomer, row) -> {
            assertEquals(RoutingTable.K, row.size());
            rejected.add(index.get(newcomer));
        });
        for (int i = 0; i < 400; i++) {
            DhtPeer p = peer(i);
            index.put(p, i);
            boolean added = t.add(p);
            assertEquals(!rejected.contains(i), added, "add n" + i);
        }
        return t;
    }

    private int[] indexes(List<DhtPeer> peers) {
        return peers.stream().mapToInt(index::get).toArray();
    }

    @Test
    void fillsRejectsAndOrdersExactlyAsTheNpmTable() {
        List<Integer> rejected = new ArrayList<>();
        RoutingTable t = filled(rejected);
        assertEquals(102, t.size());
        assertArrayEquals(REJECTED, rejected.stream().mapToInt(Integer::intValue).toArray());
        assertArrayEquals(CLOSEST_T0, indexes(t.closest(h("t0"))));
        assertArrayEquals(CLOSEST_T1, indexes(t.closest(h("t1"))));
        assertArrayEquals(CLOSEST_T2, indexes(t.closest(h("t2"))));
        assertArrayEquals(CLOSEST_SELF_30, indexes(t.closest(h("self"), 30)));
        assertEquals(t.size(), t.toList().size());
    }

    @Test
    void getReplaceRemoveRandom() {
        RoutingTable t = new RoutingTable(h("self"));
        DhtPeer a = peer(1);
        assertTrue(t.add(a));
        assertSame(a, t.get(a.id()));
        DhtPeer again = new DhtPeer(a.id(), new InetSocketAddress("10.9.9.9", 9));
        assertTrue(t.add(again), "same id replaces");
        assertEquals(1, t.size());
        assertSame(again, t.get(a.id()));
        assertNull(t.get(h("nobody")));
        assertSame(again, t.random(new Random(1)));
        assertTrue(t.remove(a.id()));
        assertFalse(t.remove(a.id()));
        assertEquals(0, t.size());
        assertNull(t.random(new Random(1)));
    }

    @Test
    void rowIsTheCommonPrefixLength() {
        byte[] self = new byte[32];
        byte[] id = new byte[32];
        id[0] = (byte) 0x80;
        assertEquals(0, Xor.row(self, id));
        id[0] = 0x01;
        assertEquals(7, Xor.row(self, id));
        id[0] = 0;
        id[31] = 1;
        assertEquals(255, Xor.row(self, id));
        assertEquals(255, Xor.row(self, self.clone()), "our own id maps to the last row");
    }

    @Test
    void xorCompareOrdersByDistanceToTheTarget() {
        byte[] target = new byte[32];
        target[0] = (byte) 0xf0;
        byte[] a = new byte[32];
        a[0] = (byte) 0xf1; // distance 0x01..
        byte[] b = new byte[32];
        b[0] = (byte) 0x70; // distance 0x80..
        assertTrue(Xor.compare(target, a, b) < 0);
        assertTrue(Xor.compare(target, b, a) > 0);
        assertEquals(0, Xor.compare(target, a, a.clone()));
        assertNotNull(target);
    }
}
