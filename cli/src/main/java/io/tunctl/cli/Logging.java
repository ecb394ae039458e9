package io.tunctl.cli;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.TimeZone;

/**
 * tunctl's logging, set up in code. tunctl's modules log with {@link System.Logger}, whose finder ({@link LogFinder})
 * writes here; Netty logs with SLF4J, whose provider ({@link LogProvider}) writes here too. Lines go to stderr and,
 * given a directory, to date-named files as nano-tun keeps them: {@code tunctl-YYYY-MM-DD.N.log}, a new one after
 * 1 MiB or at midnight, files older than 3 days deleted. (Logback did this before; with its ~230 classes and the java.time formatting they pull in, it was 3 MiB of every
 * tunctl process's memory for two line formats and one rolling policy.)
 */
final class Logging {
    private Logging() {}

    /** Overrides the 1 MiB rotation size (a size such as {@code 64KB}, {@code 2MB} or bytes); for tests. */
    static final String MAX_FILE_SIZE_PROPERTY = "tunctl.log.maxFileSize";
    static final String DEFAULT_MAX_FILE_SIZE = "1MB";
    /** Days of files kept, today included (nano-tun: whatever is less than 72 h old). */
    static final int RETENTION_DAYS = 3;

    /** Thresholds, least severe first. */
    enum Level { DEBUG, INFO, WARN, ERROR, OFF }

    // what is enabled is read on every call, from any thread; the sinks are written under the class's lock
    private static volatile Level root = Level.INFO;
    private static volatile Level netty = Level.INFO;
    private static volatile boolean consoleTraces;
    private static PrintStream console = System.err;
    private static RollingFile file;

    /** Levels as nano-tun names them: {@code debug|info|warn|error|none}. */
    static Level level(String name) {
        return switch (name == null ? "info" : name.toLowerCase(Locale.ROOT)) {
            case "debug", "fine", "finer", "finest", "all", "trace" -> Level.DEBUG;
            case "warn", "warning" -> Level.WARN;
            case "error", "severe" -> Level.ERROR;
            case "none", "silent", "off" -> Level.OFF;
            default -> Level.INFO;
        };
    }

    /**
     * (Re)configures logging: stderr, plus rolling files in {@code dir} when it is not null. A directory that
     * cannot be made leaves stderr only (as nano-tun), with a warning.
     */
    static synchronized void configure(Level level, Path dir) {
        closeFile();
        console = System.err;
        boolean debug = level == Level.DEBUG;
        consoleTraces = debug;
        String problem = null;
        if (dir != null) {
            try {
                Files.createDirectories(dir);
                file = new RollingFile(dir.toAbsolutePath(), maxFileSize());
            } catch (IOException | RuntimeException e) {
                problem = "cannot write logs to " + dir + " (" + e.getMessage() + "): logging to stderr only";
            }
        }
        root = level;
        // Netty's own debug lines are about its internals, not the tunnel
        netty = debug && Boolean.getBoolean("tunctl.log.netty") ? Level.DEBUG
                : level.compareTo(Level.INFO) >= 0 ? level : Level.INFO;
        if (problem != null) log("tunctl", Level.WARN, problem, null);
    }

    private static long maxFileSize() {
        String s = System.getProperty(MAX_FILE_SIZE_PROPERTY, DEFAULT_MAX_FILE_SIZE).trim().toUpperCase(Locale.ROOT);
        long unit = s.endsWith("KB") ? 1024 : s.endsWith("MB") ? 1024 * 1024 : s.endsWith("GB") ? 1024 * 1024 * 1024 : 1;
        String digits = unit == 1 ? s : s.substring(0, s.length() - 2).trim();
        try {
            long n = Long.parseLong(digits) * unit;
            if (n > 0) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(MAX_FILE_SIZE_PROPERTY + " is not a size such as 64KB or 1MB: " + s);
    }

    /** Writes out and closes the files. */
    static synchronized void stop() {
        closeFile();
    }

    private static void closeFile() {
        if (file != null) file.close();
        file = null;
    }

    static boolean isNetty(String logger) {
        return logger.startsWith("io.netty") && (logger.length() == 8 || logger.charAt(8) == '.');
    }

    /** Whether a line at {@code level} from a logger ({@code nettyLogger}: one under {@code io.netty}) is written. */
    static boolean enabled(boolean nettyLogger, Level level) {
        return level.compareTo(nettyLogger ? netty : root) >= 0;
    }

    /**
     * One line: on stderr {@code HH:mm:ss.SSS LEVEL message} (with the stack trace at debug), in the files
     * {@code yyyy-MM-ddTHH:mm:ss.SSS+hh:mm LEVEL [thread] Logger: message} and the stack trace.
     */
    static void log(String logger, Level level, String message, Throwable thrown) {
        if (!enabled(isNetty(logger), level)) return;
        long now = System.currentTimeMillis();
        int offset = TimeZone.getDefault().getOffset(now);
        long local = now + offset;
        long day = Math.floorDiv(local, 86_400_000L);
        int ms = (int) Math.floorMod(local, 86_400_000L);
        StringBuilder time = new StringBuilder(12);
        pad(time, ms / 3_600_000, 2).append(':');
        pad(time, ms / 60_000 % 60, 2).append(':');
        pad(time, ms / 1000 % 60, 2).append('.');
        pad(time, ms % 1000, 3);
        String name = level.name();
        String lvl = name.length() < 5 ? name + " " : name;
        String trace = thrown == null ? "" : stackTrace(thrown);
        synchronized (Logging.class) {
            console.print(time + " " + lvl + " " + message + System.lineSeparator() + (consoleTraces ? trace : ""));
            if (file != null) {
                StringBuilder line = new StringBuilder(64 + message.length() + trace.length());
                line.append(date(day)).append('T').append(time);
                if (offset == 0) {
                    line.append('Z');
                } else {
                    int minutes = Math.abs(offset) / 60_000;
                    line.append(offset < 0 ? '-' : '+');
                    pad(line, minutes / 60, 2).append(':');
                    pad(line, minutes % 60, 2);
                }
                line.append(' ').append(lvl).append(" [").append(Thread.currentThread().getName()).append("] ")
                        .append(logger, logger.lastIndexOf('.') + 1, logger.length()).append(": ").append(message)
                        .append(System.lineSeparator()).append(trace);
                file.write(day, line.toString());
            }
        }
    }

    private static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        try (PrintWriter p = new PrintWriter(w)) {
            t.printStackTrace(p);
        }
        return w.toString();
    }

    private static StringBuilder pad(StringBuilder b, long value, int width) {
        String s = Long.toString(value);
        for (int i = s.length(); i < width; i++) b.append('0');
        return b.append(s);
    }

    /** {@code yyyy-MM-dd} of a day counted from 1970-01-01 (proleptic Gregorian, as java.time computes it). */
    static String date(long epochDay) {
        long z = epochDay + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        long d = doy - (153 * mp + 2) / 5 + 1;
        long m = mp < 10 ? mp + 3 : mp - 9;
        StringBuilder b = new StringBuilder(10);
        pad(b, yoe + era * 400 + (m <= 2 ? 1 : 0), 4).append('-');
        pad(b, m, 2).append('-');
        return pad(b, d, 2).toString();
    }

    /**
     * {@code dir/tunctl-DATE.N.log}: appends to today's highest N, moves to N+1 once a file reaches the size limit and
     * to a new date's .0 at midnight, and deletes tunctl files older than {@link #RETENTION_DAYS} at start and at
     * each new date. Failures to write are reported once on stderr, then the line is dropped (as Logback did).
     */
    private static final class RollingFile {
        private final Path dir;
        private final long maxSize;
        private long day = Long.MIN_VALUE;
        private int index;
        private long size;
        private OutputStream out;
        private boolean failed;

        RollingFile(Path dir, long maxSize) throws IOException {
            this.dir = dir;
            this.maxSize = maxSize;
            long today = Math.floorDiv(System.currentTimeMillis()
                    + TimeZone.getDefault().getOffset(System.currentTimeMillis()), 86_400_000L);
            open(today, highestIndex(date(today)));
        }

        private int highestIndex(String date) throws IOException {
            int highest = 0;
            String prefix = "tunctl-" + date + ".";
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, prefix + "*.log")) {
                for (Path p : s) {
                    String n = p.getFileName().toString();
                    String i = n.substring(prefix.length(), n.length() - 4);
                    if (!i.isEmpty() && i.chars().allMatch(Character::isDigit) && i.length() < 9) {
                        highest = Math.max(highest, Integer.parseInt(i));
                    }
                }
            }
            return highest;
        }

        private void open(long day, int index) throws IOException {
            if (out != null) out.close();
            out = null;
            if (day != this.day) deleteOld(day);
            Path f = dir.resolve("tunctl-" + date(day) + "." + index + ".log");
            out = new FileOutputStream(f.toFile(), true);
            this.day = day;
            this.index = index;
            this.size = Files.size(f);
        }

        /** Deletes {@code tunctl-DATE.N.log} files whose DATE is before the first day kept; nothing else. */
        private void deleteOld(long today) throws IOException {
            String oldestKept = date(today - (RETENTION_DAYS - 1));
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "tunctl-????-??-??.*.log")) {
                for (Path p : s) {
                    String date = p.getFileName().toString().substring(7, 17);
                    if (date.compareTo(oldestKept) < 0) Files.deleteIfExists(p);
                }
            }
        }

        void write(long today, String line) {
            try {
                if (today != day) {
                    open(today, 0);
                } else if (out == null) {
                    open(today, index);
                } else if (size >= maxSize) {
                    open(today, index + 1);
                }
                byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
                out.write(bytes);
                size += bytes.length;
                failed = false;
            } catch (IOException e) {
                if (!failed) console.print("cannot write the log file in " + dir + ": " + e + System.lineSeparator());
                failed = true;
            }
        }

        void close() {
            try {
                if (out != null) out.close();
            } catch (IOException e) {
                console.print("cannot close the log file in " + dir + ": " + e + System.lineSeparator());
            }
            out = null;
        }
    }
}
