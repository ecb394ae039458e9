package io.tunctl.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.List;

/**
 * {@code tunctl p2p <command>}: tools of the p2p transport that run without a tunnel, each its own class:
 * {@code node}, {@code listen}, {@code connect}, {@code lookup}. {@link Main} adds them (only the invoked one when a
 * command line names one), as it does the top-level commands.
 */
@Command(name = "p2p", synopsisSubcommandLabel = "COMMAND",
        description = "Peer-to-peer tools (HyperDHT-compatible) that need no tunnel.")
final class P2pCommand implements Runnable {
    /** The tools' names in usage order. */
    static final List<String> COMMANDS = List.of("node", "listen", "connect", "lookup");

    /** A new tool object for one of {@link #COMMANDS}. */
    static Object command(String name) {
        return switch (name) {
            case "node" -> new P2pNodeCommand();
            case "listen" -> new P2pListenCommand();
            case "connect" -> new P2pConnectCommand();
            case "lookup" -> new P2pLookupCommand();
            default -> throw new IllegalArgumentException("no p2p command " + name);
        };
    }

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand (see tunctl p2p --help)");
    }
}
