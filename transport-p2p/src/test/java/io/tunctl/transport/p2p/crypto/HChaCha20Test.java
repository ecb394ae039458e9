package io.tunctl.transport.p2p.crypto;

import static io.tunctl.transport.p2p.crypto.Hex.b;
import static io.tunctl.transport.p2p.crypto.Hex.h;
import static io.tunctl.transport.p2p.crypto.Hex.seq;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HChaCha20Test {
    @Test
    void draftIrtfCfrgXchachaSection2_2_1() {
        assertEquals("82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc",
                h(HChaCha20.hash(seq(0, 32), b("000000090000004a0000000031415927"))));
    }
}
