package io.tunctl.transport.http.it;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.runtime.DefaultTunnelContext;
import io.tunctl.core.testkit.Root;
import io.tunctl.transport.http.HttpTunnel;
import io.tunctl.transport.http.MemoryNet;
import io.tunctl.transport.http.client.HttpTunnelClient;
import io.tunctl.transport.http.config.Endpoints;
import io.tunctl.transport.http.server.HttpTunnelServer;
import io.tunctl.transport.http.wire.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The server behind a real nginx that terminates TLS (throw-away CA from openssl), the client speaking https
 * with that CA: packets cross both ways, and the streams come back after {@code nginx -s reload}. Everything
 * listens on 127.0.0.1 only; the TUNs are in memory (the namespace ITs use real ones).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NginxTlsLoopbackIT {

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void streamsThroughNginxTlsAndSurviveReload() throws Exception {
        Root.require();
        Path dir = Path.of("target", "nginx-loopback-" + ProcessHandle.current().pid()).toAbsolutePath();
        Path ca = Nginx.makeCertificates(dir, "127.0.0.1");
        try (MemoryNet net = new MemoryNet()) {
            DefaultTunnelContext sctx = net.context();
            Endpoints.Peer peer = new Endpoints.Peer(HexFormat.of().parseHex(Tokens.sha1Hex("test")),
                    Cidr.parseAddress("10.10.0.2"), List.of(), List.of(), null);
            Endpoints.Server s = new Endpoints.Server("tls0", 0, "127.0.0.1", Cidr.parse("10.10.0.1/24"), 1500,
                    List.of(), List.of(), List.of(peer), null, null, true, new Endpoints.Mark(0, 0));
            try (sctx; HttpTunnel st = HttpTunnel.open(List.of(s), sctx, null)) {
                HttpTunnelServer server = st.servers().getFirst();
                int tlsPort = freePort();
                try (Nginx nginx = Nginx.start(dir, null, "127.0.0.1:" + tlsPort, "127.0.0.1:" + server.port())) {
                    DefaultTunnelContext cctx = net.context();
                    Endpoints.Client c = new Endpoints.Client("tlc0", URI.create("https://localhost:" + tlsPort + "/ip"),
                            "test", ca, true, new Endpoints.Mark(0, 0));
                    try (cctx; HttpTunnel ct = HttpTunnel.open(List.of(c), cctx, null)) {
                        HttpTunnelClient client = ct.clients().getFirst();
                        waitFor(client::connected, 15_000, "client connected through nginx: " + nginx.log());
                        exchange(net, 1);

                        long before = client.getStreams();
                        nginx.reload();
                        waitFor(() -> client.getStreams() > before && client.connected(), 30_000,
                                "client reconnected after nginx reload: " + nginx.log());
                        exchange(net, 2);
                        String access = Files.readString(dir.resolve("access.log"));
                        assertTrue(access.contains("\"GET /ip HTTP/1.1\""), access);
                    }
                }
            }
        }
    }

    /** A packet each way; retried a few times because a stream may be in the middle of being replaced. */
    private static void exchange(MemoryNet net, int seq) throws Exception {
        MemoryNet.Iface srv = net.interfaces.get("tls0");
        MemoryNet.Iface cli = net.await("tlc0", 1000);
        byte[] up = MemoryNet.udp4("10.10.0.2", "10.10.0.1", 200, seq);
        byte[] down = MemoryNet.udp4("10.10.0.1", "10.10.0.2", 1500, seq);
        assertTrue(deliver(cli, srv, up), "client → server through nginx");
        assertTrue(deliver(srv, cli, down), "server → client through nginx");
    }

    private static boolean deliver(MemoryNet.Iface from, MemoryNet.Iface to, byte[] p) throws Exception {
        for (int attempt = 0; attempt < 10; attempt++) {
            from.inject(p);
            try {
                MemoryNet.Received r = to.receive(1000);
                if (java.util.Arrays.equals(p, r.packet())) return true;
            } catch (java.util.concurrent.TimeoutException e) {
                // try again
            }
        }
        return false;
    }

    static void waitFor(java.util.function.BooleanSupplier c, long millis, String what) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (!c.getAsBoolean()) {
            if (System.currentTimeMillis() > end) fail("timed out: " + what);
            Thread.sleep(50);
        }
    }
}
