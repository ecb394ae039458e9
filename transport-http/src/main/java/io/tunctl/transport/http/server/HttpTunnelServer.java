package io.tunctl.transport.http.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.tunctl.core.packet.Cidr;
import io.tunctl.core.peer.DropCounters;
import io.tunctl.core.spi.Bridge;
import io.tunctl.core.spi.InterfaceHandle;
import io.tunctl.core.spi.InterfaceSpec;
import io.tunctl.core.spi.RouteSpec;
import io.tunctl.core.spi.RuleSpec;
import io.tunctl.core.spi.TunnelContext;
import io.tunctl.transport.http.config.Endpoints;
import io.tunctl.transport.http.wire.Tokens;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * A tapotun v1 server on Netty: one TUN, one HTTP listener, the configured clients. Each client keeps a GET
 * stream (server → client) and any number of PUT streams (client → server); packets are forwarded by the
 * {@link ForwardingTable}. Reloadable: {@link #reload} swaps clients and routes without touching the streams of
 * clients whose entries did not change.
 */
public final class HttpTunnelServer implements AutoCloseable {
    private volatile Endpoints.Server spec;
    private final TunnelContext ctx;
    private final EventLoopGroup group;
    private final System.Logger log;
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private volatile List<Peer> peers = List.of();
    private volatile Router<Peer> table;
    private final Set<Cidr> installedRoutes = new LinkedHashSet<>();
    final LongAdder authFailures = new LongAdder();
    final LongAdder badStreams = new LongAdder();
    /** Packets from clients whose IP header disagrees with their frame, or of a family the client may not send. */
    final LongAdder malformedPackets = new LongAdder();
    final LongAdder familyDrops = new LongAdder();
    final Admission admission;
    /** Refused requests and corrupt streams: a line each would let any peer fill the disk. */
    final RateLimitedLog refusals;
    /** Drops of the routers (spoofed source, no route), kept across reloads. */
    final DropCounters routeDrops = new DropCounters();
    private final long startedMillis = System.currentTimeMillis();
    private InterfaceHandle tun;
    private ServerDevice device;
    private Bridge bridge;
    private Channel listener;
    private AdminEndpoint admin;
    private io.netty.util.concurrent.ScheduledFuture<?> pinger;

    public HttpTunnelServer(Endpoints.Server spec, TunnelContext ctx, EventLoopGroup group) {
        this.spec = spec;
        this.ctx = ctx;
        this.group = group;
        this.admission = new Admission(spec.name(), ctx.logger(), Admission.MAX_CONNECTIONS, Admission.MAX_PER_SOURCE);
        this.refusals = new RateLimitedLog(ctx.logger(), System.Logger.Level.WARNING, java.util.concurrent.TimeUnit.SECONDS.toNanos(10));
        this.log = ctx.logger();
    }

    public String name() { return spec.name(); }

    Endpoints.Server spec() { return spec; }

    System.Logger logger() { return log; }

    Router<Peer> table() { return table; }

    List<Peer> peers() { return peers; }

    ServerDevice device() { return device; }

    long startedMillis() { return startedMillis; }

    /** Packets from clients the TUN refused for offload metadata that does not fit the packet (Linux TUN only). */
    long tunOffloadDrops() {
        InterfaceHandle t = tun;
        if (t == null) return 0;
        return switch (t.device()) {
            case io.tunctl.core.tun.TunDevice d -> d.offloadDrops();
            case io.tunctl.core.tun.MultiQueueDevice m -> m.offloadDrops();
            default -> 0;
        };
    }

    /** Opens the TUN, starts the bridge and binds the listener (and the admin endpoint, if configured). */
    public void start() throws IOException {
        Endpoints.Server s = spec;
        List<Cidr> addresses = new ArrayList<>();
        addresses.add(s.net());
        addresses.addAll(s.extraIps());
        if (s.net6() != null) addresses.add(s.net6());
        List<RouteSpec> routes = new ArrayList<>();
        for (Cidr r : s.kernelRoutes()) if (installedRoutes.add(r.network())) routes.add(RouteSpec.to(r));
        List<RuleSpec> rules = new ArrayList<>();
        if (s.mark().enabled()) {
            routes.add(RouteSpec.to(Cidr.parse("0.0.0.0/0")).inTable((int) s.mark().table()));
            rules.add(new RuleSpec(4, s.mark().value(), null, (int) s.mark().table(), null, false));
        }
        InterfaceSpec ifs = new InterfaceSpec(s.name(), s.mtu(), addresses, routes, rules, s.offload(), 1);
        tun = ctx.openInterface(ifs);
        swapPeers(s.clients());
        device = new ServerDevice(this, s.mtu(), alloc);
        bridge = ctx.bridge(tun.device(), device);
        try {
            listener = bind(new InetSocketAddress(s.listen(), s.port()));
            if (s.admin() != null) admin = AdminEndpoint.start(s.admin(), group, List.of(this), log);
        } catch (IOException e) {
            close();
            throw e;
        }
        if (s.generation() == 2) pinger = group.next().scheduleAtFixedRate(this::pingTick, 0, 1, java.util.concurrent.TimeUnit.SECONDS);
        log.log(INFO, "[{0}] http server (v{8}) listening on {1}:{2} (net {3}, mtu {4}, {5} clients, offload {6}, netty {7})",
                s.name(), s.listen(), String.valueOf(s.port()), s.net(), s.mtu(), s.clients().size(),
                tun.device().acceptsGso() ? "on" : "off", io.tunctl.netty.NettyTransport.BEST.name(),
                s.generation());
    }

    private Channel bind(InetSocketAddress at) throws IOException {
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(io.tunctl.netty.NettyTransport.BEST.serverSocket())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.ALLOCATOR, alloc)
                // large reads keep most 64 KiB GSO frames inside one buffer, so they are sliced, not copied
                .childOption(ChannelOption.RECVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(4096, 65536, 1 << 20))
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 2 << 20))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("http", new HttpServerCodec(new HttpDecoderConfig()
                                .setMaxInitialLineLength(4096).setMaxHeaderSize(16384).setMaxChunkSize(1 << 20)));
                        ch.pipeline().addLast("admit", admission.gate());
                        ch.pipeline().addLast("stream", new StreamHandler(HttpTunnelServer.this));
                    }
                });
        try {
            return b.bind(at).sync().channel();
        } catch (Exception e) {
            throw new IOException("cannot listen on " + at.getHostString() + ":" + at.getPort() + ": " + e.getMessage(), e);
        }
    }

    /** The port actually bound (useful when the config asked for an ephemeral one in tests). */
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** The admin endpoint's port, or -1. */
    public int adminPort() {
        return admin == null ? -1 : admin.port();
    }

    /** Finds the client whose token hashes to one of the configured SHA-1 values; constant time per entry. */
    Peer authenticate(String rawToken) {
        if (rawToken == null) return null;
        byte[] digest = Tokens.sha1(rawToken);
        Peer found = null;
        for (Peer p : peers) {
            // compare against every entry, so timing does not tell which (or whether one) matched early
            if (MessageDigest.isEqual(p.spec.tokenDigest(), digest) && found == null) found = p;
        }
        return found;
    }

    /**
     * Applies a changed config: clients added, removed or changed; routes and sources. Clients whose entries did
     * not change keep their streams. Interface-level changes (port, net, mtu, mark, ...) need a restart and are
     * reported, not applied.
     */
    public synchronized void reload(Endpoints.Server next) {
        Endpoints.Server cur = spec;
        if (next.generation() != cur.generation()) {
            log.log(WARNING, "[{0}] reload: switching between v1 and v2 needs a restart; keeping the running config", cur.name());
            return;
        }
        List<String> ignored = new ArrayList<>();
        if (next.port() != cur.port() || !next.listen().equals(cur.listen())) ignored.add("listen address/port");
        if (!next.net().equals(cur.net()) || !next.extraIps().equals(cur.extraIps())
                || !java.util.Objects.equals(next.net6(), cur.net6())) ignored.add("addresses");
        if (next.mtu() != cur.mtu()) ignored.add("mtu");
        if (!next.mark().equals(cur.mark())) ignored.add("mark");
        if (next.offload() != cur.offload()) ignored.add("offload");
        if (!java.util.Objects.equals(next.admin(), cur.admin())) ignored.add("admin");
        if (!ignored.isEmpty()) {
            log.log(WARNING, "[{0}] reload: changes to {1} need a restart; applying clients and routes only",
                    cur.name(), String.join(", ", ignored));
        }
        for (Cidr r : next.kernelRoutes()) {
            if (installedRoutes.add(r.network())) {
                try {
                    tun.addRoute(RouteSpec.to(r));
                } catch (IOException e) {
                    log.log(WARNING, "[{0}] reload: cannot add route {1}: {2}", cur.name(), r, e.getMessage());
                }
            }
        }
        spec = new Endpoints.Server(cur.name(), cur.port(), cur.listen(), cur.net(), cur.mtu(), cur.extraIps(),
                next.localRoutes(), next.clients(), cur.net6(), cur.admin(), cur.offload(), cur.mark(),
                next.kernelRoutes(), next.v2());
        int[] stats = swapPeers(next.clients());
        log.log(INFO, "[{0}] reloaded: {1} clients kept, {2} added, {3} removed or changed", cur.name(),
                stats[0], stats[1], stats[2]);
    }

    /** Builds peers for {@code specs}, reusing unchanged ones; returns kept, added, dropped counts. */
    private int[] swapPeers(List<Endpoints.Peer> specs) {
        Map<String, Peer> old = new HashMap<>();
        for (Peer p : peers) old.put(p.spec.tokenHex(), p);
        List<Peer> next = new ArrayList<>();
        int kept = 0, added = 0;
        for (Endpoints.Peer s : specs) {
            Peer o = old.get(s.tokenHex());
            if (o != null && o.spec.sameAs(s)) {
                next.add(o);
                old.remove(s.tokenHex());
                kept++;
            } else {
                next.add(new Peer(s));
                added++;
            }
        }
        Endpoints.Server s = spec;
        List<Cidr> serverAddresses = new ArrayList<>();
        serverAddresses.add(s.net());
        serverAddresses.addAll(s.extraIps());
        if (s.net6() != null) serverAddresses.add(s.net6());
        if (s.v2() != null) {
            table = new V2Router<>(s.v2(), next, Peer::online, routeDrops);
        } else {
            List<ForwardingTable.Entry<Peer>> entries = new ArrayList<>();
            for (Peer p : next) entries.add(new ForwardingTable.Entry<>(p, p.spec.ip(), p.spec.ip6(), p.spec.routes(), p.spec.sources()));
            table = new ForwardingTable<>(entries, serverAddresses, s.localRoutes(), routeDrops);
        }
        peers = List.copyOf(next);
        for (Peer gone : old.values()) gone.disconnect();
        return new int[] {kept, added, old.size()};
    }

    /** v2: sends due pings (dropped for clients without a GET, which then come back penalised, as tapotun). */
    private void pingTick() {
        long now = System.currentTimeMillis();
        for (Peer p : peers) {
            if (!p.pingDue(now)) continue;
            io.netty.buffer.ByteBuf b = io.tunctl.transport.http.wire.ChunkedBody.start(alloc, 64);
            io.tunctl.transport.http.wire.Ping.encode(now, b);
            p.sendControl(b);
        }
    }

    @Override
    public void close() {
        if (pinger != null) pinger.cancel(false);
        if (admin != null) admin.close();
        if (listener != null) listener.close().syncUninterruptibly();
        for (Peer p : peers) p.disconnect();
        if (bridge != null) bridge.close();
    }
}
