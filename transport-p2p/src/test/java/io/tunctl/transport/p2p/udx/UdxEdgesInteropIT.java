package io.tunctl.transport.p2p.udx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Java UDX against udx-native 1.21.3 on IPv6 loopback, and udx-native's handling of data after the END. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class UdxEdgesInteropIT {
    private static final long SIZE = 16L << 20;
    private static final int JAVA_ID = 0x11223344;
    private static final int NODE_ID = 0xa1b2c3d4;

    @BeforeAll
    static void installUdxNative() throws Exception {
        NodeUdx.install();
    }

    private static NodeUdx node(UdxSocket socket, UdxStream stream, String mode, long bytes) throws Exception {
        NodeUdx node = NodeUdx.start(mode, Integer.toString(socket.localAddress().getPort()),
                Integer.toUnsignedString(NODE_ID), Integer.toUnsignedString(JAVA_ID), Long.toString(bytes), "::1",
                "150000");
        int port = node.await("ready", 30, TimeUnit.SECONDS).path("port").asInt();
        stream.connect(NODE_ID, new InetSocketAddress(InetAddress.getByName("::1"), port));
        return node;
    }

    /** Over ::1, our probes are padded for the 40-byte IPv6 header; udx-native acknowledges them up to 1500. */
    @Test
    void javaSendsToUdxNativeOverIpv6() throws Exception {
        try (UdxSocket socket = UdxSocket.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0))) {
            UdxStream stream = socket.createStream(JAVA_ID);
            try (NodeUdx node = node(socket, stream, "sink", 0)) {
                String sha = Transfer.sendRandom(stream, SIZE, 7);
                JsonNode got = node.await("received", 120, TimeUnit.SECONDS);
                assertEquals(SIZE, got.path("bytes").asLong());
                assertEquals(sha, got.path("sha256").asText());
                assertEquals(-1, stream.inputStream().read(), "udx-native ends its side after our END");
                stream.closeFuture().get(10, TimeUnit.SECONDS);
                assertEquals(1500, stream.mtu(), "probing reached 1500 over IPv6: " + stream.stats());
            }
        }
    }

    @Test
    void udxNativeSendsToJavaOverIpv6() throws Exception {
        try (UdxSocket socket = UdxSocket.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0))) {
            UdxStream stream = socket.createStream(JAVA_ID);
            try (NodeUdx node = node(socket, stream, "source", SIZE)) {
                Object[] got = Transfer.receiveAll(stream);
                JsonNode sent = node.await("sent", 30, TimeUnit.SECONDS);
                assertEquals(SIZE, (long) got[0]);
                assertEquals(sent.path("sha256").asText(), got[1]);
                stream.end().get(10, TimeUnit.SECONDS);
                stream.closeFuture().get(10, TimeUnit.SECONDS);
                node.await("close", 10, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * What the Java receiver copies (UdxStreamEdgesTest): udx-native reads nothing past the peer's END. A hand-made
     * peer sends DATA "abc", END, then DATA "late" past the END: udx-native delivers "abc" and the end, ACKs the
     * late packet with the ack still at 2, never delivers it, and does not fail.
     */
    @Test
    void udxNativeAcksButDropsDataAfterTheEnd() throws Exception {
        try (DatagramSocket raw = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            raw.setSoTimeout(3000);
            try (NodeUdx node = NodeUdx.start("report", Integer.toString(raw.getLocalPort()),
                    Integer.toUnsignedString(NODE_ID), Integer.toUnsignedString(JAVA_ID), "0", "127.0.0.1", "60000")) {
                int port = node.await("ready", 30, TimeUnit.SECONDS).path("port").asInt();
                InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
                send(raw, to, UdxHeader.DATA, 0, "abc");
                assertEquals(1, ack(raw));
                assertEquals("616263", node.await("data", 10, TimeUnit.SECONDS).path("hex").asText());
                send(raw, to, UdxHeader.END, 1, "");
                assertEquals(2, ack(raw));
                node.await("end", 10, TimeUnit.SECONDS);
                send(raw, to, UdxHeader.DATA, 2, "late");
                assertEquals(2, ack(raw), "the late packet is acknowledged without moving the ack");
                send(raw, to, UdxHeader.DATA | UdxHeader.END, 3, "later");
                assertEquals(2, ack(raw));
                JsonNode more = node.next(1, TimeUnit.SECONDS);
                assertTrue(more == null, "nothing delivered after the end: " + more);
            }
        }
    }

    private static void send(DatagramSocket raw, InetSocketAddress to, int type, int seq, String payload)
            throws Exception {
        ByteBuf b = Unpooled.buffer();
        UdxHeader.write(b, type, 0, NODE_ID, 1 << 20, seq, 0);
        b.writeCharSequence(payload, StandardCharsets.US_ASCII);
        byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        raw.send(new DatagramPacket(bytes, bytes.length, to));
    }

    /** The ack field of the next bare ACK from udx-native. */
    private static int ack(DatagramSocket raw) throws Exception {
        byte[] buf = new byte[2048];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                raw.receive(p);
            } catch (SocketTimeoutException e) {
                break;
            }
            UdxHeader h = UdxHeader.decode(Unpooled.wrappedBuffer(buf, 0, p.getLength()));
            if ((h.type() & (UdxHeader.DATA | UdxHeader.END | UdxHeader.HEARTBEAT)) == 0) {
                return h.ack();
            }
        }
        throw new AssertionError("no ACK from udx-native within 5 s");
    }
}
