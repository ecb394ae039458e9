package io.tunctl.core;

import io.tunctl.core.config.ConfigDocumentFuzzer;
import io.tunctl.core.packet.GsoCoalescerFuzzer;
import io.tunctl.core.packet.Ipv4ReassemblerFuzzer;
import io.tunctl.core.packet.OffloadFuzzer;
import io.tunctl.core.packet.PacketViewsFuzzer;
import io.tunctl.core.testkit.FuzzRunner;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/**
 * The bounded fuzzing stage for tun-core's parsers: each target under the standalone Jazzer driver for
 * {@code tunctl.fuzz.seconds} (default 10) or {@code tunctl.fuzz.runs} inputs, from its checked-in corpus.
 * Any finding fails with the input and the stack ({@link FuzzRunner}).
 */
class FuzzTargetsIT {
    @TestFactory
    Stream<DynamicTest> fuzzTargets() {
        return Stream.of(
                fuzz(PacketViewsFuzzer.class),
                fuzz(OffloadFuzzer.class),
                fuzz(GsoCoalescerFuzzer.class),
                fuzz(Ipv4ReassemblerFuzzer.class),
                // Jackson's streaming parser instrumented too (its branches are where config texts diverge); databind and
                // SnakeYAML are left out: instrumenting them costs the first input ~30 s on a busy 2-core machine
                fuzz(ConfigDocumentFuzzer.class, "io.tunctl.**", "com.fasterxml.jackson.core.**"))
                .filter(t -> FuzzRunner.selected(t.getDisplayName()));
    }

    private static DynamicTest fuzz(Class<?> target, String... instrument) {
        return DynamicTest.dynamicTest(target.getSimpleName(), () -> FuzzRunner.assertNoFinding(target, instrument));
    }
}
