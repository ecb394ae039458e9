package io.tunctl.transport.socks.dns;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.tunctl.netty.NettyTransport;
import io.tunctl.transport.socks.engine.TcpFlow;
import io.tunctl.transport.socks.proxy.DialException;
import io.tunctl.transport.socks.proxy.ProxyUrl;
import io.tunctl.transport.socks.proxy.UdpAssociation;
import io.tunctl.transport.socks.proxy.Upstream;
import io.tunctl.transport.socks.proxy.UpstreamOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The relay against {@link TinyDns} on loopback, through the real {@code direct://} upstream: UDP clients are the
 * test (answers collected from the {@link DnsRelay.UdpOut}), TCP clients are real sockets whose server end is handed
 * to the relay as an admitted flow.
 */
@Timeout(60)
class DnsRelayTest {
    static final InetSocketAddress GATEWAY = new InetSocketAddress(InetAddress.ofLiteral("198.18.0.2"), 53);

    static EventLoopGroup group;
    static Channel admitServer;
    static final BlockingQueue<Promise<Channel>> admits = new LinkedBlockingQueue<>();

    record Out(InetSocketAddress from, InetSocketAddress to, byte[] msg) {}

    TinyDns server;
    DnsRelay relay;
    final BlockingQueue<Out> outs = new LinkedBlockingQueue<>();
    final Map<String, LongAdder> counters = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        group = NettyTransport.BEST.newGroup(1); // one loop: the admitted channels live on the relay's loop
        admitServer = new ServerBootstrap().group(group).channel(NettyTransport.BEST.serverSocket())
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) throws Exception {
                        admits.take().setSuccess(ch);
                    }
                })
                .bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
    }

    @AfterAll
    static void stop() {
        admitServer.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    @AfterEach
    void closeAll() throws Exception {
        if (relay != null) relay.close();
        if (server != null) server.close();
    }

    static Upstream direct() {
        return Upstream.of(ProxyUrl.parse("direct://"), UpstreamOptions.defaults());
    }

    DnsRelay relay(Upstream path, InetSocketAddress upstream) {
        DnsRelay.Options o = new DnsRelay.Options(upstream, Duration.ofMillis(300), Duration.ofMillis(1000), 4096, 32,
                Duration.ofSeconds(5));
        relay = new DnsRelay(o, path, group, (from, to, payload) -> {
            outs.add(new Out(from, to, ByteBufUtil.getBytes(payload)));
            payload.release();
        }, name -> counters.computeIfAbsent(name, k -> new LongAdder()).increment());
        return relay;
    }

    DnsRelay relayToTinyDns() throws Exception {
        server = new TinyDns();
        return relay(direct(), server.address());
    }

    long counter(String name) {
        LongAdder a = counters.get(name);
        return a == null ? 0 : a.sum();
    }

    static InetSocketAddress client(int port) { return new InetSocketAddress(InetAddress.ofLiteral("198.18.0.1"), port); }

    void ask(int port, byte[] query) { relay.udpQuery(client(port), GATEWAY, Unpooled.copiedBuffer(query)); }

    Out next() throws InterruptedException {
        Out o = outs.poll(5, TimeUnit.SECONDS);
        assertNotNull(o, "no answer");
        return o;
    }

    @Test
    void aAndAaaaWithOneIdFromOneSocketAreBothAnswered() throws Exception {
        relayToTinyDns();
        ask(40000, Wire.query(0x1111, "x.test", Wire.A, 0));
        ask(40000, Wire.query(0x1111, "x.test", Wire.AAAA, 0));
        Set<Integer> types = new HashSet<>();
        for (int i = 0; i < 2; i++) {
            Out o = next();
            assertEquals(GATEWAY, o.from());
            assertEquals(client(40000), o.to());
            assertEquals(0x1111, Wire.id(o.msg()));
            assertEquals(1, Wire.count(o.msg(), 1));
            types.add(Wire.qtype(o.msg()));
        }
        assertEquals(Set.of(Wire.A, Wire.AAAA), types);
        assertEquals(2, server.ids.size());
        assertNotEquals(server.ids.get(0), server.ids.get(1), "each query its own upstream ID");
        assertEquals(2, counter("dns_answers"));
        assertEquals(0, relay.pending());
    }

    @Test
    void manyClientsAtOnceEachGetTheirOwnAnswer() throws Exception {
        relayToTinyDns();
        int n = 300;
        Map<Integer, String> asked = new HashMap<>();
        for (int i = 0; i < n; i++) {
            int port = 41000 + i % 100;
            int id = i * 7919 & 0xffff;
            ask(port, Wire.query(id, "q" + i + ".test", i % 2 == 0 ? Wire.A : Wire.AAAA, 0));
            asked.put(port << 16 | id, "q" + i + ".test");
        }
        for (int i = 0; i < n; i++) {
            Out o = next();
            String want = asked.remove(o.to().getPort() << 16 | Wire.id(o.msg()));
            assertEquals(want, Wire.qname(o.msg()), "answer " + i + " to " + o.to());
        }
        assertTrue(asked.isEmpty());
        assertEquals(n, counter("dns_queries_udp"));
        assertEquals(n, counter("dns_answers"));
    }

    @Test
    void aUdpAnswerLargerThanTheClientsSizeIsCutWithTcAndEdnsTakesItWhole() throws Exception {
        relayToTinyDns();
        ask(40001, Wire.query(5, "big.test", Wire.A, 0));
        Out small = next();
        assertTrue(small.msg().length <= 512, "length " + small.msg().length);
        assertTrue((Wire.flags(small.msg()) & 0x0200) != 0, "TC");
        assertEquals(0, Wire.count(small.msg(), 1));
        assertEquals(5, Wire.id(small.msg()));
        ask(40001, Wire.query(6, "big.test", Wire.A, 4096));
        Out whole = next();
        assertEquals(100, Wire.count(whole.msg(), 1));
        assertEquals(0, Wire.flags(whole.msg()) & 0x0200);
        assertEquals(1, counter("dns_truncated"));
    }

    @Test
    void aLostQueryIsSentOnceMoreAndAnUnansweredOneGetsServfail() throws Exception {
        relayToTinyDns();
        long t0 = System.nanoTime();
        ask(40002, Wire.query(9, "slow.test", Wire.A, 0));
        Out o = next();
        assertEquals(1, Wire.count(o.msg(), 1));
        assertEquals(1, counter("dns_retries"));
        ask(40002, Wire.query(10, "never.test", Wire.A, 0));
        Out f = next();
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(10, Wire.id(f.msg()));
        assertEquals(2, Wire.flags(f.msg()) & 0xf, "SERVFAIL");
        assertTrue(ms >= 1000, "after the timeout, " + ms + " ms");
        assertEquals(1, counter("dns_timeouts"));
        assertEquals(4, server.udpQueries.get(), "each query sent twice");
        assertEquals(0, relay.pending());
    }

    @Test
    void somethingThatIsNotAQueryIsDroppedAndCounted() throws Exception {
        relayToTinyDns();
        ask(40003, new byte[] {1, 2, 3, 4, 5});
        byte[] response = Wire.answer(Wire.query(1, "x.test", Wire.A, 0), 1, 0);
        ask(40003, response);
        ask(40003, Wire.query(2, "x.test", Wire.A, 0));
        assertEquals(2, Wire.id(next().msg()));
        assertNull(outs.poll(200, TimeUnit.MILLISECONDS));
        assertEquals(2, counter("dns_malformed"));
        assertEquals(1, server.udpQueries.get());
    }

    // ------------------------------------------------------------------------------------------ TCP

    /** A TCP client to the gateway: a real socket whose server end the relay gets through {@link TcpFlow#admit}. */
    Socket tcpClient() throws Exception {
        relay.tcpFlow(new TcpFlow() {
            @Override public InetSocketAddress source() { return client(50000); }

            @Override public InetSocketAddress destination() { return GATEWAY; }

            @Override
            public Future<Channel> admit(EventLoop loop) {
                Promise<Channel> p = loop.newPromise();
                admits.add(p);
                return p;
            }

            @Override public void refuse(Refusal how) { throw new AssertionError("refused: " + how); }
        });
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.setSoTimeout(5000);
        s.connect(admitServer.localAddress());
        return s;
    }

    static byte[] framed(byte[]... messages) { return FramingTest.stream(messages); }

    static byte[] readMessage(DataInputStream in) throws Exception {
        int len = in.readUnsignedShort();
        return in.readNBytes(len);
    }

    @Test
    void twoQueriesPipelinedByteByByteOnOneConnectionAreBothAnswered() throws Exception {
        relayToTinyDns();
        try (Socket s = tcpClient()) {
            OutputStream out = s.getOutputStream();
            byte[] bytes = framed(Wire.query(0x0a0a, "x.test", Wire.A, 0), Wire.query(0x0a0a, "x.test", Wire.AAAA, 0));
            for (byte b : bytes) {
                out.write(b);
                out.flush();
            }
            DataInputStream in = new DataInputStream(s.getInputStream());
            Set<Integer> types = new HashSet<>();
            for (int i = 0; i < 2; i++) {
                byte[] a = readMessage(in);
                assertEquals(0x0a0a, Wire.id(a));
                types.add(Wire.qtype(a));
            }
            assertEquals(Set.of(Wire.A, Wire.AAAA), types);
        }
        assertEquals(2, server.tcpQueries.get(), "forwarded over TCP");
        assertEquals(0, server.udpQueries.get());
        assertEquals(2, counter("dns_queries_tcp"));
    }

    @Test
    void aFiftySixKilobyteAnswerComesWholeOverTcpAndAHalfCloseStillGetsItsAnswer() throws Exception {
        relayToTinyDns();
        try (Socket s = tcpClient()) {
            s.getOutputStream().write(framed(Wire.query(77, "huge.test", Wire.A, 0)));
            s.shutdownOutput();
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] a = readMessage(in);
            assertEquals(77, Wire.id(a));
            assertEquals(3500, Wire.count(a, 1));
            assertTrue(a.length > 56_000, "length " + a.length);
            assertThrows(EOFException.class, in::readUnsignedShort, "closed after the last answer");
        }
    }

    @Test
    void aMalformedMessageOnTcpEndsTheConnection() throws Exception {
        relayToTinyDns();
        try (Socket s = tcpClient()) {
            s.getOutputStream().write(framed(new byte[] {1, 2, 3}));
            assertEquals(-1, s.getInputStream().read());
        }
        assertEquals(1, counter("dns_malformed"));
    }

    @Test
    void anUnreachableUpstreamGivesServfailAtOnceOverTcp() throws Exception {
        int closedPort;
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = ss.getLocalPort();
        }
        relay(direct(), new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort));
        try (Socket s = tcpClient()) {
            long t0 = System.nanoTime();
            s.getOutputStream().write(framed(Wire.query(3, "x.test", Wire.A, 0)));
            byte[] a = readMessage(new DataInputStream(s.getInputStream()));
            assertEquals(3, Wire.id(a));
            assertEquals(2, Wire.flags(a) & 0xf);
            assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(900), "before the timeout");
        }
        assertEquals(1, counter("dns_upstream_errors"));
    }

    // ------------------------------------------------------------------------------------------ a proxy without UDP

    /** An upstream like an HTTP proxy: TCP only (here straight to the destination), no UDP association. */
    static Upstream tcpOnly() {
        Upstream d = direct();
        return new Upstream() {
            @Override public ProxyUrl url() { return ProxyUrl.parse("http://127.0.0.1:3128"); }

            @Override public Future<Channel> connect(InetSocketAddress destination, EventLoop loop) { return d.connect(destination, loop); }

            @Override
            public Future<UdpAssociation> associate(EventLoop loop, UdpAssociation.Receiver receiver) {
                return loop.newFailedFuture(new DialException(DialException.Reason.UDP_NOT_SUPPORTED, "no UDP", null));
            }
        };
    }

    @Test
    void throughAProxyWithoutUdpUdpQueriesGoOverTcpAndAreCutToTheClientsSize() throws Exception {
        server = new TinyDns();
        relay(tcpOnly(), server.address());
        ask(40004, Wire.query(0x2222, "x.test", Wire.A, 0));
        ask(40004, Wire.query(0x2222, "x.test", Wire.AAAA, 0));
        ask(40004, Wire.query(0x2223, "big.test", Wire.A, 0));
        Map<Integer, Integer> byType = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            Out o = next();
            if (Wire.qname(o.msg()).equals("big.test")) {
                assertEquals(0x2223, Wire.id(o.msg()));
                assertTrue(o.msg().length <= 512 && (Wire.flags(o.msg()) & 0x0200) != 0, "cut with TC");
            } else {
                assertEquals(0x2222, Wire.id(o.msg()));
                byType.merge(Wire.qtype(o.msg()), 1, Integer::sum);
            }
        }
        assertEquals(Map.of(Wire.A, 1, Wire.AAAA, 1), byType);
        assertEquals(3, server.tcpQueries.get());
        assertEquals(0, server.udpQueries.get());
    }
}
