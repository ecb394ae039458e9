package io.tunctl.transport.http;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * SIGHUP reloads every running {@link HttpTunnel} that came from a file. The JVM allows one handler per signal,
 * so one handler is installed (through {@code sun.misc.Signal}, in jdk.unsupported) and fans out.
 */
// sun.misc.Signal is the only JDK way to handle SIGHUP (javac warns about it; that warning cannot be suppressed)
final class ReloadSignal {
    private ReloadSignal() {}

    private static final List<HttpTunnel> TUNNELS = new CopyOnWriteArrayList<>();
    private static volatile boolean installed;
    private static final System.Logger LOG = System.getLogger("tunctl.http");

    static synchronized void register(HttpTunnel t) {
        TUNNELS.add(t);
        if (installed) return;
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> {
                for (HttpTunnel x : TUNNELS) x.reload();
            });
            installed = true;
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LOG.log(System.Logger.Level.WARNING, "SIGHUP reload unavailable: {0}", e.getMessage());
        }
    }

    static void unregister(HttpTunnel t) {
        TUNNELS.remove(t);
    }
}
