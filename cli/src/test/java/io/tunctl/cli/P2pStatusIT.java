package io.tunctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tunctl.core.testkit.Netns;
import io.tunctl.core.testkit.ProcessRunner;
import io.tunctl.core.testkit.Root;
import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code tunctl status} of a p2p server and its client (nospoon configs, a private DHT of three {@code tunctl p2p
 * node}s in the server's namespace): the server lists the connected client (key, endpoint, allowed IPs, bytes, the
 * handshake's time, the UDX stream's RTT, how it was reached) and the listed peer that never came; the client lists
 * its server. Packets counted on both sides after a ping.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class P2pStatusIT {
    private static final Path REPO = Path.of(System.getProperty("tunctl.repo", "..")).toAbsolutePath().normalize();
    private static final String LAUNCHER = REPO.resolve("tunctl").toString();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();
    private static final String SERVER_SEED = "41".repeat(32);
    private static final String CLIENT_SEED = "42".repeat(32);
    private static final String ABSENT_SEED = "43".repeat(32);
    private static final String BOOT = "192.0.2.1:49737";

    private Netns s;
    private Netns c;
    private Path dir;
    private Path state;

    @BeforeEach
    void topology() throws IOException {
        Root.require();
        Root.ensureCommand("ping", "iputils-ping");
        s = Netns.create("tn-p2st");
        c = Netns.create("tn-p2st");
        Netns.veth(s, "p2c", "192.0.2.1/24", c, "p2s", "192.0.2.2/24");
        dir = Files.createTempDirectory("tunctl-p2p-status-it");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        state = dir.resolve("run");
    }

    @AfterEach
    void cleanup() {
        if (c != null) c.close(); // kills what each started, by PID
        if (s != null) s.close();
    }

    private static String pub(String seed) {
        return HEX.formatHex(Ed25519KeyPair.fromSeed(HEX.parseHex(seed)).publicKey());
    }

    private Process start(Netns ns, String tag, String await, int seconds, String... command) throws Exception {
        Path log = dir.resolve(tag + ".log");
        List<String> cmd = new ArrayList<>(List.of("env", "TUNCTL_STATE_DIR=" + state));
        cmd.addAll(List.of(command));
        Process p = ns.start(log.toFile(), cmd.toArray(String[]::new));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end && p.isAlive()) {
            if (Files.exists(log) && Files.readString(log).contains(await)) return p;
            Thread.sleep(100);
        }
        fail(tag + ": no '" + await + "' within " + seconds + " s:\n" + (Files.exists(log) ? Files.readString(log) : ""));
        return p;
    }

    private Process up(Netns ns, String tag, String config, String await) throws Exception {
        Path f = dir.resolve(tag + ".jsonc");
        Files.writeString(f, config);
        return start(ns, tag, await, 60, LAUNCHER, "up", f.toString());
    }

    private JsonNode status(Netns ns, String tun) throws IOException {
        ProcessRunner.Result r = ns.exec("env", "TUNCTL_STATE_DIR=" + state, LAUNCHER, "status", tun, "--json");
        assertEquals(0, r.exitCode(), r.toString());
        return JSON.readTree(r.stdout());
    }

    @Test
    void serverAndClientReportTheirPeers() throws Exception {
        for (int i = 0; i < 3; i++) {
            List<String> cmd = new ArrayList<>(List.of(LAUNCHER, "p2p", "node", "--port", String.valueOf(49737 + i),
                    "--host", "192.0.2.1", "--bind", "192.0.2.1"));
            if (i > 0) cmd.addAll(List.of("--bootstrap", BOOT));
            start(s, "dht" + i, "dht node 192.0.2.1:" + (49737 + i), 60, cmd.toArray(String[]::new));
        }
        up(s, "server", """
                {"mode": "server", "ip": "10.0.0.1/24", "seed": "%s", "mtu": 1400,
                 "peers": {"%s": "10.0.0.2", "%s": "10.0.0.3"}, "bootstrap": ["%s"]}
                """.formatted(SERVER_SEED, pub(CLIENT_SEED), pub(ABSENT_SEED), BOOT), "tunnel up");
        Instant beforeConnect = Instant.now().minusSeconds(1);
        up(c, "client", """
                {"mode": "client", "server": "%s", "ip": "10.0.0.2/24", "seed": "%s", "bootstrap": ["%s"]}
                """.formatted(pub(SERVER_SEED), CLIENT_SEED, BOOT), "Connected to server");
        long end = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < end && !c.exec("ping", "-c", "1", "-W", "1", "10.0.0.1").ok()) {
            // the server may still be adding the route
        }
        ProcessRunner.Result ping = c.exec(Duration.ofSeconds(30), "ping", "-c", "5", "-i", "0.2", "-W", "2", "10.0.0.1");
        assertTrue(ping.ok(), ping.toString());

        String serverTun = tunOf(s);
        JsonNode sv = status(s, serverTun);
        assertEquals("p2p", sv.get("transport").asText());
        assertEquals("server", sv.get("role").asText());
        assertTrue(sv.get("interface").get("addresses").toString().contains("\"10.0.0.1/24\""), sv.toString());
        assertTrue(sv.get("process").get("threads").asInt() > 0 && sv.get("process").get("residentBytes").asLong() > 0);
        JsonNode peers = sv.get("peers");
        assertEquals(2, peers.size(), peers.toString());
        JsonNode client = peers.get(0);
        assertEquals(pub(CLIENT_SEED), client.get("id").asText());
        assertTrue(client.get("connected").asBoolean());
        assertEquals("[\"10.0.0.2/32\"]", client.get("allowedIps").toString());
        assertTrue(client.get("endpoint").asText().startsWith("192.0.2.2:"), client.toString());
        assertTrue(client.get("rxPackets").asLong() >= 5 && client.get("txPackets").asLong() >= 5, client.toString());
        assertTrue(client.get("rxBytes").asLong() >= 5 * 84, client.toString());
        Instant hs = Instant.parse(client.get("lastHandshake").asText());
        assertTrue(!hs.isBefore(beforeConnect) && !hs.isAfter(Instant.now()), hs.toString());
        long rtt = client.get("rttMicros").asLong();
        assertTrue(rtt > 0 && rtt < 1_000_000, "a veth RTT: " + rtt + " µs");
        assertEquals("directly", client.get("info").get("path").asText(), client.toString());
        JsonNode absent = peers.get(1);
        assertEquals(pub(ABSENT_SEED), absent.get("id").asText());
        assertFalse(absent.get("connected").asBoolean());
        assertEquals("[\"10.0.0.3/32\"]", absent.get("allowedIps").toString());
        assertFalse(absent.has("lastHandshake"));

        JsonNode cv = status(c, tunOf(c));
        assertEquals("client", cv.get("role").asText());
        assertEquals(1, cv.get("peers").size());
        JsonNode server = cv.get("peers").get(0);
        assertEquals(pub(SERVER_SEED), server.get("id").asText());
        assertTrue(server.get("connected").asBoolean());
        assertEquals("[\"10.0.0.0/24\"]", server.get("allowedIps").toString());
        assertTrue(server.get("endpoint").asText().startsWith("192.0.2.1:"), server.toString());
        assertTrue(server.get("rttMicros").asLong() > 0, server.toString());
        assertTrue(server.get("txPackets").asLong() >= 5 && server.get("rxPackets").asLong() >= 5, server.toString());

        ProcessRunner.Result human = s.exec("env", "TUNCTL_STATE_DIR=" + state, LAUNCHER, "status");
        assertEquals(0, human.exitCode(), human.toString());
        assertTrue(human.stdout().contains("peer: " + pub(CLIENT_SEED) + "\n  endpoint: 192.0.2.2:"), human.stdout());
        assertTrue(human.stdout().contains("  path: directly"), human.stdout());
        System.out.println("P2pStatusIT server:\n" + human.stdout());
    }

    /** The one tunnel's interface in {@code ns} (the kernel named it). */
    private String tunOf(Netns ns) throws IOException {
        ProcessRunner.Result r = ns.exec("env", "TUNCTL_STATE_DIR=" + state, LAUNCHER, "status", "--json");
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode all = JSON.readTree(r.stdout());
        assertEquals(1, all.size(), r.stdout());
        return all.get(0).get("interface").get("name").asText();
    }
}
