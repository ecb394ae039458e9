package io.tunctl.transport.socks.proxy;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.tunctl.core.testkit.Root;
import io.tunctl.netty.NettyTransport;
import io.tunctl.transport.socks.testkit.ProxyLab;
import io.tunctl.transport.socks.testkit.TcpTarget;
import io.tunctl.transport.socks.testkit.UdpEchoTarget;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dialers against the real proxies from Debian (Dante, microsocks, tinyproxy, shadowsocks-libev), all on the
 * root namespace's loopback, started by {@link ProxyLab}; targets are Java servers on 127.0.0.1 / ::1.
 */
class RealProxiesIT {
    static ProxyLab lab;
    static EventLoopGroup group;
    static EventLoop loop;
    static TcpTarget echo;
    static final InetAddress V4 = InetAddress.getLoopbackAddress();

    @BeforeAll
    static void start() {
        Root.require();
        lab = new ProxyLab();
        group = NettyTransport.BEST.newGroup(1);
        loop = group.next();
        echo = TcpTarget.echo(V4);
    }

    @AfterAll
    static void stop() {
        if (echo != null) echo.close();
        if (group != null) group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        if (lab != null) lab.close();
    }

    static Upstream upstream(String url) {
        return Upstream.of(ProxyUrl.parse(url), UpstreamOptions.defaults());
    }

    /** Every kind, with and without auth, by name. */
    static Map<String, String> tcpProxies() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("dante", lab.dante());
        m.put("dante auth", lab.danteAuth());
        m.put("dante socks4", ProxyLab.asSocks4(lab.dante()));
        m.put("dante socks5h", lab.dante().replace("socks5://", "socks5h://"));
        m.put("microsocks", lab.microsocks());
        m.put("microsocks auth", lab.microsocksAuth());
        m.put("tinyproxy", lab.tinyproxy());
        m.put("tinyproxy auth", lab.tinyproxyAuth());
        m.put("ss-local", lab.ssLocal());
        return m;
    }

    /**
     * Proxies that close both directions on the client's FIN: their copy loops end on the first EOF (microsocks
     * 1.0.3, tinyproxy 1.11, ss-local 3.3.5). Only Dante passes the half-close on.
     */
    static final Set<String> NO_HALF_CLOSE = Set.of("microsocks", "microsocks auth", "tinyproxy", "tinyproxy auth",
            "ss-local");

    @Test
    void tcpEchoWithHalfCloseThroughEachKind() throws Exception {
        for (Map.Entry<String, String> p : tcpProxies().entrySet()) {
            String hello = "hello " + p.getKey();
            try (Client c = Client.open(upstream(p.getValue()), echo.address(), loop)) {
                c.write(hello);
                assertEquals(hello, new String(c.readAtLeast(hello.length()), StandardCharsets.UTF_8), p.getKey());
                // our side half-closes; the target still answers after our FIN, through the proxy
                c.shutdownOutput();
                String all = new String(c.readToEnd(), StandardCharsets.UTF_8);
                String expected = NO_HALF_CLOSE.contains(p.getKey()) ? hello : hello + TcpTarget.EOF_TRAILER;
                assertEquals(expected, all, p.getKey());
            } catch (AssertionError e) {
                throw new AssertionError(p.getKey() + ": " + e.getMessage() + "\n" + lab.logs(), e);
            }
        }
    }

    @Test
    void bulkDownloadThroughEachKind() throws Exception {
        int n = 1 << 20;
        try (TcpTarget sender = TcpTarget.sender(V4, n)) {
            for (Map.Entry<String, String> p : tcpProxies().entrySet()) {
                try (Client c = Client.openMaybeEarlyData(upstream(p.getValue()), sender.address(), loop)) {
                    assertArrayEquals(TcpTarget.pattern(n), c.readAtLeast(n), p.getKey());
                }
            }
        }
    }

    @Test
    void wrongCredentialsAreAuthFailedWithTheProxysAnswer() throws Exception {
        Map<String, String> expected = new LinkedHashMap<>();
        // RFC 1929 only says "not 0": Dante answers 1, microsocks 2
        expected.put(lab.danteAuth(), "authentication failed \\(the proxy answered status 1\\)");
        expected.put(lab.microsocksAuth(), "authentication failed \\(the proxy answered status 2\\)");
        // tinyproxy 1.11 answers 401, not 407, to a proxy client with wrong or missing credentials
        expected.put(lab.tinyproxyAuth(), "the proxy answered \"HTTP/1.0 401 Unauthorized\"");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            ProxyUrl wrong = ProxyUrl.parse(e.getKey()).withPassword("wrong-password");
            DialException x = Client.failure(Upstream.of(wrong, UpstreamOptions.defaults()).connect(echo.address(), loop));
            assertEquals(DialException.Reason.AUTH_FAILED, x.reason(), x.getMessage());
            assertTrue(x.getMessage().matches(java.util.regex.Pattern.quote(wrong + " to " + Dial.hostPort(echo.address()) + ": ")
                    + e.getValue()), x.getMessage());
            assertTrue(!x.getMessage().contains("wrong-password"));
        }
        // no credentials at all for a proxy that wants some
        for (String url : new String[] {lab.danteAuth(), lab.microsocksAuth()}) {
            ProxyUrl bare = ProxyUrl.parse(ProxyLab.asSocks4(url).replace("socks4://", "socks5://"));
            DialException x = Client.failure(Upstream.of(bare, UpstreamOptions.defaults()).connect(echo.address(), loop));
            assertEquals(DialException.Reason.AUTH_FAILED, x.reason(), x.getMessage());
            assertTrue(x.getMessage().endsWith("the proxy accepted none of the offered authentication methods "
                    + "(offered none, it answered method 255)"), x.getMessage());
        }
        DialException x = Client.failure(upstream(ProxyLab.asSocks4(lab.tinyproxyAuth()).replace("socks4://", "http://"))
                .connect(echo.address(), loop));
        assertEquals(DialException.Reason.AUTH_FAILED, x.reason(), x.getMessage());
    }

    @Test
    void closedTargetPortIsRefused() throws Exception {
        int port = FakeProxyTest.closedPort();
        InetSocketAddress closed = new InetSocketAddress(V4, port);
        Map<String, String> answers = new LinkedHashMap<>();
        answers.put(lab.dante(), "the proxy answered REP 5 (connection refused)");
        answers.put(ProxyLab.asSocks4(lab.dante()), "the proxy answered status 91 (request rejected or failed)");
        answers.put(lab.microsocks(), "the proxy answered REP 5 (connection refused)");
        answers.put(lab.tinyproxy(), "the proxy answered \"HTTP/1.1 500 Unable to connect\"");
        answers.put("direct://", "127.0.0.1:" + port + " refused the connection");
        for (Map.Entry<String, String> a : answers.entrySet()) {
            DialException x = Client.failure(upstream(a.getKey()).connect(closed, loop));
            assertEquals(DialException.Reason.REFUSED, x.reason(), x.getMessage());
            assertEquals(ProxyUrl.parse(a.getKey()) + " to 127.0.0.1:" + port + ": " + a.getValue(), x.getMessage());
        }
        // ss-local says "succeeded" before ss-server has even tried the target (Shadowsocks has no error channel):
        // the dial succeeds and the connection ends at once
        try (Client c = Client.open(upstream(lab.ssLocal()), closed, loop)) {
            assertEquals(0, c.readToEnd().length);
        }
    }

    @Test
    void aProxyThatWentAwayRefuses() throws Exception {
        try (ProxyLab own = new ProxyLab()) {
            String url = own.microsocks();
            try (Client c = Client.open(upstream(url), echo.address(), loop)) {
                c.write("x");
                c.readAtLeast(1);
            }
            own.stop(url);
            DialException x = Client.failure(upstream(url).connect(echo.address(), loop));
            assertEquals(DialException.Reason.REFUSED, x.reason(), x.getMessage());
            assertTrue(x.getMessage().endsWith("refused the connection"), x.getMessage());
        }
    }

    @Test
    void ipv6DestinationAndIpv6ProxyAddressViaDante() throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        try (TcpTarget target6 = TcpTarget.echo(v6)) {
            String v4proxy = lab.dante();
            String v6proxy = v4proxy.replace("127.0.0.1", "[::1]");
            for (String url : new String[] {v4proxy, v6proxy}) {
                try (Client c = Client.open(upstream(url), target6.address(), loop)) {
                    c.write("six");
                    c.shutdownOutput();
                    assertEquals("six" + TcpTarget.EOF_TRAILER, new String(c.readToEnd(), StandardCharsets.UTF_8), url + "\n" + lab.logs());
                }
            }
            try (Client c = Client.open(upstream(v6proxy), echo.address(), loop)) { // IPv6 proxy, IPv4 target
                c.write("four");
                assertEquals("four", new String(c.readAtLeast(4), StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void udpThroughDanteAndSsLocalIsFullCone() throws Exception {
        for (String url : new String[] {lab.dante(), lab.danteAuth(), lab.ssLocal()}) {
            try (UdpEchoTarget a = new UdpEchoTarget(V4, "a:");
                 UdpEchoTarget b = new UdpEchoTarget(V4, "b:");
                 UdpEchoTarget third = new UdpEchoTarget(V4, "c:")) {
                UdpCollector rx = new UdpCollector();
                UdpAssociation assoc = Client.await(upstream(url).associate(loop, rx));
                try {
                    assoc.send(a.address(), UdpCollector.bytes("one"));
                    assoc.send(b.address(), UdpCollector.bytes("two"));
                    Set<UdpCollector.Datagram> got = new HashSet<>(Set.of(rx.next(), rx.next()));
                    assertEquals(Set.of(new UdpCollector.Datagram(a.address(), "a:one"),
                            new UdpCollector.Datagram(b.address(), "b:two")), got, url);
                    // a third party writes to the proxy's outside address for this association: delivered
                    assertTrue(a.lastSender() != null);
                    third.sendFromHere(a.lastSender(), "unsolicited");
                    assertEquals(new UdpCollector.Datagram(third.address(), "unsolicited"), rx.next(), url);
                    // a datagram bigger than Netty's default 2048-byte receive buffer comes back whole (ss-local
                    // itself takes at most 2794-byte datagrams, so not much bigger)
                    String big = "x".repeat(2500);
                    assoc.send(a.address(), UdpCollector.bytes(big));
                    assertEquals(new UdpCollector.Datagram(a.address(), "a:" + big), rx.next(), url);
                    assertEquals(0, assoc.dropped(), url);
                } catch (AssertionError e) {
                    throw new AssertionError(url + ": " + e.getMessage() + "\n" + lab.logs(), e);
                } finally {
                    assoc.close();
                }
                assertEquals(null, rx.closed.get(5, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void microsocksHasNoUdp() throws Exception {
        DialException x = Client.failure(upstream(lab.microsocks()).associate(loop, new UdpCollector()));
        assertEquals(DialException.Reason.UDP_NOT_SUPPORTED, x.reason(), x.getMessage());
        assertEquals(ProxyUrl.parse(lab.microsocks()) + " UDP ASSOCIATE: the proxy does not support UDP ASSOCIATE "
                + "(it answered REP 7 (command not supported))", x.getMessage());
    }

    @Test
    void udpAssociationEndsWithItsControlConnection() throws Exception {
        try (ProxyLab own = new ProxyLab(); UdpEchoTarget a = new UdpEchoTarget(V4, "a:")) {
            String url = own.dante();
            UdpCollector rx = new UdpCollector();
            UdpAssociation assoc = Client.await(upstream(url).associate(loop, rx));
            assoc.send(a.address(), UdpCollector.bytes("up"));
            assertEquals("a:up", rx.next().text());
            own.stop(url); // Dante dies: the control connection closes, so does the association
            rx.closed.get(10, TimeUnit.SECONDS);
            Thread.sleep(100);
            assertEquals(1, rx.closedCalls());
            assoc.close(); // idempotent, no second closed()
            Thread.sleep(100);
            assertEquals(1, rx.closedCalls());
        }
    }
}
