package io.tunctl.transport.http;

import io.tunctl.netty.NettyTransport;
import io.netty.channel.EventLoopGroup;
import io.tunctl.core.config.ConfigDocument;
import io.tunctl.core.config.ConfigException;
import io.tunctl.core.config.ConfigProblems;
import io.tunctl.core.spi.Tunnel;
import io.tunctl.core.spi.TunnelContext;
import io.tunctl.transport.http.client.HttpTunnelClient;
import io.tunctl.transport.http.config.ConfigCompiler;
import io.tunctl.transport.http.config.Endpoints;
import io.tunctl.transport.http.config.HttpConfig;
import io.tunctl.transport.http.config.TapotunFile;
import io.tunctl.transport.http.server.HttpTunnelServer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

import static java.lang.System.Logger.Level.ERROR;
import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * All interfaces of one http config running together (tapotun runs every object of its array in one process),
 * on one Netty event loop group. Reloads its file on SIGHUP when it came from one.
 */
public final class HttpTunnel implements Tunnel {
    private final EventLoopGroup group;
    private final List<HttpTunnelServer> servers = new ArrayList<>();
    private final List<HttpTunnelClient> clients = new ArrayList<>();
    private final CountDownLatch closedLatch = new CountDownLatch(1);
    private final System.Logger log;
    private final Path source;
    private volatile boolean closed;

    private HttpTunnel(TunnelContext ctx, Path source) {
        this.log = ctx.logger();
        this.source = source;
        int threads = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));
        this.group = NettyTransport.BEST.newGroup(threads);
    }

    /** Starts every interface of {@code endpoints}; on failure stops what had started and rethrows. */
    public static HttpTunnel open(List<Endpoints.Endpoint> endpoints, TunnelContext ctx, Path source) throws IOException {
        HttpTunnel t = new HttpTunnel(ctx, source);
        try {
            for (Endpoints.Endpoint e : endpoints) {
                switch (e) {
                    case Endpoints.Server s -> {
                        HttpTunnelServer srv = new HttpTunnelServer(s, ctx, t.group);
                        t.servers.add(srv);
                        srv.start();
                    }
                    case Endpoints.Client c -> {
                        HttpTunnelClient cl = new HttpTunnelClient(c, ctx, t.group);
                        t.clients.add(cl);
                        cl.start();
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            t.close();
            throw e;
        }
        if (source != null && !t.servers.isEmpty()) ReloadSignal.register(t);
        return t;
    }

    // for tests of this module: servers and clients are not API (their packages are not exported)
    @SuppressWarnings("exports")
    public List<HttpTunnelServer> servers() { return List.copyOf(servers); }

    @SuppressWarnings("exports")
    public List<HttpTunnelClient> clients() { return List.copyOf(clients); }

    /**
     * Re-reads the config file and applies client changes to the running servers. A file that no longer
     * validates is reported and ignored: the running config stays.
     * @return true when applied
     */
    public boolean reload() {
        if (source == null) return false;
        try {
            ConfigDocument doc = ConfigDocument.read(source);
            Optional<HttpConfig> cfg = TapotunFile.recognise(doc);
            if (cfg.isEmpty()) {
                log.log(ERROR, "reload: {0} is no longer a tapotun config; keeping the running one", source);
                return false;
            }
            ConfigProblems problems = new ConfigProblems(doc);
            List<Endpoints.Endpoint> eps = ConfigCompiler.compile(cfg.get(), problems);
            problems.throwIfAny();
            return apply(eps);
        } catch (ConfigException e) {
            log.log(ERROR, "reload: {0} is invalid, keeping the running config:\n{1}", source, e.getMessage());
            return false;
        }
    }

    /** Applies reloaded endpoints to running servers of the same name. */
    public boolean apply(List<Endpoints.Endpoint> endpoints) {
        for (Endpoints.Endpoint e : endpoints) {
            if (!(e instanceof Endpoints.Server s)) continue;
            HttpTunnelServer srv = servers.stream().filter(x -> x.name().equals(s.name())).findFirst().orElse(null);
            if (srv == null) {
                log.log(WARNING, "reload: new server interface {0} needs a restart", s.name());
                continue;
            }
            srv.reload(s);
        }
        log.log(INFO, "reload of {0} applied", source);
        return true;
    }

    @Override
    public void await() throws InterruptedException {
        closedLatch.await();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        ReloadSignal.unregister(this);
        for (HttpTunnelClient c : clients) c.close();
        for (HttpTunnelServer s : servers) s.close();
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        closedLatch.countDown();
    }
}
