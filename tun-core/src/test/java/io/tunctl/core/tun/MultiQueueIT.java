package io.tunctl.core.tun;

import io.tunctl.core.bridge.PacketBridge;
import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.InterfaceSpec;
import io.tunctl.core.testkit.Netns;
import io.tunctl.core.testkit.ProcessRunner;
import io.tunctl.core.testkit.Root;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.File;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A 4-queue TUN in each of two namespaces, joined by a {@link PacketBridge}: each side is a
 * {@link MultiQueueDevice}, one reader thread per queue. {@code iperf3 -P 4} runs across until every queue of both
 * sides has carried packets; the readers allocate nothing per packet meanwhile; closing removes both interfaces and
 * ends every reader.
 *
 * <p>The kernel picks a flow's queue from a hash of its addresses and ports keyed with a per-boot random number, so
 * one run of 4 streams lands on all 4 queues only about one time in ten (4!/4^4); a run's streams use new ports, so
 * runs are repeated (at most {@value #MAX_RUNS}) until every queue was used.
 */
class MultiQueueIT {
    private static final int QUEUES = 4;
    private static final int MAX_RUNS = 12;

    @ParameterizedTest(name = "vnetHdr={0} io={1}")
    @CsvSource({"false,poll", "true,uring"})
    void fourStreamsUseEveryQueueAndCloseCleanly(boolean vnetHdr, String io) throws Exception {
        Root.require();
        Root.ensureCommand("iperf3", "iperf3");
        try (Netns a = Netns.create("tn-mq"); Netns b = Netns.create("tn-mq")) {
            LinuxInterface ta = create(a, "tnmqa", vnetHdr, io, "192.0.2.1/24");
            LinuxInterface tb = create(b, "tnmqb", vnetHdr, io, "192.0.2.2/24");
            File log = File.createTempFile("iperf3-server", ".log");
            PacketBridge bridge = null;
            try {
                MultiQueueDevice ma = assertInstanceOf(MultiQueueDevice.class, ta.device());
                MultiQueueDevice mb = assertInstanceOf(MultiQueueDevice.class, tb.device());
                assertEquals(QUEUES, ma.queues().size());
                assertTrue(ma.pushes());
                assertEquals(io.equals("uring"), ta.tun().usesUring());
                // every queue has a reader of its own: nobody may read the TUN in place
                assertThrows(java.io.IOException.class, () -> ta.tun().openDirectReader());
                bridge = PacketBridge.start(ma, mb);
                b.start(log, "iperf3", "-s", "-p", "5201");
                double bestAlloc = Double.MAX_VALUE;
                int runs = 0;
                long[] rxA = null;
                long[] rxB = null;
                for (; runs < MAX_RUNS; runs++) {
                    long[] readers = readerThreads("tnmqa", "tnmqb");
                    long allocBefore = allocated(readers);
                    long packetsBefore = moved(bridge);
                    double gbps = iperf(a, "192.0.2.2");
                    long packets = moved(bridge) - packetsBefore;
                    double perPacket = (double) (allocated(readers) - allocBefore) / packets;
                    // the first run compiles the readers' loop: JIT and timing vary, keep the best later run
                    if (runs > 0) bestAlloc = Math.min(bestAlloc, perPacket);
                    rxA = rx(ma);
                    rxB = rx(mb);
                    System.out.printf("multi-queue io=%s vnetHdr=%s run %d: %.2f Gbit/s, rx per queue A %s B %s,"
                            + " %.3f bytes allocated per packet by the %d readers%n", io, vnetHdr, runs + 1, gbps,
                            Arrays.toString(rxA), Arrays.toString(rxB), perPacket, readers.length);
                    if (bestAlloc < (vnetHdr && io.equals("uring") ? 32.0 : 1.0) && allUsed(rxA) && allUsed(rxB)) break;
                }
                assertTrue(allUsed(rxA), "every queue of A read packets: " + Arrays.toString(rxA));
                assertTrue(allUsed(rxB), "every queue of B read packets: " + Arrays.toString(rxB));
                // io_uring with IFF_VNET_HDR still allocates a few bytes per read batch, not yet found (a CI run
                // under load saw 10.7 bytes per packet at best, each packet a super-packet of up to 64 KiB, a few per
                // batch); bounded so that an object per packet still fails. Plain TUNs must allocate nothing.
                double bound = vnetHdr && io.equals("uring") ? 32.0 : 1.0;
                assertTrue(bestAlloc < bound, bestAlloc + " bytes allocated per packet by the queue readers");
                assertEquals(2 * QUEUES, readerThreads("tnmqa", "tnmqb").length);
            } finally {
                if (bridge != null) bridge.close();
                ta.close();
                tb.close();
                Files.deleteIfExists(log.toPath());
            }
            bridge.await(); // ended by close, without failure
            // an io_uring TUN goes when the kernel's ring teardown (a work item after the ring's close) lets go of
            // its files: within milliseconds, not at once (BridgedTunIT measures it); poll files do go at once
            long closed = System.nanoTime(), removed = closed + Duration.ofSeconds(1).toNanos();
            while (io.equals("uring") && System.nanoTime() < removed
                    && (a.exec("ip", "link", "show", "dev", "tnmqa").ok()
                            || b.exec("ip", "link", "show", "dev", "tnmqb").ok())) {
                Thread.sleep(20);
            }
            System.out.printf("multi-queue io=%s: interfaces gone %d ms after the bridge ended%n", io,
                    (System.nanoTime() - closed) / 1_000_000);
            assertFalse(a.exec("ip", "link", "show", "dev", "tnmqa").ok(), "interface A removed");
            assertFalse(b.exec("ip", "link", "show", "dev", "tnmqb").ok(), "interface B removed");
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (readerThreads("tnmqa", "tnmqb").length > 0 && System.nanoTime() < deadline) Thread.sleep(20);
            assertEquals(0, readerThreads("tnmqa", "tnmqb").length, "every queue reader ended");
        }
    }

    private static LinuxInterface create(Netns ns, String name, boolean vnetHdr, String io, String address)
            throws Exception {
        InterfaceSpec spec = InterfaceSpec.of(name, 1420, List.of(Cidr.parse(address))).withOffload(vnetHdr)
                .withQueues(QUEUES).withIo(io);
        LinuxInterface li = NetworkNamespace.named(ns.name()).call(() -> LinuxInterface.create(spec));
        ns.exec("sysctl", "-qw", "net.ipv6.conf." + name + ".disable_ipv6=1");
        return li;
    }

    private static boolean allUsed(long[] rx) {
        return rx != null && Arrays.stream(rx).allMatch(n -> n > 0);
    }

    private static long[] rx(MultiQueueDevice d) {
        return d.queues().stream().mapToLong(q -> q.stats().rxPackets()).toArray();
    }

    private static long moved(PacketBridge bridge) {
        var c = bridge.counters();
        return c.aToBPackets() + c.bToAPackets();
    }

    /** Ids of the live reader threads of the devices named (threads "NAME queue I"). */
    private static long[] readerThreads(String... names) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> Arrays.stream(names).anyMatch(n -> t.getName().startsWith(n + " queue ")))
                .mapToLong(Thread::threadId).toArray();
    }

    /**
     * Bytes the threads allocated so far, through com.sun.management.ThreadMXBean, reached reflectively (the test
     * sources are compiled into module io.tunctl.core, which does not read java.management).
     */
    private static long allocated(long[] threads) throws ReflectiveOperationException {
        Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        long[] each = (long[]) Class.forName("com.sun.management.ThreadMXBean")
                .getMethod("getThreadAllocatedBytes", long[].class).invoke(bean, (Object) threads);
        return Arrays.stream(each).sum();
    }

    /** A 1-second {@code iperf3 -P 4}; the receiver's rate in Gbit/s. */
    private static double iperf(Netns ns, String server) throws InterruptedException {
        ProcessRunner.Result r = null;
        for (int attempt = 0; attempt < 20; attempt++) { // the server may still be starting
            r = ns.exec(Duration.ofSeconds(30), "iperf3", "-c", server, "-p", "5201", "-t", "1", "-P", "4", "-J");
            if (r.ok() && !r.stdout().contains("\"error\"")) break; // iperf3 -J may exit 0 on refusal
            Thread.sleep(200);
        }
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        Matcher m = Pattern.compile("\"sum_received\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([0-9.e+]+)",
                Pattern.DOTALL).matcher(r.stdout());
        assertTrue(m.find(), r.stdout());
        double gbps = Double.parseDouble(m.group(1)) / 1e9;
        assertTrue(gbps > 0, "no data got through");
        return gbps;
    }
}
