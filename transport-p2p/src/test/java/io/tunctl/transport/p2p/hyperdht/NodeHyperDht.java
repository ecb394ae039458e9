package io.tunctl.transport.p2p.hyperdht;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tunctl.transport.p2p.crypto.NodeOracle;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Node hyperdht 6.34.0 peers in a child process ({@code node/hyperdht-peer.js}: a {@code hyperdht/testnet}, nodes,
 * echo and hash servers, clients), driven by JSON-line commands, each answered within 200 s or the call fails. Calls
 * may overlap (each waits for its own reply).
 */
final class NodeHyperDht implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Writer in;
    private final Map<Integer, BlockingQueue<JsonNode>> replies = new ConcurrentHashMap<>();
    private final StringBuilder stderr = new StringBuilder();
    private final AtomicInteger nextId = new AtomicInteger();

    private NodeHyperDht(Process process) {
        this.process = process;
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    try {
                        JsonNode n = JSON.readTree(line);
                        queue(n.path("id").asInt()).add(n);
                    } catch (IOException e) {
                        append("stdout: " + line);
                    }
                }
            } catch (IOException ignored) {
                // process ended
            }
        });
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    append(line);
                }
            } catch (IOException ignored) {
                // process ended
            }
        });
    }

    static NodeHyperDht start() throws IOException {
        Path dir = NodeOracle.install("hyperdht-peer.js");
        return new NodeHyperDht(new ProcessBuilder("node", "hyperdht-peer.js").directory(dir.toFile()).start());
    }

    private void append(String line) {
        synchronized (stderr) {
            stderr.append(line).append('\n');
        }
    }

    private BlockingQueue<JsonNode> queue(int id) {
        return replies.computeIfAbsent(id, k -> new LinkedBlockingQueue<>());
    }

    /** Runs one command; returns its reply or throws with the Node error (and the process's stderr). */
    JsonNode call(String op, Object... keyValues) throws IOException, InterruptedException {
        int id = nextId.incrementAndGet();
        ObjectNode req = JSON.createObjectNode();
        req.put("id", id);
        req.put("op", op);
        for (int i = 0; i < keyValues.length; i += 2) {
            req.set((String) keyValues[i], JSON.valueToTree(keyValues[i + 1]));
        }
        synchronized (in) {
            in.write(JSON.writeValueAsString(req) + "\n");
            in.flush();
        }
        JsonNode reply = queue(id).poll(200, TimeUnit.SECONDS);
        replies.remove(id);
        if (reply == null) {
            throw new IOException("node hyperdht-peer: no reply to " + op + " within 200 s (alive="
                    + process.isAlive() + ")\n" + stderr());
        }
        if (!reply.path("ok").asBoolean()) {
            throw new NodeError(op + " failed: " + reply.path("error").asText());
        }
        return reply;
    }

    String stderr() {
        synchronized (stderr) {
            return stderr.toString();
        }
    }

    /** The Node side threw (e.g. a connect that failed). */
    static final class NodeError extends IOException {
        private static final long serialVersionUID = 1L;

        NodeError(String message) {
            super(message);
        }
    }

    @Override
    public void close() {
        try {
            in.close(); // the script closes its servers and nodes and exits
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
