package io.tunctl.transport.p2p.stream;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tunctl.transport.p2p.crypto.NodeOracle;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real @hyperswarm/secret-stream (6.9.2) over udx-native in a Node child process ({@code node/ss-peer.js}), with
 * handshake keys given by the test. Events are JSON lines; the latest {@code stats} event is kept apart.
 */
final class NodeSecretStreamPeer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    private final StringBuilder stderr = new StringBuilder();
    private volatile JsonNode stats;
    private boolean finished;

    private NodeSecretStreamPeer(Process process) {
        this.process = process;
        Thread.ofPlatform().daemon().start(() -> pump(process.getInputStream(), true));
        Thread.ofPlatform().daemon().start(() -> pump(process.getErrorStream(), false));
    }

    /** Installs the packages (as the crypto ITs do) and starts the peer; fails if ITs are required and it cannot. */
    static NodeSecretStreamPeer start(String mode, int javaPort, String host, int localId, int remoteId,
            boolean initiator, byte[] tx, byte[] rx, byte[] hash, int keepAliveMs, int timeoutMs) throws IOException {
        Path dir = NodeOracle.install("ss-peer.js"); // skips the test, or fails it when ITs are required
        ObjectNode cfg = JSON.createObjectNode();
        cfg.put("mode", mode).put("javaPort", javaPort).put("host", host).put("localId", Integer.toUnsignedLong(localId))
                .put("remoteId", Integer.toUnsignedLong(remoteId)).put("isInitiator", initiator)
                .put("tx", HexFormat.of().formatHex(tx)).put("rx", HexFormat.of().formatHex(rx))
                .put("hash", HexFormat.of().formatHex(hash)).put("keepAlive", keepAliveMs).put("timeout", timeoutMs)
                .put("limitMs", 60000);
        return new NodeSecretStreamPeer(new ProcessBuilder("node", "ss-peer.js", cfg.toString())
                .directory(dir.toFile()).start());
    }

    private void pump(InputStream in, boolean json) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!json) {
                    synchronized (stderr) {
                        stderr.append(line).append('\n');
                    }
                    continue;
                }
                JsonNode e = JSON.readTree(line);
                if ("stats".equals(e.path("event").asText())) {
                    stats = e;
                } else {
                    events.add(e);
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    /**
     * The next event other than stats, which must be named {@code name}; a 'finish' (Node's own end acknowledged,
     * whose timing against other events is not fixed) is skipped and remembered unless it is what is expected.
     */
    JsonNode expect(String name, long seconds) throws InterruptedException {
        if ("finish".equals(name) && finished) {
            return JSON.createObjectNode().put("event", "finish");
        }
        JsonNode e = events.poll(seconds, TimeUnit.SECONDS);
        while (e != null && !"finish".equals(name) && "finish".equals(e.path("event").asText())) {
            finished = true;
            e = events.poll(seconds, TimeUnit.SECONDS);
        }
        if (e == null) {
            fail("Node secret-stream peer: no event within " + seconds + " s, expected '" + name + "'\n" + stderr());
        }
        if (!name.equals(e.path("event").asText())) {
            fail("Node secret-stream peer: expected '" + name + "', got " + e + "\n" + stderr());
        }
        return e;
    }

    /** The next event (not stats), or null after {@code millis}. */
    JsonNode next(long millis) throws InterruptedException {
        return events.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** The latest stats event (keep-alive frames and all frames Node received), or null before the first. */
    JsonNode stats() {
        return stats;
    }

    String stderr() {
        synchronized (stderr) {
            return stderr.toString();
        }
    }

    boolean waitForExit(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
