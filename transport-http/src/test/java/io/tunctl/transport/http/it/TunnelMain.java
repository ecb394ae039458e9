package io.tunctl.transport.http.it;

import io.tunctl.core.config.ConfigDocument;
import io.tunctl.core.runtime.DefaultTunnelContext;
import io.tunctl.core.spi.Tunnel;
import io.tunctl.core.tun.LinuxInterface;
import io.tunctl.transport.http.HttpTransportProvider;
import io.tunctl.transport.http.config.HttpConfig;

import java.nio.file.Path;

/**
 * {@code tunctl up <tapotun config>} reduced to the http transport, for the namespace ITs while the CLI's
 * {@code up} command is not on main: recognise the file, open real TUNs in the current namespace, run until
 * SIGTERM (which undoes every address, route and rule). Prints {@code UP} once the tunnel is open.
 */
public final class TunnelMain {
    private TunnelMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: TunnelMain <config.json>");
            System.exit(2);
        }
        HttpTransportProvider provider = new HttpTransportProvider();
        ConfigDocument doc = ConfigDocument.read(Path.of(args[0]));
        HttpConfig config = provider.recognise(doc).orElseThrow(() -> new IllegalArgumentException("not a tapotun file"));
        DefaultTunnelContext ctx = new DefaultTunnelContext(LinuxInterface::create, null, System.getLogger("tunctl"));
        Tunnel t = provider.open(config, ctx);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                t.close();
                ctx.close();
            } catch (Exception e) {
                System.err.println("cleanup failed: " + e);
            }
        }));
        System.out.println("UP");
        System.out.flush();
        t.await();
    }
}
