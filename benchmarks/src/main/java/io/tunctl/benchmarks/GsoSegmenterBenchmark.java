package io.tunctl.benchmarks;

import io.tunctl.core.packet.Checksum;
import io.tunctl.core.packet.GsoCoalescer;
import io.tunctl.core.packet.GsoSegmenter;
import io.tunctl.core.spi.Offload;
import io.tunctl.core.spi.PacketBatch;
import org.openjdk.jmh.annotations.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Software GSO of one 64000-byte TCP super-packet (IPv4 or IPv6, 32-byte TCP header) into 1400-byte-payload
 * segments (46 packets), checksums included, and the reverse: coalescing those 46 segments (each TCP checksum
 * verified) into one super-packet. Bytes/s = 64000 / (time per op).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class GsoSegmenterBenchmark {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    @Param({"4", "6"})
    int ipVersion;
    @Param({"1400"})
    int gsoSize;
    private final Arena arena = Arena.ofShared();
    private PacketBatch src;
    private PacketBatch dst;
    private PacketBatch merged;
    private GsoCoalescer coalescer;

    @Setup
    public void setup() {
        int payload = 64000;
        int ipHdr = ipVersion == 4 ? 20 : 40;
        int len = ipHdr + 32 + payload;
        byte[] p = new byte[len];
        new Random(1).nextBytes(p);
        MemorySegment s = MemorySegment.ofArray(p);
        if (ipVersion == 4) {
            p[0] = 0x45;
            p[1] = 0;
            s.set(U16, 2, (short) len);
            p[6] = 0x40;
            p[7] = 0;
            p[8] = 64;
            p[9] = 6;
        } else {
            p[0] = 0x60;
            s.set(U16, 4, (short) (len - 40));
            p[6] = 6;
            p[7] = 64;
        }
        p[ipHdr + 12] = (byte) 0x80; // 32-byte TCP header
        p[ipHdr + 13] = 0x18; // ACK PSH
        src = PacketBatch.allocate(arena, 1, 65599);
        src.add(p, 0, len);
        MemorySegment b = src.buffer(0);
        if (ipVersion == 4) Checksum.fillIpv4Header(b, 0);
        b.set(U16, ipHdr + 16, (short) 0);
        src.setOffload(0, Offload.F_NEEDS_CSUM, ipVersion == 4 ? Offload.GSO_TCPV4 : Offload.GSO_TCPV6,
                ipHdr + 32, gsoSize, ipHdr, 16);
        dst = PacketBatch.allocate(arena, 64, 1500);
        if (GsoSegmenter.segment(src, 0, dst) != 46) throw new IllegalStateException("expected 46 segments");
        merged = PacketBatch.allocate(arena, 64, 65599);
        coalescer = new GsoCoalescer(64);
        if (coalescer.coalesce(dst, merged) != 1) throw new IllegalStateException("expected 1 super-packet");
    }

    @TearDown
    public void tearDown() { arena.close(); }

    @Benchmark
    public int segment64k() {
        dst.clear();
        return GsoSegmenter.segment(src, 0, dst);
    }

    @Benchmark
    public int coalesce46() {
        merged.clear();
        return coalescer.coalesce(dst, merged);
    }
}
