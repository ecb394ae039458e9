package io.tunctl.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tunctl p2p <command>}: tools of the p2p transport that run without a tunnel. Each is its own class in
 * {@code subcommands}: {@code node}, {@code listen}, {@code connect}, {@code lookup}.
 */
@Command(name = "p2p", synopsisSubcommandLabel = "COMMAND",
        description = "Peer-to-peer tools (HyperDHT-compatible) that need no tunnel.",
        subcommands = {P2pNodeCommand.class, P2pListenCommand.class, P2pConnectCommand.class,
                P2pLookupCommand.class})
final class P2pCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand (see tunctl p2p --help)");
    }
}
