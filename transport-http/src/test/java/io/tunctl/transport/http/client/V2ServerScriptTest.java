package io.tunctl.transport.http.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.tunctl.core.packet.Cidr;
import io.tunctl.core.runtime.DefaultTunnelContext;
import io.tunctl.core.spi.RouteSpec;
import io.tunctl.transport.http.HttpTunnel;
import io.tunctl.transport.http.MemoryNet;
import io.tunctl.transport.http.config.Endpoints;
import io.tunctl.transport.http.wire.Ping;
import io.tunctl.transport.http.wire.TunConf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The client against a scripted tapotun v2 server (spec §7.4): v2 parameters with two addresses and pushed
 * routes, a ping split across chunks that must come back byte for byte on the PUT, and a packet for the TUN.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class V2ServerScriptTest {

    @Test
    void v2ParametersPingEchoAndPackets() throws Exception {
        BlockingQueue<String> requests = new ArrayBlockingQueue<>(8);
        BlockingQueue<byte[]> putBodies = new ArrayBlockingQueue<>(64);
        TunConf conf = TunConf.v2(1400, 24, List.of(Cidr.parseAddress("10.50.0.2"), Cidr.parseAddress("10.50.0.20")),
                List.of(Cidr.parse("10.60.0.0/24"), Cidr.parse("172.20.0.0/16")));
        ByteBuf ping = Unpooled.buffer();
        Ping.encode(System.currentTimeMillis(), ping);
        byte[] pingWire = ByteBufUtil.getBytes(ping);
        byte[] packet = MemoryNet.udp4("10.50.0.1", "10.50.0.2", 100, 3);

        try (ServerSocket ss = new ServerSocket(0, 8, InetAddress.getLoopbackAddress()); MemoryNet net = new MemoryNet()) {
            Thread server = Thread.ofPlatform().daemon().start(() -> {
                try {
                    Socket get = null;
                    while (!Thread.currentThread().isInterrupted()) {
                        Socket s = ss.accept();
                        InputStream in = s.getInputStream();
                        String head = readHead(in);
                        requests.add(head);
                        if (head.startsWith("GET")) {
                            get = s;
                            OutputStream out = s.getOutputStream();
                            out.write(("HTTP/1.1 200 OK\r\nx-tun-conf: " + conf.toHeader()
                                    + "\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                            out.flush();
                        } else {
                            // PUT: the client's first chunk will come only after the ping below is sent
                            Thread.ofPlatform().daemon().start(() -> readChunks(s, putBodies));
                            Thread.sleep(200);
                            OutputStream out = get.getOutputStream();
                            chunk(out, pingWire, 0, 20);
                            Thread.sleep(50);
                            chunk(out, pingWire, 20, pingWire.length - 20);
                            ByteArrayOutputStream f = new ByteArrayOutputStream();
                            f.write(packet.length);
                            f.write(0);
                            f.write(new byte[12]);
                            f.write(packet);
                            chunk(out, f.toByteArray(), 0, f.size());
                        }
                    }
                } catch (IOException | InterruptedException e) {
                    // test over
                }
            });
            DefaultTunnelContext ctx = net.context();
            Endpoints.Client spec = new Endpoints.Client("v2c", URI.create("http://127.0.0.1:" + ss.getLocalPort() + "/ip"),
                    "test", null, true, new Endpoints.Mark(0, 0));
            try (ctx; HttpTunnel t = HttpTunnel.open(List.of(spec), ctx, null)) {
                String getHead = requests.poll(10, TimeUnit.SECONDS);
                assertNotNull(getHead);
                String lower = getHead.toLowerCase(Locale.ROOT);
                assertTrue(getHead.startsWith("GET /ip HTTP/1.1"), getHead);
                assertTrue(lower.contains("x-api-key: test"), getHead);
                assertTrue(lower.contains("accept: */*"), getHead);
                assertFalse(lower.contains("gzip"), "no compression is asked for: " + getHead);
                String putHead = requests.poll(10, TimeUnit.SECONDS);
                assertNotNull(putHead);
                assertTrue(putHead.startsWith("PUT /ip HTTP/1.1"), putHead);
                assertTrue(putHead.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked"), putHead);

                MemoryNet.Iface tun = net.await("v2c", 5000);
                assertEquals(1400, tun.spec.mtu());
                assertTrue(tun.addresses.contains(Cidr.parse("10.50.0.2/24")));
                assertTrue(tun.addresses.contains(Cidr.parse("10.50.0.20/24")), "v2 extra address added");
                assertTrue(tun.routes.contains(RouteSpec.to(Cidr.parse("172.20.0.0/16"))), "v2 pushed route added");
                assertArrayEquals(packet, tun.receive(5000).packet());

                ByteArrayOutputStream echoed = new ByteArrayOutputStream();
                long end = System.currentTimeMillis() + 5000;
                while (echoed.size() < pingWire.length && System.currentTimeMillis() < end) {
                    byte[] b = putBodies.poll(500, TimeUnit.MILLISECONDS);
                    if (b != null) echoed.writeBytes(b);
                }
                assertArrayEquals(pingWire, echoed.toByteArray(), "ping echoed byte for byte on the PUT");
            } finally {
                server.interrupt();
            }
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int c = in.read();
            if (c < 0) throw new IOException("eof");
            b.write(c);
            state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
        return b.toString(StandardCharsets.US_ASCII);
    }

    private static void readChunks(Socket s, BlockingQueue<byte[]> out) {
        try {
            InputStream in = s.getInputStream();
            while (true) {
                StringBuilder line = new StringBuilder();
                for (int c; (c = in.read()) != '\n'; ) {
                    if (c < 0) return;
                    if (c != '\r') line.append((char) c);
                }
                int n = Integer.parseInt(line.toString().strip(), 16);
                if (n == 0) return;
                out.add(in.readNBytes(n));
                in.readNBytes(2);
            }
        } catch (IOException e) {
            // closed
        }
    }

    private static void chunk(OutputStream out, byte[] b, int off, int len) throws IOException {
        out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(b, off, len);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }
}
