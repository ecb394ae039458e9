package io.tunctl.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** {@code tunctl} entry point. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        configureLogging(System.getenv("TUNCTL_LOG") != null ? Level.parse(System.getenv("TUNCTL_LOG")) : Level.INFO);
        System.exit(commandLine(new PrintWriter(System.out, true), new PrintWriter(System.err, true)).execute(args));
    }

    /** The configured command line; tests call {@code execute} on it with captured writers. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new TunctlCommand());
        cl.setOut(out);
        cl.setErr(err);
        ErrorHandler handler = new ErrorHandler();
        cl.setExecutionExceptionHandler(handler);
        cl.setExitCodeExceptionMapper(handler);
        cl.setParameterExceptionHandler(handler);
        cl.registerConverter(io.tunctl.core.packet.Cidr.class, new CidrConverter());
        return cl;
    }

    /** One line per record on stderr: {@code time level message}. */
    static void configureLogging(Level level) {
        Logger root = Logger.getLogger("");
        for (var h : root.getHandlers()) root.removeHandler(h);
        ConsoleHandler h = new ConsoleHandler();
        h.setLevel(level);
        h.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord r) {
                String msg = formatMessage(r);
                String t = r.getThrown() != null && level.intValue() <= Level.FINE.intValue()
                        ? "\n" + stackTrace(r.getThrown()) : "";
                return String.format("%1$tT.%1$tL %2$s %3$s%4$s%n", r.getMillis(), r.getLevel().getName(), msg, t);
            }
        });
        root.addHandler(h);
        root.setLevel(level);
    }

    private static String stackTrace(Throwable t) {
        var sw = new java.io.StringWriter();
        t.printStackTrace(new PrintWriter(sw));
        return sw.toString();
    }
}
