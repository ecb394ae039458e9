package io.tunctl.transport.socks.flow;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Future;
import io.tunctl.core.peer.PrefixSet;
import io.tunctl.transport.socks.config.SocksSettings;
import io.tunctl.transport.socks.dns.DnsRelay;
import io.tunctl.transport.socks.engine.Engine;
import io.tunctl.transport.socks.engine.FlowHandler;
import io.tunctl.transport.socks.engine.TcpFlow;
import io.tunctl.transport.socks.host.ProcessExclusion;
import io.tunctl.transport.socks.proxy.DialException;
import io.tunctl.transport.socks.proxy.ProxyUrl;
import io.tunctl.transport.socks.proxy.Upstream;

import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Decides where each flow from the TUN goes, and takes it there. In order: a blocked port (NetBIOS, SMB, mDNS by
 * default) is refused (TCP) or dropped (UDP); the gateway's port 53 is the {@link DnsRelay} (UDP and TCP), its
 * other ports are refused (TCP reset, UDP port unreachable); a flow from an excluded process, or to a destination
 * in {@code direct}, is dialled without the proxy (with tunctl's socket mark); everything else goes through the
 * proxy. TCP: dial first (the application's handshake completes only once the upstream answered) or accept first;
 * then a {@link TcpRelay}. UDP: {@link UdpSessions}.
 *
 * <p>Counters per decision and outcome are kept for metrics; relays and sessions are counted as they open and end.
 */
public final class FlowDispatcher implements FlowHandler {
    private static final System.Logger LOG = System.getLogger(FlowDispatcher.class.getName());

    private final SocksSettings settings;
    private final Upstream proxy;
    private final Upstream direct;
    private final EventLoopGroup group;
    private final PrefixSet directSet;
    private final Set<InetAddress> gateways;
    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
    private final AtomicInteger relays = new AtomicInteger();
    private final AtomicInteger dials = new AtomicInteger();
    private final UdpSessions udp;
    private final DnsRelay dns;
    private volatile Engine engine;
    private volatile ProcessExclusion exclusion;

    public FlowDispatcher(SocksSettings settings, Upstream proxy, Upstream direct, EventLoopGroup group) {
        this.settings = settings;
        this.proxy = proxy;
        this.direct = direct;
        this.group = group;
        this.directSet = PrefixSet.of(settings.direct());
        this.gateways = Set.copyOf(settings.gateway());
        this.udp = new UdpSessions(this, settings.maxUdpSessions(), settings.udpIdle(), group);
        this.dns = new DnsRelay(DnsRelay.Options.of(settings.dnsUpstream()), settings.dnsViaProxy() ? proxy : direct,
                group, (from, to, payload) -> engine.sendUdp(from, to, payload), this::count);
    }

    /** The engine whose flows this dispatches (set once, before packets flow). */
    public void engine(Engine e) { this.engine = e; }

    Engine engine() { return engine; }

    /** Flows from these processes' sockets go direct (set once, before packets flow; null for none). */
    public void exclusion(ProcessExclusion e) { this.exclusion = e; }

    ProcessExclusion exclusion() { return exclusion; }

    Upstream direct() { return direct; }

    void count(String what) { counters.computeIfAbsent(what, k -> new LongAdder()).increment(); }

    /**
     * Counters by name, plus the gauges {@code tcp_relays}, {@code tcp_dials}, {@code udp_sessions} and
     * {@code dns_pending}.
     */
    public Map<String, Long> counters() {
        Map<String, Long> out = new TreeMap<>();
        counters.forEach((k, v) -> out.put(k, v.sum()));
        out.put("tcp_relays", (long) relays.get());
        out.put("tcp_dials", (long) dials.get());
        out.put("udp_sessions", (long) udp.size());
        out.put("dns_pending", (long) dns.pending());
        return out;
    }

    /** Ends every UDP session and the DNS relay (relays end with their channels, closed by the engine). */
    public void close() {
        udp.close();
        dns.close();
    }

    /** Where flows to {@code destination} go: the direct upstream or the proxy. */
    Upstream upstreamFor(InetAddress destination) {
        return isDirect(destination) ? direct : proxy;
    }

    boolean isDirect(InetAddress a) { return directSet.contains(a.getAddress()); }

    boolean isGateway(InetAddress a) { return gateways.contains(a); }

    boolean blocked(int port) { return settings.blockPorts().contains(port); }

    // ---------------------------------------------------------------------------------------------- TCP

    @Override
    public void tcpFlow(TcpFlow flow) {
        InetSocketAddress dst = flow.destination();
        if (blocked(dst.getPort())) {
            count("tcp_blocked_port");
            flow.refuse(TcpFlow.Refusal.RESET);
            return;
        }
        if (isGateway(dst.getAddress())) {
            if (dst.getPort() == 53) {
                dns.tcpFlow(flow);
                return;
            }
            count("tcp_gateway");
            flow.refuse(TcpFlow.Refusal.RESET);
            return;
        }
        ProcessExclusion ex = exclusion;
        if (ex != null && !isDirect(dst.getAddress())) {
            // the lookup may wait for a /proc scan: the decision then goes on on an event loop, never blocking here
            var owner = ex.excluded(true, flow.source());
            if (owner.isDone()) {
                route(flow, owner.join());
            } else {
                owner.whenComplete((x, e) -> group.next().execute(() -> route(flow, Boolean.TRUE.equals(x))));
            }
            return;
        }
        route(flow, false);
    }

    /** The proxy or direct choice and the dial, {@code excluded} when the flow's process is listed. */
    private void route(TcpFlow flow, boolean excluded) {
        InetSocketAddress dst = flow.destination();
        Upstream up = excluded ? direct : upstreamFor(dst.getAddress());
        String via = excluded ? "excluded" : up == direct ? "direct" : "proxy";
        if (up.url().scheme() == ProxyUrl.Scheme.REJECT) {
            count("tcp_rejected");
            flow.refuse(TcpFlow.Refusal.RESET);
            return;
        }
        count("tcp_" + via);
        EventLoop loop = group.next();
        dials.incrementAndGet();
        if (settings.acceptFirst()) {
            Future<Channel> local = flow.admit(loop);
            Future<Channel> remote = up.connect(dst, loop);
            local.addListener(l -> remote.addListener(r -> {
                dials.decrementAndGet();
                if (l.isSuccess() && r.isSuccess()) {
                    relay(flow, local.getNow(), remote.getNow());
                } else {
                    if (!r.isSuccess()) dialFailed(flow, via, r.cause());
                    if (l.isSuccess()) {
                        local.getNow().config().setOption(ChannelOption.SO_LINGER, 0);
                        local.getNow().close();
                    }
                    if (r.isSuccess()) remote.getNow().close();
                }
            }));
            return;
        }
        up.connect(dst, loop).addListener(r -> {
            if (!r.isSuccess()) {
                dials.decrementAndGet();
                TcpFlow.Refusal how = dialFailed(flow, via, r.cause());
                flow.refuse(how);
                return;
            }
            Channel remote = (Channel) r.getNow();
            flow.admit(loop).addListener(l -> {
                dials.decrementAndGet();
                if (l.isSuccess()) {
                    relay(flow, (Channel) l.getNow(), remote);
                } else {
                    count("tcp_application_gone");
                    remote.close();
                }
            });
        });
    }

    /** Logs a failed dial and says how the application learns of it. */
    private TcpFlow.Refusal dialFailed(TcpFlow flow, String via, Throwable cause) {
        TcpFlow.Refusal how;
        if (cause instanceof DialException d) {
            how = switch (d.reason()) {
                case UNREACHABLE -> TcpFlow.Refusal.UNREACHABLE;
                case TIMEOUT -> TcpFlow.Refusal.DROP;
                default -> TcpFlow.Refusal.RESET;
            };
            count("tcp_dial_" + d.reason().name().toLowerCase(java.util.Locale.ROOT));
        } else {
            how = TcpFlow.Refusal.RESET;
            count("tcp_dial_failed");
        }
        LOG.log(System.Logger.Level.INFO, "[TCP] {0} -> {1} {2}: {3}", flow.source(), flow.destination(), via,
                cause.getMessage());
        return how;
    }

    private void relay(TcpFlow flow, Channel local, Channel remote) {
        relays.incrementAndGet();
        LOG.log(System.Logger.Level.DEBUG, "[TCP] {0} <-> {1}", flow.source(), flow.destination());
        TcpRelay.join(local, remote, settings.tcpIdle(), () -> {
            relays.decrementAndGet();
            count("tcp_relays_done");
        });
    }

    // ---------------------------------------------------------------------------------------------- UDP

    @Override
    public void udpDatagram(InetSocketAddress source, InetSocketAddress destination, MemorySegment memory, long off, int len) {
        if (blocked(destination.getPort())) {
            count("udp_blocked_port");
            return;
        }
        ByteBuf payload = PooledByteBufAllocator.DEFAULT.directBuffer(len, len);
        payload.writeBytes(memory.asSlice(off, len).asByteBuffer());
        if (isGateway(destination.getAddress())) {
            if (destination.getPort() == 53) {
                dns.udpQuery(source, destination, payload);
                return;
            }
            count("udp_gateway_unreachable"); // only the DNS relay listens on the gateway
            engine.udpUnreachable(source, destination, payload);
            return;
        }
        udp.send(source, destination, payload);
    }

    /** Used by {@link UdpSessions} to log once per proxy that it takes no UDP. */
    final java.util.concurrent.atomic.AtomicBoolean udpRefusalLogged = new java.util.concurrent.atomic.AtomicBoolean();

}
