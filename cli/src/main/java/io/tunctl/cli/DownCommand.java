package io.tunctl.cli;

import io.tunctl.core.runtime.StateFile;
import io.tunctl.core.runtime.Transports;
import io.tunctl.core.runtime.TunnelConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code tunctl down [<tun>|<config>]}: removes what a tunctl killed with SIGKILL, or crashed, left on the host
 * (the policy rules, routes and nftables tables its state file lists). A tunctl still running for that interface
 * is asked to stop (SIGTERM) and cleans up itself.
 */
@Command(name = "down", description = {
        "Remove what a killed or crashed tunctl left behind (rules, routes, nftables tables).",
        "Only what its state file in /run/tunctl lists is removed. A tunctl still running for the interface",
        "is stopped with SIGTERM first. Safe to run any number of times."})
final class DownCommand implements Callable<Integer> {
    private static final long STOP_SECONDS = 10;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "TUN|CONFIG", arity = "0..1", description = "an interface name or a tunctl config "
            + "(its interface); none: every interface of this network namespace.")
    String target;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        String tun = interfaceOf(target);
        for (Path p : tun == null ? StateFile.list() : List.of(StateFile.path(tun))) {
            Optional<StateFile> s = StateFile.read(p);
            if (s.isEmpty() || !s.get().ownerAlive()) continue;
            Optional<ProcessHandle> owner = ProcessHandle.of(s.get().pid());
            if (owner.isEmpty()) continue;
            out.println("stopping tunctl pid " + s.get().pid() + " (" + s.get().tun() + ")");
            out.flush();
            owner.get().destroy();
            try {
                owner.get().onExit().get(STOP_SECONDS, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new java.io.IOException("tunctl pid " + s.get().pid() + " did not stop within " + STOP_SECONDS
                        + " s; stop it (kill -9) and run 'tunctl down' again");
            }
        }
        List<String> removed = StateFile.scrubLeftovers(tun);
        for (String line : removed) out.println("removed " + line);
        if (removed.isEmpty()) out.println("nothing left to remove" + (tun == null ? "" : " for " + tun));
        return ExitCodes.OK;
    }

    /** The interface {@code target} names (a config's, when it is a file), or null for all. */
    private static String interfaceOf(String target) throws Exception {
        if (target == null) return null;
        Path p = Path.of(target);
        if (!Files.isRegularFile(p)) return target;
        TunnelConfig tc = TunnelConfig.load(p, Transports.load());
        String name = tc.interfaceSpec() == null ? null : tc.interfaceSpec().name();
        return name == null || name.contains("%") ? null : name; // a pattern: the kernel chose, so look at all
    }
}
