package io.tunctl.cli.bench;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The load client's SOCKS5 CONNECT: the messages, and a real exchange with a small SOCKS5 server on loopback. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Socks5ConnectTest {
    private static final InetAddress LOOPBACK = InetAddress.ofLiteral("127.0.0.1");
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) c.close();
    }

    @Test
    void messagesFollowRfc1928() throws IOException {
        assertArrayEquals(new byte[] {5, 1, 0}, Socks5Connect.greeting());
        assertEquals("05 01 00 01 cb 00 71 1a 14 b2",
                hex(Socks5Connect.connectRequest(new InetSocketAddress(InetAddress.ofLiteral("203.0.113.26"), 5298))));
        assertEquals("05 01 00 04 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01 00 50",
                hex(Socks5Connect.connectRequest(new InetSocketAddress(InetAddress.ofLiteral("2001:db8::1"), 80))));
        assertThrows(IllegalArgumentException.class,
                () -> Socks5Connect.connectRequest(InetSocketAddress.createUnresolved("example.org", 80)));

        Socks5Connect.checkMethodSelection(new byte[] {5, 0});
        assertEquals("the SOCKS5 server refuses 'no authentication' (it chose method 255)", assertThrows(
                IOException.class, () -> Socks5Connect.checkMethodSelection(new byte[] {5, (byte) 0xff})).getMessage());
        assertEquals("not a SOCKS5 server (method selection nothing (connection closed))",
                assertThrows(IOException.class, () -> Socks5Connect.checkMethodSelection(new byte[0])).getMessage());
        assertEquals("not a SOCKS5 server (method selection 48 54)", assertThrows(IOException.class,
                () -> Socks5Connect.checkMethodSelection("HT".getBytes())).getMessage());

        assertEquals(6, Socks5Connect.replyRest(new byte[] {5, 0, 0, 1}));
        assertEquals(18, Socks5Connect.replyRest(new byte[] {5, 0, 0, 4}));
        assertEquals(-1, Socks5Connect.replyRest(new byte[] {5, 0, 0, 3}));
        assertEquals("the SOCKS5 server refused the CONNECT: connection not allowed by ruleset (2)", assertThrows(
                IOException.class, () -> Socks5Connect.replyRest(new byte[] {5, 2, 0, 1})).getMessage());
        assertThrows(IOException.class, () -> Socks5Connect.replyRest(new byte[] {5, 0, 0, 9}));
        assertThrows(IOException.class, () -> Socks5Connect.replyRest(new byte[] {5, 0}));
    }

    @Test
    void loadStreamThroughAProxyReachesTheTargetBothWays() throws Exception {
        // the target answers like the bench's sink: reads to the end, then sends the byte count
        ServerSocket target = listen();
        Thread.ofPlatform().daemon().start(() -> {
            try (Socket s = target.accept()) {
                long n = s.getInputStream().transferTo(OutputStream.nullOutputStream());
                s.getOutputStream().write(ByteBuffer.allocate(8).putLong(n).array());
            } catch (IOException ignored) {
                // the test fails on its own side
            }
        });
        InetSocketAddress proxy = socks5Server(0, 1);
        InetSocketAddress to = (InetSocketAddress) target.getLocalSocketAddress();
        try (SocketChannel c = Load.Builtin.open(to, proxy, 5_000)) {
            ByteBuffer data = ByteBuffer.allocate(300_000);
            while (data.hasRemaining()) c.write(data);
            c.shutdownOutput(); // the half-close crosses the proxy, and the answer comes back after it
            ByteBuffer count = ByteBuffer.allocate(8);
            while (count.hasRemaining() && c.read(count) >= 0) { }
            assertEquals(300_000, count.getLong(0));
        }
    }

    @Test
    void aRefusedConnectIsAnErrorNamingTheReply() throws Exception {
        InetSocketAddress proxy = socks5Server(5, 4);
        InetSocketAddress to = new InetSocketAddress(LOOPBACK, 9);
        IOException e = assertThrows(IOException.class, () -> Load.Builtin.open(to, proxy, 5_000));
        assertEquals("the SOCKS5 server refused the CONNECT: connection refused (5)", e.getMessage());
    }

    @Test
    void aSilentServerTimesOut() throws Exception {
        ServerSocket silent = listen(); // accepted by the kernel, never answered
        long t0 = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> Load.Builtin.open(new InetSocketAddress(LOOPBACK, 9),
                (InetSocketAddress) silent.getLocalSocketAddress(), 300));
        assertEquals("the SOCKS5 server did not answer within 300 ms", e.getMessage());
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
    }

    @Test
    void withoutAProxyTheLoadConnectsDirectly() throws Exception {
        ServerSocket target = listen();
        try (SocketChannel c = Load.Builtin.open((InetSocketAddress) target.getLocalSocketAddress(), null, 5_000);
             Socket accepted = target.accept()) {
            assertEquals(c.getLocalAddress(), accepted.getRemoteSocketAddress());
        }
    }

    private ServerSocket listen() throws IOException {
        ServerSocket s = new ServerSocket(0, 50, LOOPBACK);
        open.add(s);
        return s;
    }

    /**
     * A one-connection SOCKS5 server: checks the greeting and the CONNECT request byte for byte, answers with
     * {@code rep} and a bound address of type {@code atyp} (IPv4 or IPv6), and on success relays both ways,
     * passing a half-close on.
     */
    private InetSocketAddress socks5Server(int rep, int atyp) throws IOException {
        ServerSocket server = listen();
        Thread.ofPlatform().daemon().start(() -> {
            try (Socket client = server.accept()) {
                InputStream in = client.getInputStream();
                OutputStream out = client.getOutputStream();
                if (!hex(in.readNBytes(3)).equals("05 01 00")) return;
                out.write(new byte[] {5, 0});
                byte[] head = in.readNBytes(4);
                if (!hex(head).equals("05 01 00 01")) return;
                byte[] ip = in.readNBytes(4);
                int port = ByteBuffer.wrap(in.readNBytes(2)).getShort() & 0xffff;
                byte[] bound = atyp == 1 ? new byte[6] : new byte[18];
                out.write(new byte[] {5, (byte) rep, 0, (byte) atyp});
                out.write(bound);
                if (rep != 0) return;
                try (Socket upstream = new Socket(InetAddress.getByAddress(ip), port)) {
                    Thread up = Thread.ofPlatform().daemon().start(() -> pipe(in, upstream));
                    pipe(upstream.getInputStream(), client);
                    up.join(10_000);
                }
            } catch (IOException | InterruptedException ignored) {
                // the test fails on its own side
            }
        });
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    private static void pipe(InputStream from, Socket to) {
        try {
            from.transferTo(to.getOutputStream());
            to.shutdownOutput();
        } catch (IOException ignored) {
            // one side went away
        }
    }

    private static String hex(byte[] b) {
        return HexFormat.ofDelimiter(" ").formatHex(b);
    }
}
