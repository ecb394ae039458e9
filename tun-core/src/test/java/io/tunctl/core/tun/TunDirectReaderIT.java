package io.tunctl.core.tun;

import io.tunctl.core.natives.linux.Natives;
import io.tunctl.core.natives.linux.libc_h;
import io.tunctl.core.natives.linux.pollfd;
import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.Offload;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PollableDevice;
import io.tunctl.core.testkit.Netns;
import io.tunctl.core.testkit.Root;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The TUN read by an event loop ({@link PollableDevice.DirectReader}): its own descriptor polls readable while
 * replies wait, each read puts the virtio header and the packet where it is told, with nothing allocated per packet,
 * an empty queue reads 0, and once the device closes reads return -1 and the reader's descriptor can be closed.
 */
class TunDirectReaderIT {

    @ParameterizedTest(name = "vnetHdr={0}")
    @ValueSource(booleans = {false, true})
    void pollsReadsInPlaceAllocatesNothingAndEndsWithTheDevice(boolean vnetHdr) throws Exception {
        Root.require();
        try (Netns ns = Netns.create("tn-drd");
             Arena arena = Arena.ofConfined()) {
            TunDevice tun = NetworkNamespace.named(ns.name()).call(
                    () -> TunDevice.open(TunOptions.named("tndrd0").withVnetHdr(vnetHdr)));
            ns.ip("addr", "add", "192.0.2.1/24", "dev", "tndrd0");
            ns.ip("link", "set", "tndrd0", "up");
            ns.exec("sysctl", "-qw", "net.ipv6.conf.tndrd0.disable_ipv6=1");
            PollableDevice.DirectReader reader = tun.openDirectReader();
            assertEquals(vnetHdr ? Offload.VIRTIO_NET_HDR_LEN : 0, reader.headerLength());
            assertNotEquals(tun.toString(), reader.toString());

            int per = 16;
            PacketBatch out = PacketBatch.allocate(arena, per, 2048);
            byte[][] sent = new byte[per][];
            for (int i = 0; i < per; i++) {
                sent[i] = TestPackets.icmpEcho(Cidr.parseAddress("192.0.2.9"), Cidr.parseAddress("192.0.2.1"), 7, i);
                out.add(sent[i], 0, sent[i].length);
            }
            MemorySegment header = arena.allocate(16);
            MemorySegment packet = arena.allocate(65536);
            MemorySegment poll = pollfd.allocateArray(1, arena);
            MemorySegment errno = Natives.allocateCapture(arena);
            pollfd.fd(poll, reader.fd());
            pollfd.events(poll, libc_h.POLLIN());

            // one round checked byte by byte: the kernel's echo replies, in place
            // whatever the interface sent while coming up (IPv6 router solicitations before disable_ipv6) goes first
            for (int i = 0; i < 64 && reader.read(header.address(), packet.address(), 65536) > 0; i++) Thread.sleep(10);
            assertEquals(0, reader.read(header.address(), packet.address(), 65536), "nothing queued");
            tun.write(out);
            for (int i = 0; i < per; i++) {
                assertEquals(1, libc_h.poll(errno, poll, 1, 2000), "the reader's descriptor polls readable");
                int len = reader.read(header.address(), packet.address(), 65536);
                assertEquals(sent[i].length, len);
                assertEquals(0, packet.get(ValueLayout.JAVA_BYTE, 20), "type 0: an echo reply"); // ICMP type
                assertEquals(192, packet.get(ValueLayout.JAVA_BYTE, 16) & 0xff, "to 192.0.2.9");
                if (vnetHdr) assertEquals(Offload.GSO_NONE, header.get(ValueLayout.JAVA_BYTE, 1), "gso_type");
            }
            assertEquals(0, reader.read(header.address(), packet.address(), 65536), "drained");

            for (int r = 0; r < 3000; r++) echo(tun, reader, out, header, packet, per); // C2 compiles the loop
            double best = Double.MAX_VALUE;
            for (int w = 0; w < 20 && best >= 1.0; w++) {
                long before = allocatedBytes();
                long packets = 0;
                for (int r = 0; r < 500; r++) packets += echo(tun, reader, out, header, packet, per);
                best = Math.min(best, (double) (allocatedBytes() - before) / packets);
            }
            System.out.printf("direct reads vnetHdr=%s: %.3f bytes allocated per packet in the best window%n", vnetHdr, best);
            assertTrue(best < 1.0, best + " bytes allocated per packet in every window");

            tun.close();
            assertEquals(-1, reader.read(header.address(), packet.address(), 65536), "the device closed");
            int fd = reader.fd();
            reader.close();
            reader.close(); // idempotent
            assertTrue(libc_h.fcntl(errno, fd, libc_h.F_GETFL(), 0) < 0, "the reader's descriptor is closed");
        }
    }

    private static int echo(TunDevice tun, PollableDevice.DirectReader reader, PacketBatch out, MemorySegment header,
                            MemorySegment packet, int per) throws java.io.IOException {
        tun.write(out);
        int got = 0;
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (got < per) {
            int n = reader.read(header.address(), packet.address(), 65536);
            if (n > 0) got++;
            else if (n < 0 || System.nanoTime() > deadline) throw new AssertionError("replies stopped at " + got);
            else Thread.onSpinWait();
        }
        return got;
    }

    /** See TunHotPathIT: the test sources run on the class path, where java.management is reached reflectively. */
    private static long allocatedBytes() throws ReflectiveOperationException {
        Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        return (long) Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes")
                .invoke(bean);
    }
}
