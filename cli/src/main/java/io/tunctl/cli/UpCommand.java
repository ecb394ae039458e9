package io.tunctl.cli;

import io.tunctl.core.runtime.DefaultTunnelContext;
import io.tunctl.core.runtime.StateFile;
import io.tunctl.core.runtime.Transports;
import io.tunctl.core.runtime.TunnelConfig;
import io.tunctl.core.spi.TransportProvider;
import io.tunctl.core.spi.Tunnel;
import io.tunctl.core.tun.LinuxInterface;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code tunctl up <config>}: brings a tunnel up and keeps it up until SIGINT/SIGTERM (or until the transport
 * ends), then removes every interface, address, route and rule it created.
 */
@Command(name = "up", description = {
        "Bring a tunnel up from a config file and run until SIGINT or SIGTERM.",
        "On exit every interface, address, route and rule it created is removed (within 2 s)."})
final class UpCommand implements Callable<Integer> {
    private static final System.Logger LOG = System.getLogger("tunctl");

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "CONFIG", description = "tunctl config (JSON, JSONC or YAML) or a seed project's file.")
    Path config;

    @Override
    public Integer call() throws Exception {
        TunnelConfig tc = TunnelConfig.load(config, Transports.load());
        try {
            StateFile.scrubLeftovers(null); // what a killed tunctl left in this namespace (its state file says what)
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot remove what a stopped tunctl left: " + e.getMessage());
        }
        DefaultTunnelContext context = new DefaultTunnelContext(LinuxInterface::create, tc.interfaceSpec(), LOG);
        Teardown teardown = new Teardown(context, spec.commandLine().getErr());
        Thread hook = new Thread(teardown::runFromHook, "tunctl-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            teardown.tunnel = open(tc, context);
            LOG.log(System.Logger.Level.INFO, "tunnel up (transport {0}); stop with Ctrl-C or SIGTERM",
                    tc.provider().name());
            teardown.tunnel.await();
            LOG.log(System.Logger.Level.INFO, "tunnel ended");
            return ExitCodes.OK;
        } finally {
            teardown.run();
            if (!teardown.inHook) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running; it finishes the teardown
                }
            }
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Tunnel open(TunnelConfig tc, DefaultTunnelContext context) throws IOException {
        TransportProvider p = tc.provider();
        return p.open(tc.config(), context);
    }

    /** Closes the tunnel and the context exactly once, from the main thread or the shutdown hook. */
    private static final class Teardown {
        final DefaultTunnelContext context;
        /** Not the logger: java.util.logging resets its handlers in its own shutdown hook. */
        final java.io.PrintWriter err;
        final CountDownLatch finished = new CountDownLatch(1);
        volatile Tunnel tunnel;
        volatile boolean inHook;
        private boolean started;

        Teardown(DefaultTunnelContext context, java.io.PrintWriter err) {
            this.context = context;
            this.err = err;
        }

        void runFromHook() {
            inHook = true;
            run();
            try {
                finished.await(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void run() {
            synchronized (this) {
                if (started) return;
                started = true;
            }
            try {
                Tunnel t = tunnel;
                if (t != null) t.close();
            } catch (IOException | RuntimeException e) {
                err.println("tunctl: closing the tunnel: " + ErrorHandler.message(e));
            }
            try {
                context.close();
                err.println("tunctl: removed everything the tunnel created");
            } catch (IOException | RuntimeException e) {
                err.println("tunctl: cleanup incomplete: " + ErrorHandler.message(e));
            } finally {
                err.flush();
                finished.countDown();
            }
        }
    }
}
