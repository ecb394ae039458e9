package io.tunctl.cli;

import picocli.CommandLine;

import java.io.PrintWriter;

/** {@code tunctl} entry point. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        Logging.configure(Logging.level(System.getenv("TUNCTL_LOG")), null);
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
}
