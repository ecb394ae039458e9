package io.tunctl.transport.p2p.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tunctl.transport.p2p.udx.UdxSocket;
import io.tunctl.transport.p2p.udx.UdxStream;
import io.tunctl.transport.p2p.udx.UdxStreamException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link SecureStream} against the real @hyperswarm/secret-stream 6.9.2 over udx-native (Node), on IPv4 and IPv6
 * loopback: messages both ways, half-close in both directions, keep-alives seen on the wire by Node, Node's
 * {@code setTimeout} held off by them and firing without them, and Node's keep-alives holding off ours.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SecureStreamInteropIT {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int JAVA_ID = 0x1234abcd;
    private static final int NODE_ID = 0x0badf00d;

    /** One Java end and one Node end over a fresh socket, with crossed random handshake keys. */
    private static final class Session implements AutoCloseable {
        final UdxSocket socket;
        final NodeSecretStreamPeer node;
        final SecureStream java;
        final SecureStreamTest.Recorder rec = new SecureStreamTest.Recorder();

        Session(String host, String mode, int nodeKeepAlive, int nodeTimeout) throws Exception {
            byte[] k1 = new byte[32];
            byte[] k2 = new byte[32];
            byte[] hash = new byte[64];
            RANDOM.nextBytes(k1);
            RANDOM.nextBytes(k2);
            RANDOM.nextBytes(hash);
            InetAddress lo = InetAddress.getByName(host);
            socket = UdxSocket.bind(new InetSocketAddress(lo, 0));
            UdxStream udx = socket.createStream(JAVA_ID);
            boolean javaInitiator = RANDOM.nextBoolean();
            java = SecureStream.start(udx, javaInitiator, k1, k2, hash, rec);
            node = NodeSecretStreamPeer.start(mode, socket.localAddress().getPort(), host, NODE_ID, JAVA_ID,
                    !javaInitiator, k2, k1, hash, nodeKeepAlive, nodeTimeout);
            int port = node.expect("ready", 30).path("port").asInt();
            udx.connect(NODE_ID, new InetSocketAddress(lo, port));
        }

        void write(String m) throws Exception {
            byte[] b = m.getBytes(StandardCharsets.UTF_8);
            java.write(b, 0, b.length);
        }

        @Override
        public void close() {
            node.close();
            socket.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void javaEndsFirstNodeReadsTheEndAndStillWrites(String host) throws Exception {
        try (Session s = new Session(host, "echo", 0, 0)) {
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                String m = "m" + i + ":" + "y".repeat(i * 97 % 3000); // up to ~3 KB: several UDX packets
                sent.add(m);
                s.write(m);
            }
            for (String m : sent) {
                assertEquals(m, s.node.expect("message", 10).path("text").asText());
            }
            for (String m : sent) {
                assertEquals("echo:" + m, s.rec.messages.poll(10, TimeUnit.SECONDS));
            }
            s.java.end();
            assertEquals(50, s.node.expect("end", 10).path("received").asInt(), "Node reads end-of-stream");
            for (int i = 0; i < 3; i++) {
                assertEquals("after-end:" + i, s.rec.messages.poll(10, TimeUnit.SECONDS),
                        "Node still writes after our end");
            }
            assertTrue(s.rec.ended.await(10, TimeUnit.SECONDS), "then Node's end reaches us");
            assertNull(s.rec.closed.get(10, TimeUnit.SECONDS), "both ended: a normal close");
            s.node.expect("finish", 10);
            assertTrue(s.node.expect("close", 10).path("error").isNull());
            assertFalse(s.rec.messageAfterEnd);
            // our probes (padded for the IPv6 header when on ::1) were acknowledged by udx-native
            assertTrue(s.java.udx().mtu() > 1200, "MTU " + s.java.udx().mtu());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void nodeEndsFirstJavaReadsTheEndAndStillWrites(String host) throws Exception {
        try (Session s = new Session(host, "end-first", 0, 0)) {
            assertEquals("hello", s.rec.messages.poll(10, TimeUnit.SECONDS));
            assertTrue(s.rec.ended.await(10, TimeUnit.SECONDS), "Node's end() reaches us as end-of-stream");
            assertFalse(s.java.isClosed());
            s.write("after your end");
            assertEquals("after your end", s.node.expect("message", 10).path("text").asText());
            s.java.end().get(10, TimeUnit.SECONDS);
            s.node.expect("end", 10);
            assertNull(s.rec.closed.get(10, TimeUnit.SECONDS));
            assertTrue(s.node.expect("close", 10).path("error").isNull());
        }
    }

    /**
     * Our keep-alive (an empty encrypted message every 150 ms without writes) is what Node sees on the wire as
     * 17-byte frame bodies; it drops them (no 'message') and its 600 ms {@code setTimeout} does not fire. With our
     * keep-alive off, Node times out ("Stream timed out") and destroys the stream, which we see as a reset.
     */
    @Test
    void javaKeepAlivesHoldOffNodesTimeoutAndItFiresWithoutThem() throws Exception {
        try (Session s = new Session("127.0.0.1", "idle", 0, 600)) {
            s.java.setKeepAlive(Duration.ofMillis(150));
            Thread.sleep(3000);
            JsonNode next = s.node.next(0);
            assertNull(next, "no message, end, error or close at Node while keep-alives flow: " + next);
            JsonNode stats = s.node.stats();
            int keepAlives = stats.path("keepAlives").asInt();
            assertTrue(keepAlives >= 12 && keepAlives <= 25, keepAlives + " keep-alive frames in 3 s at 150 ms");
            assertEquals(keepAlives + 1, stats.path("frames").asInt(), "our header frame plus keep-alives only");
            assertEquals(0, s.rec.messages.size());

            s.java.setKeepAlive(Duration.ZERO);
            assertEquals("Stream timed out", s.node.expect("error", 5).path("message").asText());
            s.node.expect("close", 5);
            assertEquals("ECONNRESET", assertInstanceOf(UdxStreamException.class, s.rec.closed.get(5,
                    TimeUnit.SECONDS)).code(), "Node's timeout destroys the UDX stream");
        }
    }

    /** Node's keep-alive (setKeepAlive 150 ms) holds off our 600 ms timeout; we drop its empty messages. */
    @Test
    void nodeKeepAlivesHoldOffJavasTimeout() throws Exception {
        try (Session s = new Session("127.0.0.1", "idle", 150, 0)) {
            s.java.setTimeout(Duration.ofMillis(600));
            Thread.sleep(3000);
            assertFalse(s.java.isClosed(), "our timeout did not fire");
            long seen = s.java.eventLoop().submit(s.java::keepAlivesReceived).get();
            assertTrue(seen >= 12 && seen <= 25, seen + " keep-alives from Node in 3 s at 150 ms");
            assertEquals(0, s.rec.messages.size(), "empty messages are not delivered");
            s.java.destroy();
            s.node.expect("error", 5);
        }
    }

    /** Without Node's keep-alive, our timeout fires and Node sees the reset. */
    @Test
    void javaTimeoutFiresWhenNodeIsSilent() throws Exception {
        try (Session s = new Session("127.0.0.1", "idle", 0, 0)) {
            s.java.setTimeout(Duration.ofMillis(600));
            Throwable cause = s.rec.closed.get(5, TimeUnit.SECONDS);
            assertTrue(cause.getMessage().startsWith("Stream timed out"), cause.getMessage());
            JsonNode err = s.node.expect("error", 5);
            assertTrue(err.path("message").asText().contains("ECONNRESET") || err.path("message").asText()
                    .contains("reset"), err.toString());
        }
    }
}
