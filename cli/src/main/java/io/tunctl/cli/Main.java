package io.tunctl.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.List;

/** {@code tunctl} entry point. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        int i = skipRootFlags(args, 0);
        if (i < args.length && TunctlCommand.COMMANDS.contains(args[i])) {
            // The JDK's first look-up of the LoggerFinder makes sure no second one is on the class path: that opens
            // every module jar (≈35 ms). A command logs, so a thread does it while picocli builds the model.
            Thread.ofPlatform().daemon().name("tunctl-logger-finder").start(System.LoggerFinder::getLoggerFinder);
        }
        Logging.configure(Logging.level(System.getenv("TUNCTL_LOG")), null);
        PrintWriter out = new PrintWriter(System.out, true), err = new PrintWriter(System.err, true);
        System.exit(commandLine(out, err, args).execute(args));
    }

    /** The configured command line with every subcommand: usage, man page; tests call {@code execute} on it. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return configure(tree(null, null), out, err);
    }

    /**
     * The command line {@code args} need, which behaves as the full one for them: when they name a subcommand (after
     * nothing but {@code -v}/{@code --verbose}/{@code -V}/{@code --version}), only that subcommand is added, and for
     * {@code p2p} only the named tool; {@code --version} alone adds none. Everything else (no command, {@code --help},
     * {@code --}, an {@code @file}, an unknown name: usage and suggestions list the commands) gets the full tree.
     */
    static CommandLine commandLine(PrintWriter out, PrintWriter err, String... args) {
        int i = skipRootFlags(args, 0);
        if (i == args.length) {
            return configure(version(args) ? new CommandLine(new TunctlCommand()) : tree(null, null), out, err);
        }
        if (!TunctlCommand.COMMANDS.contains(args[i])) return commandLine(out, err);
        String tool = null;
        if (args[i].equals("p2p")) {
            int j = skipRootFlags(args, i + 1);
            if (j < args.length && P2pCommand.COMMANDS.contains(args[j])) tool = args[j];
        }
        return configure(tree(args[i], tool), out, err);
    }

    /** The index of the first argument from {@code from} on that is not one of the root's inherited flags. */
    private static int skipRootFlags(String[] args, int from) {
        int i = from;
        while (i < args.length && switch (args[i]) {
            case "-v", "--verbose", "-V", "--version" -> true;
            default -> false;
        }) i++;
        return i;
    }

    private static boolean version(String[] args) {
        return List.of(args).contains("-V") || List.of(args).contains("--version");
    }

    /**
     * The root with subcommand {@code only} (and of {@code p2p} the tool {@code tool}), or every one when {@code null},
     * added in usage order as {@code @Command(subcommands = ...)} would.
     */
    private static CommandLine tree(String only, String tool) {
        CommandLine root = new CommandLine(new TunctlCommand());
        for (String name : only == null ? TunctlCommand.COMMANDS : List.of(only)) {
            Object command = TunctlCommand.command(name);
            if (command instanceof P2pCommand) {
                CommandLine p2p = new CommandLine(command);
                for (String t : tool == null ? P2pCommand.COMMANDS : List.of(tool)) {
                    p2p.addSubcommand(t, P2pCommand.command(t));
                }
                root.addSubcommand(name, p2p);
            } else {
                root.addSubcommand(name, command);
            }
        }
        return root;
    }

    private static CommandLine configure(CommandLine cl, PrintWriter out, PrintWriter err) {
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
