package io.tunctl.transport.p2p;

import io.tunctl.core.testkit.FuzzRunner;
import io.tunctl.transport.p2p.dht.messages.HyperdhtMessagesFuzzer;
import io.tunctl.transport.p2p.secretstream.SecretStreamFuzzer;
import io.tunctl.transport.p2p.udx.UdxHeaderFuzzer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/** The bounded fuzzing stage for transport-p2p's parsers (see {@link FuzzRunner} for the budget properties). */
class FuzzTargetsIT {
    @TestFactory
    Stream<DynamicTest> fuzzTargets() {
        return Stream.of(
                fuzz(UdxHeaderFuzzer.class),
                fuzz(HyperdhtMessagesFuzzer.class),
                fuzz(SecretStreamFuzzer.class))
                .filter(t -> FuzzRunner.selected(t.getDisplayName()));
    }

    private static DynamicTest fuzz(Class<?> target) {
        return DynamicTest.dynamicTest(target.getSimpleName(), () -> FuzzRunner.assertNoFinding(target));
    }
}
