package io.tunctl.core.tun;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.testkit.Netns;
import io.tunctl.core.testkit.ProcessRunner;
import io.tunctl.core.testkit.Root;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Opens real TUN devices inside a namespace of its own. Needs root. */
class TunDeviceIT {
    private Netns ns;
    private NetworkNamespace netns;

    @BeforeEach
    void setUp() {
        Root.require();
        ns = Netns.create("tn-tun");
        netns = NetworkNamespace.named(ns.name());
    }

    @AfterEach
    void tearDown() {
        if (ns != null) ns.close();
    }

    private boolean linkExists(String name) {
        return ns.exec("ip", "link", "show", "dev", name).ok();
    }

    @Test
    void namedDeviceAppearsInItsNamespaceAndGoesOnClose() throws IOException {
        TunDevice tun = netns.call(() -> TunDevice.open(TunOptions.named("tnt0")));
        try {
            assertEquals("tnt0", tun.name());
            assertTrue(linkExists("tnt0"), "tnt0 in " + ns.name());
            assertFalse(Netns.host("ip", "link", "show", "dev", "tnt0").ok(), "must not appear in the root namespace");
            assertEquals(1500, tun.mtu());
            assertFalse(tun.acceptsGso());
        } finally {
            tun.close();
        }
        tun.close(); // idempotent
        assertFalse(linkExists("tnt0"), "a non-persistent TUN goes away with its fd");
        assertThrows(ClosedChannelException.class, () -> tun.write(batchOf(new byte[40])));
    }

    @Test
    void kernelChoosesName() throws IOException {
        try (TunDevice a = netns.call(() -> TunDevice.open(TunOptions.kernelChosen()));
             TunDevice b = netns.call(() -> TunDevice.open(TunOptions.named(null)))) {
            assertTrue(a.name().matches("tun\\d+"), a.name());
            assertTrue(b.name().matches("tun\\d+"), b.name());
            assertFalse(a.name().equals(b.name()));
            assertTrue(linkExists(a.name()) && linkExists(b.name()));
        }
    }

    @Test
    void secondOpenOfSameNameIsBusyWithHint() throws IOException {
        try (TunDevice a = netns.call(() -> TunDevice.open(TunOptions.named("tnbusy")))) {
            NativeException e = assertThrows(NativeException.class,
                    () -> netns.call(() -> TunDevice.open(TunOptions.named("tnbusy"))));
            assertEquals("EBUSY", e.errnoName(), e.getMessage());
            assertTrue(e.getMessage().startsWith("ioctl(TUNSETIFF, \"tnbusy\"): EBUSY"), e.getMessage());
            assertEquals(a.name(), e.argument());
        }
    }

    @Test
    void batchReadReturnsSeveralReadyPackets() throws Exception {
        try (TunDevice tun = netns.call(() -> TunDevice.open(TunOptions.named("tnb0")));
             Arena arena = Arena.ofConfined()) {
            ns.ip("addr", "add", "192.0.2.1/24", "dev", "tnb0");
            ns.ip("link", "set", "tnb0", "up");
            int sent = 8;
            netns.run(() -> {
                try (DatagramChannel ch = DatagramChannel.open()) {
                    for (int i = 0; i < sent; i++) {
                        ch.send(ByteBuffer.wrap(("datagram " + i).getBytes()), new InetSocketAddress("192.0.2.2", 9999));
                    }
                }
            });
            PacketBatch batch = PacketBatch.allocate(arena, 64, 2048);
            int n = tun.read(batch);
            assertEquals(n, batch.size());
            List<byte[]> udp = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                byte[] p = batch.toArray(i);
                if (TestPackets.version(p) == 4 && TestPackets.protocol(p) == TestPackets.PROTO_UDP) udp.add(p);
            }
            assertEquals(sent, udp.size(), "one read returns every packet already queued (" + n + " read)");
            assertArrayEquals(Cidr.parseAddress("192.0.2.2"), TestPackets.dst(udp.get(0)));
            assertTrue(tun.stats().rxPackets() >= sent);
        }
    }

    @Test
    void echoRequestWrittenIntoTunIsAnsweredOutOfIt() throws Exception {
        try (TunDevice tun = netns.call(() -> TunDevice.open(TunOptions.named("tne0")));
             Arena arena = Arena.ofShared()) {
            ns.ip("addr", "add", "192.0.2.1/24", "dev", "tne0");
            ns.ip("link", "set", "tne0", "up");
            byte[] peer = Cidr.parseAddress("192.0.2.77");
            byte[] local = Cidr.parseAddress("192.0.2.1");
            tun.write(batchOf(TestPackets.icmpEcho(peer, local, 0x77, 1)));
            PacketBatch in = PacketBatch.allocate(arena, 16, 2048);
            byte[] reply = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (reply == null && System.nanoTime() < deadline) {
                in.clear();
                CompletableFuture<Integer> f = CompletableFuture.supplyAsync(() -> {
                    try {
                        return tun.read(in);
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                f.get(5, TimeUnit.SECONDS);
                for (int i = 0; i < in.size(); i++) {
                    byte[] p = in.toArray(i);
                    if (TestPackets.version(p) == 4 && TestPackets.protocol(p) == TestPackets.PROTO_ICMP
                            && p[TestPackets.ihl(p)] == 0) {
                        reply = p;
                    }
                }
            }
            assertTrue(reply != null, "echo reply came out of the TUN");
            assertArrayEquals(local, TestPackets.src(reply));
            assertArrayEquals(peer, TestPackets.dst(reply));
            assertEquals(0x77, TestPackets.u16(reply, TestPackets.ihl(reply) + 4), "echo id");
            assertEquals(1, tun.stats().txPackets());
        }
    }

    @Test
    void packetsTheDeviceCannotTakeAreDroppedAndCounted() throws Exception {
        try (TunDevice tun = netns.call(() -> TunDevice.open(TunOptions.named("tnd0")));
             Arena arena = Arena.ofConfined()) {
            ns.ip("addr", "add", "192.0.2.1/24", "dev", "tnd0");
            ns.ip("link", "set", "tnd0", "up");
            PacketBatch b = PacketBatch.allocate(arena, 4, 4096);
            b.add(new byte[1600], 0, 1600);                       // above the 1500 MTU, no offload
            b.add(new byte[40], 0, 40);                            // IP version 0: the kernel says EINVAL
            byte[] gso = TestPackets.icmpEcho(Cidr.parseAddress("192.0.2.9"), Cidr.parseAddress("192.0.2.1"), 1, 1);
            int i = b.add(gso, 0, gso.length);
            b.setOffload(i, 0, io.tunctl.core.spi.Offload.GSO_TCPV4, 40, 1400, 0, 0); // GSO into a plain TUN
            byte[] ok = TestPackets.icmpEcho(Cidr.parseAddress("192.0.2.9"), Cidr.parseAddress("192.0.2.1"), 2, 1);
            b.add(ok, 0, ok.length);
            tun.write(b);
            assertEquals(3, tun.stats().drops());
            assertEquals(1, tun.stats().txPackets());
        }
    }

    @Test
    void closeWakesBlockedReaderWithinOneSecond() throws Exception {
        TunDevice tun = netns.call(() -> TunDevice.open(TunOptions.named("tnw0")));
        try (Arena arena = Arena.ofShared()) {
            PacketBatch batch = PacketBatch.allocate(arena, 4, 2048);
            CompletableFuture<Integer> reader = new CompletableFuture<>();
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    reader.complete(tun.read(batch)); // interface is down: nothing ever arrives
                } catch (Throwable e) {
                    reader.completeExceptionally(e);
                }
            });
            Thread.sleep(300);
            assertFalse(reader.isDone(), "read blocks while nothing arrives");
            long t0 = System.nanoTime();
            tun.close();
            assertEquals(-1, reader.get(1, TimeUnit.SECONDS));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms < 1000, "woke after " + ms + " ms");
            t.join(1000);
            assertEquals(-1, tun.read(batch), "read after close is end of stream");
            assertFalse(linkExists("tnw0"));
        }
    }

    @Test
    void multiQueueOpensMoreQueuesOfTheSameInterface() throws IOException {
        TunDevice first = netns.call(() -> TunDevice.open(TunOptions.named("tnmq0").withMultiQueue(true)));
        TunDevice second = first.openQueue(); // from this (root namespace) thread: must land in ns
        try {
            assertEquals("tnmq0", second.name());
            assertTrue(ns.ip("-d", "link", "show", "dev", "tnmq0").contains("multi_queue"));
            first.close();
            assertTrue(linkExists("tnmq0"), "interface stays while a queue is open");
        } finally {
            first.close();
            second.close();
        }
        assertFalse(linkExists("tnmq0"));
    }

    @Test
    void withoutCapNetAdminTheErrorSaysSo() throws Exception {
        Root.ensureCommand("capsh", "libcap2-bin");
        String java = ProcessHandle.current().info().command().orElseThrow();
        String cp = System.getProperty("java.class.path");
        String cmd = "exec " + q(java) + " --enable-native-access=ALL-UNNAMED -cp " + q(cp) + " "
                + OpenTunProbe.class.getName() + " tnperm0";
        ProcessRunner.Result r = ProcessRunner.run(Duration.ofSeconds(60),
                List.of("ip", "netns", "exec", ns.name(), "capsh", "--drop=cap_net_admin", "--", "-c", cmd));
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("ioctl(TUNSETIFF, \"tnperm0\"): EPERM (Operation not permitted): needs CAP_NET_ADMIN (run as root)",
                r.stdout().strip());
    }

    private static String q(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static PacketBatch batchOf(byte[] packet) {
        PacketBatch b = PacketBatch.allocate(Arena.ofAuto(), 1, 2048);
        b.add(packet, 0, packet.length);
        return b;
    }
}
