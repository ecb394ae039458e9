package io.tunctl.transport.socks.proxy;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.tunctl.netty.NettyTransport;
import io.tunctl.transport.socks.testkit.TcpTarget;
import io.tunctl.transport.socks.testkit.UdpEchoTarget;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dialers against scripted fake proxies and Java targets on 127.0.0.1: no root, no real proxy. Covers what a
 * real proxy will not do on demand: every SOCKS5 REP code, HTTP status codes, a 200 with the target's bytes in the
 * same segment, a proxy that never answers.
 */
class FakeProxyTest {
    static EventLoopGroup group;
    static EventLoop loop;
    static final InetSocketAddress NOWHERE = new InetSocketAddress(ip("192.0.2.7"), 80); // only ever named, never dialed

    @BeforeAll
    static void start() {
        group = NettyTransport.BEST.newGroup(1);
        loop = group.next();
    }

    @AfterAll
    static void stop() {
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
    }

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Upstream upstream(String url) {
        return Upstream.of(ProxyUrl.parse(url), UpstreamOptions.defaults());
    }

    @Test
    void httpBytesRightAfterThe200AreNotLost() throws Exception {
        try (FakeServer proxy = new FakeServer((self, in, out) -> {
            self.readHttpHead(in);
            out.write("HTTP/1.1 200 Connection established\r\nX-Fake: 1\r\n\r\nHELLO".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] buf = new byte[100];
            for (int n; (n = in.read(buf)) > 0; ) out.write(buf, 0, n); // then echo
        })) {
            Channel ch = Client.await(upstream("http://127.0.0.1:" + proxy.port()).connect(NOWHERE, loop));
            try {
                // the early bytes are held by the one handler that stays, until the first read
                assertEquals(Upstream.EARLY_DATA_HANDLER, ch.pipeline().firstContext().name(), ch.pipeline().names().toString());
            } finally {
                ch.close().sync();
            }
            try (Client c = Client.openWithEarlyData(upstream("http://127.0.0.1:" + proxy.port()), NOWHERE, loop)) {
                assertEquals("HELLO", new String(c.readAtLeast(5), StandardCharsets.US_ASCII));
                c.write("more");
                assertEquals("HELLOmore", new String(c.readAtLeast(9), StandardCharsets.US_ASCII));
                assertTrue(c.channel.pipeline().names().stream().noneMatch(n -> n.equals(Upstream.EARLY_DATA_HANDLER)));
            }
            assertTrue(proxy.requests.getFirst().startsWith("CONNECT 192.0.2.7:80 HTTP/1.1\r\n"), proxy.requests.getFirst());
        }
    }

    @Test
    void socks5BytesRightAfterTheReplyAreNotLost() throws Exception {
        try (FakeServer proxy = new FakeServer((self, in, out) -> {
            self.socks5Request(in, out);
            byte[] reply = FakeServer.socks5Reply(0, new byte[] {127, 0, 0, 1}, 4242);
            byte[] both = new byte[reply.length + 5];
            System.arraycopy(reply, 0, both, 0, reply.length);
            System.arraycopy("HELLO".getBytes(StandardCharsets.US_ASCII), 0, both, reply.length, 5);
            out.write(both);
            out.flush();
            in.transferTo(java.io.OutputStream.nullOutputStream());
        })) {
            try (Client c = Client.openWithEarlyData(upstream("socks5://127.0.0.1:" + proxy.port()), NOWHERE, loop)) {
                assertEquals("HELLO", new String(c.readAtLeast(5), StandardCharsets.US_ASCII));
            }
            assertEquals("1 1 192.0.2.7 80", proxy.requests.getFirst()); // CONNECT, IPv4, never a name
        }
    }

    @ParameterizedTest
    @CsvSource({
            "1, PROXY_ERROR, REP 1 (general failure)",
            "2, REJECTED, REP 2 (not allowed by the proxy's rules)",
            "3, UNREACHABLE, REP 3 (network unreachable)",
            "4, UNREACHABLE, REP 4 (host unreachable)",
            "5, REFUSED, REP 5 (connection refused)",
            "6, UNREACHABLE, REP 6 (TTL expired)",
            "7, PROXY_ERROR, REP 7 (command not supported)",
            "8, PROXY_ERROR, REP 8 (address type not supported)",
    })
    void socks5RepliesMapToReasons(int rep, DialException.Reason reason, String answer) throws Exception {
        try (FakeServer proxy = new FakeServer((self, in, out) -> {
            self.socks5Request(in, out);
            out.write(FakeServer.socks5Reply(rep, new byte[4], 0));
            out.flush();
        })) {
            DialException e = Client.failure(upstream("socks5://127.0.0.1:" + proxy.port()).connect(NOWHERE, loop));
            assertEquals(reason, e.reason(), e.getMessage());
            assertEquals("socks5://127.0.0.1:" + proxy.port() + " to 192.0.2.7:80: the proxy answered " + answer, e.getMessage());
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "407 Proxy Authentication Required|AUTH_FAILED",
            "401 Unauthorized|AUTH_FAILED",
            "403 Forbidden|REJECTED",
            "502 Bad Gateway|REFUSED",
            "500 Unable to connect|REFUSED",
    })
    void httpStatusesMapToReasons(String status, DialException.Reason reason) throws Exception {
        try (FakeServer proxy = new FakeServer((self, in, out) -> {
            self.readHttpHead(in);
            out.write(("HTTP/1.1 " + status + "\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        })) {
            DialException e = Client.failure(upstream("http://127.0.0.1:" + proxy.port()).connect(NOWHERE, loop));
            assertEquals(reason, e.reason(), e.getMessage());
            assertEquals("http://127.0.0.1:" + proxy.port() + " to 192.0.2.7:80: the proxy answered \"HTTP/1.1 " + status
                    + "\"", e.getMessage());
        }
    }

    @Test
    void httpSendsBasicAuthOnlyWithUserAndPassword() throws Exception {
        try (FakeServer proxy = new FakeServer((self, in, out) -> {
            self.readHttpHead(in);
            out.write("HTTP/1.1 200 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            in.transferTo(java.io.OutputStream.nullOutputStream());
        })) {
            try (Client c = Client.open(upstream("http://al%40ice:p%3Aw@127.0.0.1:" + proxy.port()), NOWHERE, loop)) {
                assertTrue(c.channel.isActive());
                assertTrue(proxy.requests.getLast().contains("proxy-authorization: Basic YWxAaWNlOnA6dw==\r\n")
                        || proxy.requests.getLast().contains("Proxy-Authorization: Basic YWxAaWNlOnA6dw==\r\n"),
                        proxy.requests.getLast()); // base64("al@ice:p:w")
            }
            try (Client c = Client.open(upstream("http://alice@127.0.0.1:" + proxy.port()), NOWHERE, loop)) {
                assertTrue(c.channel.isActive());
                assertTrue(!proxy.requests.getLast().toLowerCase().contains("proxy-authorization"), proxy.requests.getLast());
            }
        }
    }

    @Test
    void aProxyThatNeverAnswersTimesOut() throws Exception {
        try (FakeServer proxy = new FakeServer((self, in, out) -> in.transferTo(java.io.OutputStream.nullOutputStream()))) {
            Upstream u = Upstream.of(ProxyUrl.parse("socks5://127.0.0.1:" + proxy.port()),
                    UpstreamOptions.defaults().withConnectTimeout(Duration.ofMillis(300)));
            long t0 = System.nanoTime();
            DialException e = Client.failure(u.connect(NOWHERE, loop));
            assertEquals(DialException.Reason.TIMEOUT, e.reason(), e.getMessage());
            assertTrue(e.getMessage().endsWith("the proxy did not finish its handshake within 300 ms (no answer)"),
                    e.getMessage());
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(3).toNanos());
            DialException udp = Client.failure(u.associate(loop, new UdpCollector()));
            assertEquals(DialException.Reason.TIMEOUT, udp.reason(), udp.getMessage());
        }
    }

    @Test
    void aProxyThatHangsUpIsAProxyError() throws Exception {
        try (FakeServer proxy = new FakeServer((self, in, out) -> in.readNBytes(3))) {
            DialException e = Client.failure(upstream("socks5://127.0.0.1:" + proxy.port()).connect(NOWHERE, loop));
            assertEquals(DialException.Reason.PROXY_ERROR, e.reason(), e.getMessage());
            assertTrue(e.getMessage().endsWith(": the proxy closed the connection without answering"), e.getMessage());
        }
    }

    @Test
    void aProxyThatIsDownRefuses() throws Exception {
        int port = closedPort();
        for (String scheme : new String[] {"socks5", "socks4", "http"}) {
            DialException e = Client.failure(upstream(scheme + "://127.0.0.1:" + port).connect(NOWHERE, loop));
            assertEquals(DialException.Reason.REFUSED, e.reason(), e.getMessage());
            assertEquals(scheme + "://127.0.0.1:" + port + " to 192.0.2.7:80: proxy 127.0.0.1:" + port
                    + " refused the connection", e.getMessage());
        }
        DialException udp = Client.failure(upstream("socks5://127.0.0.1:" + port).associate(loop, new UdpCollector()));
        assertEquals(DialException.Reason.REFUSED, udp.reason(), udp.getMessage());
        assertTrue(udp.getMessage().contains("proxy 127.0.0.1:" + port + " refused the connection"), udp.getMessage());
    }

    @Test
    void socks4CannotCarryIpv6() throws Exception {
        DialException e = Client.failure(upstream("socks4://127.0.0.1:1").connect(new InetSocketAddress(ip("2001:db8::7"), 80), loop));
        assertEquals(DialException.Reason.UNREACHABLE, e.reason());
        assertEquals("socks4://127.0.0.1:1 to [2001:db8::7]:80: a SOCKS4 proxy carries IPv4 destinations only", e.getMessage());
    }

    @Test
    void rejectAndUdpLessSchemes() throws Exception {
        DialException r = Client.failure(upstream("reject://").connect(NOWHERE, loop));
        assertEquals(DialException.Reason.REJECTED, r.reason());
        assertEquals("reject:// to 192.0.2.7:80: rejected by the configuration (reject://)", r.getMessage());
        for (String url : new String[] {"reject://", "http://127.0.0.1:1", "socks4://127.0.0.1:1", "socks4a://127.0.0.1:1"}) {
            DialException u = Client.failure(upstream(url).associate(loop, new UdpCollector()));
            assertEquals(DialException.Reason.UDP_NOT_SUPPORTED, u.reason(), url);
        }
    }

    @Test
    void socks5WithoutUdpAssociateSaysSo() throws Exception {
        try (FakeServer proxy = new FakeServer((self, in, out) -> {
            self.socks5Request(in, out);
            out.write(FakeServer.socks5Reply(7, new byte[4], 0));
            out.flush();
        })) {
            DialException e = Client.failure(upstream("socks5://127.0.0.1:" + proxy.port()).associate(loop, new UdpCollector()));
            assertEquals(DialException.Reason.UDP_NOT_SUPPORTED, e.reason(), e.getMessage());
            assertEquals("socks5://127.0.0.1:" + proxy.port() + " UDP ASSOCIATE: the proxy does not support UDP ASSOCIATE "
                    + "(it answered REP 7 (command not supported))", e.getMessage());
            assertEquals("3 1 0.0.0.0 0", proxy.requests.getFirst()); // UDP ASSOCIATE, DST 0.0.0.0:0
        }
    }

    @Test
    void directTcpEchoesAndHalfCloses() throws Exception {
        try (TcpTarget target = TcpTarget.echo(InetAddress.getLoopbackAddress());
             Client c = Client.open(upstream("direct://"), target.address(), loop)) {
            c.write("ping");
            c.shutdownOutput();
            assertEquals("ping" + TcpTarget.EOF_TRAILER, new String(c.readToEnd(), StandardCharsets.US_ASCII));
        }
        try (TcpTarget target = TcpTarget.sender(InetAddress.getLoopbackAddress(), 300_000);
             Client c = Client.open(upstream("direct://"), target.address(), loop)) {
            assertArrayEquals(TcpTarget.pattern(300_000), c.readAtLeast(300_000));
        }
    }

    @Test
    void directRefusedAndUnresolved() throws Exception {
        int port = closedPort();
        DialException e = Client.failure(upstream("direct://").connect(new InetSocketAddress("127.0.0.1", port), loop));
        assertEquals(DialException.Reason.REFUSED, e.reason());
        assertEquals("direct:// to 127.0.0.1:" + port + ": 127.0.0.1:" + port + " refused the connection", e.getMessage());
        DialException n = Client.failure(upstream("direct://").connect(InetSocketAddress.createUnresolved("example.org", 80), loop));
        assertEquals(DialException.Reason.UNREACHABLE, n.reason());
    }

    @Test
    void directUdpIsFullCone() throws Exception {
        try (UdpEchoTarget a = new UdpEchoTarget(InetAddress.getLoopbackAddress(), "a:");
             UdpEchoTarget b = new UdpEchoTarget(InetAddress.getLoopbackAddress(), "b:");
             UdpEchoTarget third = new UdpEchoTarget(InetAddress.getLoopbackAddress(), "c:")) {
            UdpCollector rx = new UdpCollector();
            UdpAssociation assoc = Client.await(upstream("direct://").associate(loop, rx));
            assoc.send(a.address(), UdpCollector.bytes("one"));
            assoc.send(b.address(), UdpCollector.bytes("two"));
            Set<UdpCollector.Datagram> got = new HashSet<>(Set.of(rx.next(), rx.next()));
            assertEquals(Set.of(new UdpCollector.Datagram(a.address(), "a:one"), new UdpCollector.Datagram(b.address(), "b:two")), got);
            third.sendFromHere(a.lastSender(), "unsolicited");
            assertEquals(new UdpCollector.Datagram(third.address(), "unsolicited"), rx.next());
            assoc.close();
            assertEquals(null, rx.closed.get(5, java.util.concurrent.TimeUnit.SECONDS));
            assoc.close();
            Thread.sleep(50);
            assertEquals(1, rx.closedCalls());
            assoc.send(a.address(), UdpCollector.bytes("after close")); // dropped and released, not thrown
            for (int i = 0; i < 200 && assoc.dropped() == 0; i++) Thread.sleep(10); // send hops to the loop
            assertEquals(1, assoc.dropped());
        }
    }

    static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort(); // closed when we return: connecting there is refused
        }
    }
}
