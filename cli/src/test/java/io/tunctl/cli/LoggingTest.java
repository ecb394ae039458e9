package io.tunctl.cli;

import ch.qos.logback.classic.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Logback set up as nano-tun logs: date-named files that rotate by size, kept 3 days; System.Logger routed in. */
class LoggingTest {

    @AfterEach
    void back() {
        System.clearProperty(Logging.MAX_FILE_SIZE_PROPERTY);
        Logging.configure(Level.INFO, null);
    }

    private static List<Path> logs(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void filesAreDateNamedAndRotateAtTheSizeLimit() throws Exception {
        Path dir = Files.createTempDirectory("tunctl-log");
        System.setProperty(Logging.MAX_FILE_SIZE_PROPERTY, "8KB");
        Logging.configure(Level.INFO, dir.resolve("sub"));
        System.Logger log = System.getLogger("io.tunctl.test.rotation");
        String line = "x".repeat(200);
        for (int i = 0; i < 200; i++) {
            log.log(System.Logger.Level.INFO, "[TCP] line {0} {1}", i, line);
            log.log(System.Logger.Level.DEBUG, "not at info");
            if (i % 20 == 0) Thread.sleep(70); // Logback checks the size at most every 60 ms
        }
        Logging.stop();
        String today = LocalDate.now().toString();
        List<Path> files = logs(dir.resolve("sub"));
        assertTrue(files.size() >= 3, "about 44 KB in 8 KB files: " + files);
        for (Path f : files) {
            assertTrue(f.getFileName().toString().matches("tunctl-" + today + "\\.\\d+\\.log"), f.toString());
            assertTrue(Files.size(f) < 8 * 1024 + 20 * 260, f + " is " + Files.size(f) + " bytes");
        }
        String all = String.join("", files.stream().map(LoggingTest::read).toList());
        assertTrue(all.contains("[TCP] line 0 "), "System.Logger reaches the files");
        assertTrue(all.contains("[TCP] line 199 "));
        assertFalse(all.contains("not at info"));
    }

    @Test
    void filesOlderThanThreeDaysAreDeleted() throws Exception {
        Path dir = Files.createTempDirectory("tunctl-log");
        LocalDate today = LocalDate.now();
        Path old = Files.writeString(dir.resolve("tunctl-" + today.minusDays(5) + ".0.log"), "old\n");
        Path older = Files.writeString(dir.resolve("tunctl-" + today.minusDays(9) + ".3.log"), "old\n");
        Path recent = Files.writeString(dir.resolve("tunctl-" + today.minusDays(1) + ".0.log"), "recent\n");
        Path other = Files.writeString(dir.resolve("notes.txt"), "mine\n");
        Logging.configure(Level.INFO, dir);
        System.getLogger("io.tunctl.test.retention").log(System.Logger.Level.WARNING, "hello");
        long deadline = System.nanoTime() + 5_000_000_000L; // the clean-up runs on Logback's own thread
        while ((Files.exists(old) || Files.exists(older)) && System.nanoTime() < deadline) Thread.sleep(50);
        assertFalse(Files.exists(old), logs(dir).toString());
        assertFalse(Files.exists(older), logs(dir).toString());
        assertTrue(Files.exists(recent));
        assertTrue(Files.exists(other));
        assertTrue(Files.exists(dir.resolve("tunctl-" + today + ".0.log")), logs(dir).toString());
    }

    @Test
    void levelsAreNanoTunsNamesAndUnknownMeansInfo() {
        assertEquals(Level.DEBUG, Logging.level("debug"));
        assertEquals(Level.WARN, Logging.level("WARN"));
        assertEquals(Level.ERROR, Logging.level("error"));
        assertEquals(Level.OFF, Logging.level("none"));
        assertEquals(Level.OFF, Logging.level("silent"));
        assertEquals(Level.INFO, Logging.level("chatty"));
        assertEquals(Level.INFO, Logging.level(null));
        assertEquals(Level.DEBUG, Logging.level("FINE"), "TUNCTL_LOG's old names still work");
    }

    @Test
    void aDirectoryThatCannotBeMadeLeavesStderr() throws Exception {
        Path file = Files.createTempFile("tunctl-log", ".txt");
        Logging.configure(Level.INFO, file.resolve("below-a-file"));
        System.getLogger("io.tunctl.test").log(System.Logger.Level.INFO, "still logs");
        assertTrue(Files.isRegularFile(file));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
