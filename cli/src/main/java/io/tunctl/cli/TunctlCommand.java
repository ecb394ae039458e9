package io.tunctl.cli;

import io.tunctl.core.runtime.Transports;
import io.tunctl.core.spi.TransportProvider;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.util.ArrayList;
import java.util.List;

/** The root command: {@code tunctl [--verbose] <command>}. */
@Command(name = "tunctl",
        mixinStandardHelpOptions = true,
        scope = ScopeType.INHERIT, // --help and --version on every subcommand too ("tunctl bench --help")
        versionProvider = TunctlCommand.Version.class,
        description = "Real TUN interfaces for any program, carried over pluggable transports.",
        // the subcommands (COMMANDS) are added by Main, which builds only the model of the one invoked
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:success",
                "1:runtime failure (device, netlink, socket or peer error; the message names the call)",
                "2:bad usage or invalid config (nothing was changed)"},
        footerHeading = "%nEnvironment:%n",
        footer = {"  TUNCTL_LOG       log level (debug, info, warn, error, none); default info",
                "  TUNCTL_PLUGINS   extra plugin jars or folders for the launcher, ':'-separated"})
public final class TunctlCommand {
    /**
     * The subcommands' names in usage order. Each {@code @Command} model costs picocli reflection, annotation proxies
     * and method handles at start (0.2 s for all of them), so {@link Main} makes only the one a command line names.
     */
    static final List<String> COMMANDS = List.of("up", "down", "status", "validate", "genkey", "pubkey", "bench",
            "bench-bridge", "aot-training", "p2p");

    /** A new subcommand object for one of {@link #COMMANDS}. */
    static Object command(String name) {
        return switch (name) {
            case "up" -> new UpCommand();
            case "down" -> new DownCommand();
            case "status" -> new StatusCommand();
            case "validate" -> new ValidateCommand();
            case "genkey" -> new GenkeyCommand();
            case "pubkey" -> new PubkeyCommand();
            case "bench" -> new BenchCommand();
            case "bench-bridge" -> new BenchBridgeCommand();
            case "aot-training" -> new AotTrainingCommand();
            case "p2p" -> new P2pCommand();
            default -> throw new IllegalArgumentException("no command " + name);
        };
    }

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Print stack traces and debug logs.")
    void verbose(boolean v) {
        if (v) {
            ErrorHandler.verbose = true;
            Logging.configure(Logging.Level.DEBUG, null);
        }
    }

    /** {@code tunctl --version}: the CLI version and every transport found, with its jar's version. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            var d = TunctlCommand.class.getModule().getDescriptor();
            String v = d != null && d.rawVersion().isPresent() ? d.rawVersion().get()
                    : TunctlCommand.class.getPackage().getImplementationVersion();
            List<String> lines = new ArrayList<>();
            lines.add("tunctl " + (v != null ? v : "dev") + " (Java " + Runtime.version() + ", "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ")");
            try {
                for (TransportProvider<?> p : Transports.load().all()) {
                    lines.add("  transport " + p.name() + " " + p.version() + " (" + p.getClass().getName() + ")");
                }
            } catch (IllegalStateException e) {
                lines.add("  transports: " + e.getMessage());
            }
            return lines.toArray(String[]::new);
        }
    }
}
