package io.tunctl.cli;

import io.tunctl.cli.Logging.Level;
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

/** Logging as nano-tun logs: date-named files that rotate by size, kept 3 days; System.Logger routed in. */
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

    @Test
    void systemLoggersAreTunctlsOwnWithLevelsInStep() {
        assertTrue(System.LoggerFinder.getLoggerFinder() instanceof LogFinder, "no other finder in between");
        Logging.configure(Level.WARN, null);
        System.Logger log = System.getLogger("io.tunctl.test.Levels");
        assertTrue(log.isLoggable(System.Logger.Level.ERROR));
        assertTrue(log.isLoggable(System.Logger.Level.WARNING));
        assertFalse(log.isLoggable(System.Logger.Level.INFO));
        Logging.configure(Level.DEBUG, null);
        assertTrue(log.isLoggable(System.Logger.Level.DEBUG));
        assertFalse(log.isLoggable(System.Logger.Level.TRACE), "tunctl's most detailed level is debug");
        assertFalse(System.getLogger("io.netty.channel.X").isLoggable(System.Logger.Level.DEBUG));
        Logging.configure(Level.INFO, null);
    }

    @Test
    void linesKeepTheirFormatOnStderrAndInFiles() throws Exception {
        Path dir = Files.createTempDirectory("tunctl-log");
        java.io.PrintStream err = System.err;
        var captured = new java.io.ByteArrayOutputStream();
        try {
            System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
            Logging.configure(Level.INFO, dir);
            System.getLogger("io.tunctl.test.Format").log(System.Logger.Level.WARNING, "peer b gone",
                    new IllegalStateException("closed"));
            org.slf4j.LoggerFactory.getLogger("io.tunctl.test.Slf4j").info("slf4j {} {}", 1, "two");
            System.getLogger("io.tunctl.test.Format").log(System.Logger.Level.INFO, "up ({0})", "udp");
            org.slf4j.LoggerFactory.getLogger("io.tunctl.test.Slf4j").debug("not at info");
            Logging.stop();
        } finally {
            System.setErr(err);
        }
        String[] console = captured.toString(java.nio.charset.StandardCharsets.UTF_8).split("\\R");
        assertEquals(3, console.length, String.join("|", console));
        assertTrue(console[0].matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN  peer b gone"), console[0]);
        assertTrue(console[1].matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  slf4j 1 two"), console[1]);
        assertTrue(console[2].endsWith(" INFO  up (udp)"), console[2]);
        List<String> lines = Files.readAllLines(logs(dir).getFirst());
        String stamp = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) ";
        String thread = java.util.regex.Pattern.quote(Thread.currentThread().getName());
        assertTrue(lines.get(0).matches(stamp + "WARN  \\[" + thread + "] Format: peer b gone"), lines.get(0));
        assertEquals("java.lang.IllegalStateException: closed", lines.get(1));
        assertTrue(lines.get(2).startsWith("\tat io.tunctl.cli.LoggingTest."), lines.get(2));
        assertTrue(lines.stream().anyMatch(l -> l.matches(stamp + "INFO  \\[" + thread + "] Slf4j: slf4j 1 two")),
                lines.toString());
        assertFalse(String.join("\n", lines).contains("not at info"));
    }

    @Test
    void nettyDebugNeedsItsOwnSwitch() {
        Logging.configure(Level.DEBUG, null);
        assertTrue(org.slf4j.LoggerFactory.getLogger("io.tunctl.x").isDebugEnabled());
        assertFalse(org.slf4j.LoggerFactory.getLogger("io.netty.channel.X").isDebugEnabled());
        assertTrue(org.slf4j.LoggerFactory.getLogger("io.netty.channel.X").isInfoEnabled());
        assertTrue(org.slf4j.LoggerFactory.getLogger("io.nettyish").isDebugEnabled(), "only io.netty's own tree");
        assertFalse(org.slf4j.LoggerFactory.getLogger("io.tunctl.x").isTraceEnabled());
        Logging.configure(Level.ERROR, null);
        assertFalse(org.slf4j.LoggerFactory.getLogger("io.netty.channel.X").isWarnEnabled());
        assertFalse(org.slf4j.LoggerFactory.getLogger("io.tunctl.x").isWarnEnabled());
        assertTrue(org.slf4j.LoggerFactory.getLogger("io.tunctl.x").isErrorEnabled());
    }

    @Test
    void datesAreTheCalendarsOwn() {
        for (long day = -719_000; day < 2_900_000; day += 997) {
            assertEquals(LocalDate.ofEpochDay(day).toString(), Logging.date(day));
        }
        assertEquals("1970-01-01", Logging.date(0));
        assertEquals("2024-02-29", Logging.date(LocalDate.of(2024, 2, 29).toEpochDay()));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
