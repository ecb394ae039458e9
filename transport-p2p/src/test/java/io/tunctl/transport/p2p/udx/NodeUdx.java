package io.tunctl.transport.p2p.udx;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tunctl.core.testkit.Root;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A UDX peer in a child process speaking JSON lines: udx-native in Node, or {@link UdxPeerMain} in a JVM.
 * A udx-native peer in a Node child process, running {@code udx/udx-peer.js} from the test resources. The
 * {@code udx-native} package is installed from the npm registry into the git-ignored
 * {@code transport-p2p/target/node-udx} on first use.
 */
final class NodeUdx implements AutoCloseable {
    static final String UDX_NATIVE = "udx-native@1.21.3";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    private final StringBuilder stderr = new StringBuilder();

    private NodeUdx(Process process) {
        this.process = process;
        Thread.ofPlatform().daemon().start(() -> pump(process.getInputStream(), true));
        Thread.ofPlatform().daemon().start(() -> pump(process.getErrorStream(), false));
    }

    /** Fails when ITs are required ({@code -Dtunctl.it.require=true}), skips otherwise. */
    static void requireOrSkip(boolean condition, String why) {
        if (!condition) {
            if (Boolean.getBoolean("tunctl.it.require")) {
                fail(why);
            }
            Assumptions.abort(why);
        }
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The folder holding {@code node_modules/udx-native} and the peer script; installs on first use. */
    static synchronized Path install() throws Exception {
        Path dir = moduleDir().resolve("target/node-udx");
        Files.createDirectories(dir);
        for (String name : new String[] {"udx-peer.js"}) {
            try (InputStream in = NodeUdx.class.getResourceAsStream("/udx/" + name)) {
                Files.copy(in, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (Files.isDirectory(dir.resolve("node_modules/udx-native"))) {
            return dir;
        }
        Root.ensureNpm();
        Files.writeString(dir.resolve("package.json"), "{\"name\":\"tunctl-udx-it\",\"private\":true}\n");
        int rc = run(dir, 300, "npm", "install", "--no-audit", "--no-fund", UDX_NATIVE);
        requireOrSkip(rc == 0, "npm install " + UDX_NATIVE + " failed (exit " + rc + ")");
        return dir;
    }

    private static Path moduleDir() {
        Path here = Path.of("").toAbsolutePath();
        return Files.isDirectory(here.resolve("src/test/resources/udx")) ? here : here.resolve("transport-p2p");
    }

    private static int run(Path dir, int timeoutSeconds, String... cmd) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("install.log").toFile()).start();
        } catch (IOException e) {
            return -1;
        }
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -2;
        }
        return p.exitValue();
    }

    /** Starts {@code node udx-peer.js args...}, optionally wrapped (e.g. {@code ip netns exec NS}). */
    static NodeUdx start(List<String> prefix, String... args) throws Exception {
        Path dir = install();
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add("node");
        cmd.add(dir.resolve("udx-peer.js").toString());
        cmd.addAll(List.of(args));
        return new NodeUdx(new ProcessBuilder(cmd).directory(dir.toFile()).start());
    }

    static NodeUdx start(String... args) throws Exception {
        return start(List.of(), args);
    }

    /** Starts {@link UdxPeerMain} in a child JVM on this JVM's class path, wrapped by {@code prefix}. */
    static NodeUdx startJava(List<String> prefix, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-Dio.netty.leakDetection.level=advanced"); // reports reach stderr(), checked by the ITs
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(UdxPeerMain.class.getName());
        cmd.addAll(List.of(args));
        return new NodeUdx(new ProcessBuilder(cmd).start());
    }

    private void pump(InputStream in, boolean json) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (json) {
                    try {
                        events.add(JSON.readTree(line));
                    } catch (IOException e) {
                        synchronized (stderr) {
                            stderr.append("stdout: ").append(line).append('\n');
                        }
                    }
                } else {
                    synchronized (stderr) {
                        stderr.append(line).append('\n');
                    }
                }
            }
        } catch (IOException ignored) {
            // process ended
        }
    }

    /** Waits for the next event named {@code name}, skipping others; fails with the peer's stderr on timeout. */
    JsonNode await(String name, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (true) {
            long left = deadline - System.nanoTime();
            JsonNode e = left > 0 ? events.poll(left, TimeUnit.NANOSECONDS) : null;
            if (e == null) {
                fail("udx-native peer: no '" + name + "' event within " + timeout + " " + unit + " (alive="
                        + process.isAlive() + ")\nstderr:\n" + stderr());
            }
            if (name.equals(e.path("event").asText())) {
                return e;
            }
            if ("timeout".equals(e.path("event").asText())) {
                fail("udx-native peer hit its own time limit waiting for '" + name + "'\n" + stderr());
            }
        }
    }

    /** The next event of any name, or null after the timeout. */
    JsonNode next(long timeout, TimeUnit unit) throws InterruptedException {
        return events.poll(timeout, unit);
    }

    String stderr() {
        synchronized (stderr) {
            return stderr.toString();
        }
    }

    boolean waitForExit(long timeout, TimeUnit unit) throws InterruptedException {
        return process.waitFor(timeout, unit);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }
}
