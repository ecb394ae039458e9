package io.tunctl.transport.p2p.crypto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tunctl.core.testkit.Root;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The real npm packages (hyperdht, noise-handshake, noise-curve-ed, @hyperswarm/secret-stream, sodium-universal, ...)
 * as a test oracle: installs them from the npm registry into {@code target/node} (once; pinned in
 * {@code src/test/resources/node/package.json}) and runs {@code oracle.js}, a line-oriented JSON request/response
 * process. When node or the registry is unavailable the calling IT is skipped, or fails if
 * {@code -Dtunctl.it.require=true}.
 */
public final class NodeOracle implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long INSTALL_TIMEOUT_S = 300;
    private static final long REPLY_TIMEOUT_S = 30;

    private final Process process;
    private final BufferedWriter in;
    private final BufferedReader out;

    private NodeOracle(Process process) {
        this.process = process;
        this.in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /**
     * Installs the pinned packages into {@code target/node} if needed and copies the named scripts from the test
     * resources' {@code node/} folder beside them; returns that folder. Skips the calling test (or fails it when ITs
     * are required) if node or the registry is unavailable.
     */
    public static synchronized Path install(String... scripts) {
        Path dir = Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "target", "node");
        Root.ensureNpm();
        try {
            Files.createDirectories(dir);
            boolean changed = copyResource("package.json", dir);
            for (String script : scripts) {
                copyResource(script, dir);
            }
            if (changed || !Files.exists(dir.resolve("node_modules/hyperdht/package.json"))) {
                run(dir, INSTALL_TIMEOUT_S, "npm", "install", "--no-audit", "--no-fund", "--no-progress");
            }
            return dir;
        } catch (IOException | RuntimeException e) {
            unavailable("node/npm packages unavailable: " + e.getMessage(), e);
            return null;
        }
    }

    /** Installs the packages if needed and starts the oracle process. */
    public static NodeOracle start() {
        return start("oracle.js");
    }

    /** The same with another script of the test resources' node folder, speaking the same line protocol. */
    public static NodeOracle start(String script) {
        Path dir = install(script);
        try {
            Process p = new ProcessBuilder("node", script).directory(dir.toFile())
                    .redirectError(dir.resolve(script + "-stderr.log").toFile()).start();
            NodeOracle o = new NodeOracle(p);
            o.call(script.equals("oracle.js") ? "namespaces" : "keyPair", "seed", "00".repeat(32)); // packages load
            return o;
        } catch (IOException | RuntimeException e) {
            return unavailable("node/npm oracle unavailable: " + e.getMessage(), e);
        }
    }

    private static NodeOracle unavailable(String why, Exception cause) {
        if (Boolean.getBoolean("tunctl.it.require")) {
            throw new IllegalStateException(why, cause);
        }
        Assumptions.abort(why);
        return null;
    }

    private static boolean copyResource(String name, Path dir) throws IOException {
        try (InputStream r = NodeOracle.class.getResourceAsStream("/node/" + name)) {
            if (r == null) {
                throw new IOException("test resource /node/" + name + " missing");
            }
            byte[] bytes = r.readAllBytes();
            Path target = dir.resolve(name);
            if (Files.exists(target) && java.util.Arrays.equals(Files.readAllBytes(target), bytes)) {
                return false;
            }
            Path tmp = dir.resolve(name + ".tmp");
            Files.write(tmp, bytes);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return true;
        }
    }

    private static void run(Path dir, long timeoutSeconds, String... cmd) throws IOException {
        Path log = dir.resolve("npm-install.log");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " timed out after " + timeoutSeconds + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited with " + p.exitValue() + ": "
                    + Files.readString(log).lines().reduce((a, b) -> b).orElse(""));
        }
    }

    /** Sends one request; returns the reply or throws {@link OracleError} carrying the Node error message. */
    public JsonNode call(String op, Object... keyValues) {
        ObjectNode req = JSON.createObjectNode();
        req.put("op", op);
        for (int i = 0; i < keyValues.length; i += 2) {
            req.set((String) keyValues[i], JSON.valueToTree(toJson(keyValues[i + 1])));
        }
        try {
            in.write(JSON.writeValueAsString(req));
            in.write('\n');
            in.flush();
            String line = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).get(REPLY_TIMEOUT_S, TimeUnit.SECONDS);
            if (line == null) {
                throw new IllegalStateException("oracle exited (see target/node/<script>-stderr.log)");
            }
            JsonNode reply = JSON.readTree(line);
            if (!reply.path("ok").asBoolean()) {
                throw new OracleError(op + ": " + reply.path("error").asText());
            }
            return reply;
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("oracle call " + op + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The hex string field {@code field} of a reply, as bytes. */
    public static byte[] bytes(JsonNode reply, String field) {
        return HexFormat.of().parseHex(reply.path(field).asText());
    }

    private static Object toJson(Object v) {
        if (v instanceof byte[] b) {
            return HexFormat.of().formatHex(b);
        }
        if (v instanceof List<?> l) {
            return l.stream().map(NodeOracle::toJson).toList();
        }
        return v;
    }

    /** The Node side threw. */
    public static final class OracleError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        OracleError(String message) {
            super(message);
        }
    }

    @Override
    public void close() {
        try {
            in.close();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException | InterruptedException e) {
            process.destroyForcibly();
        }
    }
}
