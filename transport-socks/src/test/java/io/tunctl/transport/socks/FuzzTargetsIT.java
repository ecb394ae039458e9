package io.tunctl.transport.socks;

import io.tunctl.core.testkit.FuzzRunner;
import io.tunctl.transport.socks.config.NanoTunConfigFuzzer;
import io.tunctl.transport.socks.dns.DnsMessagesFuzzer;
import io.tunctl.transport.socks.proxy.Socks5UdpHeaderFuzzer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/** The bounded fuzzing stage for transport-socks's parsers (see {@link FuzzRunner} for the budget properties). */
class FuzzTargetsIT {
    @TestFactory
    Stream<DynamicTest> fuzzTargets() {
        return Stream.of(
                fuzz(DnsMessagesFuzzer.class, "io.tunctl.**", "io.netty.handler.codec.dns.**"),
                fuzz(Socks5UdpHeaderFuzzer.class),
                fuzz(NanoTunConfigFuzzer.class, "io.tunctl.**", "com.fasterxml.jackson.core.**"))
                .filter(t -> FuzzRunner.selected(t.getDisplayName()));
    }

    private static DynamicTest fuzz(Class<?> target, String... instrument) {
        return DynamicTest.dynamicTest(target.getSimpleName(), () -> FuzzRunner.assertNoFinding(target, instrument));
    }
}
