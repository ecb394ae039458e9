package io.tunctl.transport.p2p.dht.rpc;

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

/**
 * Node dht-rpc / hyperdht peers in a child process ({@code node/dht-peer.js}, installed with the pinned packages by
 * {@link NodeOracle#install}), driven by JSON-line commands, each answered within 30 s or the call fails.
 */
final class NodeDht implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Writer in;
    private final Map<Integer, BlockingQueue<JsonNode>> replies = new ConcurrentHashMap<>();
    private final StringBuilder stderr = new StringBuilder();
    private int nextId;

    private NodeDht(Process process) {
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
                        synchronized (stderr) {
                            stderr.append("stdout: ").append(line).append('\n');
                        }
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
                    synchronized (stderr) {
                        stderr.append(line).append('\n');
                    }
                }
            } catch (IOException ignored) {
                // process ended
            }
        });
    }

    static NodeDht start() throws IOException {
        Path dir = NodeOracle.install("dht-peer.js");
        return new NodeDht(new ProcessBuilder("node", "dht-peer.js").directory(dir.toFile()).start());
    }

    private BlockingQueue<JsonNode> queue(int id) {
        return replies.computeIfAbsent(id, k -> new LinkedBlockingQueue<>());
    }

    /** Runs one command; returns its reply or throws with the Node error (and the process's stderr). */
    synchronized JsonNode call(String op, Object... keyValues) throws IOException, InterruptedException {
        int id = ++nextId;
        ObjectNode req = JSON.createObjectNode();
        req.put("id", id);
        req.put("op", op);
        for (int i = 0; i < keyValues.length; i += 2) {
            req.set((String) keyValues[i], JSON.valueToTree(keyValues[i + 1]));
        }
        in.write(JSON.writeValueAsString(req) + "\n");
        in.flush();
        JsonNode reply = queue(id).poll(30, TimeUnit.SECONDS);
        replies.remove(id);
        if (reply == null) {
            throw new IOException("node dht-peer: no reply to " + op + " within 30 s (alive=" + process.isAlive()
                    + ")\n" + stderr());
        }
        if (!reply.path("ok").asBoolean()) {
            throw new IOException("node dht-peer " + op + " failed: " + reply.path("error").asText() + "\n"
                    + stderr());
        }
        return reply;
    }

    String stderr() {
        synchronized (stderr) {
            return stderr.toString();
        }
    }

    @Override
    public void close() {
        try {
            in.close(); // the script destroys its nodes and exits
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
