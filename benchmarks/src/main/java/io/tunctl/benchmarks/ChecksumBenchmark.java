package io.tunctl.benchmarks;

import io.tunctl.core.packet.Checksum;
import org.openjdk.jmh.annotations.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/** Internet checksum over an off-heap buffer: the 8-byte path against the byte-pair definition. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ChecksumBenchmark {
    @Param({"1400", "65536"})
    int size;
    private final Arena arena = Arena.ofShared();
    private MemorySegment buf;
    private byte[] array;

    @Setup
    public void setup() {
        array = new byte[size];
        new Random(1).nextBytes(array);
        buf = arena.allocate(size, 64);
        MemorySegment.copy(MemorySegment.ofArray(array), 0, buf, 0, size);
    }

    @TearDown
    public void tearDown() { arena.close(); }

    @Benchmark
    public int sumSegment() { return Checksum.sum(buf, 0, size, 0); }

    @Benchmark
    public int sumSegmentOddOffset() { return Checksum.sum(buf, 1, size - 1, 0); }

    @Benchmark
    public int sumBytePairsReference() { return Checksum.sum(array, 0, size, 0); }
}
