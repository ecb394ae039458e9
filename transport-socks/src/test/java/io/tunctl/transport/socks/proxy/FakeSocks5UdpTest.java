package io.tunctl.transport.socks.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.tunctl.netty.NettyTransport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SOCKS5 UDP ASSOCIATE against a scripted proxy with a Java relay: an unspecified BND (the proxy's host is used),
 * the header on the wire, replies from any named source delivered, fragments, malformed headers and datagrams
 * from anyone but the relay dropped and counted, and the end of the association when the proxy closes the
 * control connection.
 */
class FakeSocks5UdpTest {
    static EventLoopGroup group;
    static EventLoop loop;

    @BeforeAll
    static void start() {
        group = NettyTransport.BEST.newGroup(1);
        loop = group.next();
    }

    @AfterAll
    static void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    @Test
    void relayRoundTripDropsAndEnd() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        CountDownLatch hangUp = new CountDownLatch(1);
        try (DatagramSocket relay = new DatagramSocket(new InetSocketAddress(lo, 0));
             DatagramSocket stranger = new DatagramSocket(new InetSocketAddress(lo, 0));
             FakeServer proxy = new FakeServer((self, in, out) -> {
                 self.socks5Request(in, out);
                 // BND 0.0.0.0: "send to my address, this port"
                 out.write(FakeServer.socks5Reply(0, new byte[4], relay.getLocalPort()));
                 out.flush();
                 try {
                     hangUp.await(20, TimeUnit.SECONDS);
                 } catch (InterruptedException e) {
                     Thread.currentThread().interrupt();
                 }
             })) {
            UdpCollector rx = new UdpCollector();
            UdpAssociation assoc = Client.await(Upstream.of(ProxyUrl.parse("socks5://127.0.0.1:" + proxy.port()),
                    UpstreamOptions.defaults()).associate(loop, rx));
            assertEquals(new InetSocketAddress(lo, relay.getLocalPort()), ((Socks5UdpAssociation) assoc).relay());

            assoc.send(new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 53), UdpCollector.bytes("query"));
            byte[] buf = new byte[2048];
            DatagramPacket got = new DatagramPacket(buf, buf.length);
            relay.setSoTimeout(10_000);
            relay.receive(got);
            assertEquals("000000" + "01" + "c0000207" + "0035" + hex("query"),
                    ByteBufUtil.hexDump(buf, 0, got.getLength()));
            InetSocketAddress client = (InetSocketAddress) got.getSocketAddress();

            send(relay, client, "000001" + "01" + "c6336409" + "0035" + hex("fragment"));   // FRAG 1: dropped
            send(relay, client, "000000" + "01" + "c633");                                   // cut short: dropped
            send(stranger, client, "000000" + "01" + "c6336409" + "0035" + hex("forged")); // not from the relay
            send(relay, client, "000000" + "01" + "c6336409" + "0035" + hex("answer"));    // 198.51.100.9:53
            UdpCollector.Datagram d = rx.next();
            assertEquals(new UdpCollector.Datagram(new InetSocketAddress(InetAddress.getByName("198.51.100.9"), 53), "answer"), d);
            for (int i = 0; i < 100 && assoc.dropped() < 3; i++) Thread.sleep(10);
            assertEquals(3, assoc.dropped());
            assertTrue(rx.datagrams.isEmpty(), rx.datagrams.toString());

            hangUp.countDown(); // the proxy closes the control connection: the association ends
            assertEquals(null, rx.closed.get(10, TimeUnit.SECONDS));
            assertEquals(1, rx.closedCalls());
        }
    }

    @Test
    void closingTheAssociationClosesTheControlConnection() throws Exception {
        AtomicReference<Integer> eof = new AtomicReference<>();
        CountDownLatch closed = new CountDownLatch(1);
        try (DatagramSocket relay = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             FakeServer proxy = new FakeServer((self, in, out) -> {
                 self.socks5Request(in, out);
                 out.write(FakeServer.socks5Reply(0, new byte[] {127, 0, 0, 1}, relay.getLocalPort()));
                 out.flush();
                 eof.set(in.read()); // -1 once our side closes
                 closed.countDown();
             })) {
            UdpCollector rx = new UdpCollector();
            UdpAssociation assoc = Client.await(Upstream.of(ProxyUrl.parse("socks5://127.0.0.1:" + proxy.port()),
                    UpstreamOptions.defaults()).associate(loop, rx));
            assoc.close();
            assertTrue(closed.await(10, TimeUnit.SECONDS));
            assertEquals(-1, eof.get());
            assertEquals(null, rx.closed.get(10, TimeUnit.SECONDS));
        }
    }

    private static String hex(String text) {
        return ByteBufUtil.hexDump(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static void send(DatagramSocket from, InetSocketAddress to, String hex) throws Exception {
        ByteBuf b = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex));
        byte[] bytes = ByteBufUtil.getBytes(b);
        b.release();
        from.send(new DatagramPacket(bytes, bytes.length, to));
    }
}
