package io.tunctl.core.tun;

import io.tunctl.core.spi.PollableDevice;
import io.tunctl.core.testkit.Netns;
import io.tunctl.core.testkit.ProcessRunner;
import io.tunctl.core.testkit.Root;
import io.tunctl.core.uring.UringSupport;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * io_uring where it can be used, poll where it cannot: with {@code kernel.io_uring_disabled=2} a process asking for
 * {@code io: auto} logs why once (two devices, one line) and still carries packets; and a TUN that reads through
 * io_uring, or has several queues, refuses a direct reader (two readers would split its packets between them), so
 * the http client's uplink declines and the bridge pumps.
 */
class UringFallbackIT {
    private static final Path SYSCTL = Path.of("/proc/sys/kernel/io_uring_disabled");

    @Test
    void disabledByTheSysctlAutoFallsBackToPollAndSaysWhyOnce() throws Exception {
        Root.require();
        Root.requireThat(Files.exists(SYSCTL), "kernel.io_uring_disabled needs Linux 6.6");
        String before = Files.readString(SYSCTL).strip();
        try (Netns ns = Netns.create("tn-ufb")) {
            Files.writeString(SYSCTL, "2");
            // a probe in this JVM now says why (the sysctl is global, so keep the window short)
            UringSupport.Probe probe = UringSupport.probeNow();
            assertFalse(probe.available());
            assertTrue(probe.cause().contains("io_uring_disabled=2"), probe.cause());
            String java = ProcessHandle.current().info().command().orElseThrow();
            ProcessRunner.Result r = ProcessRunner.run(Duration.ofSeconds(60), List.of("ip", "netns", "exec",
                    ns.name(), java, "--enable-native-access=ALL-UNNAMED", "-Dtunctl.tun.io=auto", "-cp",
                    System.getProperty("java.class.path"), UringFallbackProbe.class.getName()));
            Files.writeString(SYSCTL, before);
            assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
            assertEquals("io_uring=false echo=ok", r.stdout().strip());
            long lines = r.stderr().lines().filter(l -> l.contains("io_uring not used for TUN I/O")).count();
            assertEquals(1, lines, r.stderr());
            assertTrue(r.stderr().contains("kernel.io_uring_disabled=2"), r.stderr());
            System.out.println("fallback logged: " + r.stderr().lines()
                    .filter(l -> l.contains("io_uring")).findFirst().orElse(""));
        } finally {
            Files.writeString(SYSCTL, before);
        }
        // and with the sysctl back, the same probe runs through io_uring
        assertTrue(UringSupport.probeNow().available());
    }

    @Test
    void uringAndMultiQueueDevicesRefuseADirectReader() throws Exception {
        Root.require();
        try (Netns ns = Netns.create("tn-udr");
             TunDevice uring = NetworkNamespace.named(ns.name()).call(
                     () -> TunDevice.open(TunOptions.named("tnudr0").withIo(TunIo.URING)));
             TunDevice mq = NetworkNamespace.named(ns.name()).call(
                     () -> TunDevice.open(TunOptions.named("tnudr1").withMultiQueue(true)));
             TunDevice poll = NetworkNamespace.named(ns.name()).call(
                     () -> TunDevice.open(TunOptions.named("tnudr2").withIo(TunIo.POLL)))) {
            IOException e = assertThrows(IOException.class, uring::openDirectReader);
            assertTrue(e.getMessage().contains("io_uring"), e.getMessage());
            e = assertThrows(IOException.class, mq::openDirectReader);
            assertTrue(e.getMessage().contains("multi-queue"), e.getMessage());
            try (PollableDevice.DirectReader r = poll.openDirectReader()) {
                assertTrue(r.fd() >= 0);
            }
        }
    }
}
