package io.tunctl.transport.p2p.udx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 100 MiB over UDX with 5 % random loss each way (nftables {@code numgen random mod 100 < 5 drop} in a private
 * network namespace) plus reordering (an {@link ImpairmentRelay} holding 5 % of datagrams back 1-4 ms), for
 * Java to udx-native, udx-native to Java and Java to Java. Needs root (namespaces, nftables).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class UdxLossIT {
    private static final long BIG = 100L << 20;
    private static final String JAVA_PORT = "47401";
    private static final String NODE_PORT = "47402";
    /** Relay ports: 47411 forwards to 47402 (towards node), 47412 forwards to 47401 (towards Java). */
    private static final String RELAYS = "relay=47411:47402,47412:47401";
    private static final String JAVA_ID = "287454020";
    private static final String NODE_ID = "2712847316";
    private static String ns;

    @BeforeAll
    static void namespace() throws Exception {
        NodeUdx.requireOrSkip(NodeUdx.isRoot(), "UDX loss tests need root (network namespace, nftables)");
        NodeUdx.install();
        if (sh(60, "nft", "--version") != 0) {
            sh(300, "apt-get", "install", "-y", "nftables");
            if (sh(60, "nft", "--version") != 0) {
                sh(300, "apt-get", "update");
                sh(300, "apt-get", "install", "-y", "nftables");
            }
        }
        NodeUdx.requireOrSkip(sh(60, "nft", "--version") == 0, "nft (nftables) is not available");
        ns = "tn-udx-" + ProcessHandle.current().pid();
        check(sh(30, "ip", "netns", "add", ns), "ip netns add " + ns);
        check(sh(30, "ip", "-n", ns, "link", "set", "lo", "up"), "lo up in " + ns);
        String rules = """
                table inet tnudx {
                  chain input {
                    type filter hook input priority 0; policy accept;
                    udp dport { 47401, 47402 } numgen random mod 100 < 5 counter drop
                  }
                }
                """;
        Process p = new ProcessBuilder("ip", "netns", "exec", ns, "nft", "-f", "-").redirectErrorStream(true).start();
        p.getOutputStream().write(rules.getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        check(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? 0 : 1, "nft ruleset in " + ns + ": " + out);
    }

    @AfterAll
    static void removeNamespace() throws Exception {
        if (ns != null) {
            sh(30, "ip", "netns", "del", ns);
        }
    }

    private static void check(int rc, String what) {
        if (rc != 0) {
            throw new IllegalStateException(what + " failed (exit " + rc + ")");
        }
    }

    private static int sh(int timeoutSeconds, String... cmd) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            return -1;
        }
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -2;
        }
        return p.exitValue();
    }

    private static List<String> inNs(String... env) {
        List<String> prefix = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        if (env.length > 0) {
            prefix.add("env");
            prefix.addAll(List.of(env));
        }
        return prefix;
    }

    private static NodeUdx node(String mode) throws Exception {
        NodeUdx node = NodeUdx.start(inNs("UDX_LOCAL_PORT=" + NODE_PORT), mode, "47412", NODE_ID, JAVA_ID,
                Long.toString(BIG), "127.0.0.1", "200000");
        node.await("ready", 30, TimeUnit.SECONDS);
        return node;
    }

    private static NodeUdx java(String mode, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("mode=" + mode, "port=" + JAVA_PORT, "id=" + JAVA_ID,
                "peerPort=47411", "peerId=" + NODE_ID, "bytes=" + BIG, RELAYS, "hold=5", "limitMs=200000"));
        args.addAll(List.of(extra));
        NodeUdx java = NodeUdx.startJava(inNs(), args.toArray(String[]::new));
        java.await("ready", 30, TimeUnit.SECONDS);
        return java;
    }

    private static String dropped() throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", ns, "nft", "list", "ruleset").start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return out.replaceAll("(?s).*counter (packets \\d+ bytes \\d+).*", "$1");
    }

    private static void assertNoLeak(NodeUdx javaPeer) {
        org.junit.jupiter.api.Assertions.assertFalse(javaPeer.stderr().contains("LEAK:"), javaPeer.stderr());
    }

    @Test
    void javaToUdxNativeUnderLossAndReordering() throws Exception {
        try (NodeUdx node = node("sink"); NodeUdx java = java("source")) {
            String sha = java.await("sent", 200, TimeUnit.SECONDS).path("sha256").asText();
            JsonNode got = node.await("received", 200, TimeUnit.SECONDS);
            assertEquals(BIG, got.path("bytes").asLong());
            assertEquals(sha, got.path("sha256").asText());
            JsonNode closed = java.await("close", 30, TimeUnit.SECONDS);
            node.await("close", 30, TimeUnit.SECONDS);
            assertNoLeak(java);
            System.out.printf("loss java -> udx-native: %d ms, %s, dropped %s%n", got.path("ms").asLong(), closed,
                    dropped());
        }
    }

    @Test
    void udxNativeToJavaUnderLossAndReordering() throws Exception {
        try (NodeUdx java = java("sink"); NodeUdx node = node("source")) {
            String sha = node.await("sent", 200, TimeUnit.SECONDS).path("sha256").asText();
            JsonNode got = java.await("received", 200, TimeUnit.SECONDS);
            assertEquals(BIG, got.path("bytes").asLong());
            assertEquals(sha, got.path("sha256").asText());
            JsonNode closed = java.await("close", 30, TimeUnit.SECONDS);
            node.await("close", 30, TimeUnit.SECONDS);
            assertNoLeak(java);
            System.out.printf("loss udx-native -> java: %d ms, %s, dropped %s%n", got.path("ms").asLong(), closed,
                    dropped());
        }
    }

    @Test
    void javaToJavaUnderLossAndReordering() throws Exception {
        try (NodeUdx java = java("pair", "port2=" + NODE_PORT, "peerPort2=47412")) {
            String sha = java.await("sent", 200, TimeUnit.SECONDS).path("sha256").asText();
            JsonNode got = java.await("received", 200, TimeUnit.SECONDS);
            assertEquals(BIG, got.path("bytes").asLong());
            assertEquals(sha, got.path("sha256").asText());
            assertEquals(0, java.await("streams", 30, TimeUnit.SECONDS).path("count").asInt(), "streams left open");
            JsonNode closed = java.await("close", 30, TimeUnit.SECONDS);
            assertNoLeak(java);
            System.out.printf("loss java -> java: %d ms, %s, dropped %s%n", got.path("ms").asLong(), closed,
                    dropped());
        }
    }
}
