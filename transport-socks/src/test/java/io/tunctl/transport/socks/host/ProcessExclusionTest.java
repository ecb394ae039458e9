package io.tunctl.transport.socks.host;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcessExclusionTest {

    @Test
    void aMissRescansAtMostOnceASecondAndAHitNeedsNoScan(@TempDir Path proc) throws Exception {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) return; // the fixture is a little-endian dump
        Path net = Files.createDirectories(proc.resolve("self/net"));
        Files.writeString(net.resolve("tcp"), ProcessTableTest.TCP);
        InetSocketAddress app = new InetSocketAddress("198.18.0.1", 0xD431); // SYN_SENT, inode 777
        try (ProcessExclusion ex = new ProcessExclusion(List.of("ExcludedCurl.exe"), Duration.ofHours(1), proc)) {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!ex.excluded(true, app).isDone() && System.nanoTime() < end) Thread.sleep(10);
            // the process appears right after the first scan: a miss within the second does not rescan
            ProcessTableTest.process(proc, 100, "excludedcurl", 777);
            var early = ex.excluded(true, app);
            assertTrue(early.isDone());
            assertFalse(early.get());
            Thread.sleep(1100);
            var later = ex.excluded(true, app);
            assertTrue(later.get(5, TimeUnit.SECONDS), "a miss a second later rescans and finds it");
            var hit = ex.excluded(true, app);
            assertTrue(hit.isDone() && hit.get(), "found in the table without a scan");
            assertFalse(ex.excluded(false, app).get(5, TimeUnit.SECONDS), "a TCP socket says nothing of UDP");
            // a new socket of a process already known is found at once, without waiting for the next full scan
            Files.createSymbolicLink(proc.resolve("100/fd/9"), Path.of("socket:[778]"));
            assertTrue(ex.excluded(true, new InetSocketAddress("198.18.0.1", 0xD432)).get(5, TimeUnit.SECONDS));
        }
    }
}
