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
 * A hyperdht peer process in a lab namespace that reports JSON-line events on stdout. The factories start the Node
 * reference peer (hyperdht 6.34.0, {@code node/nat-peer.js}, installed with the pinned packages by
 * {@link NodeOracle#install}): a {@linkplain #testnet DHT testnet} (the bootstrap nodes), a {@linkplain #relay
 * blind relay}, an echo {@linkplain #server server} listening on a key pair, and a {@linkplain #client client} that
 * connects by public key and echoes a payload with SHA-256 on both ends. {@link #attach} wraps any other program
 * speaking the same events, which is how a Java peer joins the same tests ({@link Launcher}).
 *
 * <p>Events ({@code {"event":name,"t":ms since start,...}}):
 * <ul>
 * <li>{@code ready {dht}} (testnet: {@code {bootstrap:["h:p"]}}), {@code listening {publicKey, dht}} where
 *     {@code dht} is {@code {firewalled, randomized, host, port}} as the peer's DHT sees itself;</li>
 * <li>{@code nat {initiator, local, remote, localAddresses, remoteAddresses, stable}}: a NAT analysis of a
 *     holepuncher (firewall types UNKNOWN / OPEN / CONSISTENT / RANDOM); {@code holepunch {local, remote}}: the
 *     types it decided to punch with; {@code punch}: a punch strategy starts;</li>
 * <li>client {@code open} and server {@code connection}: {@code {ms (client), remote: "h:p" of the UDX stream,
 *     via: holepunch | direct | relay | lan | other, strategy (holepunch): fast-open | consistent | random}};</li>
 * <li>client {@code received {bytes, sha256Sent, sha256Received, ms}} then {@code echoed {openMs, remote, via}};
 *     server {@code closed {bytes}} (bytes echoed);</li>
 * <li>{@code error {code, message}} (a connection failure: the client's end event), {@code timeout}.</li>
 * </ul>
 * A peer on the public side is told {@code open} (not firewalled). Events and stderr are logged to
 * {@code target/natlab/<role>-<namespace>.log}.
 */
public final class LabPeer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCRIPT = "nat-peer.js";

    private final String name;
    private final Process process;
    private final OutputStream stdin;
    private final BlockingQueue<JsonNode> queue = new LinkedBlockingQueue<>();
    private final List<JsonNode> seen = new ArrayList<>();
    private final Path log;
    private JsonNode first;

    private LabPeer(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.stdin = process.getOutputStream();
        this.log = log;
        Thread.ofPlatform().daemon().name("natlab-" + name + "-out").start(() -> pumpEvents(process.getInputStream()));
        Thread.ofPlatform().daemon().name("natlab-" + name + "-err").start(() -> pumpLog(process.getErrorStream()));
    }

    /**
     * Starts the two roles of one hyperdht implementation in lab hosts. {@link #NODE} is the reference; a Java
     * launcher runs its peer main (see {@link NatLab#javaCommand}) and {@link LabPeer#attach}es it, so the same
     * cases run Java↔Node and Java↔Java.
     */
    public interface Launcher {
        /** An echo server listening on the key pair of {@code seed}; returns after its {@code listening} event. */
        LabPeer server(NatLab.Host host, List<String> bootstrap, byte[] seed, String relayThrough, Duration limit);

        /** A client connecting to {@code publicKey}; returns after {@code ready}, ends with echoed or error. */
        LabPeer client(NatLab.Host host, List<String> bootstrap, String publicKey, long bytes, LabPeer relay,
                Duration limit);

        /** Node hyperdht 6.34.0. */
        Launcher NODE = new Launcher() {
            @Override
            public LabPeer server(NatLab.Host host, List<String> bootstrap, byte[] seed, String relayThrough,
                    Duration limit) {
                return LabPeer.server(host, bootstrap, seed, relayThrough, limit);
            }

            @Override
            public LabPeer client(NatLab.Host host, List<String> bootstrap, String publicKey, long bytes,
                    LabPeer relay, Duration limit) {
                return LabPeer.client(host, bootstrap, publicKey, bytes, relay, limit);
            }

            @Override
            public String toString() {
                return "node";
            }
        };
    }

    /**
     * Wraps a program already started in {@code host} (e.g. with {@link NatLab.Host#spawn}) that speaks the events
     * above, and waits for its first event {@code firstEvent} ({@code listening} for a server, {@code ready} for a
     * client).
     */
    public static LabPeer attach(NatLab.Host host, String role, Process process, String firstEvent) {
        LabPeer p = new LabPeer(role + "@" + host.name(), process, logFile(host, role));
        p.first = p.await(firstEvent, Duration.ofSeconds(60));
        return p;
    }

    /** A hyperdht testnet of {@code size} nodes bound on the host's address, the first on {@code port}. */
    public static LabPeer testnet(NatLab.Host host, int size, int port) {
        ObjectNode o = JSON.createObjectNode().put("host", host.address()).put("port", port).put("size", size)
                .put("limitMs", 3_600_000);
        LabPeer p = start(host, "testnet", o);
        p.first = p.await("ready", Duration.ofSeconds(60));
        return p;
    }

    /** A blind-relay server (what {@code relayThrough} names) listening on the key pair of {@code seed}. */
    public static LabPeer relay(NatLab.Host host, List<String> bootstrap, byte[] seed) {
        ObjectNode o = dhtOptions(host, bootstrap).put("seed", HexFormat.of().formatHex(seed))
                .put("limitMs", 3_600_000);
        LabPeer p = start(host, "relay", o);
        p.first = p.await("listening", Duration.ofSeconds(60));
        return p;
    }

    /**
     * An echo server listening on the key pair of {@code seed}; {@code relayThrough} (a relay's public key, hex)
     * or null.
     */
    public static LabPeer server(NatLab.Host host, List<String> bootstrap, byte[] seed, String relayThrough,
            Duration limit) {
        ObjectNode o = dhtOptions(host, bootstrap).put("seed", HexFormat.of().formatHex(seed))
                .put("limitMs", limit.toMillis());
        if (relayThrough != null) {
            o.put("relayThrough", relayThrough);
        }
        LabPeer p = start(host, "server", o);
        p.first = p.await("listening", Duration.ofSeconds(60));
        return p;
    }

    /**
     * A client that connects to {@code publicKey} (hex) and echoes {@code bytes} random bytes; {@code relay} is the
     * relay peer to use ({@code relayThrough} and its address, to tell relayed streams) or null. Returns once its
     * DHT has bootstrapped ({@code ready}); the connection attempt is then under way.
     */
    public static LabPeer client(NatLab.Host host, List<String> bootstrap, String publicKey, long bytes,
            LabPeer relay, Duration limit) {
        ObjectNode o = dhtOptions(host, bootstrap).put("key", publicKey).put("bytes", bytes)
                .put("limitMs", limit.toMillis());
        if (relay != null) {
            o.put("relayThrough", relay.publicKey()).put("relay", relay.publicAddress());
        }
        LabPeer p = start(host, "client", o);
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

    private static LabPeer start(NatLab.Host host, String role, ObjectNode options) {
        Path dir = NodeOracle.install(SCRIPT);
        Process p = host.spawn(dir, List.of("node", SCRIPT, role, options.toString()));
        return new LabPeer(role + "@" + host.name(), p, logFile(host, role));
    }

    private static Path logFile(NatLab.Host host, String role) {
        return host.logDir().resolve(role + "-" + host.namespace().name() + ".log");
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

    /** Everything logged so far (events and stderr). */
    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
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
