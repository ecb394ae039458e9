package io.tunctl.core.testkit;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The test kit itself: namespaces, veth, commands and cleanup. */
class NetnsIT {

    @Test
    void vethPairConnectsTwoNamespacesAndCloseRemovesEverything() throws Exception {
        Root.require();
        Root.ensureCommand("ping", "iputils-ping");
        String nameA;
        Process sleeper;
        File log = File.createTempFile("netns-it", ".log");
        try (Netns a = Netns.create("tn-kit"); Netns b = Netns.create("tn-kit")) {
            nameA = a.name();
            assertTrue(nameA.startsWith("tn-kit-"));
            assertTrue(Netns.host("ip", "netns", "list").stdout().contains(nameA));
            Netns.veth(a, "kva", "10.201.0.1/24", b, "kvb", "10.201.0.2/24");
            ProcessRunner.Result ping = a.exec("ping", "-c", "1", "-W", "2", "10.201.0.2");
            assertEquals(0, ping.exitCode(), ping.stdout() + ping.stderr());
            assertTrue(a.ip("addr", "show", "dev", "kva").contains("10.201.0.1/24"));
            sleeper = a.start(log, "sleep", "600");
            assertTrue(sleeper.isAlive());
            IllegalStateException t = assertThrows(IllegalStateException.class,
                    () -> a.exec(Duration.ofMillis(300), "sleep", "5"));
            assertTrue(t.getMessage().contains("timed out"), t.getMessage());
        } finally {
            Files.deleteIfExists(log.toPath());
        }
        assertFalse(Netns.host("ip", "netns", "list").stdout().contains(nameA));
        assertTrue(sleeper.waitFor(5, java.util.concurrent.TimeUnit.SECONDS), "processes started inside are killed");
    }
}
