package io.tunctl.transport.p2p.nat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tunctl.transport.p2p.crypto.NodeOracle;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Node hyperdht 6.34.0 peer in a lab namespace: one role of {@code node/nat-peer.js} (installed with the pinned
 * packages by {@link NodeOracle#install}), reporting JSON-line events on stdout. Roles: a {@linkplain #testnet DHT
 * testnet} (the bootstrap nodes), a {@linkplain #relay blind relay}, an echo {@linkplain #server server} listening
 * on a key pair, and a {@linkplain #client client} that connects by public key and echoes a payload with SHA-256
 * on both ends.
 *
 * <p>Events: {@code ready}, {@code listening {publicKey, dht}}, {@code nat} (each NAT analysis of a holepuncher:
 * local and remote firewall type, addresses), {@code holepunch} (hyperdht's holepunch hook: the firewall types it
 * decided to punch with), {@code punch} (a punch strategy starts), {@code open} / {@code connection} ({@code ms},
 * {@code remote} address of the UDX stream, {@code via}: holepunch / direct / relay / other, {@code strategy} for
 * punches: fast-open, consistent or random), {@code received {bytes, sha256Sent, sha256Received}}, {@code echoed},
 * {@code error {code, message}}, {@code timeout}. A peer on the public side is told {@code open} (not firewalled).
 * Events and stderr are logged to {@code target/natlab/<role>-<host>-<namespace>.log}.
 */
public final class NodeHyperdhtPeer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCRIPT = "nat-peer.js";

    private final String name;
    private final Process process;
    private final OutputStream stdin;
    private final BlockingQueue<JsonNode> queue = new LinkedBlockingQueue<>();
    private final List<JsonNode> seen = new ArrayList<>();
    private final Path log;
    private JsonNode first;

    private NodeHyperdhtPeer(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.stdin = process.getOutputStream();
        this.log = log;
        Thread.ofPlatform().daemon().name("natlab-" + name + "-out").start(() -> pumpEvents(process.getInputStream()));
        Thread.ofPlatform().daemon().name("natlab-" + name + "-err").start(() -> pumpLog(process.getErrorStream()));
    }

    /** A hyperdht testnet of {@code size} nodes bound on the host's address, the first on {@code port}. */
    public static NodeHyperdhtPeer testnet(NatLab.Host host, int size, int port) {
        ObjectNode o = JSON.createObjectNode().put("host", host.address()).put("port", port).put("size", size)
                .put("limitMs", 3_600_000);
        NodeHyperdhtPeer p = start(host, "testnet", "testnet", o);
        p.first = p.await("ready", Duration.ofSeconds(60));
        return p;
    }

    /** A blind-relay server (what {@code relayThrough} names) listening on the key pair of {@code seed}. */
    public static NodeHyperdhtPeer relay(NatLab.Host host, List<String> bootstrap, byte[] seed) {
        ObjectNode o = dhtOptions(host, bootstrap).put("seed", HexFormat.of().formatHex(seed))
                .put("limitMs", 3_600_000);
        NodeHyperdhtPeer p = start(host, "relay", "relay-" + host.name(), o);
        p.first = p.await("listening", Duration.ofSeconds(60));
        return p;
    }

    /**
     * An echo server listening on the key pair of {@code seed}; {@code relayThrough} (a relay's public key, hex)
     * or null.
     */
    public static NodeHyperdhtPeer server(NatLab.Host host, List<String> bootstrap, byte[] seed, String relayThrough,
            Duration limit) {
        ObjectNode o = dhtOptions(host, bootstrap).put("seed", HexFormat.of().formatHex(seed))
                .put("limitMs", limit.toMillis());
        if (relayThrough != null) {
            o.put("relayThrough", relayThrough);
        }
        NodeHyperdhtPeer p = start(host, "server", "server-" + host.name(), o);
        p.first = p.await("listening", Duration.ofSeconds(60));
        return p;
    }

    /**
     * A client that connects to {@code publicKey} (hex) and echoes {@code bytes} random bytes; {@code relay} is the
     * relay peer to use ({@code relayThrough} and its address, to tell relayed streams) or null. Returns once its
     * DHT has bootstrapped ({@code ready}); the connection attempt is then under way.
     */
    public static NodeHyperdhtPeer client(NatLab.Host host, List<String> bootstrap, String publicKey, long bytes,
            NodeHyperdhtPeer relay, Duration limit) {
        ObjectNode o = dhtOptions(host, bootstrap).put("key", publicKey).put("bytes", bytes)
                .put("limitMs", limit.toMillis());
        if (relay != null) {
            o.put("relayThrough", relay.publicKey()).put("relay", relay.publicAddress());
        }
        NodeHyperdhtPeer p = start(host, "client", "client-" + host.name(), o);
        p.first = p.await("ready", Duration.ofSeconds(60));
        return p;
    }

    private static ObjectNode dhtOptions(NatLab.Host host, List<String> bootstrap) {
        ObjectNode o = JSON.createObjectNode();
        o.putArray("bootstrap").addAll(bootstrap.stream().map(JSON.getNodeFactory()::textNode).toList());
        if (host.router() == null) {
            o.put("open", true);
        }
        return o;
    }

    private static NodeHyperdhtPeer start(NatLab.Host host, String role, String logName, ObjectNode options) {
        Path dir = NodeOracle.install(SCRIPT);
        Path log = host.logDir().resolve(logName + "-" + host.namespace().name() + ".log");
        Process p = host.spawn(dir, List.of("node", SCRIPT, role, options.toString()));
        return new NodeHyperdhtPeer(role + "@" + host.name(), p, log);
    }

    /** The first event of the role: {@code ready} (testnet, client) or {@code listening} (server, relay). */
    public JsonNode info() {
        return first;
    }

    /** The testnet's bootstrap list ({@code host:port}). */
    public List<String> bootstrap() {
        List<String> b = new ArrayList<>();
        first.path("bootstrap").forEach(n -> b.add(n.asText()));
        return b;
    }

    /** The server's or relay's public key, hex. */
    public String publicKey() {
        return first.path("publicKey").asText();
    }

    /** The address its DHT found for itself ({@code host:port} as other peers see it). */
    public String publicAddress() {
        JsonNode d = first.path("dht");
        return d.path("host").asText() + ":" + d.path("port").asInt();
    }

    /** The DHT state at start-up: firewalled, randomized, host, port. */
    public JsonNode dht() {
        return first.path("dht");
    }

    /** Waits for the next event named {@code name} (skipping others); fails with the log on timeout or exit. */
    public JsonNode await(String event, Duration timeout) {
        return awaitAny(timeout, event);
    }

    /** Waits for the next event with one of {@code events}' names; fails on timeout, "timeout" or exit. */
    public JsonNode awaitAny(Duration timeout, String... events) {
        Set<String> wanted = Set.of(events);
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                JsonNode e = left > 0 ? queue.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)),
                        TimeUnit.NANOSECONDS) : null;
                if (e == null) {
                    if (left <= 0) {
                        throw new AssertionError(name + ": no " + wanted + " within " + timeout + " (alive="
                                + process.isAlive() + ")\nevents: " + events() + "\n" + logTail());
                    }
                    if (!process.isAlive() && queue.isEmpty()) {
                        throw new AssertionError(name + " exited with " + process.exitValue() + " before " + wanted
                                + "\nevents: " + events() + "\n" + logTail());
                    }
                    continue;
                }
                String type = e.path("event").asText();
                if (wanted.contains(type)) {
                    return e;
                }
                if ("timeout".equals(type) || ("error".equals(type) && !wanted.contains("error")
                        && e.path("code").isMissingNode())) {
                    throw new AssertionError(name + ": " + e + " while waiting for " + wanted + "\n" + logTail());
                }
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", ie);
        }
    }

    /** Every event received so far, in order. */
    public List<JsonNode> events() {
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }

    /** The events named {@code event} received so far. */
    public List<JsonNode> events(String event) {
        return events().stream().filter(e -> event.equals(e.path("event").asText())).toList();
    }

    /** The last event named {@code event} received so far; fails when there is none. */
    public JsonNode last(String event) {
        List<JsonNode> list = events(event);
        if (list.isEmpty()) {
            throw new AssertionError(name + ": no '" + event + "' event; events: " + events());
        }
        return list.get(list.size() - 1);
    }

    private void pumpEvents(InputStream in) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                JsonNode e;
                try {
                    e = JSON.readTree(line);
                } catch (IOException notJson) {
                    appendLog("stdout: " + line + "\n");
                    continue;
                }
                synchronized (seen) {
                    seen.add(e);
                }
                appendLog("event: " + line + "\n");
                queue.add(e);
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    private void pumpLog(InputStream in) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                appendLog(line + "\n");
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    private synchronized void appendLog(String text) {
        try {
            Files.writeString(log, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String logTail() {
        try {
            if (!Files.exists(log)) {
                return "(no stderr)";
            }
            String s = Files.readString(log);
            return "stderr (" + log + "):\n" + (s.length() > 4000 ? s.substring(s.length() - 4000) : s);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** Closes its stdin (the script destroys its DHT and exits), then kills it by PID if it lingers. */
    @Override
    public void close() {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
