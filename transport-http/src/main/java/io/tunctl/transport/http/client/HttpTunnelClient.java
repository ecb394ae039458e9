package io.tunctl.transport.http.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.ReferenceCountUtil;
import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.Bridge;
import io.tunctl.core.spi.DrivenDirection;
import io.tunctl.core.spi.InterfaceHandle;
import io.tunctl.core.spi.InterfaceSpec;
import io.tunctl.core.spi.PollableDevice;
import io.tunctl.core.spi.RouteSpec;
import io.tunctl.core.spi.RuleSpec;
import io.tunctl.core.spi.TunnelContext;
import io.tunctl.transport.http.config.Endpoints;
import io.tunctl.transport.http.KeepAlive;
import io.tunctl.transport.http.wire.ChunkedBody;
import io.tunctl.transport.http.wire.FrameDecoder;
import io.tunctl.transport.http.wire.Frames;
import io.tunctl.transport.http.wire.TunConf;
import io.tunctl.transport.http.wire.Wire;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.ERROR;
import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * A tapotun-compatible client: a GET stream brings packets and the interface parameters ({@code x-tun-conf}),
 * a PUT stream takes packets up. The TUN is made when the first parameters arrive and re-checked on every GET
 * (addresses, routes and rules are added idempotently). Both streams reconnect on their own with backoff.
 * The wire generation (v1/v2) follows from the length of {@code x-tun-conf}.
 *
 * <p>Netty's HTTP codec writes each request head and reads each response head; then it leaves the pipeline (on the
 * PUT only its encoder: the server's final answer still comes as a response) and the bodies move as plain
 * buffers framed by {@link ChunkedBody}, so the data path makes no message object per read, write or packet.
 */
public final class HttpTunnelClient implements AutoCloseable {
    /** The GET must deliver something (frames, keep-alives or pings) this often, or it is reopened. */
    static final int GET_READ_TIMEOUT_SECONDS = 150;

    private final Endpoints.Client spec;
    private final TunnelContext ctx;
    private final EventLoopGroup group;
    private final System.Logger log;
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final SslContext ssl;
    private final String host;
    private final int port;
    private final String target;
    private final String hostHeader;
    private final Backoff getBackoff = new Backoff(1000, 30_000);
    private final Backoff putBackoff = new Backoff(1000, 30_000);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean putWanted = new AtomicBoolean();
    private final Object writable = new Object();
    private volatile TunConf conf;
    private volatile Cidr conf6;
    private Applied applied = new Applied(List.of(), List.of());
    private final LongAdder pushesRefused = new LongAdder();
    private volatile Channel get;
    private volatile Channel put;
    private InterfaceHandle tun;
    private volatile ClientDevice device;
    private Bridge bridge;
    /** The loop of every PUT stream, and of the TUN's reader when it runs there. */
    private final EventLoop putLoop;
    private volatile TunUplink uplink;
    final LongAdder authFailures = new LongAdder();
    final LongAdder getStreams = new LongAdder();
    final LongAdder putStreams = new LongAdder();

    public HttpTunnelClient(Endpoints.Client spec, TunnelContext ctx, EventLoopGroup group) throws IOException {
        this.spec = spec;
        this.ctx = ctx;
        this.group = group;
        this.putLoop = group.next();
        this.log = ctx.logger();
        URI u = spec.server();
        boolean https = "https".equalsIgnoreCase(u.getScheme());
        this.ssl = https ? TlsContexts.client(spec.ca()) : null;
        this.host = u.getHost().startsWith("[") ? u.getHost().substring(1, u.getHost().length() - 1) : u.getHost();
        this.port = u.getPort() > 0 ? u.getPort() : https ? 443 : 80;
        String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
        this.target = u.getRawQuery() == null ? path : path + "?" + u.getRawQuery();
        this.hostHeader = u.getPort() > 0 ? u.getRawAuthority().replaceFirst("^.*@", "") : u.getHost();
    }

    public String name() { return spec.name(); }

    /** The parameters of the last GET, or null before the first one. */
    public TunConf conf() { return conf; }

    public int authFailures() { return (int) authFailures.sum(); }

    /** Pushes of interface parameters refused because they would touch the host beyond the tunnel. */
    public long pushesRefused() { return pushesRefused.sum(); }

    public long getStreams() { return getStreams.sum(); }

    /** True while both streams are up. */
    public boolean connected() { return get != null && put != null; }

    /** Starts connecting; returns at once. */
    public void start() {
        log.log(INFO, "[{0}] http client connecting to {1}", spec.name(), spec.server());
        connectGet();
    }

    // ---------------------------------------------------------------- connections

    private Bootstrap bootstrap(ChannelInboundHandlerAdapter handler, boolean isGet) {
        // every PUT on one loop, the one that reads the TUN for it (TunUplink)
        return new Bootstrap().group(isGet ? group : putLoop).channel(io.tunctl.netty.NettyTransport.BEST.socket())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.ALLOCATOR, alloc)
                .option(ChannelOption.RECVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(4096, 65536, 1 << 20))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(512 << 10, 2 << 20))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (ssl != null) ch.pipeline().addLast("tls", ssl.newHandler(ch.alloc(), host, port));
                        HttpDecoderConfig heads = new HttpDecoderConfig().setMaxHeaderSize(16384).setMaxChunkSize(1 << 20);
                        if (isGet) {
                            ch.pipeline().addLast("http", new HttpClientCodec(heads, false, false));
                        } else {
                            ch.pipeline().addLast("http", new HttpResponseDecoder(heads));
                            ch.pipeline().addLast("encoder", new HttpRequestEncoder());
                        }
                        if (isGet) ch.pipeline().addLast("timeout", new ReadTimeoutHandler(GET_READ_TIMEOUT_SECONDS));
                        ch.pipeline().addLast("stream", handler);
                    }
                });
    }

    private void connectGet() {
        if (closed.get()) return;
        ChannelFuture f = bootstrap(new GetHandler(), true).connect(host, port);
        f.addListener(r -> {
            if (!r.isSuccess()) {
                long d = getBackoff.nextMillis();
                log.log(WARNING, "[{0}] cannot connect to {1}:{2}: {3}; retrying in {4} ms", spec.name(), host,
                        String.valueOf(port), r.cause().getMessage(), d);
                schedule(this::connectGet, d);
            }
        });
    }

    private void connectPut() {
        if (closed.get()) return;
        ChannelFuture f = bootstrap(new PutHandler(), false).connect(host, port);
        f.addListener(r -> {
            if (!r.isSuccess()) {
                long d = putBackoff.nextMillis();
                log.log(WARNING, "[{0}] PUT cannot connect: {1}; retrying in {2} ms", spec.name(), r.cause().getMessage(), d);
                schedule(this::connectPut, d);
            }
        });
    }

    private void schedule(Runnable r, long millis) {
        if (closed.get()) return;
        try {
            group.schedule(r, millis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the event loop is shutting down with the tunnel
        }
    }

    private HttpRequest request(HttpMethod method) {
        HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, target);
        req.headers().set(HttpHeaderNames.HOST, hostHeader);
        req.headers().set(HttpHeaderNames.ACCEPT, "*/*");
        req.headers().set(HttpHeaderNames.ACCEPT_ENCODING, HttpHeaderValues.IDENTITY); // a compressed stream is useless
        req.headers().set(Wire.API_KEY_HEADER, spec.token());
        return req;
    }

    // ---------------------------------------------------------------- GET: server → client

    private final class GetHandler extends ChannelInboundHandlerAdapter implements FrameDecoder.Sink {
        private FrameDecoder decoder;
        /** The body's chunked coding, or null for a body that runs until the connection closes. */
        private ChunkedBody.Decoder chunks;
        private final ChunkedBody.Data toFrames = data -> decoder.feed(data, this);
        private boolean accepted;
        private ClientDevice.Inbound toTun;
        private Channel channel;

        @Override
        public void channelActive(ChannelHandlerContext c) {
            channel = c.channel();
            HttpRequest req = request(HttpMethod.GET);
            req.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
            c.writeAndFlush(req);
        }

        @Override
        public void channelRead(ChannelHandlerContext c, Object msg) {
            try {
                if (msg instanceof HttpResponse res) onResponse(c, res);
                if (!accepted) return;
                if (msg instanceof ByteBuf raw) {
                    if (chunks != null ? chunks.feed(raw, toFrames) : feedAll(raw)) serverEnded(c);
                } else if (msg instanceof HttpContent decoded) { // decoded before the codec left: an empty body
                    if (feedAll(decoded.content()) || decoded instanceof LastHttpContent) serverEnded(c);
                }
            } catch (IOException e) {
                log.log(WARNING, "[{0}] GET stream corrupt, reconnecting: {1}", spec.name(), e.getMessage());
                accepted = false;
                c.close();
            } finally {
                if (toTun != null) toTun.flush(); // packets referring to msg go into the TUN before msg is released
                ReferenceCountUtil.release(msg);
            }
        }

        private boolean feedAll(ByteBuf data) throws IOException {
            decoder.feed(data, this);
            return false;
        }

        private void serverEnded(ChannelHandlerContext c) {
            log.log(INFO, "[{0}] server ended the GET stream; reconnecting", spec.name());
            accepted = false;
            getBackoff.reset();
            c.close();
        }

        private void onResponse(ChannelHandlerContext c, HttpResponse res) {
            int status = res.status().code();
            if (status == 401 || status == 403) {
                authFailures.increment();
                log.log(ERROR, "[{0}] server {1} refused the token ({2}): check that its clients[].token is the "
                        + "SHA-1 of this token; retrying with backoff", spec.name(), spec.server(), res.status());
                c.close();
                return;
            }
            if (status != 200) {
                log.log(WARNING, "[{0}] server answered the GET with {1}{2}", spec.name(), res.status(),
                        status >= 300 && status < 400 ? " (redirects are not followed)" : "");
                c.close();
                return;
            }
            List<String> headers = res.headers().getAll(Wire.TUN_CONF_HEADER);
            String header = headers.isEmpty() ? null : headers.getFirst();
            if (headers.size() > 1 || res.headers().getAll(Wire.TUN_CONF6_HEADER).size() > 1) {
                log.log(ERROR, "[{0}] protocol error: the server sent {1} more than once; nothing applied, retrying "
                        + "with backoff", spec.name(), headers.size() > 1 ? Wire.TUN_CONF_HEADER : Wire.TUN_CONF6_HEADER);
                c.close();
                return;
            }
            if (header == null) {
                log.log(ERROR, "[{0}] server answered 200 without {1}: is {2} a tapotun/tunctl endpoint?",
                        spec.name(), Wire.TUN_CONF_HEADER, spec.server());
                c.close();
                return;
            }
            TunConf tc;
            Cidr v6 = null;
            try {
                tc = TunConf.fromHeader(header);
                String h6 = res.headers().get(Wire.TUN_CONF6_HEADER);
                if (h6 != null) {
                    v6 = Cidr.parse(h6);
                    if (!v6.isIpv6()) throw new IllegalArgumentException(Wire.TUN_CONF6_HEADER + " is not IPv6: " + h6);
                }
            } catch (IllegalArgumentException e) {
                log.log(ERROR, "[{0}] bad interface parameters from the server: {1}", spec.name(), e.getMessage());
                c.close();
                return;
            }
            byte[] server = c.channel().remoteAddress() instanceof InetSocketAddress sa && sa.getAddress() != null
                    ? sa.getAddress().getAddress() : null;
            List<String> refused = PushedParameters.problems(tc, v6, server);
            if (!refused.isEmpty()) {
                pushesRefused.increment();
                log.log(ERROR, "[{0}] refused the interface parameters the server pushed ({1}): {2}; nothing applied, "
                        + "retrying with backoff", spec.name(), tc, String.join("; ", refused));
                c.close();
                return;
            }
            try {
                configure(tc, v6);
            } catch (IOException | RuntimeException e) {
                log.log(ERROR, "[{0}] cannot configure the interface ({1}): {2}", spec.name(), tc, e.getMessage());
                c.close();
                return;
            }
            accepted = true;
            decoder = new FrameDecoder(c.alloc(), tc.generation() == 1);
            chunks = HttpUtil.isTransferEncodingChunked(res) ? new ChunkedBody.Decoder() : null;
            // the head is read: the body comes as plain buffers (what the codec read past the head comes along)
            c.pipeline().remove("http");
            getBackoff.reset();
            getStreams.increment();
            Channel old = get;
            get = c.channel();
            if (old != null && old != c.channel()) old.close();
            log.log(INFO, "[{0}] GET stream up ({1})", spec.name(), tc);
            if (putWanted.compareAndSet(false, true)) connectPut();
        }

        @Override
        public void frame(ByteBuf frame) {
            if (Frames.ipVersion(frame) == Wire.PING_VERSION) {
                // v2 ping: echo the whole frame on the PUT so the server measures the round trip
                Channel p = put;
                if (p != null && conf != null && conf.generation() == 2) {
                    ByteBuf out = ChunkedBody.start(p.alloc(), Frames.wireSize(Frames.packetLength(frame)));
                    Frames.encode(frame, out);
                    p.writeAndFlush(ChunkedBody.finish(out), p.voidPromise());
                }
                return;
            }
            if (toTun == null) {
                ClientDevice d = device;
                if (d == null) return; // parameters not applied yet: nothing to write into
                toTun = d.inbound(channel.eventLoop());
            }
            // a frame in the read buffer is referred to, not copied: channelRead flushes before releasing it
            if (decoder.lendingAssembled()) toTun.add(frame);
            else toTun.addRef(frame);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext c) {
            if (toTun != null) toTun.flush();
            c.fireChannelReadComplete();
        }

        @Override
        public void channelInactive(ChannelHandlerContext c) {
            if (decoder != null) decoder.release();
            if (toTun != null) toTun.flush();
            boolean wasCurrent = get == c.channel();
            if (wasCurrent) get = null;
            if (closed.get()) return;
            if (wasCurrent || !accepted) {
                long d = getBackoff.failures() == 0 && accepted ? 200 : getBackoff.nextMillis();
                log.log(accepted ? INFO : WARNING, "[{0}] GET stream closed; reconnecting in {1} ms", spec.name(), d);
                schedule(HttpTunnelClient.this::connectGet, d);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
            log.log(WARNING, "[{0}] GET stream error: {1}", spec.name(), describe(cause));
            c.close();
        }
    }

    // ---------------------------------------------------------------- PUT: client → server

    private final class PutHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext c) {
            HttpRequest req = request(HttpMethod.PUT);
            req.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            req.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
            c.writeAndFlush(req);
            c.pipeline().remove("encoder"); // the head is out: the body is written as plain chunks
            KeepAlive.start(c.channel(), () -> conf != null && conf.generation() == 1); // v2 servers ping instead
            Channel old = put;
            put = c.channel();
            putStreams.increment();
            putBackoff.reset();
            if (old != null && old != c.channel()) {
                old.writeAndFlush(ChunkedBody.last(old.alloc()));
            }
            TunUplink up = uplink;
            if (up != null) up.arm();
            log.log(DEBUG, "[{0}] PUT stream up", spec.name());
        }

        @Override
        public void channelRead(ChannelHandlerContext c, Object msg) {
            try {
                if (msg instanceof HttpResponse res) {
                    int status = res.status().code();
                    if (status == 401 || status == 403) {
                        authFailures.increment();
                        log.log(ERROR, "[{0}] server refused the PUT ({1}); retrying with backoff", spec.name(), res.status());
                    } else if (status != 100) {
                        log.log(INFO, "[{0}] server ended the PUT stream with {1}", spec.name(), res.status());
                    }
                    if (status != 100) {
                        if (put == c.channel()) put = null;
                        c.close();
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext c) {
            synchronized (writable) {
                writable.notifyAll();
            }
            TunUplink up = uplink;
            if (up != null && c.channel().isWritable()) up.arm();
            c.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext c) {
            boolean wasCurrent = put == c.channel();
            if (wasCurrent) put = null;
            synchronized (writable) {
                writable.notifyAll();
            }
            if (closed.get() || !wasCurrent && put != null) return;
            long d = putBackoff.nextMillis();
            log.log(INFO, "[{0}] PUT stream closed; reconnecting in {1} ms", spec.name(), d);
            schedule(HttpTunnelClient.this::connectPut, d);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
            log.log(WARNING, "[{0}] PUT stream error: {1}", spec.name(), describe(cause));
            c.close();
        }
    }

    private static String describe(Throwable t) {
        if (t instanceof io.netty.handler.timeout.ReadTimeoutException) return "no data for " + GET_READ_TIMEOUT_SECONDS + " s";
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return root == t ? String.valueOf(t.getMessage() != null ? t.getMessage() : t) : t.getMessage() + " (" + root + ")";
    }

    // ---------------------------------------------------------------- interface

    /**
     * Makes the TUN on the first parameters, and on every later GET adds what is missing: tapotun re-runs its
     * address, rule and route steps on every GET; here each step is idempotent, so a second GET cannot fail
     * with "File exists".
     */
    private synchronized void configure(TunConf tc, Cidr v6) throws IOException {
        List<Cidr> addresses = new ArrayList<>();
        addresses.add(tc.primary());
        for (int i = 1; i < tc.ips().size(); i++) {
            addresses.add(Cidr.parse(Cidr.addressString(tc.ips().get(i)) + "/" + tc.prefix()));
        }
        if (v6 != null) addresses.add(v6);
        List<RouteSpec> routes = new ArrayList<>();
        for (Cidr r : tc.routes()) routes.add(RouteSpec.to(r));
        List<RuleSpec> rules = new ArrayList<>();
        if (spec.mark().enabled()) {
            routes.add(RouteSpec.to(Cidr.parse("0.0.0.0/0")).inTable((int) spec.mark().table()));
            rules.add(new RuleSpec(4, spec.mark().value(), null, (int) spec.mark().table(), null, false));
        }
        if (tun == null) {
            tun = ctx.openInterface(new InterfaceSpec(spec.name(), tc.mtu(), addresses, routes, rules, spec.offload(), 1));
            device = new ClientDevice(this, tc.mtu(), log);
            bridge = ctx.bridge(tun.device(), device);
            log.log(INFO, "[{0}] interface {1} configured: {2}", spec.name(), tun.name(), tc);
        } else {
            TunConf prev = conf;
            if (prev == null || prev.mtu() != tc.mtu()) tun.setMtu(tc.mtu());
            // what the last push gave and this one does not goes first, so the TUN carries exactly this push
            for (Cidr a : applied.addresses()) if (!addresses.contains(a)) tun.removeAddress(a);
            for (RouteSpec r : applied.routes()) if (!routes.contains(r)) tun.removeRoute(r);
            for (Cidr a : addresses) tun.addAddress(a);
            for (RouteSpec r : routes) tun.addRoute(r);
            for (RuleSpec r : rules) tun.addRule(r);
            if (prev != null && !prev.equals(tc)) log.log(INFO, "[{0}] interface parameters changed: {1}", spec.name(), tc);
        }
        applied = new Applied(List.copyOf(addresses), List.copyOf(routes));
        conf = tc;
        conf6 = v6;
    }

    /** The addresses and routes the last push put on the TUN. */
    private record Applied(List<Cidr> addresses, List<RouteSpec> routes) {}

    // ---------------------------------------------------------------- used by ClientDevice

    Cidr conf6() { return conf6; }

    /** Sends encoded frames on the current PUT, waiting briefly while it is congested; false when dropped. */
    boolean send(ByteBuf frames) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
        Channel p;
        while (true) {
            p = put;
            if (p == null || !p.isActive()) {
                frames.release();
                return false;
            }
            if (p.isWritable()) break;
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                frames.release();
                return false;
            }
            synchronized (writable) {
                if (!p.isWritable() && p.isActive()) {
                    try {
                        writable.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        frames.release();
                        return false;
                    }
                }
            }
        }
        p.writeAndFlush(ChunkedBody.finish(frames), p.voidPromise());
        return true;
    }

    ByteBufAllocator alloc() { return alloc; }

    /** Stops reading the TUN on the PUT loop (the device closed). */
    void stopUplink() {
        TunUplink up = uplink;
        if (up != null) up.close();
    }

    /** {@link ClientDevice#drive}: reads {@code source} on the PUT loop when that loop is an epoll loop. */
    boolean startUplink(PollableDevice source, DrivenDirection direction, ClientDevice device) {
        if (!(putLoop instanceof IoEventLoop loop)) return false;
        TunUplink up = TunUplink.start(loop, source, direction, () -> put, device, alloc, log);
        if (up == null) return false;
        uplink = up;
        if (closed.get()) up.close();
        return true;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        Channel g = get, p = put;
        if (g != null) g.close();
        if (p != null) p.writeAndFlush(ChunkedBody.last(p.alloc())).addListener(f -> p.close());
        stopUplink();
        if (bridge != null) bridge.close();
    }
}
