package io.tunctl.core.natives.linux;

import io.tunctl.core.testkit.ProcessRunner;
import io.tunctl.core.tun.OpenTunProbe;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NativeAccessTest {

    @Test
    void hintNamesTheModuleToEnable() {
        assertTrue(Natives.nativeAccessHint(Object.class.getModule()).endsWith("--enable-native-access=java.base"));
        assertTrue(Natives.nativeAccessHint(NativeAccessTest.class.getModule())
                .endsWith("--enable-native-access=ALL-UNNAMED"));
    }

    @Test
    void withoutNativeAccessOpeningFailsWithTheExactFlag() {
        String java = ProcessHandle.current().info().command().orElseThrow();
        ProcessRunner.Result r = ProcessRunner.run(Duration.ofSeconds(60), List.of(java,
                "-cp", System.getProperty("java.class.path"), OpenTunProbe.class.getName(), "tnna0"));
        assertNotEquals(0, r.exitCode());
        assertTrue(r.stderr().contains("IllegalStateException: tunctl uses the FFM API to reach the kernel and needs "
                + "native access: start java with --enable-native-access=ALL-UNNAMED"), r.stderr());
        assertEquals("", r.stdout().strip(), "nothing was opened");
    }
}
