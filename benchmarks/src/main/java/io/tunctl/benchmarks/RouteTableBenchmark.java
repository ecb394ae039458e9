package io.tunctl.benchmarks;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.packet.RouteTable;
import org.openjdk.jmh.annotations.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/** Longest-prefix match of packet destinations against 1000 IPv4 or IPv6 prefixes of mixed lengths. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class RouteTableBenchmark {
    private static final int ADDRS = 1024;

    @Param({"4", "6"})
    int ipVersion;
    private final Arena arena = Arena.ofShared();
    private final RouteTable<Integer> table = new RouteTable<>();
    private MemorySegment addrs;
    private int width;
    private int next;

    @Setup
    public void setup() throws Exception {
        Random r = new Random(5);
        width = ipVersion == 4 ? 4 : 16;
        table.put(Cidr.parse(ipVersion == 4 ? "0.0.0.0/0" : "::/0"), -1);
        for (int i = 0; i < 1000; i++) {
            byte[] a = new byte[width];
            r.nextBytes(a);
            a[0] = (byte) (a[0] & 0x0f); // cluster prefixes so lookups walk deep
            int len = width == 4 ? 8 + r.nextInt(25) : 16 + r.nextInt(113);
            table.put(Cidr.of(java.net.InetAddress.getByAddress(a), len), i);
        }
        addrs = arena.allocate((long) ADDRS * width);
        for (int i = 0; i < ADDRS; i++) {
            byte[] a = new byte[width];
            r.nextBytes(a);
            a[0] = (byte) (a[0] & 0x0f);
            MemorySegment.copy(MemorySegment.ofArray(a), 0, addrs, (long) i * width, width);
        }
    }

    @TearDown
    public void tearDown() { arena.close(); }

    @Benchmark
    public Integer lookup() {
        long off = (long) (next++ & (ADDRS - 1)) * width;
        return width == 4 ? table.lookupIpv4(addrs, off) : table.lookupIpv6(addrs, off);
    }
}
