package io.tunctl.transport.p2p.crypto;

import static io.tunctl.transport.p2p.crypto.Hex.h;
import static io.tunctl.transport.p2p.crypto.Hex.seq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Blake2bTest {
    @Test
    void rfc7693AppendixA() {
        assertEquals("ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
                + "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923",
                h(Blake2b.hash512("abc".getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    void keyedKatFromReferenceImplementation() {
        // blake2b-kat.txt entry 0: empty input, key 00..3f
        assertEquals("10ebb67700b1868efb4417987acf4690ae9d972fb7a590c2f02871799aaa4786"
                + "b5e996e8f0f4eb981fc214b005f42d2ff4233499391653df7aefcbc13fc51568",
                h(Blake2b.hash(64, seq(0, 64), new byte[0])));
    }

    @Test
    void partsHashAsTheirConcatenation() {
        byte[] key = seq(9, 32);
        assertEquals(h(Blake2b.keyed256(key, seq(0, 40))), h(Blake2b.keyed256(key, seq(0, 13), seq(13, 27))));
    }

    @Test
    void emptyKeyIsUnkeyed() {
        assertEquals(h(Blake2b.hash256(seq(1, 5))), h(Blake2b.keyed256(new byte[0], seq(1, 5))));
    }

    @Test
    void rejectsBadLengths() {
        assertThrows(IllegalArgumentException.class, () -> Blake2b.hash(65, null, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> Blake2b.hash(32, new byte[65], new byte[0]));
    }
}
