package io.tunctl.cli.bench;

import io.tunctl.core.testkit.Root;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The bench's reachability check: in-process ICMP from namespace A, proving both directions, no ping program. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TopologyIT {
    @TempDir
    Path dir;

    @Test
    void reachableOnlyWhileRepliesComeBack() throws IOException {
        Root.require();
        Exec exec = new Exec(dir);
        try (Topology topo = Topology.create(exec)) { // create() itself waits for B to answer
            topo.awaitReachable("192.0.2.2", 5_000);

            // nobody at .3: no reply
            IOException none = assertThrows(IOException.class, () -> topo.awaitReachable("192.0.2.3", 1_500));
            assertTrue(none.getMessage().startsWith("no echo reply from 192.0.2.3 in namespace " + topo.nsA
                    + " within 1.5 s"), none.getMessage());

            // B receives the requests but its replies to A are dropped: one-way traffic is not reachability
            exec.run(10, "ip", "-n", topo.nsB, "route", "add", "blackhole", "192.0.2.1/32");
            assertThrows(IOException.class, () -> topo.awaitReachable("192.0.2.2", 1_500));
            exec.run(10, "ip", "-n", topo.nsB, "route", "del", "blackhole", "192.0.2.1/32");
            topo.awaitReachable("192.0.2.2", 5_000);
        }
    }

    /** The check for proxied paths: a TCP connection from A, which needs a listener in B, not an echo reply. */
    @Test
    void tcpCheckNeedsSomethingListening() throws IOException {
        Root.require();
        Exec exec = new Exec(dir);
        try (Topology topo = Topology.create(exec)) {
            var listener = io.tunctl.core.tun.NetworkNamespace.named(topo.nsB).call(() -> {
                var s = java.nio.channels.ServerSocketChannel.open();
                s.bind(new java.net.InetSocketAddress(0));
                return s;
            });
            try (listener) {
                int port = listener.socket().getLocalPort();
                topo.awaitTcp("192.0.2.2", port, null, 5_000);

                listener.close();
                IOException refused = assertThrows(IOException.class, () -> topo.awaitTcp("192.0.2.2", port, null, 1_500));
                assertTrue(refused.getMessage().startsWith("no TCP connection to 192.0.2.2:" + port + " from namespace "
                        + topo.nsA + " within 1.5 s: "), refused.getMessage());
            }
        }
    }
}
