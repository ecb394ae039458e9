package io.tunctl.core.tun;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.testkit.Netns;
import io.tunctl.core.testkit.Root;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The read/write path allocates nothing per packet: echo requests written into the TUN come back as replies,
 * batch after batch, while the thread's allocation counter is watched.
 */
class TunHotPathIT {

    @ParameterizedTest(name = "vnetHdr={0}")
    @ValueSource(booleans = {false, true})
    void echoLoopAllocatesNothingPerPacket(boolean vnetHdr) throws Exception {
        Root.require();
        try (Netns ns = Netns.create("tn-tun");
             TunDevice tun = NetworkNamespace.named(ns.name()).call(
                     () -> TunDevice.open(TunOptions.named("tnhot0").withVnetHdr(vnetHdr)));
             Arena arena = Arena.ofConfined()) {
            ns.ip("addr", "add", "192.0.2.1/24", "dev", "tnhot0");
            ns.ip("link", "set", "tnhot0", "up");
            ns.exec("sysctl", "-qw", "net.ipv6.conf.tnhot0.disable_ipv6=1"); // no IPv6 chatter in the counts
            int per = 32;
            PacketBatch out = PacketBatch.allocate(arena, per, 2048);
            for (int i = 0; i < per; i++) {
                byte[] p = TestPackets.icmpEcho(Cidr.parseAddress("192.0.2.9"), Cidr.parseAddress("192.0.2.1"), 7, i);
                out.add(p, 0, p.length);
            }
            PacketBatch in = PacketBatch.allocate(arena, per, 2048);
            int rounds = 6000;
            int warmup = 3000; // long enough for C2 to recompile after the other mode's profile
            long before = 0;
            long packets = 0;
            long t0 = 0;
            for (int r = 0; r < rounds; r++) {
                if (r == warmup) {
                    before = allocatedBytes();
                    t0 = System.nanoTime();
                }
                tun.write(out);
                int got = 0;
                while (got < per) {
                    in.clear();
                    int n = tun.read(in);
                    assertTrue(n > 0);
                    got += n;
                }
                if (r >= warmup) packets += got;
            }
            long allocated = allocatedBytes() - before;
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("hot path vnetHdr=%s: %d packets echoed, %.3f bytes allocated per packet, %.0f kpps "
                    + "(write+read, one thread)%n", vnetHdr, packets, (double) allocated / packets, 2 * packets / secs / 1e3);
            assertEquals((long) per * (rounds - warmup), packets);
            assertTrue((double) allocated / packets < 1.0, allocated + " bytes for " + packets + " packets");
        }
    }

    /**
     * com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes, reached reflectively: the test sources are
     * compiled into module io.tunctl.core, which does not read java.management (tests run on the class path).
     */
    private static long allocatedBytes() throws ReflectiveOperationException {
        Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        return (long) Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes")
                .invoke(bean);
    }
}
