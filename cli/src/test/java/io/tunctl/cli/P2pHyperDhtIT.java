package io.tunctl.cli;

import io.tunctl.core.testkit.Root;
import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code ./tunctl p2p listen|connect|lookup} as a user runs them, on 127.0.0.1, against unmodified hyperdht 6.34.0
 * peers (the transport-p2p test script {@code hyperdht-peer.js}): through a Node {@code hyperdht/testnet}, and through a
 * DHT made only of {@code ./tunctl p2p node}s; the --allow firewall; the error exits.
 */
class P2pHyperDhtIT {
    private static final Path REPO = Path.of(System.getProperty("tunctl.repo", "..")).toAbsolutePath().normalize();
    private static final HexFormat HEX = HexFormat.of();
    private static final Pattern KEY = Pattern.compile("listening on ([0-9a-f]{64}) \\(z32 ([a-z0-9]{52})\\)");
    private static final Pattern NODE = Pattern.compile("dht node 127\\.0\\.0\\.1:(\\d+) id [0-9a-f]{64}");

    private final List<Process> started = new ArrayList<>();
    private NodePeers nodejs;
    private Path dir;

    @AfterEach
    void cleanup() throws Exception {
        for (Process p : started) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly();
        }
        if (nodejs != null) nodejs.close();
    }

    private Path dir() throws IOException {
        if (dir == null) dir = Files.createTempDirectory("tunctl-p2p-hyperdht-it");
        return dir;
    }

    private Process tunctl(String name, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(REPO.resolve("tunctl").toString(), "p2p"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(dir().resolve(name + ".err").toFile()).start();
        started.add(p);
        return p;
    }

    private String waitFor(String name, Pattern pattern) throws Exception {
        Path err = dir().resolve(name + ".err");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String text = Files.exists(err) ? Files.readString(err) : "";
            Matcher m = pattern.matcher(text);
            if (m.find()) return m.group(1);
            Thread.sleep(50);
        }
        fail("no /" + pattern + "/ from " + name + ": " + (Files.exists(err) ? Files.readString(err) : "(none)"));
        return null;
    }

    /** Three {@code tunctl p2p node}s joined into one DHT; returns the bootstrap H:P. */
    private String tunctlDht() throws Exception {
        Process first = tunctl("node0", "node", "--port", "0", "--host", "127.0.0.1", "--bind", "127.0.0.1");
        String port = waitLine(first, NODE);
        String boot = "127.0.0.1:" + port;
        for (int i = 1; i < 3; i++) {
            Process n = tunctl("node" + i, "node", "--port", "0", "--host", "127.0.0.1", "--bind", "127.0.0.1",
                    "--bootstrap", boot);
            waitLine(n, NODE);
        }
        return boot;
    }

    /** The first match of {@code pattern} on the process's stdout (a node prints its address there). */
    private static String waitLine(Process p, Pattern pattern) throws Exception {
        BlockingQueue<String> found = new LinkedBlockingQueue<>();
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    Matcher m = pattern.matcher(line);
                    if (m.find()) found.add(m.group(1));
                }
            } catch (IOException ignored) {
                // ended
            }
        });
        String v = found.poll(60, TimeUnit.SECONDS);
        if (v == null) fail("no /" + pattern + "/ line (alive=" + p.isAlive() + ")");
        return v;
    }

    /**
     * Runs {@code tunctl p2p connect} with {@code input} on stdin, then its end; returns [exit code, stdout, stderr]
     * once it exits (within 60 s).
     */
    private Object[] connect(String name, String key, String boot, byte[] input) throws Exception {
        Process p = tunctl(name, "connect", key, "--bootstrap", boot, "--bind", "127.0.0.1");
        try (OutputStream in = p.getOutputStream()) {
            in.write(input);
        }
        java.util.concurrent.CompletableFuture<byte[]> out = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return p.getInputStream().readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), name + " did not exit: "
                + Files.readString(dir().resolve(name + ".err")));
        return new Object[] {p.exitValue(), out.get(10, TimeUnit.SECONDS),
                Files.readString(dir().resolve(name + ".err"))};
    }

    /**
     * Runs {@code tunctl p2p connect} to a peer that echoes but never ends (an echoing listener): sends
     * {@code input}, keeps stdin open, returns the first {@code input.length} bytes it prints (within 60 s).
     */
    private byte[] connectEcho(String name, String key, String boot, byte[] input) throws Exception {
        Process p = tunctl(name, "connect", key, "--bootstrap", boot, "--bind", "127.0.0.1");
        OutputStream in = p.getOutputStream();
        in.write(input);
        in.flush();
        java.util.concurrent.CompletableFuture<byte[]> out = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return p.getInputStream().readNBytes(input.length);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            return out.get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            fail(name + " echoed nothing within 60 s: " + Files.readString(dir().resolve(name + ".err")));
            return null;
        } finally {
            p.destroy();
        }
    }

    /** Starts {@code tunctl p2p listen} whose stdout is fed back to its stdin (an echo); returns its key. */
    private String echoListener(String name, String boot, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("listen", "--seed-file", dir().resolve(name + ".seed").toString(),
                "--bootstrap", boot, "--bind", "127.0.0.1"));
        args.addAll(List.of(extra));
        Process p = tunctl(name, args.toArray(String[]::new));
        Thread.ofPlatform().daemon().start(() -> {
            byte[] buf = new byte[65536];
            try (InputStream out = p.getInputStream(); OutputStream in = p.getOutputStream()) {
                int n;
                while ((n = out.read(buf)) >= 0) {
                    in.write(buf, 0, n);
                    in.flush();
                }
            } catch (IOException ignored) {
                // the listener exited
            }
        });
        return waitFor(name, KEY);
    }

    @Test
    void tunctlConnectAndListenEchoWithNodePeersOnANodeTestnet() throws Exception {
        nodejs = NodePeers.start(REPO, dir());
        String boot = nodejs.call("{\"op\":\"testnet\",\"size\":3}", "bootstrap\":\\[\"([^\"]+)\"");
        String serverNode = nodejs.call("{\"op\":\"node\",\"bootstrap\":[\"" + boot + "\"]}", "\"node\":(\\d+)");
        String key = nodejs.call("{\"op\":\"server\",\"node\":" + serverNode + ",\"seed\":\"" + "11".repeat(32)
                + "\",\"mode\":\"echo\"}", "\"publicKey\":\"([0-9a-f]{64})\"");

        Object[] r = connect("connect-node", key, boot, "ping through a Node server\n".getBytes());
        assertEquals("ping through a Node server\n", new String((byte[]) r[1]), (String) r[2]);
        assertEquals(0, r[0], (String) r[2]);

        String listenKey = echoListener("listen-node", boot);
        String client = nodejs.call("{\"op\":\"node\",\"bootstrap\":[\"" + boot + "\"]}", "\"node\":(\\d+)");
        String data = HEX.formatHex("from a Node client".getBytes());
        String echoed = nodejs.call("{\"op\":\"echo\",\"node\":" + client + ",\"publicKey\":\"" + listenKey
                + "\",\"data\":\"" + data + "\"}", "\"data\":\"([0-9a-f]*)\"");
        assertEquals(data, echoed);

        Process lookup = tunctl("lookup-node", "lookup", key, "--bootstrap", boot, "--bind", "127.0.0.1");
        String out = new String(lookup.getInputStream().readAllBytes());
        assertTrue(lookup.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, lookup.exitValue(), Files.readString(dir().resolve("lookup-node.err")));
        assertTrue(out.contains("peer " + key + " via 127.0.0.1:"), out);
    }

    @Test
    void aDhtOfTunctlNodesCarriesNodeAndTunctlPeers() throws Exception {
        String boot = tunctlDht();
        nodejs = NodePeers.start(REPO, dir());
        String serverNode = nodejs.call("{\"op\":\"node\",\"bootstrap\":[\"" + boot + "\"]}", "\"node\":(\\d+)");
        String key = nodejs.call("{\"op\":\"server\",\"node\":" + serverNode + ",\"seed\":\"" + "22".repeat(32)
                + "\",\"mode\":\"echo\"}", "\"publicKey\":\"([0-9a-f]{64})\"");
        Object[] r = connect("connect-node", key, boot, "via tunctl nodes".getBytes());
        assertEquals("via tunctl nodes", new String((byte[]) r[1]), (String) r[2]);

        String listenKey = echoListener("listen", boot);
        String client = nodejs.call("{\"op\":\"node\",\"bootstrap\":[\"" + boot + "\"]}", "\"node\":(\\d+)");
        String echoed = nodejs.call("{\"op\":\"echo\",\"node\":" + client + ",\"publicKey\":\"" + listenKey
                + "\",\"data\":\"c0ffee\"}", "\"data\":\"([0-9a-f]*)\"");
        assertEquals("c0ffee", echoed);

        // Java to Java: a second listener (the first pipes one connection only)
        String javaKey = echoListener("listen2", boot);
        assertEquals("tunctl to tunctl", new String(connectEcho("connect-java", javaKey, boot,
                "tunctl to tunctl".getBytes())));
    }

    @Test
    void aKeyNotAllowedGetsNoReplyAndTheListenerLogsIt() throws Exception {
        String boot = tunctlDht();
        nodejs = NodePeers.start(REPO, dir());
        byte[] clientKey = Ed25519KeyPair.fromSeed(HEX.parseHex("33".repeat(32))).publicKey();
        String other = HEX.formatHex(Ed25519KeyPair.fromSeed(HEX.parseHex("44".repeat(32))).publicKey());
        String listenKey = echoListener("listen", boot, "--allow", other);
        String client = nodejs.call("{\"op\":\"node\",\"bootstrap\":[\"" + boot + "\"]}", "\"node\":(\\d+)");
        String reply = nodejs.raw("{\"op\":\"echo\",\"node\":" + client + ",\"publicKey\":\"" + listenKey
                + "\",\"data\":\"00\",\"seed\":\"" + "33".repeat(32) + "\"}");
        assertTrue(reply.contains("\"ok\":false") && reply.contains("PEER_CONNECTION_FAILED"), reply);
        String err = Files.readString(dir().resolve("listen.err"));
        assertTrue(err.contains("rejected client " + HEX.formatHex(clientKey)), err);
        assertTrue(!err.contains("connection from"), "no stream for a rejected key: " + err);
    }

    @Test
    void errorsAreClearWithTheirExitCodes() throws Exception {
        String boot = tunctlDht();
        Object[] bad = connect("bad-key", "xyz", boot, new byte[0]);
        assertEquals(ExitCodes.USAGE, bad[0]);
        assertTrue(((String) bad[2]).contains("not a public key"), (String) bad[2]);

        String absent = HEX.formatHex(Ed25519KeyPair.fromSeed(HEX.parseHex("55".repeat(32))).publicKey());
        Object[] notFound = connect("not-found", absent, boot, new byte[0]);
        assertEquals(ExitCodes.FAILURE, notFound[0]);
        assertTrue(((String) notFound[2]).contains("PEER_NOT_FOUND"), (String) notFound[2]);

        Process lookup = tunctl("lookup-none", "lookup", absent, "--bootstrap", boot, "--bind", "127.0.0.1");
        assertTrue(lookup.waitFor(60, TimeUnit.SECONDS));
        assertEquals(ExitCodes.FAILURE, lookup.exitValue());
        assertTrue(Files.readString(dir().resolve("lookup-none.err")).contains("peer not found"));

        Object[] noBoot = connect("no-bootstrap", absent, "127.0.0.1:9", new byte[0]);
        assertEquals(ExitCodes.FAILURE, noBoot[0]);
        assertTrue(((String) noBoot[2]).contains("no bootstrap node answered (127.0.0.1:9)"), (String) noBoot[2]);
    }

    /**
     * hyperdht-peer.js from transport-p2p's test resources, with the pinned npm packages installed beside it in
     * {@code target/node} (JSON lines; replies read with patterns, no JSON library needed here).
     */
    static final class NodePeers implements AutoCloseable {
        private final Process process;
        private final Writer in;
        private final Map<Integer, BlockingQueue<String>> replies = new ConcurrentHashMap<>();
        private int nextId;

        private NodePeers(Process process) {
            this.process = process;
            this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    Pattern id = Pattern.compile("\"id\":(\\d+)");
                    while ((line = r.readLine()) != null) {
                        Matcher m = id.matcher(line);
                        if (m.find()) {
                            replies.computeIfAbsent(Integer.parseInt(m.group(1)), k -> new LinkedBlockingQueue<>())
                                    .add(line);
                        }
                    }
                } catch (IOException ignored) {
                    // ended
                }
            });
        }

        static NodePeers start(Path repo, Path logDir) throws IOException {
            Path src = repo.resolve("transport-p2p/src/test/resources/node");
            Path dir = repo.resolve("cli/target/node");
            Files.createDirectories(dir);
            boolean changed = false;
            for (String f : new String[] {"package.json", "hyperdht-peer.js"}) {
                Path t = dir.resolve(f);
                if (!Files.exists(t) || Files.mismatch(src.resolve(f), t) != -1) {
                    Files.copy(src.resolve(f), t, StandardCopyOption.REPLACE_EXISTING);
                    changed |= f.equals("package.json");
                }
            }
            Root.ensureNpm();
            if (changed || !Files.exists(dir.resolve("node_modules/hyperdht/package.json"))) {
                try {
                    Process npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--no-progress")
                            .directory(dir.toFile()).redirectErrorStream(true)
                            .redirectOutput(dir.resolve("npm-install.log").toFile()).start();
                    if (!npm.waitFor(300, TimeUnit.SECONDS) || npm.exitValue() != 0) {
                        npm.destroyForcibly();
                        unavailable("npm install failed, see " + dir.resolve("npm-install.log"));
                    }
                } catch (IOException e) {
                    unavailable("node/npm unavailable: " + e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
            return new NodePeers(new ProcessBuilder("node", "hyperdht-peer.js").directory(dir.toFile())
                    .redirectError(logDir.resolve("hyperdht-peer.err").toFile()).start());
        }

        private static void unavailable(String why) {
            if (Boolean.getBoolean("tunctl.it.require")) throw new IllegalStateException(why);
            Assumptions.abort(why);
        }

        /** Sends one command (a JSON object text without id) and returns its reply line. */
        synchronized String raw(String json) throws IOException, InterruptedException {
            int id = ++nextId;
            in.write("{\"id\":" + id + "," + json.substring(1) + "\n");
            in.flush();
            String line = replies.computeIfAbsent(id, k -> new LinkedBlockingQueue<>()).poll(90, TimeUnit.SECONDS);
            if (line == null) throw new IOException("no reply to " + json + " (alive=" + process.isAlive() + ")");
            return line;
        }

        /** Sends one command that must succeed; returns group 1 of {@code pattern} in its reply. */
        String call(String json, String pattern) throws IOException, InterruptedException {
            String line = raw(json);
            Matcher m = Pattern.compile(pattern).matcher(line);
            if (!line.contains("\"ok\":true") || !m.find()) throw new IOException(json + " -> " + line);
            return m.group(1);
        }

        @Override
        public void close() {
            try {
                in.close();
                if (!process.waitFor(15, TimeUnit.SECONDS)) process.destroyForcibly();
            } catch (IOException | InterruptedException e) {
                process.destroyForcibly();
            }
        }
    }
}
