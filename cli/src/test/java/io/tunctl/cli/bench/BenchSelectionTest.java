package io.tunctl.cli.bench;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.Benchmarkable;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Which rows {@code --only} runs, and what a row without tunctl in B tells the bench. */
class BenchSelectionTest {
    private static final Cidr TUNNEL_B = Cidr.parse("203.0.113.26/30");
    private static final InetSocketAddress DANTE = new InetSocketAddress(InetAddress.ofLiteral("192.0.2.2"), 51060);

    private static List<BenchCase> all() {
        return List.of(new BenchCase.Direct(),
                row(new Benchmarkable.Setup("udp", "a", "b")),
                row(new Benchmarkable.Setup("socks", "a", null, Map.of(), List.of())
                        .withLoad(Benchmarkable.Load.BUILTIN).comparedWith("socks-proxy-direct")),
                row(new Benchmarkable.Setup("socks-proxy-direct", null, null, Map.of(), List.of())
                        .withLoad(Benchmarkable.Load.socks5(DANTE))));
    }

    private static BenchCase row(Benchmarkable.Setup setup) {
        return new BenchCase.Transport(setup, TUNNEL_B, "/nonexistent/tunctl", java.nio.file.Path.of("/nonexistent/cache"));
    }

    private static List<String> names(List<BenchCase> cases) {
        return cases.stream().map(c -> c.name).toList();
    }

    @Test
    void aComparedRowBringsItsPartnerAndDirect() {
        assertEquals(List.of("direct", "socks", "socks-proxy-direct"), names(Bench.selected(all(), List.of("socks"))));
        assertEquals(List.of("direct", "socks", "socks-proxy-direct"),
                names(Bench.selected(all(), List.of("socks-proxy-direct", "socks"))), "table order, once each");
    }

    @Test
    void theBaselineAloneRunsAlone() {
        assertEquals(List.of("direct", "socks-proxy-direct"), names(Bench.selected(all(), List.of("socks-proxy-direct"))));
        assertEquals(List.of("direct", "udp"), names(Bench.selected(all(), List.of("udp"))));
    }

    @Test
    void rowsTellTheBenchTheirLoadAndPartner() {
        List<BenchCase> all = all();
        assertEquals(Benchmarkable.Load.ANY, all.get(0).load());
        assertNull(all.get(0).comparedWith());
        assertEquals(Benchmarkable.Load.ANY, all.get(1).load());
        assertTrue(all.get(2).load().builtin());
        assertEquals("socks-proxy-direct", all.get(2).comparedWith());
        assertEquals(DANTE, all.get(3).load().socks5());
        assertEquals("203.0.113.26", all.get(3).target());
    }

    @Test
    void aMissingProgramIsNamedWithItsDebianPackage() {
        String hint = Bench.needs(List.of("npm", "node", "danted"));
        assertTrue(hint.startsWith("needs npm, node, danted"), hint);
        if (Exec.onPath("apt-get")) {
            assertTrue(hint.endsWith("(apt-get install -y npm nodejs dante-server)"), hint); // Debian has no 'node'
        } else {
            assertTrue(hint.endsWith("(not installed)"), hint);
        }
    }
}
