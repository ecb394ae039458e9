package io.tunctl.transport.p2p.dht.rpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokensAndWindowTest {
    @Test
    void tokenLivesForOneToTwoRotationsAndIsPerHost() {
        TokenSecrets s = new TokenSecrets(new SecureRandom());
        byte[] t = s.current("127.0.0.1");
        assertEquals(32, t.length);
        assertArrayEquals(t, s.current("127.0.0.1"), "deterministic");
        assertTrue(s.isValid("127.0.0.1", t));
        assertFalse(s.isValid("127.0.0.2", t), "bound to the IP");
        assertFalse(s.isValid("127.0.0.1", null));
        s.rotate();
        assertTrue(s.isValid("127.0.0.1", t), "still valid after one rotation");
        assertFalse(java.util.Arrays.equals(t, s.current("127.0.0.1")), "a new token is handed out");
        s.rotate();
        assertFalse(s.isValid("127.0.0.1", t), "expired after two rotations");
    }

    @Test
    void windowAllowsMaxPerSlotAndTwiceThatOverFourSlots() {
        CongestionWindow w = new CongestionWindow(3);
        for (int i = 0; i < 3; i++) {
            assertFalse(w.isFull());
            w.send();
        }
        assertTrue(w.isFull(), "3 per slot");
        w.recv();
        assertFalse(w.isFull(), "an answer gives its send back");
        w.send();
        w.drain();
        for (int i = 0; i < 3; i++) {
            assertFalse(w.isFull(), "new slot, i=" + i);
            w.send();
        }
        assertTrue(w.isFull(), "6 over the last slots");
        w.drain();
        assertTrue(w.isFull(), "still 6 in the last four slots");
        w.drain();
        w.drain(); // the first slot falls out of the window
        assertFalse(w.isFull());
        assertThrows(IllegalArgumentException.class, () -> new CongestionWindow(0));
    }

    @Test
    void bootstrapNodeText() {
        BootstrapNode b = BootstrapNode.parse("88.99.3.86@node1.hyperdht.org:49737");
        assertEquals("88.99.3.86", b.suggestedIp());
        assertEquals("node1.hyperdht.org", b.host());
        assertEquals(49737, b.port());
        assertEquals("88.99.3.86@node1.hyperdht.org:49737", b.toString());
        assertEquals(new BootstrapNode(null, "127.0.0.1", 5), BootstrapNode.parse("127.0.0.1:5"));
        for (String bad : List.of("", "host", "host:", ":5", "host:x", "host:0", "host:70000", "x@host:5",
                "1.2.3@host:5", "a:b:5")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BootstrapNode.parse(bad),
                    bad);
            assertTrue(e.getMessage().contains("bootstrap node"), e.getMessage());
        }
        assertEquals(3, DhtNodeOptions.defaults().bootstrap().size(), "hyperdht's public nodes by default");
        DhtNodeOptions d = DhtNodeOptions.defaults();
        assertThrows(IllegalArgumentException.class, () -> d.withBind(new java.net.InetSocketAddress("::1", 0)));
        assertThrows(IllegalArgumentException.class, () -> d.withPublicHost("0.0.0.0"));
        assertThrows(IllegalArgumentException.class, () -> d.withPublicHost("host.example"));
        assertThrows(IllegalArgumentException.class, () -> d.withConcurrency(0));
        assertThrows(NullPointerException.class, () -> d.withNodeFilter(null));
    }
}
