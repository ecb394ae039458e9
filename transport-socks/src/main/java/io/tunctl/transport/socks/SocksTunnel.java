package io.tunctl.transport.socks;

import io.netty.channel.EventLoopGroup;
import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.Bridge;
import io.tunctl.core.spi.InterfaceHandle;
import io.tunctl.core.spi.InterfaceSpec;
import io.tunctl.core.spi.Tunnel;
import io.tunctl.core.spi.TunnelContext;
import io.tunctl.core.tun.SocketBypass;
import io.tunctl.netty.NettyTransport;
import io.tunctl.transport.socks.config.SocksSettings;
import io.tunctl.transport.socks.engine.system.SystemEngine;
import io.tunctl.transport.socks.flow.FlowDispatcher;
import io.tunctl.core.runtime.AutoRoute;
import io.tunctl.transport.socks.host.ProcessExclusion;
import io.tunctl.transport.socks.proxy.ProxyUrl;
import io.tunctl.transport.socks.proxy.Upstream;
import io.tunctl.transport.socks.proxy.UpstreamOptions;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A running socks transport: the TUN, the system engine bridged to it, the flow dispatcher with its upstreams, one
 * Netty event loop group for every socket (the kernel listener's connections, proxy dials, UDP associations), and
 * optionally the metrics endpoint.
 */
final class SocksTunnel implements Tunnel {
    private static final System.Logger LOG = System.getLogger(SocksTunnel.class.getName());

    private final EventLoopGroup group;
    private final FlowDispatcher dispatcher;
    private final SystemEngine engine;
    private final Bridge bridge;
    private volatile MetricsEndpoint metrics;
    private volatile AutoRoute autoRoute;
    private volatile ProcessExclusion exclusion;
    private volatile boolean closed;

    private SocksTunnel(EventLoopGroup group, FlowDispatcher dispatcher, SystemEngine engine, Bridge bridge) {
        this.group = group;
        this.dispatcher = dispatcher;
        this.engine = engine;
        this.bridge = bridge;
    }

    static SocksTunnel open(SocksSettings s, InterfaceSpec spec, TunnelContext context) throws IOException {
        NettyTransport netty = NettyTransport.BEST;
        EventLoopGroup group = netty.newGroup(Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors())));
        SystemEngine engine = null;
        FlowDispatcher dispatcher = null;
        ProcessExclusion exclusion = null;
        SocksTunnel t = null;
        try {
            SocketBypass bypass = s.mark() != 0 ? SocketBypass.mark(s.mark()) : SocketBypass.NONE;
            UpstreamOptions uo = new UpstreamOptions(s.connectTimeout(), bypass, netty);
            ProxyUrl url = ProxyUrl.parse(s.proxy());
            Upstream proxy = Upstream.of(url, uo);
            Upstream direct = Upstream.of(ProxyUrl.parse("direct://"), uo);
            dispatcher = new FlowDispatcher(s, proxy, direct, group);
            if (!s.excludeProcesses().isEmpty()) {
                exclusion = new ProcessExclusion(s.excludeProcesses(), s.excludeRefresh(), java.nio.file.Path.of("/proc"));
                dispatcher.exclusion(exclusion);
            }
            InterfaceHandle tun = context.openInterface(spec);
            InetAddress host4 = first(spec, Inet4Address.class), host6 = first(spec, Inet6Address.class);
            InetAddress gw4 = s.gateway().stream().filter(a -> a instanceof Inet4Address).findFirst().orElse(null);
            InetAddress gw6 = s.gateway().stream().filter(a -> a instanceof Inet6Address).findFirst().orElse(null);
            engine = new SystemEngine(new SystemEngine.Options(host4, host6, gw4, gw6, spec.mtu(), s.maxFlows(),
                    s.maxPendingDials(), s.connectTimeout(), s.tcpIdle(), s.echoAll()), dispatcher, group, netty);
            dispatcher.engine(engine);
            engine.start();
            Bridge bridge = context.bridge(tun.device(), engine.device());
            t = new SocksTunnel(group, dispatcher, engine, bridge);
            t.exclusion = exclusion;
            if (s.autoRoute()) {
                t.autoRoute = AutoRoute.install(tun, s.mark(), host4 != null, host6 != null, gw4, gw6);
            }
            if (s.metrics() != null) t.metrics = MetricsEndpoint.start(s.metrics(), group, t::metrics);
            LOG.log(System.Logger.Level.INFO, "socks: {0} up, proxy {1}, {2}, {3}", tun.name(), url,
                    s.acceptFirst() ? "accept-first" : "dial-first",
                    s.mark() != 0 ? "own sockets marked 0x" + Long.toHexString(s.mark()) : "own sockets unmarked");
            if (!url.carriesUdp()) {
                LOG.log(System.Logger.Level.WARNING, "socks: {0} carries no UDP: UDP flows to proxied destinations "
                        + "get ICMP port unreachable", url);
            }
            return t;
        } catch (IOException | RuntimeException e) {
            if (t != null) {
                t.close();
                throw e;
            }
            if (exclusion != null) exclusion.close();
            if (engine != null) engine.close();
            if (dispatcher != null) dispatcher.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    private static InetAddress first(InterfaceSpec spec, Class<? extends InetAddress> type) {
        for (Cidr c : spec.addresses()) {
            InetAddress a = c.address();
            if (type.isInstance(a)) return a;
        }
        return null;
    }

    /** Every counter, for the metrics endpoint and tests. */
    Map<String, Long> metrics() {
        Map<String, Long> m = new TreeMap<>();
        var st = engine.stats();
        m.put("nat_entries", st.natEntries());
        m.put("pending_dials", st.pendingDials());
        st.drops().forEach((k, v) -> m.put("engine_drops{reason=\"" + k + "\"}", v));
        st.packets().forEach((k, v) -> m.put("engine_" + k, v));
        dispatcher.counters().forEach((k, v) -> m.put("flow_" + k, v));
        var process = io.tunctl.core.runtime.ProcessFootprint.current();
        m.put("process_resident_memory_bytes", process.residentBytes());
        m.put("process_threads", (long) process.threads());
        m.put("process_open_fds", (long) process.openFds());
        return m;
    }

    @Override
    public void await() throws IOException, InterruptedException { bridge.await(); }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (autoRoute != null) autoRoute.close(); // first: the host's traffic stops coming in before the engine goes
        if (exclusion != null) exclusion.close();
        if (metrics != null) metrics.close();
        engine.close();
        dispatcher.close();
        bridge.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
}
