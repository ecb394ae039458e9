package io.tunctl.cli;

import io.tunctl.transport.p2p.dht.rpc.DhtNode;
import io.tunctl.transport.p2p.dht.rpc.DhtNodeOptions;
import io.tunctl.transport.p2p.dht.rpc.DhtPeer;
import io.tunctl.transport.p2p.dht.rpc.DhtReply;
import io.tunctl.transport.p2p.dht.rpc.Query;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code ./tunctl p2p node} as a user runs it, on 127.0.0.1: a bootstrap node and a second node joining it form a
 * DHT that an in-process Java node joins and walks; SIGTERM stops each cleanly.
 */
class P2pNodeIT {
    private static final Path REPO = Path.of(System.getProperty("tunctl.repo", "..")).toAbsolutePath().normalize();
    private static final Pattern STARTED = Pattern.compile("dht node 127\\.0\\.0\\.1:(\\d+) id ([0-9a-f]{64})");

    private final List<Process> started = new ArrayList<>();
    private Path dir;

    @AfterEach
    void cleanup() throws Exception {
        for (Process p : started) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly();
        }
    }

    private record Started(Process process, Path log, int port, byte[] id) { }

    private Started node(String name, String... args) throws Exception {
        if (dir == null) dir = Files.createTempDirectory("tunctl-p2p-node-it");
        Path log = dir.resolve(name + ".log");
        List<String> cmd = new ArrayList<>(List.of(REPO.resolve("tunctl").toString(), "p2p", "node",
                "--port", "0", "--host", "127.0.0.1", "--bind", "127.0.0.1"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        started.add(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline && p.isAlive()) {
            Matcher m = STARTED.matcher(Files.exists(log) ? Files.readString(log) : "");
            if (m.find()) {
                return new Started(p, log, Integer.parseInt(m.group(1)), HexFormat.of().parseHex(m.group(2)));
            }
            Thread.sleep(50);
        }
        fail("no 'dht node' line from " + name + ": " + (Files.exists(log) ? Files.readString(log) : "(no log)"));
        return null;
    }

    @Test
    void tunctlNodesFormADhtThatJavaNodesJoinAndSigtermStopsThem() throws Exception {
        Started boot = node("boot");
        Started second = node("second", "--bootstrap", "127.0.0.1:" + boot.port());
        assertArrayEquals(DhtPeer.of(new InetSocketAddress("127.0.0.1", boot.port())).id(), boot.id(),
                "id = BLAKE2b(127.0.0.1:port)");
        try (DhtNode java = DhtNode.bind(DhtNodeOptions.defaults().withBind(new InetSocketAddress("127.0.0.1", 0))
                .withBootstrapText(List.of("127.0.0.1:" + boot.port())))) {
            java.fullyBootstrapped().get(20, TimeUnit.SECONDS);
            DhtReply pong = java.ping(new InetSocketAddress("127.0.0.1", second.port())).get(10, TimeUnit.SECONDS);
            assertArrayEquals(second.id(), pong.fromId(), "the second node answers with its (verified) id");
            Query q = java.findNode(new byte[32]);
            q.finished().get(20, TimeUnit.SECONDS);
            Set<String> ids = new HashSet<>();
            q.closestReplies().forEach(r -> ids.add(HexFormat.of().formatHex(r.fromId())));
            assertEquals(Set.of(HexFormat.of().formatHex(boot.id()), HexFormat.of().formatHex(second.id())), ids);
        }
        for (Started s : List.of(second, boot)) {
            s.process().destroy(); // SIGTERM
            assertTrue(s.process().waitFor(10, TimeUnit.SECONDS), "stopped within 10 s");
            assertTrue(Files.readString(s.log()).contains("dht node stopped"), Files.readString(s.log()));
        }
    }
}
