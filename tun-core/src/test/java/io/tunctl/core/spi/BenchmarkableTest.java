package io.tunctl.core.spi;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The bench SPI's rows: the two-sided rows of before keep their meaning; one-sided and tunctl-free rows. */
class BenchmarkableTest {
    private static final InetSocketAddress PROXY = new InetSocketAddress(InetAddress.ofLiteral("192.0.2.2"), 1080);

    @Test
    void aRowOfBeforeRunsTunctlOnBothSidesWithAnyLoad() {
        Benchmarkable.Setup s = new Benchmarkable.Setup("udp", "a", "b");
        assertTrue(s.runsTunctl());
        assertSame(Benchmarkable.Load.ANY, s.load());
        assertFalse(s.load().builtin());
        assertNull(s.load().socks5());
        assertNull(s.comparedWith());
        assertEquals(Map.of(), s.files());
        assertEquals(List.of(), s.stepsB());
    }

    @Test
    void aRowWithoutConfigsRunsNoTunctl() {
        var steps = List.of(Benchmarkable.Step.serve(1080, "danted"));
        Benchmarkable.Setup direct = new Benchmarkable.Setup("socks-proxy-direct", null, null, Map.of("f", "x"), steps)
                .withLoad(Benchmarkable.Load.socks5(PROXY));
        assertFalse(direct.runsTunctl());
        assertTrue(direct.load().builtin(), "SOCKS5 is spoken by the built-in load");
        assertEquals(PROXY, direct.load().socks5());
        assertEquals(steps, direct.stepsB());
        assertEquals(Map.of("f", "x"), direct.files());

        Benchmarkable.Setup oneSided = new Benchmarkable.Setup("socks", "a", null, Map.of(), List.of())
                .withLoad(Benchmarkable.Load.BUILTIN).comparedWith("socks-proxy-direct");
        assertTrue(oneSided.runsTunctl());
        assertNull(oneSided.configB());
        assertEquals("socks-proxy-direct", oneSided.comparedWith());
        assertSame(Benchmarkable.Load.BUILTIN, oneSided.load(), "comparedWith keeps the load");
        assertEquals("socks", oneSided.row());
    }

    @Test
    void aSocksLoadIsTheBuiltinOneAndNeedsAnAddress() {
        assertThrows(IllegalArgumentException.class, () -> new Benchmarkable.Load(false, PROXY));
        assertThrows(IllegalArgumentException.class,
                () -> Benchmarkable.Load.socks5(InetSocketAddress.createUnresolved("proxy.example", 1080)));
        assertThrows(NullPointerException.class, () -> Benchmarkable.Load.socks5(null));
        assertThrows(NullPointerException.class, () -> new Benchmarkable.Setup("x", "a", "b").withLoad(null));
    }

    @Test
    void prepareStepsAreKeptThroughWithersAndRunToTheirEnd() {
        var npm = List.of(Benchmarkable.Step.run("npm", "install"));
        Benchmarkable.Setup s = new Benchmarkable.Setup("p2p-node", "a", "b").withPrepare(npm)
                .withLoad(Benchmarkable.Load.BUILTIN).comparedWith("p2p");
        assertEquals(npm, s.prepare());
        assertEquals(List.of(), new Benchmarkable.Setup("udp", "a", "b").prepare());
        assertThrows(IllegalArgumentException.class, () -> new Benchmarkable.Setup("x", "a", "b")
                .withPrepare(List.of(Benchmarkable.Step.serve(80, "nginx"))));
    }

    @Test
    void aStepMayWaitForAnOutputLineInsteadOfAPort() {
        Benchmarkable.Step node = Benchmarkable.Step.serveUntil("dht node 192.0.2.2:49737", "%TUNCTL%", "p2p", "node");
        assertTrue(node.background());
        assertEquals(0, node.readyPort());
        assertEquals("dht node 192.0.2.2:49737", node.readyText());
        assertNull(Benchmarkable.Step.serve(443, "nginx").readyText());
        assertThrows(IllegalArgumentException.class, () -> new Benchmarkable.Step(List.of("x"), false, 0, "ready"));
        assertThrows(IllegalArgumentException.class, () -> new Benchmarkable.Step(List.of(), true, 0));
    }
}
