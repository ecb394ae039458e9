package io.tunctl.benchmarks;

import io.tunctl.core.spi.PacketBatch;
import org.openjdk.jmh.annotations.*;

import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;

/** Cost of moving one packet between batches (the bridge's inner copy). */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class PacketBatchBenchmark {
    @Param({"1400", "65535"})
    int size;
    private PacketBatch src;
    private PacketBatch dst;
    private final Arena arena = Arena.ofShared();

    @Setup
    public void setup() {
        src = PacketBatch.allocate(arena, 32, 65599);
        dst = PacketBatch.allocate(arena, 32, 65599);
        for (int i = 0; i < 32; i++) src.commit(size);
    }

    @TearDown
    public void tearDown() { arena.close(); }

    @Benchmark
    @OperationsPerInvocation(32)
    public int copyBatch() {
        dst.clear();
        for (int i = 0; i < src.size(); i++) src.copyTo(i, dst);
        return dst.size();
    }
}
