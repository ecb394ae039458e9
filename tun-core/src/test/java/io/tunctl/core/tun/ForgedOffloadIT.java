package io.tunctl.core.tun;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.packet.OffloadCheck;
import io.tunctl.core.spi.InterfaceSpec;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.testkit.Netns;
import io.tunctl.core.testkit.OffloadCases;
import io.tunctl.core.testkit.OffloadCases.Case;
import io.tunctl.core.testkit.Root;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Forged virtio headers written into a vnet_hdr TUN in a namespace of its own: the device drops and counts each
 * one under its reason, and the kernel never sees any (the interface's rx counters, errors and drops included, do
 * not move); a valid UDP GSO super-packet written right after them goes in and arrives as datagrams.
 */
class ForgedOffloadIT {
    private static final int MTU = 1400;
    private static final String DEV = "tnofl0";
    private static final byte[] PEER4 = Cidr.parseAddress("192.0.2.2");
    private static final byte[] SELF4 = Cidr.parseAddress("192.0.2.1");
    private static final byte[] PEER6 = Cidr.parseAddress("2001:db8::2");
    private static final byte[] SELF6 = Cidr.parseAddress("2001:db8::1");
    private static final String[] RX = {"rx_packets", "rx_bytes", "rx_errors", "rx_dropped", "rx_frame_errors",
            "rx_length_errors"};

    @Test
    void forgedHeadersAreCountedAndNeverReachTheKernel() throws Exception {
        Root.require();
        try (Netns ns = Netns.create("tn-ofl"); Arena arena = Arena.ofConfined()) {
            NetworkNamespace netns = NetworkNamespace.named(ns.name());
            InterfaceSpec spec = InterfaceSpec.of(DEV, MTU, List.of(Cidr.parse("192.0.2.1/24"),
                    Cidr.parse("2001:db8::1/64"))).withOffload(true);
            LinuxInterface iface = netns.call(() -> LinuxInterface.create(spec));
            DatagramChannel udp = netns.call(() -> DatagramChannel.open(StandardProtocolFamily.INET)
                    .bind(new InetSocketAddress("192.0.2.1", 5300)));
            try {
                TunDevice tun = iface.tun();
                assertTrue(tun.acceptsGso());
                Map<String, Long> before = rx(ns);

                List<Case> forged = OffloadCases.forged(PEER4, SELF4, PEER6, SELF6, MTU);
                PacketBatch batch = PacketBatch.allocate(arena, forged.size(), 65599);
                for (Case c : forged) c.addTo(batch);
                tun.write(batch);

                for (Case c : forged) {
                    assertEquals(1, tun.offloadDrops(c.reason()), "counted under " + OffloadCheck.name(c.reason())
                            + ": " + c.what());
                }
                assertEquals(forged.size(), tun.offloadDrops());
                assertEquals(forged.size(), tun.stats().drops(), "in the device's drops too");
                assertEquals(0, tun.stats().txPackets(), "none written");
                assertEquals(before, rx(ns), "the kernel saw nothing");

                // a valid UDP GSO super-packet next: three 1000-byte datagrams in one write
                Case valid = OffloadCases.udp(PEER4, SELF4, 5300, 3000, 1000);
                assertEquals(OffloadCheck.OK, valid.reason());
                batch.clear();
                valid.addTo(batch);
                tun.write(batch);
                assertEquals(1, tun.stats().txPackets());
                udp.socket().setSoTimeout(5000);
                byte[] payload = valid.packet();
                for (int k = 0; k < 3; k++) {
                    DatagramPacket d = new DatagramPacket(new byte[2048], 2048);
                    udp.socket().receive(d);
                    assertEquals(1000, d.getLength(), "datagram " + k);
                    assertArrayEquals(java.util.Arrays.copyOfRange(payload, 28 + k * 1000, 28 + (k + 1) * 1000),
                            java.util.Arrays.copyOf(d.getData(), 1000), "datagram " + k);
                }
                Map<String, Long> after = rx(ns);
                assertEquals(before.get("rx_packets") + 1, after.get("rx_packets"), "the valid one went in: " + after);
                for (String k : RX) {
                    if (!k.equals("rx_packets") && !k.equals("rx_bytes")) {
                        assertEquals(before.get(k), after.get(k), k + " after the valid packet");
                    }
                }
                assertEquals(forged.size(), tun.offloadDrops(), "the valid one was not refused");
                System.out.printf("forged offload: %d forged packets dropped and counted (%s), kernel rx %s -> %s%n",
                        forged.size(), "one per reason", before, after);
            } finally {
                udp.close();
                iface.close();
            }
        }
    }

    /** The interface's rx counters as the kernel keeps them (/sys/class/net/DEV/statistics, read in the namespace). */
    private static Map<String, Long> rx(Netns ns) {
        String[] cmd = new String[RX.length + 1];
        cmd[0] = "cat";
        for (int i = 0; i < RX.length; i++) cmd[i + 1] = "/sys/class/net/" + DEV + "/statistics/" + RX[i];
        String[] values = ns.exec(cmd).orThrow().trim().split("\\s+");
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < RX.length; i++) m.put(RX[i], Long.parseLong(values[i]));
        return m;
    }
}
