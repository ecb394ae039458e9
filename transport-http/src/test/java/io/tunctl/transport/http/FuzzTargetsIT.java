package io.tunctl.transport.http;

import io.tunctl.core.testkit.FuzzRunner;
import io.tunctl.transport.http.config.TapotunConfigFuzzer;
import io.tunctl.transport.http.wire.HttpBodyFuzzer;
import io.tunctl.transport.http.wire.TunConfFuzzer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/** The bounded fuzzing stage for transport-http's parsers (see {@link FuzzRunner} for the budget properties). */
class FuzzTargetsIT {
    @TestFactory
    Stream<DynamicTest> fuzzTargets() {
        return Stream.of(
                fuzz(HttpBodyFuzzer.class),
                fuzz(TunConfFuzzer.class),
                fuzz(TapotunConfigFuzzer.class, "io.tunctl.**", "com.fasterxml.jackson.core.**"))
                .filter(t -> FuzzRunner.selected(t.getDisplayName()));
    }

    private static DynamicTest fuzz(Class<?> target, String... instrument) {
        return DynamicTest.dynamicTest(target.getSimpleName(), () -> FuzzRunner.assertNoFinding(target, instrument));
    }
}
