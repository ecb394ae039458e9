package io.tunctl.transport.http.it;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.runtime.DefaultTunnelContext;
import io.tunctl.core.testkit.Netns;
import io.tunctl.core.testkit.Root;
import io.tunctl.core.tun.LinuxInterface;
import io.tunctl.core.tun.NetworkNamespace;
import io.tunctl.transport.http.HttpTunnel;
import io.tunctl.transport.http.MemoryNet;
import io.tunctl.transport.http.config.Endpoints;
import io.tunctl.transport.http.server.HttpTunnelServer;
import io.tunctl.transport.http.wire.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A hostile client against a running http server (in-process, in a namespace of the test's own, TUN included):
 * connections that never finish their request head, and an authenticated PUT carrying spoofed, malformed and
 * disallowed-family packets. What it sends never reaches the server's TUN (the kernel's rx counters of the TUN
 * move by the one valid packet only, and a tcpdump capture on it shows that packet alone), a legitimate client is served meanwhile, and every refusal is counted.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HostileClientIT {
    private static final String DEV = "tnhcli0";
    private static final int MTU = 1400;

    @Test
    void halfHeadsBadPacketsAndFloodsChangeNothingOnTheServer() throws Exception {
        Root.require();
        Root.ensureCommand("tcpdump", "tcpdump");
        try (Netns ns = Netns.create("tn-hcli")) {
            NetworkNamespace netns = NetworkNamespace.named(ns.name());
            Endpoints.Peer peer = new Endpoints.Peer(HexFormat.of().parseHex(Tokens.sha1Hex("test")),
                    Cidr.parseAddress("192.0.2.2"), List.of(), List.of(), null);
            Endpoints.Server spec = new Endpoints.Server(DEV, 0, "0.0.0.0", Cidr.parse("192.0.2.1/24"), MTU,
                    List.of(), List.of(), List.of(peer), null, new InetSocketAddress("127.0.0.1", 0), true,
                    new Endpoints.Mark(0, 0));
            DefaultTunnelContext ctx = new DefaultTunnelContext(LinuxInterface::create, null,
                    System.getLogger("tunctl.test.hostile-client"));
            HttpTunnel tunnel = netns.call(() -> HttpTunnel.open(List.of(spec), ctx, null));
            List<Socket> slow = new ArrayList<>();
            try {
                HttpTunnelServer server = tunnel.servers().getFirst();
                long rxBefore = rxPackets(ns);
                // a capture of the server's TUN, without what the host's own stack sends out of it (its replies,
                // IPv6 link-local chatter): what is left is what tunctl wrote into it
                Path dir = Files.createTempDirectory("tunctl-hostile-client");
                Path capture = dir.resolve(DEV + ".pcap");
                // --immediate-mode: else a packet waits in the kernel's capture ring for its block timeout and a
                // tcpdump stopped before that never writes it
                Process tcpdump = ns.start(dir.resolve("tcpdump.log").toFile(), "tcpdump", "-i", DEV, "-n", "-U",
                        "--immediate-mode", "-w", capture.toString(),
                        "not src host 192.0.2.1 and not src net fe80::/10 and not src host ::");
                waitForCapture(dir.resolve("tcpdump.log"));

                // 1. packets: spoofed source, bad IHL, total length above and below the frame, IPv6 from a client
                // without ip6; then one valid packet
                byte[] valid = MemoryNet.udp4("192.0.2.2", "192.0.2.1", 60, 1);
                byte[] spoofed = MemoryNet.udp4("192.0.2.99", "192.0.2.1", 60, 2);
                byte[] badIhl = MemoryNet.udp4("192.0.2.2", "192.0.2.1", 60, 3);
                badIhl[0] = 0x44;
                byte[] longer = MemoryNet.udp4("192.0.2.2", "192.0.2.1", 60, 4);
                longer[3] = 80;
                byte[] shorter = MemoryNet.udp4("192.0.2.2", "192.0.2.1", 60, 5);
                shorter[3] = 40;
                byte[] v6 = MemoryNet.udp6("2001:db8::2", "2001:db8::1", 80, 6);
                try (Socket s = connect(netns, "127.0.0.1", server.port())) {
                    OutputStream out = s.getOutputStream();
                    out.write(("PUT /ip HTTP/1.1\r\nHost: tunctl\r\nx-api-key: test\r\nTransfer-Encoding: chunked\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    for (byte[] p : List.of(spoofed, badIhl, longer, shorter, v6, valid)) RawHttp.chunk(out, frame(p));
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    assertEquals("HTTP/1.1 200 OK", RawHttp.readLine(s.getInputStream()));
                }
                String m = RawHttp.metrics(netns, server.adminPort());
                assertEquals(3, RawHttp.sample(m, "tunctl_http_malformed_packets_total\\{interface=\"" + DEV + "\"}"), m);
                assertEquals(1, RawHttp.sample(m, "tunctl_http_family_drops_total\\{interface=\"" + DEV + "\"}"), m);
                assertEquals(1, RawHttp.sample(m, "tunctl_http_routing_drops_total\\{interface=\"" + DEV + "\",reason=\"spoofed_source\"}"), m);
                Thread.sleep(200);
                assertEquals(rxBefore + 1, rxPackets(ns), "only the valid packet reached the server's TUN");
                tcpdump.destroy();
                assertTrue(tcpdump.waitFor(10, TimeUnit.SECONDS), "tcpdump stopped");
                String seen = ns.exec("tcpdump", "-n", "-r", capture.toString()).orThrow().strip();
                System.out.println("captured on the server's TUN:\n" + seen);
                assertEquals(1, seen.lines().count(), "one packet on the server's TUN, the valid one: " + seen);
                assertTrue(seen.contains("192.0.2.2.") && seen.contains("> 192.0.2.1."), seen);
                for (Path f : List.of(capture, dir.resolve("tcpdump.log"), dir)) Files.deleteIfExists(f);

                // 2. 1000 connections that send half a request head, from one source
                for (int i = 0; i < 1000; i++) {
                    Socket s = connect(netns, "127.0.0.1", server.port());
                    slow.add(s);
                    s.getOutputStream().write("GET /ip HTTP/1.1\r\nHost: tun".getBytes(StandardCharsets.US_ASCII));
                }
                // the server may still be accepting the last ones: wait until it has seen all 1000
                long open = 0, refused = 0;
                for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); System.nanoTime() < end; Thread.sleep(50)) {
                    m = RawHttp.metrics(netns, server.adminPort());
                    open = RawHttp.sample(m, "tunctl_http_connections\\{interface=\"" + DEV + "\"}");
                    refused = RawHttp.sample(m, "tunctl_http_connections_refused_total\\{interface=\"" + DEV + "\",limit=\"source\"}");
                    if (open + refused >= 1000) break;
                }
                assertTrue(open <= 512, "connections held at the per-source limit: " + open);
                assertTrue(refused >= 1000 - 512, "the rest refused as accepted: " + refused);

                // a legitimate client from another source is answered at once
                long t0 = System.nanoTime();
                try (Socket s = connect(netns, "127.0.0.2", server.port())) {
                    s.getOutputStream().write("GET /ip HTTP/1.1\r\nHost: x\r\nx-api-key: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    assertEquals("HTTP/1.1 200 OK", RawHttp.readLine(s.getInputStream()));
                }
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                System.out.printf("legitimate GET answered in %d ms with %d half-head connections held, %d refused%n",
                        ms, open, refused);
                assertTrue(ms < 100, "answered in " + ms + " ms");

                // every half head is closed by the head timeout (10 s), well within 30 s
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                for (Socket s : slow) {
                    s.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                    int r;
                    try {
                        r = s.getInputStream().read();
                    } catch (java.net.SocketException reset) {
                        r = -1;
                    }
                    assertEquals(-1, r, "a half-head connection was closed");
                }
                m = RawHttp.metrics(netns, server.adminPort());
                assertTrue(RawHttp.sample(m, "tunctl_http_head_timeouts_total\\{interface=\"" + DEV + "\"}") >= 1, m);
                assertTrue(RawHttp.sample(m, "tunctl_http_connections\\{interface=\"" + DEV + "\"}") <= 2, m);
            } finally {
                for (Socket s : slow) s.close();
                tunnel.close();
                ctx.close();
            }
        }
    }

    private static Socket connect(NetworkNamespace netns, String from, int port) throws Exception {
        Socket s = netns.call(() -> {
            Socket so = new Socket();
            so.bind(new InetSocketAddress(from, 0));
            so.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            return so;
        });
        s.setSoTimeout(10_000);
        return s;
    }

    private static byte[] frame(byte[] packet) {
        byte[] f = new byte[2 + 12 + packet.length];
        f[0] = (byte) packet.length;
        f[1] = (byte) (packet.length >>> 8);
        System.arraycopy(packet, 0, f, 14, packet.length);
        return f;
    }

    /** tcpdump says "listening on" once its capture is open; packets sent before that would not be seen. */
    private static void waitForCapture(Path log) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!(Files.exists(log) && Files.readString(log).contains("listening on"))) {
            assertTrue(System.nanoTime() < end, "tcpdump did not start: " + (Files.exists(log) ? Files.readString(log) : ""));
            Thread.sleep(50);
        }
    }

    private static long rxPackets(Netns ns) {
        return Long.parseLong(ns.exec("cat", "/sys/class/net/" + DEV + "/statistics/rx_packets").orThrow().trim());
    }
}
