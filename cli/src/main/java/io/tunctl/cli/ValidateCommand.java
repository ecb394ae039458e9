package io.tunctl.cli;

import io.tunctl.core.runtime.Transports;
import io.tunctl.core.runtime.TunnelConfig;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code tunctl validate <config>}: checks a config without touching the system. */
@Command(name = "validate", description = {
        "Check a config file without changing anything.",
        "Prints 'ok' and exits 0, or prints each problem as file:line:col: field: reason and exits 2."})
final class ValidateCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "CONFIG", description = "tunctl config (JSON, JSONC or YAML) or a seed project's file "
            + "(nospoon, tapotun, nano-tun).")
    Path config;

    @Override
    public Integer call() throws Exception {
        TunnelConfig.load(config, Transports.load());
        spec.commandLine().getOut().println("ok");
        return ExitCodes.OK;
    }
}
