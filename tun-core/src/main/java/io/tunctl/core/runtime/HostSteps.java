package io.tunctl.core.runtime;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Host changes made by running programs, where no system call of tunctl's does them (macOS {@code route},
 * {@code networksetup}, {@code pfctl}; Windows {@code route}, {@code netsh}, PowerShell): each step a command and the
 * command that takes it back. Applied in order; on close taken back newest first. A strict step that fails stops
 * the whole (after taking back what was done); a loose one is logged and skipped, as nospoon runs its IPv6 routes.
 */
public final class HostSteps implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HostSteps.class.getName());
    private static final long TIMEOUT_SECONDS = 20;

    /**
     * One change.
     *
     * @param run    program and arguments
     * @param undo   what takes it back, or an empty list for nothing
     * @param strict whether a failure stops the whole
     */
    public record Step(List<String> run, List<String> undo, boolean strict) {
        public Step {
            if (run.isEmpty()) throw new IllegalArgumentException("a step needs a command");
            run = List.copyOf(run);
            undo = List.copyOf(undo);
        }

        public static Step strict(List<String> run, List<String> undo) { return new Step(run, undo, true); }

        public static Step loose(List<String> run, List<String> undo) { return new Step(run, undo, false); }

        @Override
        public String toString() { return String.join(" ", run); }
    }

    /** Runs one command and returns its output; the seam tests replace. */
    @FunctionalInterface
    public interface Runner {
        String run(List<String> command) throws IOException;

        /** Through {@link HostCommand}, with a time bound. */
        Runner HOST = c -> HostCommand.run(c.getFirst(), null, TIMEOUT_SECONDS,
                c.subList(1, c.size()).toArray(String[]::new));
    }

    private final Runner runner;
    private final List<Step> done = new ArrayList<>();
    private boolean closed;

    private HostSteps(Runner runner) {
        this.runner = runner;
    }

    /** Applies {@code steps} in order with {@code runner}. */
    public static HostSteps apply(List<Step> steps, Runner runner) throws IOException {
        HostSteps s = new HostSteps(runner);
        for (Step step : steps) {
            try {
                runner.run(step.run());
                s.done.add(step);
            } catch (IOException e) {
                if (step.strict()) {
                    s.close();
                    throw new IOException(step + " failed: " + e.getMessage(), e);
                }
                LOG.log(System.Logger.Level.WARNING, "Command failed: " + step + ": " + e.getMessage());
            }
        }
        return s;
    }

    /** Takes back what was done, newest first; failures are logged and the rest still run. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        for (int i = done.size() - 1; i >= 0; i--) {
            Step step = done.get(i);
            if (step.undo().isEmpty()) continue;
            try {
                runner.run(step.undo());
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot take back " + step + ": " + e.getMessage());
            }
        }
    }
}
