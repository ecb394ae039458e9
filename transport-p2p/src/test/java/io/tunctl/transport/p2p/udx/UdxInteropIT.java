package io.tunctl.transport.p2p.udx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Java UDX against the real udx-native (npm) on 127.0.0.1, both directions. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class UdxInteropIT {
    private static final long BIG = 100L << 20;
    private static final InetAddress LO = InetAddress.getLoopbackAddress();
    private static final int JAVA_ID = 0x11223344;
    private static final int NODE_ID = 0xa1b2c3d4;

    private UdxSocket socket;
    private int nodePort;

    @BeforeAll
    static void installUdxNative() throws Exception {
        NodeUdx.install();
    }

    @BeforeEach
    void bind() throws Exception {
        socket = UdxSocket.bind(new InetSocketAddress(LO, 0));
    }

    @AfterEach
    void close() {
        socket.close();
        assertEquals(0, socket.streamCount(), "streams left open");
    }

    private NodeUdx node(UdxStream stream, String mode, long bytes) throws Exception {
        NodeUdx node = NodeUdx.start(mode, Integer.toString(socket.localAddress().getPort()),
                Integer.toUnsignedString(NODE_ID), Integer.toUnsignedString(JAVA_ID), Long.toString(bytes),
                "127.0.0.1", "150000");
        int port = node.await("ready", 30, TimeUnit.SECONDS).path("port").asInt();
        stream.connect(NODE_ID, new InetSocketAddress(LO, port));
        nodePort = port;
        return node;
    }

    @Test
    void javaSends100MiBToUdxNative() throws Exception {
        UdxStream stream = socket.createStream(JAVA_ID);
        try (NodeUdx node = node(stream, "sink", 0)) {
            long t0 = System.nanoTime();
            String sha = Transfer.sendRandom(stream, BIG, 42);
            JsonNode got = node.await("received", 120, TimeUnit.SECONDS);
            long nanos = System.nanoTime() - t0;
            assertEquals(BIG, got.path("bytes").asLong());
            assertEquals(sha, got.path("sha256").asText());
            assertEquals(-1, stream.inputStream().read(), "udx-native ends its side after our END");
            stream.closeFuture().get(10, TimeUnit.SECONDS);
            node.await("close", 10, TimeUnit.SECONDS);
            System.out.printf("java -> udx-native: 100 MiB in %d ms (%.1f MB/s) %s%n", nanos / 1_000_000,
                    Transfer.mbPerSecond(BIG, nanos), stream.stats());
        }
        assertEquals(0, socket.streamCount());
    }

    @Test
    void udxNativeSends100MiBToJava() throws Exception {
        UdxStream stream = socket.createStream(JAVA_ID);
        try (NodeUdx node = node(stream, "source", BIG)) {
            long t0 = System.nanoTime();
            Object[] got = Transfer.receiveAll(stream);
            long nanos = System.nanoTime() - t0;
            JsonNode sent = node.await("sent", 30, TimeUnit.SECONDS);
            assertEquals(BIG, (long) got[0]);
            assertEquals(sent.path("sha256").asText(), got[1]);
            stream.end().get(10, TimeUnit.SECONDS);
            stream.closeFuture().get(10, TimeUnit.SECONDS);
            node.await("close", 10, TimeUnit.SECONDS);
            System.out.printf("udx-native -> java: 100 MiB in %d ms (%.1f MB/s) %s%n", nanos / 1_000_000,
                    Transfer.mbPerSecond(BIG, nanos), stream.stats());
        }
    }

    @Test
    void slowJavaReaderClosesUdxNativeWindow() throws Exception {
        UdxStream stream = socket.createStream(JAVA_ID);
        try (NodeUdx node = node(stream, "source", 24 << 20)) {
            java.io.InputStream in = stream.inputStream();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (in.available() < UdxStream.RECEIVE_WINDOW - 65536 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Thread.sleep(1500); // udx-native probes the zero window (HEARTBEAT) and must not overrun it
            int buffered = in.available();
            org.junit.jupiter.api.Assertions.assertTrue(buffered >= UdxStream.RECEIVE_WINDOW - 65536
                    && buffered <= UdxStream.RECEIVE_WINDOW + (1 << 20), "buffered " + buffered);
            Object[] got = Transfer.receiveAll(stream);
            assertEquals(24L << 20, (long) got[0]);
            assertEquals(node.await("sent", 30, TimeUnit.SECONDS).path("sha256").asText(), got[1]);
            stream.end().get(10, TimeUnit.SECONDS);
            stream.closeFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void udxNativeDestroyResetsJavaStream() throws Exception {
        UdxStream stream = socket.createStream(JAVA_ID);
        try (NodeUdx node = node(stream, "destroy", 100_000)) {
            stream.write(Unpooled.wrappedBuffer(new byte[200_000]));
            node.await("destroying", 30, TimeUnit.SECONDS);
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> stream.closeFuture().get(10, TimeUnit.SECONDS));
            assertEquals("ECONNRESET", assertInstanceOf(UdxStreamException.class, e.getCause()).code());
            node.await("close", 10, TimeUnit.SECONDS);
        }
    }

    @Test
    void javaDestroyResetsUdxNativeStream() throws Exception {
        UdxStream stream = socket.createStream(JAVA_ID);
        try (NodeUdx node = node(stream, "await-close", 0)) {
            byte[] first = new byte[1000];
            assertEquals(1000, stream.inputStream().readNBytes(first, 0, 1000));
            stream.destroy();
            stream.closeFuture().get(5, TimeUnit.SECONDS);
            assertEquals("ECONNRESET", node.await("error", 10, TimeUnit.SECONDS).path("code").asText());
            node.await("close", 10, TimeUnit.SECONDS);
        }
    }

    @Test
    void udxNativeAnswersJavaHeartbeats() throws Exception {
        UdxStream stream = socket.createStream(JAVA_ID);
        try (NodeUdx node = node(stream, "echo-message", 0)) {
            stream.send(Unpooled.copiedBuffer("warm", StandardCharsets.UTF_8)); // first writes of a JVM are slow
            node.await("message", 10, TimeUnit.SECONDS);
            long before = stream.packetsReceived();
            stream.setKeepalive(java.time.Duration.ofMillis(100));
            Thread.sleep(1000);
            stream.setKeepalive(java.time.Duration.ZERO);
            long acks = stream.packetsReceived() - before;
            // ~10 heartbeats, each answered by an ACK (the echo of "warm" may land in the window too)
            org.junit.jupiter.api.Assertions.assertTrue(acks >= 5 && acks <= 13, acks + " ACKs for ~10 heartbeats");
            Thread.sleep(200);
            long settled = stream.packetsReceived();
            Thread.sleep(500);
            assertEquals(settled, stream.packetsReceived(), "no heartbeats (so no ACKs) once the keepalive is off");
            stream.destroy();
            assertEquals("ECONNRESET", node.await("error", 10, TimeUnit.SECONDS).path("code").asText());
        }
    }

    @Test
    void messageFramesBothWays() throws Exception {
        UdxStream stream = socket.createStream(JAVA_ID);
        BlockingQueue<String> streamMessages = new ArrayBlockingQueue<>(8);
        BlockingQueue<String> socketMessages = new ArrayBlockingQueue<>(8);
        stream.onMessage(m -> streamMessages.add(m.toString(StandardCharsets.UTF_8)));
        socket.onMessage((s, d, from) -> socketMessages.add(d.toString(StandardCharsets.UTF_8)));
        try (NodeUdx node = node(stream, "echo-message", 0)) {
            stream.send(Unpooled.copiedBuffer("ping", StandardCharsets.UTF_8));
            assertEquals("ping", node.await("message", 10, TimeUnit.SECONDS).path("text").asText());
            assertEquals("echo:ping", streamMessages.poll(10, TimeUnit.SECONDS));
            stream.send(Unpooled.EMPTY_BUFFER);
            assertEquals("", node.await("message", 10, TimeUnit.SECONDS).path("text").asText());
            assertEquals("echo:", streamMessages.poll(10, TimeUnit.SECONDS));
            // a non-UDX datagram (first byte 0x13, like a DHT RPC response) shares the socket both ways
            byte[] rpc = {0x13, 'r', 'p', 'c'};
            socket.send(Unpooled.wrappedBuffer(rpc), new InetSocketAddress(LO, nodePort)).get(5, TimeUnit.SECONDS);
            assertEquals(ByteBufUtil.hexDump(rpc), node.await("socket-message", 10, TimeUnit.SECONDS)
                    .path("hex").asText());
            assertEquals("echo:\u0013rpc", socketMessages.poll(10, TimeUnit.SECONDS));
            CompletableFuture<Void> ended = stream.end();
            assertEquals(-1, stream.inputStream().read());
            ended.get(10, TimeUnit.SECONDS);
            stream.closeFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
