package io.tunctl.cli;

import io.tunctl.core.runtime.ControlServer;
import io.tunctl.core.runtime.DefaultTunnelContext;
import io.tunctl.core.runtime.StateFile;
import io.tunctl.core.runtime.Transports;
import io.tunctl.core.runtime.TunnelConfig;
import io.tunctl.core.spi.TransportProvider;
import io.tunctl.core.spi.Tunnel;
import io.tunctl.core.tun.Interfaces;
import com.fasterxml.jackson.databind.JsonNode;
import io.tunctl.core.config.ConfigDocument;
import io.tunctl.core.config.ConfigException;
import io.tunctl.transport.p2p.config.NospoonFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code tunctl up <config>} or {@code tunctl up --transport socks [--config FILE] [nano-tun flags]}: brings a tunnel up and keeps it up until SIGINT/SIGTERM (or until the transport
 * ends), then removes every interface, address, route and rule it created.
 */
@Command(name = "up", description = {
        "Bring a tunnel up from a config file and run until SIGINT or SIGTERM.",
        "For socks, nano-tun's flags work too, with or without a file (they override it).",
        "On exit every interface, address, route and rule it created is removed (within 2 s)."})
final class UpCommand implements Callable<Integer> {
    private static final System.Logger LOG = System.getLogger("tunctl");

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "CONFIG", arity = "0..1",
            description = {"tunctl config (JSON, JSONC or YAML) or a seed project's file (nospoon, tapotun, nano-tun).",
                    "Default, as nospoon's: /etc/nospoon/config.jsonc (Windows: %%PROGRAMDATA%%\\nospoon\\config.jsonc)."})
    Path config;

    @Option(names = "--transport", paramLabel = "NAME",
            description = "The transport, when flags alone describe the tunnel (socks: nano-tun's flags below).")
    String transport;

    @Mixin
    SocksFlags socks = new SocksFlags();

    @Override
    public Integer call() throws Exception {
        TunnelConfig tc = TunnelConfig.of(document(), Transports.load());
        configureLogging(tc.config());
        boolean linux = Interfaces.os(System.getProperty("os.name")) == Interfaces.Os.LINUX; // clear error elsewhere
        if (linux) {
            try {
                StateFile.scrubLeftovers(null); // what a killed tunctl left in this namespace (its state file says what)
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot remove what a stopped tunctl left: " + e.getMessage());
            }
        }
        // Linux TUN, macOS utun or Windows Wintun by os.name
        DefaultTunnelContext context = new DefaultTunnelContext(Interfaces::open, tc.interfaceSpec(), LOG);
        Teardown teardown = new Teardown(context, spec.commandLine().getErr());
        Thread hook = new Thread(teardown::runFromHook, "tunctl-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            teardown.tunnel = open(tc, context);
            ControlServer control = linux ? control(tc.provider().name(), teardown.tunnel, context) : null;
            teardown.control(control);
            LOG.log(System.Logger.Level.INFO, "tunnel up (transport {0}); stop with Ctrl-C or SIGTERM",
                    tc.provider().name());
            if (control != null) {
                control.serve(teardown.tunnel); // this thread answers 'tunctl status' until the tunnel ends
            } else {
                teardown.tunnel.await();
            }
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

    /**
     * The config document: the file (positional or {@code --config}), or none with {@code --transport socks}, with
     * the socks flags set on it.
     */
    ConfigDocument document() throws ConfigException {
        CommandLine cl = spec.commandLine();
        if (config != null && socks.config != null) throw new ParameterException(cl, "give the config once: CONFIG or --config");
        Path file = config != null ? config : socks.config;
        if (file == null && transport == null && !socks.any()) {
            // as nospoon up: its default path (/etc/nospoon/config.jsonc, %PROGRAMDATA%\nospoon\config.jsonc)
            file = NospoonFile.defaultPath(System.getProperty("os.name"), System.getenv("PROGRAMDATA"));
            if (!java.nio.file.Files.exists(file)) {
                throw new ParameterException(cl, "give a config file (nospoon's default " + file + " does not "
                        + "exist), or --transport socks with nano-tun's flags");
            }
        }
        if (transport != null && !transport.equals("socks") && (file == null || socks.any())) {
            throw new ParameterException(cl, "only the socks transport takes flags; give transport '" + transport
                    + "' a config file and no socks flags");
        }
        if (file == null) {
            if (socks.proxy == null) throw new ParameterException(cl, "proxy address is required (--proxy)");
            return socks.applyTo(ConfigDocument.parse(null, "{}"));
        }
        ConfigDocument doc = ConfigDocument.read(file);
        var t = doc.root().get("transport");
        if (transport != null && t != null && !transport.equals(t.asText())) {
            throw new ParameterException(cl, "--transport " + transport + " but " + file + " is a '" + t.asText()
                    + "' config");
        }
        if (!socks.any()) return doc;
        boolean socksFile = t != null ? "socks".equals(t.asText())
                : doc.root().isObject() && (transport != null || NANO_TUN_KEYS.stream().anyMatch(doc.root()::has));
        if (!socksFile) throw new ParameterException(cl, "the socks flags apply to a nano-tun or socks config, not " + file);
        return socks.applyTo(doc);
    }

    /** Keys that mark a nano-tun file (the socks transport decides for sure when it reads it). */
    private static final java.util.Set<String> NANO_TUN_KEYS = java.util.Set.of("proxy", "tunName", "stackMode",
            "autoDefaultRoute", "udpTimeout", "excludedProcesses", "excludeRefresh", "excludedIPs", "logLevel", "logDir");

    /**
     * Logs as the transport's config says, when it has a {@code log: {level, dir}} member (socks: nano-tun's
     * logLevel and logDir): stderr plus date-named files. {@code --verbose} still means debug; without a level,
     * TUNCTL_LOG or info.
     */
    private static void configureLogging(Object transportConfig) {
        if (!mayHaveLog(transportConfig.getClass())) return;
        JsonNode log;
        try {
            log = Json.MAPPER.valueToTree(transportConfig).path("log");
        } catch (RuntimeException e) {
            return; // a config Jackson cannot write has no log member we know of
        }
        String level = log.path("level").isTextual() ? log.path("level").asText() : System.getenv("TUNCTL_LOG");
        String dir = log.path("dir").isTextual() && !log.path("dir").asText().isBlank() ? log.path("dir").asText() : null;
        if (dir == null && !log.path("level").isTextual()) return; // nothing beyond what Main set up
        Logging.configure(ErrorHandler.verbose ? Logging.Level.DEBUG : Logging.level(level),
                dir == null ? null : Path.of(dir));
    }

    /**
     * Whether Jackson could write a {@code log} member for a config of {@code type}: a record component, field or
     * accessor of that name ({@code log}, {@code getLog}). Most configs have none, and writing one with Jackson just
     * to find that out costs a start its whole serializer side (about 30 ms of class loading and introspection that
     * nothing else in {@code up} needs).
     */
    static boolean mayHaveLog(Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (var f : c.getDeclaredFields()) if (f.getName().equals("log")) return true;
            for (var m : c.getDeclaredMethods()) {
                if (m.getParameterCount() == 0 && (m.getName().equals("log") || m.getName().equals("getLog"))) return true;
            }
        }
        return false;
    }

    private static final class Json {
        static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = new com.fasterxml.jackson.databind.ObjectMapper();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Tunnel open(TunnelConfig tc, DefaultTunnelContext context) throws IOException {
        TransportProvider p = tc.provider();
        return p.open(tc.config(), context);
    }

    /** The control socket(s) for 'tunctl status', or null (and a warning) when they cannot be made. */
    private static ControlServer control(String transport, Tunnel tunnel, DefaultTunnelContext context) {
        try {
            return ControlServer.start(transport, tunnel, context);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "no control socket ('tunctl status' will not see this tunnel): "
                    + ErrorHandler.message(e));
            return null;
        }
    }

    /** Closes the tunnel and the context exactly once, from the main thread or the shutdown hook. */
    private static final class Teardown {
        final DefaultTunnelContext context;
        /** Not the logger: what it says must reach stderr even while logging is being torn down. */
        final java.io.PrintWriter err;
        final CountDownLatch finished = new CountDownLatch(1);
        volatile Tunnel tunnel;
        private ControlServer control;
        volatile boolean inHook;
        private boolean started;

        Teardown(DefaultTunnelContext context, java.io.PrintWriter err) {
            this.context = context;
            this.err = err;
        }

        /** Keeps the control server to close first; closes it now if the teardown already began. */
        void control(ControlServer c) {
            if (c == null) return;
            synchronized (this) {
                if (!started) {
                    control = c;
                    return;
                }
            }
            c.close();
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
            ControlServer c;
            synchronized (this) {
                if (started) return;
                started = true;
                c = control;
            }
            if (c != null) c.close(); // first: 'tunctl status' stops seeing a tunnel that is going
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
