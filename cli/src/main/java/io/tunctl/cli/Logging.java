package io.tunctl.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * tunctl's logging, set up in code: Logback behind SLF4J. tunctl's modules log with {@link System.Logger}, which
 * slf4j-jdk-platform-logging routes here; java.util.logging is bridged too. Lines go to stderr and, given a
 * directory, to date-named files as nano-tun keeps them: {@code tunctl-YYYY-MM-DD.N.log}, a new one after 1 MiB
 * or at midnight, files older than 3 days deleted (Logback's size-and-time rolling policy does all of it).
 */
final class Logging {
    private Logging() {}

    /** Overrides the 1 MiB rotation size (a Logback size such as {@code 64KB}); for tests. */
    static final String MAX_FILE_SIZE_PROPERTY = "tunctl.log.maxFileSize";
    static final String DEFAULT_MAX_FILE_SIZE = "1MB";
    /** Days of files kept, today included (nano-tun: whatever is less than 72 h old). */
    static final int RETENTION_DAYS = 3;

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
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
        // keeps java.util.logging's levels in step, so disabled JUL records cost nothing
        LevelChangePropagator jul = new LevelChangePropagator();
        jul.setContext(ctx);
        jul.setResetJUL(true);
        jul.start();
        ctx.addListener(jul);

        boolean debug = level.toInt() <= Level.DEBUG.toInt();
        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(ctx);
        console.setName("stderr");
        console.setTarget("System.err");
        console.setEncoder(encoder(ctx, "%d{HH:mm:ss.SSS} %-5level %msg%n" + (debug ? "%ex" : "%nopex")));
        console.start();
        root.addAppender(console);
        String problem = null;
        if (dir != null) {
            try {
                Files.createDirectories(dir);
                root.addAppender(files(ctx, dir));
            } catch (IOException | RuntimeException e) {
                problem = "cannot write logs to " + dir + " (" + e.getMessage() + "): logging to stderr only";
            }
        }
        root.setLevel(level);
        // Netty's own debug lines are about its internals, not the tunnel
        ctx.getLogger("io.netty").setLevel(debug && Boolean.getBoolean("tunctl.log.netty") ? Level.DEBUG
                : level.isGreaterOrEqual(Level.INFO) ? level : Level.INFO);
        if (problem != null) root.warn(problem);
    }

    private static RollingFileAppender<ILoggingEvent> files(LoggerContext ctx, Path dir) {
        RollingFileAppender<ILoggingEvent> file = new RollingFileAppender<>();
        file.setContext(ctx);
        file.setName("files");
        SizeAndTimeBasedRollingPolicy<ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
        policy.setContext(ctx);
        policy.setParent(file);
        policy.setFileNamePattern(dir.toAbsolutePath().toString().replace("%", "\\%") + "/tunctl-%d{yyyy-MM-dd}.%i.log");
        policy.setMaxFileSize(FileSize.valueOf(System.getProperty(MAX_FILE_SIZE_PROPERTY, DEFAULT_MAX_FILE_SIZE)));
        policy.setMaxHistory(RETENTION_DAYS);
        policy.setCleanHistoryOnStart(true);
        policy.start();
        file.setRollingPolicy(policy);
        file.setEncoder(encoder(ctx, "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{0}: %msg%n%ex"));
        file.start();
        if (!file.isStarted()) throw new IllegalStateException("the log file appender did not start");
        return file;
    }

    private static PatternLayoutEncoder encoder(LoggerContext ctx, String pattern) {
        PatternLayoutEncoder e = new PatternLayoutEncoder();
        e.setContext(ctx);
        e.setPattern(pattern);
        e.start();
        return e;
    }

    /** Writes out and closes the files (the shutdown hook calls it last). */
    static void stop() {
        ((LoggerContext) LoggerFactory.getILoggerFactory()).stop();
    }
}
