package io.tunctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tunctl.core.testkit.Netns;
import io.tunctl.core.testkit.ProcessRunner;
import io.tunctl.core.testkit.Root;
import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * nospoon configs run unchanged (plus {@code bootstrap}, for the private DHT) under the packaged {@code ./tunctl up}
 * in network namespaces, on a DHT made of three {@code ./tunctl p2p node}s: tunctl server and client ping and carry
 * iperf3 both ways, and since both announce whole GSO super-packets in their handshakes, the kernels' super-packets
 * cross whole (the {@code wholeGso} counters of {@code tunctl status}) with the bytes intact (32 MiB each way, SHA-256
 * compared); a client whose key is not listed gets no answer and no packet through; and each side also works
 * against a Node peer speaking nospoon's framing over hyperdht from npm ({@code nospoon-peer.js}), bridged to a
 * kernel TUN through a tunctl udp tunnel: the announcement is nothing to it (no error in its output or tunctl's),
 * and super-packets are cut to the MTU for it (8 MiB each way, intact).
 *
 * <pre>
 *   ns S: DHT nodes 192.0.2.1:49737-49739, the server      veth 192.0.2.1 -- 192.0.2.2      ns C: the client
 *                                                           veth 198.51.100.1 -- .2         ns X: an unlisted client
 * </pre>
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class NospoonNetnsIT {
    private static final Path REPO = Path.of(System.getProperty("tunctl.repo", "..")).toAbsolutePath().normalize();
    private static final HexFormat HEX = HexFormat.of();
    private static final String SERVER_SEED = "11".repeat(32);
    private static final String CLIENT_SEED = "22".repeat(32);
    private static final String STRANGER_SEED = "33".repeat(32);
    private static final String BOOT = "192.0.2.1:49737";

    private final List<Netns> namespaces = new ArrayList<>();
    private Path dir;
    /** The {@code up}s' state folders (control sockets): short, since a socket path has at most 107 bytes. */
    private Path state;

    @BeforeEach
    void setUp() throws IOException {
        Root.require();
        Root.ensureCommand("ping", "iputils-ping");
        Root.ensureCommand("iperf3", "iperf3");
        dir = Files.createDirectories(Path.of("target", "nospoon-it-" + ProcessHandle.current().pid() + "-"
                + System.nanoTime()).toAbsolutePath());
        state = Files.createTempDirectory("tnsp");
    }

    @AfterEach
    void tearDown() {
        for (Netns n : namespaces.reversed()) n.close(); // kills what each started, by PID
        try (var files = Files.walk(state)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            System.err.println("cannot remove " + state + ": " + e);
        }
    }

    private Netns ns() {
        Netns n = Netns.create("tn-nsp");
        namespaces.add(n);
        return n;
    }

    private static String pub(String seed) {
        return HEX.formatHex(Ed25519KeyPair.fromSeed(HEX.parseHex(seed)).publicKey());
    }

    /** A started process and its log. */
    record Run(Process process, Path log, String tag) {
        String output() {
            try {
                return Files.exists(log) ? Files.readString(log) : "";
            } catch (IOException e) {
                return "";
            }
        }

        void await(String text, int seconds) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (!output().contains(text)) {
                if (!process.isAlive()) fail(tag + " exited (" + process.exitValue() + ") before '" + text + "':\n"
                        + output());
                if (System.nanoTime() > end) fail(tag + ": no '" + text + "' within " + seconds + " s:\n" + output());
                Thread.sleep(100);
            }
        }

        /** SIGTERM, as a user stops it; waits for the exit. */
        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail(tag + " did not exit within 10 s of SIGTERM:\n" + output());
            }
        }
    }

    private Run start(Netns ns, String tag, String... command) {
        Path log = dir.resolve(tag + ".log");
        return new Run(ns.start(log.toFile(), command), log, tag);
    }

    private Run up(Netns ns, String tag, String config, String ext) throws IOException {
        Path file = dir.resolve(tag + ext);
        Files.writeString(file, config);
        return start(ns, tag, "env", "TUNCTL_STATE_DIR=" + state.resolve(tag),
                REPO.resolve("tunctl").toString(), "up", file.toString());
    }

    /** {@code tunctl status --json} of the {@code up} started as {@code run}. */
    private JsonNode status(Netns ns, Run run) throws IOException {
        Matcher m = Pattern.compile("TUN device (\\S+) up").matcher(run.output());
        assertTrue(m.find(), run.output());
        ProcessRunner.Result r = ns.exec("env", "TUNCTL_STATE_DIR=" + state.resolve(run.tag()),
                REPO.resolve("tunctl").toString(), "status", m.group(1), "--json");
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        return new ObjectMapper().readTree(r.stdout());
    }

    /** Receives one TCP connection on {@code address}:5300 and prints its byte count and SHA-256. */
    private static final String RECEIVER = String.join("\n",
            "import hashlib, socket, sys",
            "s = socket.create_server((sys.argv[1], 5300))",
            "print('listening', flush=True)",
            "c, _ = s.accept()",
            "h, n = hashlib.sha256(), 0",
            "while True:",
            "    b = c.recv(1 << 16)",
            "    if not b: break",
            "    h.update(b); n += len(b)",
            "print('received', n, h.hexdigest(), flush=True)", "");

    /**
     * Sends {@code mib} MiB of random bytes over TCP from {@code from} to {@code address} in {@code to} and checks
     * that the same bytes arrived (count and SHA-256).
     */
    private void transfer(Netns from, Netns to, String address, int mib, String tag) throws Exception {
        Path blob = dir.resolve(tag + ".bin");
        byte[] data = new byte[mib << 20];
        new java.util.Random(mib * 31L + tag.hashCode()).nextBytes(data);
        Files.write(blob, data);
        Path script = dir.resolve("receiver.py");
        Files.writeString(script, RECEIVER);
        Run receiver = start(to, tag + "-rx", "python3", script.toString(), address);
        receiver.await("listening", 30);
        ProcessRunner.Result r = from.exec(Duration.ofSeconds(120), "bash", "-c",
                "cat " + blob + " > /dev/tcp/" + address + "/5300");
        assertEquals(0, r.exitCode(), "sending " + tag + ": " + r.stdout() + r.stderr());
        String sha = HEX.formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
        receiver.await("received " + data.length + " " + sha, 60);
    }

    /** No line of {@code run}'s output mentions an error. */
    private static void clean(Run run) {
        for (String line : run.output().split("\n")) {
            assertFalse(line.toLowerCase(java.util.Locale.ROOT).contains("error"), run.tag() + ": " + line
                    + "\n" + run.output());
        }
    }

    private static String serverConfig() {
        return """
                // nospoon's server example, with a private DHT
                {
                  "mode": "server",
                  "ip": "10.0.0.1/24",
                  "seed": "%s",
                  "mtu": 1400,
                  "peers": {
                    "%s": "10.0.0.2"
                  },
                  "bootstrap": ["%s"]
                }
                """.formatted(SERVER_SEED, pub(CLIENT_SEED).toUpperCase(), BOOT);
    }

    private static String clientConfig(String seed, String ip) {
        return """
                {
                  "mode": "client",
                  "server": "%s",
                  "ip": "%s",
                  "seed": "%s",
                  "bootstrap": ["%s"]
                }
                """.formatted(pub(SERVER_SEED), ip, seed, BOOT);
    }

    /** A udp tunnel whose far end is the Node peer's UDP socket: the Node peer's TUN. */
    private static String udpTun(String address) {
        return """
                transport: udp
                interface: {name: nsp0, mtu: 1400, addresses: [%s]}
                udp: {listen: 127.0.0.1:40001, peer: 127.0.0.1:40002}
                """.formatted(address);
    }

    private Run nodePeer(Netns ns, String tag, String json) throws IOException {
        Path nodeDir = installNodePeer();
        Path cfg = dir.resolve(tag + ".json");
        Files.writeString(cfg, json);
        return start(ns, tag, "node", nodeDir.resolve("nospoon-peer.js").toString(), cfg.toString());
    }

    /** The three DHT nodes in S. */
    private void dht(Netns s) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            List<String> cmd = new ArrayList<>(List.of(REPO.resolve("tunctl").toString(), "p2p", "node", "--port",
                    String.valueOf(49737 + i), "--host", "192.0.2.1", "--bind", "192.0.2.1"));
            if (i > 0) cmd.addAll(List.of("--bootstrap", BOOT));
            start(s, "dht" + i, cmd.toArray(String[]::new)).await("dht node 192.0.2.1:" + (49737 + i), 60);
        }
    }

    /** Three pings must come back (after up to 20 s for the path to be ready). */
    private static void ping(Netns from, String to) {
        long end = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < end && !from.exec("ping", "-c", "1", "-W", "1", to).ok()) {
            // the connection may still be coming up
        }
        ProcessRunner.Result r = from.exec(Duration.ofSeconds(30), "ping", "-c", "3", "-i", "0.2", "-W", "2", to);
        assertEquals(0, r.exitCode(), "ping " + to + " from " + from.name() + ":\n" + r.stdout() + r.stderr());
    }

    /** iperf3 for 3 s to {@code server}; returns Mbit/s received. */
    private static double iperf(Netns client, String server, boolean reverse) {
        List<String> cmd = new ArrayList<>(List.of("iperf3", "-c", server, "-p", "5201", "-t", "3", "-J"));
        if (reverse) cmd.add("-R");
        ProcessRunner.Result r = client.exec(Duration.ofSeconds(30), cmd.toArray(String[]::new));
        Matcher m = Pattern.compile("\"sum_received\":\\s*\\{[^}]*\"bits_per_second\":\\s*([0-9.e+]+)")
                .matcher(r.stdout());
        assertTrue(r.ok() && m.find(), "iperf3 " + String.join(" ", cmd) + ":\n" + r.stdout() + r.stderr());
        return Double.parseDouble(m.group(1)) / 1e6;
    }

    @Test
    void nospoonConfigsRunUnchangedBetweenTunctlPeersAndWithNodePeers() throws Exception {
        Netns s = ns(), c = ns(), x = ns();
        Netns.veth(s, "nspc", "192.0.2.1/24", c, "nsps", "192.0.2.2/24");
        Netns.veth(s, "nspx", "198.51.100.1/24", x, "nsps", "198.51.100.2/24");
        x.ip("route", "add", "default", "via", "198.51.100.1");
        dht(s);
        String clientShort = pub(CLIENT_SEED).substring(0, 8) + "...";

        // tunctl <-> tunctl, peers mode (the client's key written in upper case: nospoon would firewall it)
        Run server = up(s, "server", serverConfig(), ".jsonc");
        server.await("Server listening", 60);
        server.await("tunnel up", 30);
        assertTrue(server.output().contains("Public key:  " + pub(SERVER_SEED)), server.output());
        assertTrue(server.output().contains("  " + clientShort + " \u2192 10.0.0.2"), server.output());
        Run client = up(c, "client", clientConfig(CLIENT_SEED, "10.0.0.2/24"), ".jsonc");
        client.await("Connected to server", 60);
        assertTrue(client.output().contains("Remote reachable at 10.0.0.1"), client.output());
        server.await("Route added: 10.0.0.2 \u2192 client " + clientShort, 30);
        ping(c, "10.0.0.1");
        ping(s, "10.0.0.2");
        start(s, "iperf3-s", "iperf3", "-s", "-p", "5201");
        Thread.sleep(500);
        double up = iperf(c, "10.0.0.1", false);
        double down = iperf(c, "10.0.0.1", true);
        System.out.printf("tunctl<->tunctl iperf3: client->server %.0f Mbit/s, server->client %.0f Mbit/s%n", up, down);
        assertTrue(up > 0 && down > 0);
        // both announced whole super-packets: the kernels' TSO super-packets crossed whole, both ways, the same bytes
        transfer(c, s, "10.0.0.1", 32, "up");
        transfer(s, c, "10.0.0.2", 32, "down");
        JsonNode sv = status(s, server);
        JsonNode cv = status(c, client);
        System.out.println("tunctl<->tunctl counters: server " + sv.get("counters") + ", client " + cv.get("counters"));
        for (JsonNode v : List.of(sv, cv)) {
            assertTrue(v.get("counters").get("wholeGsoTx").asLong() > 0, v.toString());
            assertTrue(v.get("counters").get("wholeGsoRx").asLong() > 0, v.toString());
            assertEquals(0, v.get("counters").get("wholeGsoRefused").asLong(), v.toString());
            assertEquals("whole", v.get("peers").get(0).get("info").get("gso").asText(), v.toString());
        }

        // an unlisted key: the server logs it and answers nothing; nothing gets through
        String strangerShort = pub(STRANGER_SEED).substring(0, 8) + "...";
        Run stranger = up(x, "stranger", clientConfig(STRANGER_SEED, "10.0.0.3/24"), ".jsonc");
        server.await("Firewalled unknown peer: " + strangerShort, 60);
        ProcessRunner.Result p = x.exec(Duration.ofSeconds(20), "ping", "-c", "3", "-i", "0.5", "-W", "1", "10.0.0.1");
        assertFalse(p.ok(), "an unlisted client reached the server:\n" + p.stdout());
        assertFalse(stranger.output().contains("Connected to server"), stranger.output());
        assertFalse(server.output().contains("Client connected: " + strangerShort), server.output());
        stranger.stop();

        // Node client (nospoon framing, hyperdht from npm) -> tunctl server
        client.stop();
        server.await("Client disconnected: " + clientShort, 30);
        server.await("Route removed: 10.0.0.2", 5);
        Run nodeClient = nodePeer(c, "node-client", """
                {"mode":"client","seed":"%s","server":"%s","bootstrap":["%s"],"udpListen":40002,"udpPeer":40001}
                """.formatted(CLIENT_SEED, pub(SERVER_SEED), BOOT));
        Run nodeTun = up(c, "node-client-tun", udpTun("10.0.0.2/24"), ".yaml");
        nodeTun.await("tunnel up", 30);
        nodeClient.await("connected " + pub(SERVER_SEED), 60);
        server.await("Client connected: " + clientShort + " \u2192 10.0.0.2", 30);
        ping(c, "10.0.0.1");
        ping(s, "10.0.0.2");
        // the announcement in tunctl's handshake is nothing to Node: no error, and super-packets are cut for it
        long wholeBefore = status(s, server).get("counters").get("wholeGsoTx").asLong();
        transfer(s, c, "10.0.0.2", 8, "to-node-client");
        transfer(c, s, "10.0.0.1", 8, "from-node-client");
        JsonNode sv2 = status(s, server);
        assertEquals(wholeBefore, sv2.get("counters").get("wholeGsoTx").asLong(), sv2.toString());
        assertEquals(0, sv2.get("counters").get("wholeGsoRefused").asLong(), sv2.toString());
        assertEquals("segmented", sv2.get("peers").get(0).get("info").get("gso").asText(), sv2.toString());
        clean(nodeClient);
        nodeClient.stop();
        nodeTun.stop();
        server.stop();
        assertTrue(server.output().contains("Shutting down..."), server.output());

        // tunctl client -> Node server
        Run nodeServer = nodePeer(s, "node-server", """
                {"mode":"server","seed":"%s","peers":{"%s":"10.0.0.2"},"bootstrap":["%s"],"udpListen":40002,\
                "udpPeer":40001}
                """.formatted(SERVER_SEED, pub(CLIENT_SEED), BOOT));
        nodeServer.await("listening " + pub(SERVER_SEED), 60);
        Run serverTun = up(s, "node-server-tun", udpTun("10.0.0.1/24"), ".yaml");
        serverTun.await("tunnel up", 30);
        Run client2 = up(c, "client2", clientConfig(CLIENT_SEED, "10.0.0.2/24"), ".jsonc");
        client2.await("Connected to server", 60);
        nodeServer.await("connected " + pub(CLIENT_SEED), 30);
        ping(c, "10.0.0.1");
        ping(s, "10.0.0.2");
        transfer(c, s, "10.0.0.1", 8, "to-node-server");
        transfer(s, c, "10.0.0.2", 8, "from-node-server");
        JsonNode cv2 = status(c, client2);
        assertEquals(0, cv2.get("counters").get("wholeGsoTx").asLong(), cv2.toString());
        assertEquals(0, cv2.get("counters").get("wholeGsoRefused").asLong(), cv2.toString());
        assertEquals("segmented", cv2.get("peers").get(0).get("info").get("gso").asText(), cv2.toString());
        clean(nodeServer);
        assertFalse(client2.output().contains("Connection error"), client2.output());
        client2.stop();
        assertTrue(client2.output().contains("Shutting down..."), client2.output());
    }

    /**
     * {@code fullTunnel: true} on both sides. The server masquerades its tunnel subnet out to W; the client sends
     * everything through the tunnel. While the server is down for 30 s, tcpdump on the client's only physical
     * interface sees no packet to or from W (the pings go into the TUN and no further); when the server is back the
     * client reconnects by itself and the pings come back; after both exit, rules, routes (both families), nftables
     * and resolv.conf are as before.
     *
     * <pre>
     *   ns C: the client  fte0 192.0.2.2 -- 192.0.2.1  ns S: DHT nodes, the server  198.51.100.1 -- 198.51.100.2  ns W
     *         default via 192.0.2.1                          default via 198.51.100.2
     * </pre>
     */
    @Test
    void fullTunnelHoldsItsKillSwitchThroughAServerOutageAndLeavesNothing() throws Exception {
        Root.ensureCommand("tcpdump", "tcpdump");
        Root.ensureCommand("nft", "nftables");
        Netns s = ns(), c = ns(), w = ns();
        Netns.veth(s, "ftes", "192.0.2.1/24", c, "fte0", "192.0.2.2/24");
        Netns.veth(s, "ftew", "198.51.100.1/24", w, "ftes", "198.51.100.2/24");
        c.ip("route", "add", "default", "via", "192.0.2.1");
        s.ip("route", "add", "default", "via", "198.51.100.2");
        // ip netns exec binds this file over /etc/resolv.conf in C, so the host's own is never touched
        Path etc = Files.createDirectories(Path.of("/etc/netns", c.name()));
        String resolv = "nameserver 192.0.2.53\n";
        Files.writeString(etc.resolve("resolv.conf"), resolv);
        try {
            String hostBefore = hostState(c) + hostState(s);
            dht(s);
            String server = serverConfig().replace("\"mtu\": 1400,", "\"mtu\": 1400, \"fullTunnel\": true,");
            String client = clientConfig(CLIENT_SEED, "10.0.0.2/24").replace("\"mode\": \"client\",",
                    "\"mode\": \"client\", \"fullTunnel\": true,");
            Run srv = up(s, "ft-server", server, ".jsonc");
            srv.await("Server listening", 60);
            Run cli = up(c, "ft-client", client, ".jsonc");
            cli.await("Connected to server", 60);
            assertEquals("# tunctl full-tunnel DNS\nnameserver 1.1.1.1\nnameserver 8.8.8.8\n",
                    c.exec("cat", "/etc/resolv.conf").stdout());
            ping(c, "198.51.100.2"); // through the tunnel, out of S with S's address

            Path capture = dir.resolve("fte0.pcap");
            Process tcpdump = c.start(dir.resolve("tcpdump.log").toFile(), "tcpdump", "-i", "fte0", "-n", "-U", "-w",
                    capture.toString(), "host", "198.51.100.2");
            Thread.sleep(1000);
            srv.stop();
            long outageEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            int sent = 0;
            while (System.nanoTime() < outageEnd) {
                c.exec(Duration.ofSeconds(5), "ping", "-c", "1", "-W", "1", "198.51.100.2");
                sent++;
            }
            tcpdump.destroy();
            tcpdump.waitFor(10, TimeUnit.SECONDS);
            ProcessRunner.Result read = c.exec("tcpdump", "-n", "-r", capture.toString());
            assertTrue(read.ok(), read.stderr());
            assertEquals("", read.stdout().strip(), sent + " pings during the outage; seen in clear on fte0");

            Run srv2 = up(s, "ft-server2", server, ".jsonc");
            srv2.await("Server listening", 60);
            long back = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (cli.output().split("Connected to server", -1).length < 3 && System.nanoTime() < back) {
                Thread.sleep(200);
            }
            ping(c, "198.51.100.2");
            cli.stop();
            srv2.stop();
            assertEquals(resolv, Files.readString(etc.resolve("resolv.conf")));
            assertEquals(hostBefore, hostState(c) + hostState(s));
        } finally {
            Files.deleteIfExists(etc.resolve("resolv.conf"));
            Files.deleteIfExists(etc);
        }
    }

    /** Rules, routes of every table (both families), nftables and ip_forward, as text to compare. */
    private static String hostState(Netns n) {
        StringBuilder b = new StringBuilder(n.name()).append('\n');
        for (String[] cmd : new String[][] {{"ip", "-4", "rule"}, {"ip", "-6", "rule"},
                {"ip", "-4", "route", "show", "table", "all"}, {"ip", "-6", "route", "show", "table", "all"},
                {"nft", "list", "ruleset"}, {"cat", "/proc/sys/net/ipv4/ip_forward"},
                {"cat", "/proc/sys/net/ipv4/conf/all/rp_filter"}}) {
            b.append(String.join(" ", cmd)).append(":\n");
            // a veth's link-local address comes whenever its duplicate detection ends, whatever tunctl does
            n.exec(cmd).stdout().lines().filter(l -> !l.contains("fe80::")).forEach(l -> b.append(l).append('\n'));
        }
        return b.toString();
    }

    /**
     * Copies nospoon-peer.js (transport-p2p's bench resources) and the pinned package.json (its test resources) to
     * {@code cli/target/node} and installs hyperdht from npm there (once).
     */
    static synchronized Path installNodePeer() throws IOException {
        Path src = REPO.resolve("transport-p2p/src/test/resources/node");
        Path dest = REPO.resolve("cli/target/node");
        Files.createDirectories(dest);
        boolean changed = false;
        // the peer script ships with transport-p2p (the p2p-node bench row runs it); the pins are the tests'
        Path script = REPO.resolve("transport-p2p/src/main/resources/io/tunctl/transport/p2p/bench/nospoon-peer.js");
        for (Path from : new Path[] {src.resolve("package.json"), script}) {
            String f = from.getFileName().toString();
            Path t = dest.resolve(f);
            if (!Files.exists(t) || Files.mismatch(from, t) != -1) {
                Files.copy(from, t, StandardCopyOption.REPLACE_EXISTING);
                changed |= f.equals("package.json");
            }
        }
        Root.ensureNpm();
        if (changed || !Files.exists(dest.resolve("node_modules/hyperdht/package.json"))) {
            try {
                Process npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--no-progress")
                        .directory(dest.toFile()).redirectErrorStream(true)
                        .redirectOutput(dest.resolve("npm-install.log").toFile()).start();
                if (!npm.waitFor(300, TimeUnit.SECONDS) || npm.exitValue() != 0) {
                    npm.destroyForcibly();
                    unavailable("npm install failed, see " + dest.resolve("npm-install.log"));
                }
            } catch (IOException e) {
                unavailable("node/npm unavailable: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        return dest;
    }

    private static void unavailable(String why) {
        if (Boolean.getBoolean("tunctl.it.require")) throw new IllegalStateException(why);
        Assumptions.abort(why);
    }
}
