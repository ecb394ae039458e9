package io.tunctl.cli;

import io.tunctl.core.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IExitCodeExceptionMapper;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

import java.io.PrintWriter;

/**
 * Prints failures as one readable message (a stack trace only with {@code --verbose}) and maps them to the
 * documented exit codes: config and usage errors 2, everything else 1.
 */
final class ErrorHandler implements IExecutionExceptionHandler, IExitCodeExceptionMapper, IParameterExceptionHandler {
    static volatile boolean verbose;

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, ParseResult parseResult) {
        PrintWriter err = cl.getErr();
        if (ex instanceof ConfigException ce) {
            ce.problems().forEach(p -> err.println(p));
        } else {
            err.println("tunctl: " + message(ex));
        }
        if (verbose) ex.printStackTrace(err);
        err.flush();
        return getExitCode(ex);
    }

    @Override
    public int getExitCode(Throwable t) {
        return t instanceof ConfigException || t instanceof ParameterException ? ExitCodes.USAGE : ExitCodes.FAILURE;
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        PrintWriter err = ex.getCommandLine().getErr();
        err.println("tunctl: " + ex.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
        return ExitCodes.USAGE;
    }

    static String message(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) m = t.getClass().getSimpleName();
        Throwable c = t.getCause();
        if (c != null && c.getMessage() != null && !m.contains(c.getMessage())) m += ": " + c.getMessage();
        return m;
    }
}
