package io.tunctl.transport.socks.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.tunctl.transport.socks.engine.TcpFlow;
import io.tunctl.transport.socks.proxy.DialException;
import io.tunctl.transport.socks.proxy.UdpAssociation;
import io.tunctl.transport.socks.proxy.Upstream;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The DNS server on the virtual gateway: UDP and TCP queries to the gateway's port 53 are forwarded to one upstream
 * resolver and the answers brought back. The upstream is reached through an {@link Upstream}: {@code direct://}
 * (tunctl's own socket, marked so it stays outside the tunnel) or the proxy. UDP queries go over one UDP
 * association, TCP queries (and UDP ones when the proxy carries no UDP) over one pipelined TCP connection; both
 * are opened when first needed and again after they end.
 *
 * <p>Every query gets an ID of its own upstream ({@link IdTable}), so any number of clients, and any number of
 * queries from one client socket (glibc's A and AAAA, sent back to back), are answered, each with its own ID back.
 * A query unanswered after {@link Options#retryAfter} is sent once more; after {@link Options#timeout} the client
 * gets SERVFAIL, as it does when the upstream cannot be reached or {@link Options#maxPending} queries are in flight.
 * A UDP client's answer larger than its EDNS size (512 without EDNS) is cut, with TC set, so it asks again over
 * TCP; TCP answers go whole (up to 64 KiB), in the order they come (RFC 7766 §6.2.1.1).
 *
 * <p>All state lives on one event loop; the public methods may be called from any thread. Counters (through the
 * {@code count} callback): {@code dns_queries_udp}, {@code dns_queries_tcp}, {@code dns_answers}, {@code dns_retries},
 * {@code dns_timeouts}, {@code dns_upstream_errors}, {@code dns_malformed}, {@code dns_overflow},
 * {@code dns_truncated}, {@code dns_stray} (an answer matching no pending query).
 */
public final class DnsRelay implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DnsRelay.class.getName());
    private static final long WARN_EVERY = TimeUnit.SECONDS.toNanos(10);

    /** Where the relay's UDP answers go: into the TUN, from the gateway to the client. Takes ownership of the payload. */
    @FunctionalInterface
    public interface UdpOut {
        void send(InetSocketAddress from, InetSocketAddress to, ByteBuf payload);
    }

    /**
     * @param upstream         the resolver asked (an IP address)
     * @param retryAfter       a query unanswered this long is sent once more
     * @param timeout          a query unanswered this long gets SERVFAIL
     * @param maxPending       queries in flight at most (over every client); more get SERVFAIL at once
     * @param maxPerConnection queries in flight per client TCP connection; beyond it the relay stops reading it
     * @param idle             a TCP connection (client or upstream) with nothing in flight for this long is closed
     */
    public record Options(InetSocketAddress upstream, Duration retryAfter, Duration timeout, int maxPending,
                          int maxPerConnection, Duration idle) {
        public Options {
            if (upstream == null || upstream.isUnresolved()) throw new IllegalArgumentException("upstream must be an IP address");
            if (retryAfter.isNegative() || retryAfter.isZero() || timeout.compareTo(retryAfter) <= 0) {
                throw new IllegalArgumentException("want 0 < retryAfter < timeout, got " + retryAfter + " and " + timeout);
            }
            if (maxPending < 1 || maxPending > 32768) throw new IllegalArgumentException("maxPending must be 1..32768");
            if (maxPerConnection < 1) throw new IllegalArgumentException("maxPerConnection must be positive");
            if (idle.isNegative() || idle.isZero()) throw new IllegalArgumentException("idle must be positive");
        }

        /** A retry after 2 s, SERVFAIL after 5 s (a stub resolver's own timeout), 4096 pending, 32 per connection. */
        public static Options of(InetSocketAddress upstream) {
            return new Options(upstream, Duration.ofSeconds(2), Duration.ofSeconds(5), 4096, 32, Duration.ofSeconds(30));
        }
    }

    private final Options options;
    private final Upstream path;
    private final EventLoop loop;
    private final UdpOut udpOut;
    private final Consumer<String> count;
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final IdTable<Pending> table;
    private final UdpPath udp = new UdpPath();
    private final TcpPath tcp = new TcpPath();
    private final Set<Channel> clients = new HashSet<>();
    private volatile int pendingCount;
    private boolean closed;
    private long lastWarning = System.nanoTime() - WARN_EVERY;

    /**
     * @param path  how the upstream is reached: the direct upstream, or the proxy
     * @param count increments a counter by name (thread-safe)
     */
    public DnsRelay(Options options, Upstream path, EventLoopGroup group, UdpOut udpOut, Consumer<String> count) {
        this.options = options;
        this.path = path;
        this.loop = group.next();
        this.udpOut = udpOut;
        this.count = count;
        this.table = new IdTable<>(options.maxPending(), ThreadLocalRandom.current());
        this.udp.unsupported = !path.url().carriesUdp();
        LOG.log(System.Logger.Level.INFO, "DNS relay: the gateway''s port 53 asks {0} via {1}{2}",
                options.upstream().getAddress().getHostAddress() + ":" + options.upstream().getPort(), path.url(),
                udp.unsupported ? " (over TCP: it carries no UDP)" : "");
    }

    /** Queries in flight upstream now. */
    public int pending() { return pendingCount; }

    /** A UDP datagram from {@code client} to the gateway's port 53 ({@code gateway}); ownership of {@code query} taken. */
    public void udpQuery(InetSocketAddress client, InetSocketAddress gateway, ByteBuf query) {
        try {
            loop.execute(() -> submit(new UdpClient(client, gateway), query));
        } catch (RejectedExecutionException e) {
            query.release(); // shutting down
        }
    }

    /** A TCP connection to the gateway's port 53: admitted, then served until the client or the idle timer ends it. */
    public void tcpFlow(TcpFlow flow) {
        flow.admit(loop).addListener(f -> onLoop(() -> {
            if (!f.isSuccess()) return; // the application gave up during its handshake
            Channel ch = (Channel) f.getNow();
            if (closed) {
                ch.close();
                return;
            }
            clients.add(ch);
            ch.closeFuture().addListener(x -> clients.remove(ch));
            ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true); // a client may shut its side, then read
            ch.pipeline().addLast(new IdleStateHandler(0, 0, options.idle().toMillis(), TimeUnit.MILLISECONDS),
                    frames(), new TcpClient(ch, flow.source()));
            ch.read();
        }));
    }

    /** Ends every connection and forgets every query (none is answered any more). Idempotent. */
    @Override
    public void close() {
        try {
            onLoop(this::close0);
        } catch (RejectedExecutionException e) {
            // the loop is gone, and every channel with it
        }
    }

    private void close0() {
        if (closed) return;
        closed = true;
        table.clear(p -> {
            if (p.timer != null) p.timer.cancel(false);
            p.query.release();
        });
        pendingCount = 0;
        if (udp.association != null) udp.association.close();
        if (tcp.channel != null) tcp.channel.close();
        for (Channel c : new ArrayList<>(clients)) c.close();
    }

    private void onLoop(Runnable r) {
        if (loop.inEventLoop()) r.run();
        else loop.execute(r);
    }

    /** DNS over TCP framing: a two-byte length, then the message (RFC 1035 §4.2.2). */
    static LengthFieldBasedFrameDecoder frames() {
        return new LengthFieldBasedFrameDecoder(DnsMessages.MAX_MESSAGE + 2, 0, 2, 0, 2);
    }

    // ------------------------------------------------------------------------------------------ query state

    /** Who asked, and how the answer gets back. */
    private interface Sink {
        boolean tcp();

        /** Takes ownership of {@code msg}. */
        void answer(ByteBuf msg);

        /** The query is over; called once per query submitted, after its answer if it got one. */
        void done();

        /** The query was not a DNS query. */
        void malformed();
    }

    private static final class Pending {
        final Sink sink;
        final ByteBuf query; // the upstream ID written in; kept for the retry
        final int clientId, questionEnd, limit;
        int upstreamId;
        int sends;
        boolean queued; // waiting for a path to open
        ScheduledFuture<?> timer;

        Pending(Sink sink, ByteBuf query, DnsMessages.Query q) {
            this.sink = sink;
            this.query = query;
            this.clientId = q.id();
            this.questionEnd = q.questionEnd();
            this.limit = sink.tcp() ? DnsMessages.MAX_MESSAGE : q.udpLimit();
        }
    }

    private void submit(Sink sink, ByteBuf query) {
        DnsMessages.Query q;
        try {
            q = DnsMessages.parseQuery(query);
        } catch (DnsFormatException e) {
            count.accept("dns_malformed");
            LOG.log(System.Logger.Level.DEBUG, "[DNS] {0}: not a query, dropped: {1}", sink, e.getMessage());
            query.release();
            sink.malformed();
            sink.done();
            return;
        }
        if (closed) {
            query.release();
            sink.done();
            return;
        }
        count.accept(sink.tcp() ? "dns_queries_tcp" : "dns_queries_udp");
        Pending p = new Pending(sink, query, q);
        int id = table.add(p);
        if (id < 0) {
            count.accept("dns_overflow");
            warn("{0} queries in flight: answering SERVFAIL until some are answered", options.maxPending());
            ByteBuf fail = DnsMessages.serverFailure(query, q.questionEnd(), alloc);
            query.release();
            sink.answer(fail);
            sink.done();
            return;
        }
        p.upstreamId = id;
        pendingCount = table.size();
        DnsMessages.id(query, id);
        send(p);
    }

    private boolean live(Pending p) { return !closed && table.get(p.upstreamId) == p; }

    /** Sends (or sends again) {@code p} and arms its timer: the retry after the first send, the end after the second. */
    private void send(Pending p) {
        if (p.timer != null) p.timer.cancel(false);
        p.sends++;
        long delay = p.sends == 1 ? options.retryAfter().toNanos() : options.timeout().minus(options.retryAfter()).toNanos();
        p.timer = loop.schedule(() -> expired(p), delay, TimeUnit.NANOSECONDS);
        if (p.sink.tcp() || udp.unsupported) tcp.send(p);
        else udp.send(p);
    }

    private void expired(Pending p) {
        if (!live(p)) return;
        if (p.sends < 2) {
            count.accept("dns_retries");
            send(p);
            return;
        }
        count.accept("dns_timeouts");
        LOG.log(System.Logger.Level.DEBUG, "[DNS] {0}: no answer from {1} in {2}", p.sink, options.upstream(), options.timeout());
        failed(p);
    }

    /** Answers {@code p} with SERVFAIL. */
    private void failed(Pending p) {
        ByteBuf fail = DnsMessages.serverFailure(p.query, p.questionEnd, alloc);
        DnsMessages.id(fail, p.clientId);
        complete(p, fail);
    }

    private void complete(Pending p, ByteBuf answer) {
        table.remove(p.upstreamId, p);
        pendingCount = table.size();
        if (p.timer != null) p.timer.cancel(false);
        tcp.inFlight.remove(p);
        p.query.release();
        p.sink.answer(answer);
        p.sink.done();
    }

    /** A message from the upstream (not owned: the caller releases it). */
    private void answered(ByteBuf msg) {
        if (closed) return;
        if (msg.readableBytes() < DnsMessages.HEADER) {
            count.accept("dns_stray");
            return;
        }
        Pending p = table.get(DnsMessages.id(msg));
        if (p == null || !DnsMessages.answers(p.query, p.questionEnd, msg)) {
            count.accept("dns_stray"); // late (answered or timed out already), duplicate, or not for us
            return;
        }
        ByteBuf out;
        if (msg.readableBytes() > p.limit) {
            count.accept("dns_truncated");
            out = DnsMessages.truncate(msg, p.limit, alloc);
        } else {
            out = msg.retainedSlice();
        }
        DnsMessages.id(out, p.clientId);
        count.accept("dns_answers");
        complete(p, out);
    }

    private void upstreamFailed(String how, Throwable cause) {
        count.accept("dns_upstream_errors");
        String why = cause == null ? "closed" : cause.getMessage();
        LOG.log(System.Logger.Level.DEBUG, "[DNS] {0} to {1} via {2}: {3}", how, options.upstream(), path.url(), why);
        warn("cannot reach the resolver {0} ({1} via {2}): {3}", options.upstream(), how, path.url(), why);
    }

    private void warn(String format, Object... args) {
        long now = System.nanoTime();
        if (now - lastWarning < WARN_EVERY) return;
        lastWarning = now;
        LOG.log(System.Logger.Level.WARNING, "DNS relay: " + format, args);
    }

    // ------------------------------------------------------------------------------------------ upstream paths

    /** The UDP association queries go out on, opened at the first query and again after it ended. */
    private final class UdpPath {
        UdpAssociation association;
        boolean opening;
        /** The proxy carries no UDP: every query goes over TCP. */
        boolean unsupported;
        final ArrayDeque<Pending> waiting = new ArrayDeque<>();

        void send(Pending p) {
            if (association != null) {
                association.send(options.upstream(), p.query.retainedDuplicate());
                return;
            }
            if (!p.queued) {
                p.queued = true;
                waiting.add(p);
            }
            if (!opening) open();
        }

        void open() {
            opening = true;
            Receiver receiver = new Receiver();
            path.associate(loop, receiver).addListener(f -> onLoop(() -> {
                opening = false;
                if (f.isSuccess()) {
                    UdpAssociation a = (UdpAssociation) f.getNow();
                    if (closed) {
                        a.close();
                        return;
                    }
                    receiver.mine = a;
                    association = a;
                    for (Pending p; (p = waiting.poll()) != null; ) {
                        p.queued = false;
                        if (live(p)) a.send(options.upstream(), p.query.retainedDuplicate());
                    }
                    return;
                }
                Throwable cause = f.cause();
                if (cause instanceof DialException d && d.reason() == DialException.Reason.UDP_NOT_SUPPORTED) {
                    unsupported = true;
                    LOG.log(System.Logger.Level.INFO, "DNS relay: {0} carries no UDP; queries to {1} go over TCP "
                            + "through it", path.url(), options.upstream());
                    for (Pending p; (p = waiting.poll()) != null; ) {
                        p.queued = false;
                        if (live(p)) tcp.send(p);
                    }
                    return;
                }
                upstreamFailed("UDP", cause);
                for (Pending p; (p = waiting.poll()) != null; ) {
                    p.queued = false;
                    if (live(p)) failed(p);
                }
            }));
        }

        private final class Receiver implements UdpAssociation.Receiver {
            UdpAssociation mine;

            @Override
            public void datagram(InetSocketAddress source, ByteBuf payload) {
                if (!source.equals(options.upstream())) {
                    count.accept("dns_stray");
                    return;
                }
                answered(payload);
            }

            @Override
            public void closed(Throwable cause) {
                // a proxy association ends with its control connection; the next query opens another
                onLoop(() -> {
                    if (association == mine) association = null;
                    if (cause != null && !closed) upstreamFailed("UDP association", cause);
                });
            }
        }
    }

    /** The TCP connection queries go out on, pipelined, opened when first needed and again after it ended. */
    private final class TcpPath {
        Channel channel;
        boolean connecting;
        final ArrayDeque<Pending> waiting = new ArrayDeque<>();
        /** Written on {@link #channel} and not answered yet: sent again at once if the connection ends. */
        final Set<Pending> inFlight = new HashSet<>();

        void send(Pending p) {
            if (channel != null && channel.isActive()) {
                write(p);
                return;
            }
            if (!p.queued) {
                p.queued = true;
                waiting.add(p);
            }
            if (!connecting) connect();
        }

        private void write(Pending p) {
            inFlight.add(p);
            int len = p.query.readableBytes();
            ByteBuf frame = alloc.buffer(2 + len).writeShort(len).writeBytes(p.query, p.query.readerIndex(), len);
            channel.writeAndFlush(frame, channel.voidPromise()); // a failed write closes the channel (Answers)
        }

        private void connect() {
            connecting = true;
            Future<Channel> dial = path.connect(options.upstream(), loop);
            dial.addListener(f -> onLoop(() -> {
                connecting = false;
                if (!f.isSuccess()) {
                    upstreamFailed("TCP", f.cause());
                    for (Pending p; (p = waiting.poll()) != null; ) {
                        p.queued = false;
                        if (live(p)) failed(p);
                    }
                    return;
                }
                Channel ch = dial.getNow();
                if (closed) {
                    ch.close();
                    return;
                }
                channel = ch;
                ch.pipeline().addLast(new IdleStateHandler(0, 0, options.idle().toMillis(), TimeUnit.MILLISECONDS),
                        frames(), new Answers(ch));
                ch.config().setAutoRead(true);
                for (Pending p; (p = waiting.poll()) != null; ) {
                    p.queued = false;
                    if (live(p)) write(p);
                }
            }));
        }

        private final class Answers extends ChannelInboundHandlerAdapter {
            final Channel ch;

            Answers(Channel ch) { this.ch = ch; }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf frame = (ByteBuf) msg;
                try {
                    answered(frame);
                } finally {
                    frame.release();
                }
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof IdleStateEvent && inFlight.isEmpty()) ctx.close();
                else ctx.fireUserEventTriggered(evt);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                upstreamFailed("TCP", cause);
                ctx.close();
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                if (channel != ch) return;
                channel = null;
                // a server may end the connection with queries unanswered (some answer one per connection):
                // those go again at once, on a new connection, as their one retry
                List<Pending> lost = new ArrayList<>(inFlight);
                inFlight.clear();
                for (Pending p : lost) {
                    if (!live(p) || p.sends >= 2) continue;
                    count.accept("dns_retries");
                    send(p);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------ clients

    /** A UDP client: answers go into the TUN from the address it asked. */
    private final class UdpClient implements Sink {
        final InetSocketAddress client, gateway;

        UdpClient(InetSocketAddress client, InetSocketAddress gateway) {
            this.client = client;
            this.gateway = gateway;
        }

        @Override public boolean tcp() { return false; }

        @Override public void answer(ByteBuf msg) { udpOut.send(gateway, client, msg); }

        @Override public void done() {}

        @Override public void malformed() {}

        @Override public String toString() { return "UDP " + client; }
    }

    /**
     * A TCP client on the gateway: reads length-prefixed queries (pipelined), at most
     * {@link Options#maxPerConnection} in flight, and writes each answer as it comes.
     */
    private final class TcpClient extends ChannelInboundHandlerAdapter implements Sink {
        final Channel ch;
        final InetSocketAddress source;
        int inFlight;
        boolean inputShut;
        ChannelFuture lastWrite;

        TcpClient(Channel ch, InetSocketAddress source) {
            this.ch = ch;
            this.source = source;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            // a copy of its own: the frame is a slice of the decoder's buffer, and the query is kept for the retry
            ByteBuf query = alloc.buffer(frame.readableBytes()).writeBytes(frame);
            frame.release();
            inFlight++;
            submit(this, query);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) { readMore(); }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) { readMore(); }

        private void readMore() {
            // stop reading while the client has its share in flight or does not read its answers
            if (!inputShut && ch.isActive() && inFlight < options.maxPerConnection() && ch.isWritable()) ch.read();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                inputShut = true;
                if (inFlight == 0) closeAfterWrites();
            } else if (evt instanceof IdleStateEvent) {
                if (inFlight == 0) ctx.close();
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.log(System.Logger.Level.DEBUG, "[DNS] TCP {0}: {1}", source, cause.toString());
            ctx.close();
        }

        @Override public boolean tcp() { return true; }

        @Override
        public void answer(ByteBuf msg) {
            if (!ch.isActive()) {
                msg.release();
                return;
            }
            ch.write(alloc.buffer(2).writeShort(msg.readableBytes()), ch.voidPromise());
            lastWrite = ch.writeAndFlush(msg);
        }

        @Override
        public void done() {
            inFlight--;
            if (inputShut && inFlight == 0) closeAfterWrites();
            else readMore();
        }

        @Override
        public void malformed() { ch.close(); } // framing cannot be trusted after a bad message

        private void closeAfterWrites() {
            if (lastWrite != null) lastWrite.addListener(ChannelFutureListener.CLOSE);
            else ch.close();
        }

        @Override public String toString() { return "TCP " + source; }
    }
}
