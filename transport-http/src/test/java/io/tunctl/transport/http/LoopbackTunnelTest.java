package io.tunctl.transport.http;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.runtime.DefaultTunnelContext;
import io.tunctl.core.spi.RouteSpec;
import io.tunctl.core.spi.RuleSpec;
import io.tunctl.transport.http.client.HttpTunnelClient;
import io.tunctl.transport.http.config.Endpoints;
import io.tunctl.transport.http.server.HttpTunnelServer;
import io.tunctl.transport.http.wire.Tokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The server and real clients over loopback HTTP, with in-memory TUNs: forwarding by destination, client
 * routes, GSO metadata end to end, IPv6, auth failure, stream takeover, reload and metrics.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LoopbackTunnelTest {
    private final MemoryNet net = new MemoryNet();
    private final List<AutoCloseable> open = new ArrayList<>();
    private HttpTunnelServer server;
    private HttpTunnel serverTunnel;

    static Endpoints.Peer peer(String token, String ip, String ip6, List<String> routes, List<String> sources) {
        return new Endpoints.Peer(HexFormat.of().parseHex(Tokens.sha1Hex(token)), Cidr.parseAddress(ip),
                routes.stream().map(Cidr::parse).toList(), sources.stream().map(Cidr::parseAddress).toList(),
                ip6 == null ? null : Cidr.parse(ip6 + "/64"));
    }

    static Endpoints.Server serverSpec(List<Endpoints.Peer> peers) {
        return new Endpoints.Server("corp0", 0, "127.0.0.1", Cidr.parse("10.50.0.1/24"), 1400,
                List.of(Cidr.parse("10.50.0.254/24")), List.of(Cidr.parse("172.20.0.0/16")), peers,
                Cidr.parse("2001:db8:50::1/64"), new InetSocketAddress("127.0.0.1", 0), true,
                new Endpoints.Mark(100, 100));
    }

    static final Endpoints.Peer A = peer("test", "10.50.0.2", "2001:db8:50::2", List.of("10.60.0.0/24", "10.61.0.0/24"),
            List.of("192.168.100.10"));
    static final Endpoints.Peer B = peer("foo", "10.50.0.3", null, List.of("10.70.0.0/24"), List.of());

    @BeforeEach
    void startServer() throws IOException {
        DefaultTunnelContext ctx = net.context();
        open.add(ctx);
        serverTunnel = HttpTunnel.open(List.of(serverSpec(List.of(A, B))), ctx, null);
        open.add(serverTunnel);
        server = serverTunnel.servers().getFirst();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open.reversed()) c.close();
        net.close();
    }

    private HttpTunnelClient client(String name, String token, Endpoints.Mark mark) throws IOException {
        DefaultTunnelContext ctx = net.context();
        open.add(ctx);
        Endpoints.Client spec = new Endpoints.Client(name, URI.create("http://127.0.0.1:" + server.port() + "/ip"),
                token, null, true, mark);
        HttpTunnel t = HttpTunnel.open(List.of(spec), ctx, null);
        open.add(t);
        return t.clients().getFirst();
    }

    public static void waitFor(String what, long millis, BooleanSupplier cond) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (!cond.getAsBoolean()) {
            if (System.currentTimeMillis() > end) fail("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }

    private static void assertArrives(MemoryNet.Iface at, byte[] packet) throws Exception {
        MemoryNet.Received r = at.receive(5000);
        assertArrayEquals(packet, r.packet(), "packet delivered unchanged at " + at.name());
    }

    @Test
    void forwardsByAddressRoutesAndBetweenClients() throws Exception {
        HttpTunnelClient a = client("cla", "test", new Endpoints.Mark(100, 100));
        HttpTunnelClient b = client("clb", "foo", new Endpoints.Mark(0, 0));
        waitFor("both clients connected", 10_000, () -> a.connected() && b.connected());
        MemoryNet.Iface srv = net.interfaces.get("corp0");
        MemoryNet.Iface ia = net.await("cla", 1000);
        MemoryNet.Iface ib = net.await("clb", 1000);

        // the server's TUN as tapotun sets it up, plus the client routes and the fwmark rule
        assertEquals(1400, srv.spec.mtu());
        assertTrue(srv.addresses.containsAll(List.of(Cidr.parse("10.50.0.1/24"), Cidr.parse("10.50.0.254/24"))));
        assertTrue(srv.routes.contains(RouteSpec.to(Cidr.parse("10.70.0.0/24"))));
        assertTrue(srv.rules.contains(new RuleSpec(4, 100, null, 100, null, false)));
        // the client got its parameters from x-tun-conf (and IPv6 from the tunctl header)
        assertEquals(1400, ia.spec.mtu());
        assertTrue(ia.addresses.contains(Cidr.parse("10.50.0.2/24")), ia.addresses.toString());
        assertTrue(ia.addresses.contains(Cidr.parse("2001:db8:50::2/64")), ia.addresses.toString());
        assertTrue(ia.rules.contains(new RuleSpec(4, 100, null, 100, null, false)));
        assertTrue(ia.routes.contains(RouteSpec.to(Cidr.parse("0.0.0.0/0")).inTable(100)));
        assertEquals(List.of(Cidr.parse("10.50.0.3/24")), List.copyOf(ib.addresses));
        assertTrue(ib.rules.isEmpty());

        byte[] p1 = MemoryNet.udp4("10.50.0.2", "10.50.0.1", 100, 1);
        ia.inject(p1);
        assertArrives(srv, p1);

        byte[] p2 = MemoryNet.udp4("10.50.0.1", "10.50.0.3", 1400, 2);
        srv.inject(p2);
        assertArrives(ib, p2);

        byte[] p3 = MemoryNet.udp4("10.50.0.2", "10.50.0.3", 300, 3);
        ia.inject(p3);
        assertArrives(ib, p3);

        byte[] p4 = MemoryNet.udp4("10.50.0.2", "10.70.0.9", 200, 4); // B's routed prefix
        ia.inject(p4);
        assertArrives(ib, p4);

        byte[] p5 = MemoryNet.udp4("10.50.0.1", "10.61.0.7", 64, 5); // A's second route
        srv.inject(p5);
        assertArrives(ia, p5);

        byte[] p6 = MemoryNet.udp4("10.50.0.3", "198.51.100.7", 64, 6); // no client route: to the server TUN
        ib.inject(p6);
        assertArrives(srv, p6);

        byte[] p7 = MemoryNet.udp4("192.168.100.10", "198.51.100.9", 64, 7); // pinned source from the TUN → A
        srv.inject(p7);
        assertArrives(ia, p7);

        // a GSO super-packet with its virtio-net metadata passes unchanged
        byte[] big = MemoryNet.udp4("10.50.0.1", "10.50.0.2", 30000, 8);
        srv.inject(big, 1, 1, 52, 1348, 20, 16);
        MemoryNet.Received r = ia.receive(5000);
        assertArrayEquals(big, r.packet());
        assertEquals(1, r.flags());
        assertEquals(1, r.gsoType());
        assertEquals(1348, r.gsoSize());

        // IPv6 inside the tunnel (tunctl extension)
        byte[] v6 = MemoryNet.udp6("2001:db8:50::1", "2001:db8:50::2", 120, 9);
        srv.inject(v6);
        assertArrives(ia, v6);
        byte[] v6up = MemoryNet.udp6("2001:db8:50::2", "2001:db8:50::1", 80, 10);
        ia.inject(v6up);
        assertArrives(srv, v6up);

        String metrics = get("/metrics");
        assertTrue(metrics.contains("tunctl_http_client_connected{interface=\"corp0\",client=\"10.50.0.2\"} 1"), metrics);
        assertTrue(metrics.contains("tunctl_http_client_rx_packets_total{interface=\"corp0\",client=\"10.50.0.2\"} 4"), metrics);
        assertTrue(get("/healthz").contains("\"connected\":2"));
    }

    /**
     * Allowed sources (a tunctl check, not in tapotun): B may send from 10.50.0.3 and its route 10.70.0.0/24 only;
     * A lists {@code sources}, so it is an exit and may send from anywhere. Each refused packet is followed by an
     * allowed one on the same stream, so "the next packet to arrive is the allowed one" proves the refused one
     * never arrived.
     */
    @Test
    void spoofedSourcesAreDroppedAndCounted() throws Exception {
        HttpTunnelClient a = client("cla", "test", new Endpoints.Mark(0, 0));
        HttpTunnelClient b = client("clb", "foo", new Endpoints.Mark(0, 0));
        waitFor("both clients connected", 10_000, () -> a.connected() && b.connected());
        MemoryNet.Iface srv = net.interfaces.get("corp0");
        MemoryNet.Iface ia = net.await("cla", 1000);
        MemoryNet.Iface ib = net.await("clb", 1000);

        ib.inject(MemoryNet.udp4("10.50.0.99", "10.50.0.1", 64, 1)); // not B's
        byte[] own = MemoryNet.udp4("10.50.0.3", "10.50.0.1", 64, 2);
        ib.inject(own);
        assertArrives(srv, own);
        ib.inject(MemoryNet.udp4("10.50.0.2", "10.50.0.254", 64, 3)); // A's address, to the server
        ib.inject(MemoryNet.udp4("10.50.0.2", "10.50.0.2", 64, 4)); // A's address, to A
        byte[] routed = MemoryNet.udp4("10.70.0.5", "10.50.0.2", 64, 6); // from behind B (its route) to A
        ib.inject(routed);
        assertArrives(ia, routed);
        byte[] exit = MemoryNet.udp4("203.0.113.5", "10.50.0.1", 64, 7); // A is an exit: any source
        ia.inject(exit);
        assertArrives(srv, exit);
        byte[] exit6 = MemoryNet.udp6("2001:db8:99::5", "2001:db8:50::1", 80, 8);
        ia.inject(exit6);
        assertArrives(srv, exit6);
        byte[] own2 = MemoryNet.udp4("10.50.0.3", "10.50.0.254", 64, 9);
        ib.inject(own2);
        assertArrives(srv, own2);

        String metrics = get("/metrics");
        assertTrue(metrics.contains("tunctl_http_routing_drops_total{interface=\"corp0\",reason=\"spoofed_source\"} 3\n"), metrics);
        assertTrue(metrics.contains("tunctl_http_client_drops_total{interface=\"corp0\",client=\"10.50.0.3\"} 3\n"), metrics);
        assertTrue(metrics.contains("tunctl_http_client_drops_total{interface=\"corp0\",client=\"10.50.0.2\"} 0\n"), metrics);
        assertTrue(metrics.contains("tunctl_http_client_rx_packets_total{interface=\"corp0\",client=\"10.50.0.3\"} 6\n"), metrics);

        // the count survives a reload, which builds new routers
        serverTunnel.apply(List.of(serverSpec(List.of(A, B))));
        ib.inject(MemoryNet.udp4("198.51.100.1", "10.50.0.1", 64, 10));
        ib.inject(own);
        assertArrives(srv, own);
        assertTrue(get("/metrics").contains("tunctl_http_routing_drops_total{interface=\"corp0\",reason=\"spoofed_source\"} 4\n"));
    }

    private String get(String path) throws IOException {
        URL u = URI.create("http://127.0.0.1:" + server.adminPort() + path).toURL();
        try (InputStream in = u.openStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void wrongTokenGets403AndNoInterface() throws Exception {
        HttpTunnelClient c = client("clx", "wrong", new Endpoints.Mark(0, 0));
        waitFor("two refusals (so it retried)", 10_000, () -> c.authFailures() >= 2);
        assertNull(net.interfaces.get("clx"), "no interface without parameters");
        assertNull(c.conf());
        String res = raw("GET /ip HTTP/1.1\r\nHost: x\r\n\r\n", 2000);
        assertTrue(res.startsWith("HTTP/1.1 403 Forbidden"), res);
        assertFalse(res.toLowerCase().contains("x-tun-conf"), res);
        assertTrue(res.endsWith("Forbidden"), res);
        res = raw("PUT /ip HTTP/1.1\r\nHost: x\r\nx-api-key:nope\r\nTransfer-Encoding: chunked\r\n\r\n", 2000);
        assertTrue(res.startsWith("HTTP/1.1 403"), res);
    }

    /** Sends raw request bytes and returns what came back until the server closed or {@code millis} passed. */
    private String raw(String request, int millis) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(millis);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            try {
                for (int n; (n = s.getInputStream().read(buf)) > 0; ) out.write(buf, 0, n);
            } catch (java.net.SocketTimeoutException e) {
                // stream responses do not end
            }
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void aSecondGetTakesOverAndTheFirstEndsCleanly() throws Exception {
        try (Socket first = new Socket("127.0.0.1", server.port()); Socket second = new Socket("127.0.0.1", server.port())) {
            first.setSoTimeout(15_000);
            second.setSoTimeout(15_000);
            first.getOutputStream().write("GET /ip HTTP/1.1\r\nHost: x\r\nx-api-key:foo\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String h1 = readHeaders(first.getInputStream());
            assertTrue(h1.startsWith("HTTP/1.1 200 OK"), h1);
            // v1 record: mtu 1400, /24, 10.50.0.3
            assertTrue(h1.contains("x-tun-conf: eAUYCjIAAw=="), h1);
            assertTrue(h1.toLowerCase().contains("transfer-encoding: chunked"), h1);
            second.getOutputStream().write("GET /other HTTP/1.1\r\nHost: x\r\nx-api-key: foo\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(readHeaders(second.getInputStream()).startsWith("HTTP/1.1 200 OK"));
            // the first stream ends with the terminating chunk and the connection closes
            byte[] rest = first.getInputStream().readAllBytes();
            assertEquals("0\r\n\r\n", new String(rest, StandardCharsets.US_ASCII));
            // packets now go to the second stream as frames: LE16 length, 12-byte header, packet
            byte[] p = MemoryNet.udp4("10.50.0.1", "10.50.0.3", 60, 1);
            net.interfaces.get("corp0").inject(p);
            InputStream in = second.getInputStream();
            String chunkSize = readLine(in);
            assertEquals(Integer.toHexString(2 + 12 + 60), chunkSize);
            byte[] frame = in.readNBytes(2 + 12 + 60);
            assertEquals(60, (frame[0] & 0xff) | (frame[1] & 0xff) << 8);
            assertArrayEquals(p, java.util.Arrays.copyOfRange(frame, 14, 74));
        }
    }

    @Test
    void putFramesSplitAnywhereArriveAndTheServerAnswersOk() throws Exception {
        MemoryNet.Iface srv = net.interfaces.get("corp0");
        byte[] p = MemoryNet.udp4("10.50.0.3", "10.50.0.1", 28, 1);
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(p.length);
        frame.write(0);
        frame.write(new byte[12]);
        frame.write(p);
        byte[] f = frame.toByteArray();
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("PUT /ip HTTP/1.1\r\nHost: x\r\nx-api-key:foo\r\nTransfer-Encoding: chunked\r\n"
                    + "Expect: 100-continue\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            assertTrue(readHeaders(s.getInputStream()).startsWith("HTTP/1.1 100 Continue"));
            chunk(out, f, 0, 7);
            out.flush();
            Thread.sleep(200);
            chunk(out, f, 7, f.length - 7);
            chunk(out, new byte[] {0, 0}, 0, 2); // v1 keep-alive between frames
            chunk(out, f, 0, f.length);
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertArrives(srv, p);
            assertArrives(srv, p);
            String res = readHeaders(s.getInputStream());
            assertTrue(res.startsWith("HTTP/1.1 200 OK"), res);
            assertEquals("OK", new String(s.getInputStream().readNBytes(2), StandardCharsets.US_ASCII));
        }
        // a length below 20 is a corrupt stream, and so is a bad chunk-size line: 400, then the connection closes
        for (String bad : new String[] {null, "zz\r\n", "-1\r\n", "ffffffffff\r\n", "2\nab\r\n", "1" + "0".repeat(1 << 16)}) {
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                s.setSoTimeout(5000);
                OutputStream out = s.getOutputStream();
                out.write("PUT /ip HTTP/1.1\r\nHost: x\r\nx-api-key:foo\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                try {
                    if (bad == null) chunk(out, new byte[] {5, 0}, 0, 2);
                    else out.write(bad.getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (java.net.SocketException closedWhileWriting) {
                    // the long size line: the server answered and closed before it was all sent
                }
                String res = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                assertEquals("HTTP/1.1 400", res, "for " + (bad == null ? "a short frame" : bad.substring(0, Math.min(12, bad.length()))));
                int r;
                try {
                    s.getInputStream().skip(1 << 16);
                    r = s.getInputStream().read();
                } catch (java.net.SocketException reset) {
                    r = -1; // closed with unread bytes in its buffer: a reset, which is a drop too
                }
                assertEquals(-1, r, "server closed the corrupt stream");
            }
        }
    }

    private static void chunk(OutputStream out, byte[] b, int off, int len) throws IOException {
        out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(b, off, len);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    private static String readHeaders(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String line; !(line = readLine(in)).isEmpty(); ) sb.append(line).append('\n');
        return sb.toString();
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) throw new IOException("eof after '" + sb + "'");
            if (c != '\r') sb.append((char) c);
        }
        return sb.toString();
    }

    @Test
    void reloadDropsRemovedClientsAndKeepsTheOthers() throws Exception {
        HttpTunnelClient a = client("cla", "test", new Endpoints.Mark(0, 0));
        HttpTunnelClient b = client("clb", "foo", new Endpoints.Mark(0, 0));
        waitFor("both clients connected", 10_000, () -> a.connected() && b.connected());
        long aStreams = a.getStreams();
        Endpoints.Peer c = peer("bar", "10.50.0.4", null, List.of(), List.of());
        serverTunnel.apply(List.of(serverSpec(List.of(A, c))));
        waitFor("B refused after reload", 10_000, () -> b.authFailures() >= 1);
        HttpTunnelClient cc = client("clc", "bar", new Endpoints.Mark(0, 0));
        waitFor("new client C connected", 10_000, cc::connected);
        assertEquals(aStreams, a.getStreams(), "A's GET stream was not touched by the reload");
        byte[] p = MemoryNet.udp4("10.50.0.4", "10.50.0.2", 80, 1);
        net.await("clc", 1000).inject(p);
        assertArrives(net.interfaces.get("cla"), p);
    }

    @Test
    void slowClientDoesNotGrowServerMemory() throws Exception {
        // a GET that is never read: the server must drop beyond its bound instead of queueing forever
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(4096);
            s.connect(new InetSocketAddress("127.0.0.1", server.port()));
            s.getOutputStream().write("GET /ip HTTP/1.1\r\nHost: x\r\nx-api-key:foo\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            readHeaders(s.getInputStream());
            MemoryNet.Iface srv = net.interfaces.get("corp0");
            byte[] p = MemoryNet.udp4("10.50.0.1", "10.50.0.3", 1400, 1);
            for (int i = 0; i < 20_000; i++) srv.inject(p); // 28 MB offered
            waitFor("drops counted", 10_000, () -> {
                try {
                    String m = get("/metrics");
                    return !m.contains("tunctl_http_client_drops_total{interface=\"corp0\",client=\"10.50.0.3\"} 0\n");
                } catch (IOException e) {
                    return false;
                }
            });
        }
    }
}
