package io.tunctl.core.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tunctl.core.spi.Tunnel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/** The control socket's protocol and life cycle, in-process, under a temporary state directory. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ControlServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration T = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @BeforeEach
    void useTempDir() { System.setProperty("tunctl.state.dir", dir.toString()); }

    @AfterEach
    void restore() { System.clearProperty("tunctl.state.dir"); }

    private static final Function<String, ObjectNode> ECHO = iface -> JSON.createObjectNode().put("iface", iface);

    @Test
    void answersStatusAndExplainsBadRequests() throws Exception {
        assertEquals("{\"iface\":\"t0\"}", ControlServer.respond("{\"command\":\"status\"}", "t0", ECHO));
        assertEquals("{\"iface\":\"t0\"}", ControlServer.respond("  {\"command\": \"status\", \"x\": 1}\r", "t0", ECHO));
        assertTrue(error(ControlServer.respond("status", "t0", ECHO)).contains("not JSON"));
        assertTrue(error(ControlServer.respond("[1]", "t0", ECHO)).contains("JSON object"));
        assertTrue(error(ControlServer.respond("{}", "t0", ECHO)).contains("no \"command\""));
        assertTrue(error(ControlServer.respond("{\"command\":\"reboot\"}", "t0", ECHO)).contains("unknown command 'reboot'"));
        assertTrue(error(ControlServer.respond("{\"command\":\"status\"}", "t0", i -> {
            throw new IllegalStateException("boom");
        })).contains("boom"));
    }

    private static String error(String response) throws IOException {
        JsonNode n = JSON.readTree(response);
        assertTrue(n.has("error"), response);
        return n.get("error").asText();
    }

    @Test
    void servesEachInterfaceUntilTheTunnelEndsThenRemovesItsSockets() throws Exception {
        FakeTunnel tunnel = new FakeTunnel();
        ControlServer server = ControlServer.bind(List.of("t0", "t1"), ECHO);
        Path s0 = ControlSocket.path("t0"), s1 = ControlSocket.path("t1");
        assertEquals(List.of(s0, s1), server.paths());
        assertEquals(List.of(s0, s1), ControlSocket.list());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(s0)));
        assertEquals("t0", ControlSocket.interfaceOf(s0));
        int before = Thread.activeCount();
        CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> serve(server, tunnel));
        assertEquals("{\"iface\":\"t0\"}", ControlSocket.request(s0, "{\"command\":\"status\"}", T));
        assertEquals("{\"iface\":\"t1\"}", ControlSocket.request(s1, "{\"command\":\"status\"}", T));
        assertTrue(ControlSocket.request(s1, "nonsense", T).contains("error"));
        // a client that sends nothing does not hold up the next one
        try (SocketChannel idle = SocketChannel.open(UnixDomainSocketAddress.of(s0))) {
            assertEquals("{\"iface\":\"t0\"}", ControlSocket.request(s0, "{\"command\":\"status\"}", T));
        }
        assertTrue(Thread.activeCount() <= before + 1, "no platform thread beyond the one serving"); // the common pool's
        assertFalse(serving.isDone());
        tunnel.end.countDown();
        serving.get(5, TimeUnit.SECONDS);
        server.close();
        assertFalse(Files.exists(s0));
        assertFalse(Files.exists(s1));
        assertFalse(Files.exists(s0.getParent()), "the namespace folder goes with its last socket");
    }

    @Test
    void closeStopsServingAndServeStillWaitsForTheTunnelsEnd() throws Exception {
        FakeTunnel tunnel = new FakeTunnel();
        ControlServer server = ControlServer.bind(List.of("t0"), ECHO);
        Path s0 = ControlSocket.path("t0");
        CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> serve(server, tunnel));
        assertEquals("{\"iface\":\"t0\"}", ControlSocket.request(s0, "{\"command\":\"status\"}", T));
        server.close();
        assertFalse(Files.exists(s0));
        Thread.sleep(100);
        assertFalse(serving.isDone(), "serve returns when the tunnel ends, as await did");
        tunnel.failure = new IOException("peer gone");
        tunnel.end.countDown();
        var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> serving.get(5, TimeUnit.SECONDS));
        assertEquals("peer gone", e.getCause().getCause().getMessage());
    }

    @Test
    void replacesAStaleSocketButNotALiveOne() throws Exception {
        Path s0 = ControlSocket.path("t0");
        Files.createDirectories(s0.getParent());
        // stale: bound, then closed without removing the file (as a killed process leaves it)
        ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        dead.bind(UnixDomainSocketAddress.of(s0));
        dead.close();
        assertTrue(Files.exists(s0));
        assertThrows(ConnectException.class, () -> ControlSocket.request(s0, "{}", T));
        try (ControlServer server = ControlServer.bind(List.of("t0"), ECHO)) {
            assertEquals(List.of(s0), server.paths());
            // a second server for the same interface leaves the live one alone
            try (ControlServer second = ControlServer.bind(List.of("t0"), ECHO)) {
                assertEquals(List.of(), second.paths());
            }
            assertTrue(Files.exists(s0), "the live socket stays");
        }
        assertFalse(Files.exists(s0));
    }

    private static void serve(ControlServer server, Tunnel tunnel) {
        try {
            server.serve(tunnel);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class FakeTunnel implements Tunnel {
        final CountDownLatch end = new CountDownLatch(1);
        volatile IOException failure;

        @Override
        public void await() throws IOException, InterruptedException {
            end.await();
            if (failure != null) throw failure;
        }

        @Override
        public void close() { end.countDown(); }
    }
}
