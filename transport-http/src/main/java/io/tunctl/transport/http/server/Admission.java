package io.tunctl.transport.http.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import static java.lang.System.Logger.Level.WARNING;

/**
 * Who may hold a connection to the server, and for how long without a request: a connection beyond the total or
 * per-source limit is closed as it is accepted, and one whose request head has not arrived within
 * {@link #HEAD_TIMEOUT_SECONDS} is closed then. Neither writes a log line per connection (a slow-loris or a flood
 * would turn them into a disk flood): refusals are counted for /metrics and logged at most every 10 s.
 */
final class Admission {
    /** A request head (tapotun's is a few hundred bytes) must arrive this soon after the connection. */
    static final int HEAD_TIMEOUT_SECONDS = 10;
    /** Connections at once from one address. Behind a reverse proxy every client is the proxy: 2 per client. */
    static final int MAX_PER_SOURCE = 512;
    static final int MAX_CONNECTIONS = 4096;

    private final String name;
    private final System.Logger log;
    private final int maxTotal;
    private final int maxPerSource;
    private final AtomicInteger total = new AtomicInteger();
    /** Connections per source address; updated atomically per key (merge/computeIfPresent), absent at zero. */
    private final ConcurrentHashMap<InetAddress, Integer> perSource = new ConcurrentHashMap<>();
    final LongAdder refusedTotal = new LongAdder();
    final LongAdder refusedPerSource = new LongAdder();
    final LongAdder headTimeouts = new LongAdder();
    private final RateLimitedLog warnings;

    Admission(String name, System.Logger log, int maxTotal, int maxPerSource) {
        this.name = name;
        this.log = log;
        this.maxTotal = maxTotal;
        this.maxPerSource = maxPerSource;
        this.warnings = new RateLimitedLog(log, WARNING, TimeUnit.SECONDS.toNanos(10));
    }

    int connections() { return total.get(); }

    /** The handler for one new connection; it goes first in the pipeline. */
    Gate gate() { return new Gate(); }

    final class Gate extends ChannelInboundHandlerAdapter {
        private InetAddress source;
        private boolean counted;
        private ScheduledFuture<?> headTimer;

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            source = ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
            if (total.incrementAndGet() > maxTotal) {
                total.decrementAndGet();
                refusedTotal.increment();
                warnings.log("[" + name + "] connection limit " + maxTotal + " reached: refusing connections");
                ctx.close();
                return;
            }
            if (source != null && perSource.merge(source, 1, Integer::sum) > maxPerSource) {
                release();
                total.decrementAndGet();
                refusedPerSource.increment();
                warnings.log("[" + name + "] " + source.getHostAddress() + " holds " + maxPerSource
                        + " connections (the per-source limit): refusing more");
                ctx.close();
                return;
            }
            counted = true;
            headTimer = ctx.executor().schedule(() -> {
                headTimeouts.increment();
                warnings.log("[" + name + "] closing connections that sent no complete request head within "
                        + HEAD_TIMEOUT_SECONDS + " s (from " + (source == null ? "?" : source.getHostAddress()) + ")");
                ctx.close();
            }, HEAD_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            super.channelActive(ctx);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (headTimer != null && msg instanceof HttpRequest) {
                headTimer.cancel(false);
                headTimer = null;
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (headTimer != null) headTimer.cancel(false);
            if (counted) {
                counted = false;
                total.decrementAndGet();
                release();
            }
            super.channelInactive(ctx);
        }

        private void release() {
            if (source == null) return;
            perSource.computeIfPresent(source, (k, n) -> n <= 1 ? null : n - 1);
        }
    }
}
