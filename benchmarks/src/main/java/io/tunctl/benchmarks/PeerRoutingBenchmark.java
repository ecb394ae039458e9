package io.tunctl.benchmarks;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.peer.PeerTable;
import org.openjdk.jmh.annotations.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The server's per-packet peer routing on 1000 peers, each owning a /24 (IPv4) or /48 (IPv6) plus a shared
 * shorter prefix, and allowed to send from its own prefix: the source check, the destination lookup that
 * skips the sender, and both on a packet in a segment as a server runs them. Run with {@code -prof gc} to see
 * 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class PeerRoutingBenchmark {
    private static final int PEERS = 1000;
    private static final int PACKETS = 1024;
    private static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong BE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** A peer as a server keeps it (identity equality). */
    public static final class Peer {
        final int id;

        Peer(int id) { this.id = id; }
    }

    @Param({"4", "6"})
    int ipVersion;
    private final Arena arena = Arena.ofShared();
    private final PeerTable<Peer> table = new PeerTable<>();
    private final Peer[] peers = new Peer[PEERS];
    private MemorySegment packets;
    private int stride;
    private int next;

    @Setup
    public void setup() throws Exception {
        Random r = new Random(11);
        for (int i = 0; i < PEERS; i++) {
            Peer p = peers[i] = new Peer(i);
            Cidr own, shared;
            if (ipVersion == 4) {
                own = Cidr.of(InetAddress.getByAddress(new byte[] {10, (byte) (i >> 8), (byte) i, 0}), 24);
                shared = Cidr.of(InetAddress.getByAddress(new byte[] {10, (byte) (i >> 8), 0, 0}), 16);
            } else {
                byte[] a = Cidr.parseAddress("2001:db8::");
                a[4] = (byte) (i >> 8);
                a[5] = (byte) i;
                own = Cidr.of(InetAddress.getByAddress(a), 48);
                a[5] = 0;
                shared = Cidr.of(InetAddress.getByAddress(a), 40);
            }
            table.routes().add(own, p);
            table.routes().add(shared, p);
            table.sources().allow(p, own);
        }
        // packets: a source inside the sending peer's prefix, a destination in another peer's
        stride = ipVersion == 4 ? 20 : 40;
        packets = arena.allocate((long) PACKETS * stride);
        for (int k = 0; k < PACKETS; k++) {
            long off = (long) k * stride;
            int from = k % PEERS, to = r.nextInt(PEERS);
            if (ipVersion == 4) {
                packets.set(ValueLayout.JAVA_BYTE, off, (byte) 0x45);
                packets.set(BE32, off + 12, 0x0a000000 | from << 8 | 7);
                packets.set(BE32, off + 16, 0x0a000000 | to << 8 | r.nextInt(256));
            } else {
                packets.set(ValueLayout.JAVA_BYTE, off, (byte) 0x60);
                packets.set(BE64, off + 8, 0x20010db800000000L | (long) from << 16);
                packets.set(BE64, off + 16, 7);
                packets.set(BE64, off + 24, 0x20010db800000000L | (long) to << 16);
                packets.set(BE64, off + 32, r.nextLong());
            }
        }
    }

    @TearDown
    public void tearDown() { arena.close(); }

    /** Source check and destination lookup of one packet from its sender, read straight from the segment. */
    @Benchmark
    public Peer admitAndRoute() {
        int k = next++ & (PACKETS - 1);
        long off = (long) k * stride;
        Peer from = peers[k % PEERS];
        if (!table.sources().admit(from, packets, off)) return null;
        return table.routes().lookupDestinationExcept(packets, off, from);
    }

    /** The destination lookup alone, as a Netty handler runs it on addresses read with getInt/getLong. */
    @Benchmark
    public Peer routeExceptSender() {
        int k = next++ & (PACKETS - 1);
        long off = (long) k * stride;
        Peer from = peers[k % PEERS];
        return ipVersion == 4
                ? table.routes().lookupIpv4Except(packets.get(BE32, off + 16), from)
                : table.routes().lookupIpv6Except(packets.get(BE64, off + 24), packets.get(BE64, off + 32), from);
    }

    /** The source check alone. */
    @Benchmark
    public boolean allowedSource() {
        int k = next++ & (PACKETS - 1);
        long off = (long) k * stride;
        Peer from = peers[k % PEERS];
        return ipVersion == 4
                ? table.sources().allowedSourceIpv4(from, packets.get(BE32, off + 12))
                : table.sources().allowedSourceIpv6(from, packets.get(BE64, off + 8), packets.get(BE64, off + 16));
    }
}
