package io.tunctl.core.tun;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.testkit.BypassNet;
import io.tunctl.core.testkit.Netns;
import io.tunctl.core.testkit.ProcessRunner;
import io.tunctl.core.testkit.Root;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A socket tunctl marks, or binds to a device, stays out of a tunnel that has taken the default route.
 *
 * <p>Namespace A has a TUN whose table 1000 holds {@code default dev tnbyp0}, and wg-quick's rule
 * {@code not fwmark 0x51820 lookup 1000}; a veth leads to namespace B (198.51.100.2), where the servers listen.
 * An unmarked socket's packet to B is routed into the TUN (the test reads it from the {@link TunDevice}); a marked
 * socket, or one bound to the veth, reaches the server in B.
 */
class SocketBypassIT {
    static final long MARK = BypassNet.MARK;
    static final byte[] SERVER = Cidr.parseAddress("198.51.100.2");

    private Netns a;
    private Netns b;
    private NetworkNamespace inA;
    private NetworkNamespace inB;
    private LinuxInterface tun;
    private BypassNet net;
    private final BlockingQueue<byte[]> fromTun = new LinkedBlockingQueue<>();
    private Thread tunReader;

    @BeforeEach
    void setUp() throws IOException {
        net = BypassNet.create("byp");
        a = net.a();
        b = net.b();
        inA = net.inA();
        inB = net.inB();
        tun = net.tun();
        tunReader = Thread.ofPlatform().name("tun-reader").daemon().start(() -> {
            try (Arena arena = Arena.ofConfined()) {
                PacketBatch batch = PacketBatch.allocate(arena, 16, 2048);
                while (tun.device().read(batch) >= 0) {
                    for (int i = 0; i < batch.size(); i++) fromTun.add(batch.toArray(i));
                    batch.clear();
                }
            } catch (IOException e) {
                // closed under the reader: the test is over
            }
        });
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (net != null) net.close();
            if (tunReader != null) tunReader.join(2000);
        } finally {
            net = null;
        }
    }

    /** The first IPv4 packet out of the TUN matching {@code what}, within 5 s, or null. */
    private byte[] awaitFromTun(Predicate<byte[]> what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            byte[] p = fromTun.poll(left, TimeUnit.NANOSECONDS);
            if (p != null && TestPackets.version(p) == 4 && what.test(p)) return p;
        }
        return null;
    }

    private static Predicate<byte[]> toServer(int protocol, int port) {
        return p -> TestPackets.protocol(p) == protocol && Arrays.equals(TestPackets.dst(p), SERVER)
                && TestPackets.u16(p, TestPackets.ihl(p) + 2) == port;
    }

    private DatagramChannel udpServer(int port) throws IOException {
        DatagramChannel s = inB.call(() -> DatagramChannel.open().bind(new InetSocketAddress("198.51.100.2", port)));
        s.socket().setSoTimeout(5000);
        return s;
    }

    private static String receive(DatagramChannel server) throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
        server.socket().receive(p);
        assertEquals("198.51.100.1", p.getAddress().getHostAddress(), "came over the veth");
        return new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
    }

    private static ByteBuffer text(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** What a test does to a socket to keep it out of the tunnel. */
    @FunctionalInterface
    interface KeepOut {
        void apply(NetworkChannel channel) throws IOException;
    }

    private void udpBypass(int port, KeepOut keepOut) throws Exception {
        InetSocketAddress to = new InetSocketAddress("198.51.100.2", port);
        try (DatagramChannel server = udpServer(port);
             DatagramChannel plain = inA.call(DatagramChannel::open);
             DatagramChannel kept = inA.call(DatagramChannel::open)) {
            plain.send(text("into the tunnel"), to);
            byte[] p = awaitFromTun(toServer(TestPackets.PROTO_UDP, port));
            assertTrue(p != null, "the unmarked datagram came out of the TUN");
            assertArrayEquals(Cidr.parseAddress("192.0.2.1"), TestPackets.src(p));
            assertEquals("into the tunnel", new String(p, TestPackets.ihl(p) + 8, p.length - TestPackets.ihl(p) - 8,
                    StandardCharsets.US_ASCII));

            keepOut.apply(kept);
            kept.send(text("around the tunnel"), to);
            assertEquals("around the tunnel", receive(server), "the first datagram B saw is the kept-out one");
        }
    }

    private void tcpBypass(int port, KeepOut keepOut) throws Exception {
        InetSocketAddress to = new InetSocketAddress("198.51.100.2", port);
        try (ServerSocketChannel server = inB.call(() -> ServerSocketChannel.open().bind(to));
             SocketChannel plain = inA.call(SocketChannel::open);
             SocketChannel kept = inA.call(SocketChannel::open)) {
            plain.configureBlocking(false);
            plain.connect(to);
            byte[] syn = awaitFromTun(toServer(TestPackets.PROTO_TCP, port));
            assertTrue(syn != null, "the unmarked SYN came out of the TUN");
            assertEquals(0x02, syn[TestPackets.ihl(syn) + 13] & 0x12, "a SYN");

            keepOut.apply(kept);
            kept.socket().connect(to, 5000);
            kept.write(text("hello"));
            server.socket().setSoTimeout(5000);
            try (SocketChannel accepted = server.socket().accept().getChannel()) {
                assertEquals("198.51.100.1", ((InetSocketAddress) accepted.getRemoteAddress()).getHostString());
                accepted.socket().setSoTimeout(5000);
                byte[] got = accepted.socket().getInputStream().readNBytes(5);
                assertEquals("hello", new String(got, StandardCharsets.US_ASCII));
            }
        }
    }

    @Test
    void markedUdpSocketBypassesTheTunnel() throws Exception {
        udpBypass(5301, ch -> {
            LinuxSockets.setMark(ch, MARK);
            assertEquals(MARK, LinuxSockets.mark(LinuxSockets.fd(ch)));
        });
    }

    @Test
    void markedTcpSocketBypassesTheTunnel() throws Exception {
        tcpBypass(5302, ch -> SocketBypass.mark(MARK).apply(ch));
    }

    @Test
    void udpSocketBoundToTheVethBypassesTheTunnel() throws Exception {
        udpBypass(5303, ch -> {
            LinuxSockets.bindToDevice(ch, "vbypa");
            assertEquals("vbypa", LinuxSockets.boundDevice(LinuxSockets.fd(ch)));
        });
    }

    @Test
    void tcpSocketBoundToTheVethBypassesTheTunnel() throws Exception {
        tcpBypass(5304, ch -> SocketBypass.device("vbypa").apply(LinuxSockets.fd(ch)));
    }

    @Test
    void failuresNameTheCallAndOption() throws Exception {
        try (DatagramChannel ch = inA.call(DatagramChannel::open)) {
            int fd = LinuxSockets.fd(ch);
            assertEquals(0, LinuxSockets.mark(fd));
            assertNull(LinuxSockets.boundDevice(fd));
            NativeException e = assertThrows(NativeException.class, () -> LinuxSockets.bindToDevice(fd, "nosuch0"));
            assertEquals("setsockopt(SO_BINDTODEVICE, \"fd " + fd + " dev nosuch0\"): ENODEV (No such device): no such"
                    + " interface in the socket's network namespace", e.getMessage());
            LinuxSockets.bindToDevice(fd, "vbypa");
            LinuxSockets.bindToDevice(fd, null);
            assertNull(LinuxSockets.boundDevice(fd), "unbound again");
        }
        NativeException e = assertThrows(NativeException.class, () -> LinuxSockets.setMark(-1, MARK));
        assertEquals("setsockopt(SO_MARK)", e.call());
        assertEquals("EBADF", e.errnoName());
        assertThrows(IllegalArgumentException.class, () -> LinuxSockets.setMark(0, 1L << 32));
        DatagramChannel closed = DatagramChannel.open();
        closed.close();
        assertThrows(java.nio.channels.ClosedChannelException.class, () -> LinuxSockets.fd(closed));
    }

    @Test
    void withoutCapNetAdminTheErrorSaysSo() {
        Root.ensureCommand("capsh", "libcap2-bin");
        ProcessRunner.Result r = probe("--add-exports java.base/sun.nio.ch=ALL-UNNAMED", "cap_net_admin,cap_net_raw");
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stdout().strip().matches("setsockopt\\(SO_MARK, \"fd \\d+ mark 0x51820\"\\): EPERM \\(Operation not"
                + " permitted\\): needs CAP_NET_ADMIN \\(run as root\\)"), r.stdout());
    }

    @Test
    void withoutTheExportTheErrorNamesTheFlag() {
        ProcessRunner.Result r = probe("", null);
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("reading the file descriptor of a java.nio channel needs the JVM flag"
                + " --add-exports java.base/sun.nio.ch=ALL-UNNAMED", r.stdout().strip());
    }

    private ProcessRunner.Result probe(String flags, String dropCaps) {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String cp = System.getProperty("java.class.path");
        String cmd = "exec " + q(java) + " --enable-native-access=ALL-UNNAMED " + flags + " -cp " + q(cp) + " "
                + SocketMarkProbe.class.getName();
        List<String> argv = dropCaps == null
                ? List.of("ip", "netns", "exec", a.name(), "sh", "-c", cmd)
                : List.of("ip", "netns", "exec", a.name(), "capsh", "--drop=" + dropCaps, "--", "-c", cmd);
        return ProcessRunner.run(Duration.ofSeconds(60), argv);
    }

    private static String q(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
