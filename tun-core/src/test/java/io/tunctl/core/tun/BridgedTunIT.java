package io.tunctl.core.tun;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.InterfaceSpec;
import io.tunctl.core.testkit.Netns;
import io.tunctl.core.testkit.ProcessRunner;
import io.tunctl.core.testkit.Root;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two namespaces, one TUN in each, joined only by a Java loop that reads one TUN and writes the other: the real
 * {@code ping} and {@code iperf3} run across it.
 */
class BridgedTunIT {
    private Netns a;
    private Netns b;

    @BeforeEach
    void setUp() {
        Root.require();
        Root.ensureCommand("ping", "iputils-ping");
        a = Netns.create("tn-tun");
        b = Netns.create("tn-tun");
    }

    @AfterEach
    void tearDown() {
        if (a != null) a.close();
        if (b != null) b.close();
    }

    private LinuxInterface create(Netns ns, String name, boolean offload, String v4, String v6) throws IOException {
        InterfaceSpec spec = InterfaceSpec.of(name, 1420, List.of(Cidr.parse(v4), Cidr.parse(v6))).withOffload(offload);
        return NetworkNamespace.named(ns.name()).call(() -> LinuxInterface.create(spec));
    }

    @Test
    void pingAcrossBridgedTunsIpv4AndIpv6() throws Exception {
        LinuxInterface ta = create(a, "tnbra0", false, "192.0.2.1/24", "2001:db8::1/64");
        LinuxInterface tb = create(b, null, false, "192.0.2.2/24", "2001:db8::2/64"); // kernel-chosen name
        String nameB = tb.name();
        TestPump pump = new TestPump(ta.device(), tb.device(), 2048);
        try {
            ProcessRunner.Result p4 = a.exec(Duration.ofSeconds(20), "ping", "-c", "3", "-i", "0.2", "-W", "2", "192.0.2.2");
            assertEquals(0, p4.exitCode(), p4.stdout() + p4.stderr());
            assertTrue(p4.stdout().contains("3 received"), p4.stdout());
            ProcessRunner.Result p6 = a.exec(Duration.ofSeconds(20), "ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", "2001:db8::2");
            assertEquals(0, p6.exitCode(), p6.stdout() + p6.stderr());
            assertTrue(p6.stdout().contains("3 received"), p6.stdout());
            // a big ping needs the full 1420-byte MTU end to end
            ProcessRunner.Result big = b.exec(Duration.ofSeconds(20), "ping", "-c", "2", "-i", "0.2", "-W", "2",
                    "-M", "do", "-s", "1392", "192.0.2.1");
            assertEquals(0, big.exitCode(), big.stdout() + big.stderr());
            assertTrue(ta.device().stats().rxPackets() >= 6 && tb.device().stats().txPackets() >= 6);
            // measured, not asserted: plain packets, one syscall per packet, MTU 1420
            Root.ensureCommand("iperf3", "iperf3");
            File log = File.createTempFile("iperf3-server", ".log");
            try {
                b.start(log, "iperf3", "-s", "-p", "5201");
                System.out.printf("plain bridge: IPv4 %s%n", iperf(a, "192.0.2.2"));
            } finally {
                Files.deleteIfExists(log.toPath());
            }
        } finally {
            ta.close();
            tb.close();
            pump.close();
        }
        assertNull(pump.failure.get());
        assertFalse(a.exec("ip", "link", "show", "dev", "tnbra0").ok());
        assertFalse(b.exec("ip", "link", "show", "dev", nameB).ok());
        assertFalse(a.ip("addr").contains("192.0.2.1"));
        assertFalse(b.ip("-6", "addr").contains("2001:db8::2"));
    }

    @Test
    void tcpWithVnetHdrCarriesGsoSuperPacketsThroughTheBridge() throws Exception {
        Root.ensureCommand("iperf3", "iperf3");
        LinuxInterface ta = create(a, "tngso0", true, "192.0.2.1/24", "2001:db8::1/64");
        LinuxInterface tb = create(b, "tngso1", true, "192.0.2.2/24", "2001:db8::2/64");
        assertTrue(ta.device().acceptsGso());
        TestPump pump = new TestPump(ta.device(), tb.device(), 65535);
        File log = File.createTempFile("iperf3-server", ".log");
        try {
            b.start(log, "iperf3", "-s", "-p", "5201");
            String v4 = iperf(a, "192.0.2.2");
            long gso4 = pump.gsoTcp4.get();
            String v6 = iperf(a, "2001:db8::2");
            System.out.printf("vnet_hdr bridge: IPv4 %s, IPv6 %s; GSO TCPv4 %d, TCPv6 %d, largest packet %d B, %d packets%n",
                    v4, v6, gso4, pump.gsoTcp6.get(), pump.maxLength.get(), pump.packets.get());
            assertTrue(gso4 > 0, "IPv4 TCP produced GSO_TCPV4 packets");
            assertTrue(pump.gsoTcp6.get() > 0, "IPv6 TCP produced GSO_TCPV6 packets");
            assertTrue(pump.maxLength.get() > 1420, "super-packets are larger than the MTU: " + pump.maxLength.get());
        } finally {
            ta.close();
            tb.close();
            pump.close();
            Files.deleteIfExists(log.toPath());
        }
        assertNull(pump.failure.get());
    }

    /** Runs a 2-second iperf3 client; returns the receiver's rate in Gbit/s as text. */
    /**
     * The MTU goes up while the PacketBridge runs: setMtu wakes the pumps, which re-size their batches before they
     * read again, so a packet of the new size is read whole (a batch sized for the old MTU would lose it).
     */
    @Test
    void raisingTheMtuWhileBridgedCarriesTheBiggerPackets() throws Exception {
        LinuxInterface ta = create(a, "tnbrm0", false, "192.0.2.1/24", "2001:db8::1/64");
        LinuxInterface tb = create(b, "tnbrm1", false, "192.0.2.2/24", "2001:db8::2/64");
        try (io.tunctl.core.bridge.PacketBridge bridge = io.tunctl.core.bridge.PacketBridge.start(ta.device(), tb.device())) {
            ProcessRunner.Result before = a.exec(Duration.ofSeconds(20), "ping", "-c", "2", "-i", "0.2", "-W", "2",
                    "-M", "do", "-s", "1392", "192.0.2.2");
            assertEquals(0, before.exitCode(), before.stdout() + before.stderr());
            NetworkNamespace.named(a.name()).call(() -> { ta.setMtu(4000); return null; });
            NetworkNamespace.named(b.name()).call(() -> { tb.setMtu(4000); return null; });
            ProcessRunner.Result after = a.exec(Duration.ofSeconds(20), "ping", "-c", "3", "-i", "0.2", "-W", "2",
                    "-M", "do", "-s", "3972", "192.0.2.2");
            assertEquals(0, after.exitCode(), "4000-byte packets after the MTU change: " + after.stdout() + after.stderr());
            assertTrue(after.stdout().contains("3 received"), after.stdout());
            assertEquals(0, bridge.counters().dropped());
        } finally {
            ta.close();
            tb.close();
        }
    }

    /**
     * Two io_uring TUNs under a PacketBridge: each direction is forwarded through its source's ring, the other TUN
     * registered there as a fixed file ({@link TunDevice#drive}). TCP (plain, then with TSO super-packets) gets
     * through and is counted, and closing one device alone, with no traffic to wake its forwarder, still ends the
     * bridge within a second, with both interfaces gone: neither ring holds the other TUN open.
     */
    @Test
    void uringTunsForwardThroughTheReadingRingAndCloseEachOther() throws Exception {
        Root.requireThat(io.tunctl.core.uring.UringSupport.isAvailable(), "io_uring not available");
        Root.ensureCommand("iperf3", "iperf3");
        for (boolean offload : new boolean[] {false, true}) {
            String na = offload ? "tnfwo0" : "tnfwp0";
            String nb = offload ? "tnfwo1" : "tnfwp1";
            LinuxInterface ta = NetworkNamespace.named(a.name()).call(() -> LinuxInterface.create(
                    InterfaceSpec.of(na, 1420, List.of(Cidr.parse("192.0.2.1/24"))).withOffload(offload).withIo("uring")));
            LinuxInterface tb = NetworkNamespace.named(b.name()).call(() -> LinuxInterface.create(
                    InterfaceSpec.of(nb, 1420, List.of(Cidr.parse("192.0.2.2/24"))).withOffload(offload).withIo("uring")));
            io.tunctl.core.bridge.PacketBridge bridge = io.tunctl.core.bridge.PacketBridge.start(ta.device(), tb.device());
            File log = File.createTempFile("iperf3-server", ".log");
            try {
                assertTrue(ta.tun().usesUring() && tb.tun().usesUring());
                Process server = b.start(log, "iperf3", "-s", "-p", "5201");
                String rate = iperf(a, "192.0.2.2");
                io.tunctl.core.spi.Bridge.Counters c = bridge.counters();
                System.out.printf("io_uring forwarding (offload %s): %s, %d / %d packets%n", offload, rate,
                        c.aToBPackets(), c.bToAPackets());
                assertTrue(c.aToBPackets() > 1000 && c.bToAPackets() > 100, c.toString());
                assertTrue(tb.device().stats().txPackets() > 1000, tb.device().stats().toString());
                server.destroy(); // quiet both ways before the close below
                server.waitFor();
                Thread.sleep(300);
                // b alone: its forwarder (b -> a) waits for packets that never come; a's (a -> b) holds b's file
                long t0 = System.nanoTime();
                tb.device().close();
                Thread t = Thread.ofPlatform().start(() -> {
                    try {
                        bridge.await();
                    } catch (Exception ignored) {
                        // a ClosedChannelException from the direction whose destination went: the bridge still ended
                    }
                });
                t.join(2000);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertFalse(t.isAlive(), "the bridge did not end after one device closed");
                assertTrue(ms < 1000, "closing one device took " + ms + " ms");
                // the kernel tears a closed ring down in a worker, and with it the last reference its read held to
                // the TUN: the interface goes within milliseconds, not at once. A ring of a's still holding b's file
                // would keep it until a closes (below), far beyond this bound.
                long gone = System.nanoTime() + 1_000_000_000L;
                while (b.exec("ip", "link", "show", "dev", nb).ok() && System.nanoTime() < gone) Thread.sleep(20);
                System.out.printf("%s gone %d ms after its close%n", nb, (System.nanoTime() - t0) / 1_000_000);
                assertFalse(b.exec("ip", "link", "show", "dev", nb).ok(), nb + " still there 1 s after close");
            } finally {
                bridge.close();
                ta.close();
                tb.close();
                Files.deleteIfExists(log.toPath());
            }
            assertFalse(a.exec("ip", "link", "show", "dev", na).ok(), na + " still there after close");
        }
    }

    private static String iperf(Netns ns, String server) throws InterruptedException {
        ProcessRunner.Result r = null;
        for (int attempt = 0; attempt < 20; attempt++) { // the server may still be starting
            r = ns.exec(Duration.ofSeconds(30), "iperf3", "-c", server, "-p", "5201", "-t", "2", "-J");
            if (r.ok() && !r.stdout().contains("\"error\"")) break; // iperf3 -J may exit 0 on refusal
            Thread.sleep(200);
        }
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        Matcher m = Pattern.compile("\"sum_received\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([0-9.e+]+)",
                Pattern.DOTALL).matcher(r.stdout());
        assertTrue(m.find(), r.stdout());
        double gbps = Double.parseDouble(m.group(1)) / 1e9;
        assertTrue(gbps > 0, "no data got through");
        return String.format("%.2f Gbit/s", gbps);
    }
}
