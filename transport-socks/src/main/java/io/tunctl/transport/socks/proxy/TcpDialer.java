package io.tunctl.transport.socks.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.proxy.ProxyConnectException;
import io.netty.handler.proxy.ProxyHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One TCP dial: straight to the destination, or to a proxy with one of Netty's {@link ProxyHandler}s doing the
 * handshake. Runs entirely on the caller's event loop.
 *
 * <p>Pipeline while dialing through a proxy: {@code [proxy codec] [HandshakeWatch] [ProxyHandler] [EarlyData]}.
 * After the proxy's success answer the dial finishes in a task queued on the loop, i.e. after the read that
 * carried the answer has been fully delivered: whatever bytes came with it have reached {@link EarlyData} by then.
 */
final class TcpDialer {
    private static final String PROXY = "tunctl-proxy";

    private final ProxyUrl url;
    private final UpstreamOptions options;
    private final InetSocketAddress destination;
    private final EventLoop loop;
    private final String prefix;
    private final Promise<Channel> result;
    private final ProxyHandler proxy; // null: direct
    private final HandshakeWatch watch;
    private final EarlyData early = new EarlyData();
    private boolean tcpConnected;
    private volatile Channel channel; // set by the caller's thread, read by the deadline on the loop

    private TcpDialer(ProxyUrl url, UpstreamOptions options, ProxyHandler proxy, boolean offeredPassword,
                      InetSocketAddress destination, EventLoop loop) {
        this.url = url;
        this.options = options;
        this.destination = destination;
        this.loop = loop;
        this.prefix = Dial.prefix(url, destination);
        this.result = loop.newPromise();
        this.proxy = proxy;
        this.watch = proxy == null ? null : new HandshakeWatch(offeredPassword);
    }

    /** Dials {@code destination} directly. */
    static Future<Channel> direct(ProxyUrl url, UpstreamOptions options, InetSocketAddress destination, EventLoop loop) {
        return new TcpDialer(url, options, null, false, destination, loop).start(destination);
    }

    /**
     * Dials {@code destination} through {@code proxy} (a fresh handler for the proxy's resolved address);
     * {@code offeredPassword} tells the watch whether the SOCKS5 greeting offered username/password.
     */
    static Future<Channel> viaProxy(ProxyUrl url, UpstreamOptions options, ProxyHandler proxy, boolean offeredPassword,
                                    InetSocketAddress destination, EventLoop loop) {
        proxy.setConnectTimeoutMillis(0); // our own deadline covers connect + handshake
        return new TcpDialer(url, options, proxy, offeredPassword, destination, loop).start(destination);
    }

    private Future<Channel> start(InetSocketAddress target) {
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channelFactory(options.netty().sockets(options.bypass()))
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, options.connectTimeoutMillis())
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        Dial.tuneKeepalive(ch);
                        ChannelPipeline p = ch.pipeline();
                        if (proxy != null) {
                            p.addLast(PROXY, proxy); // adds its codec in front of itself
                            p.addBefore(PROXY, HandshakeWatch.NAME, watch);
                        }
                        p.addLast(EarlyData.NAME, early);
                    }
                });
        ScheduledFuture<?> deadline = loop.schedule(this::timedOut, options.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
        result.addListener(f -> deadline.cancel(false));
        ChannelFuture cf;
        try {
            cf = b.connect(target); // a ProxyHandler turns this into a connect to the proxy
        } catch (RuntimeException e) {
            result.tryFailure(Dial.connectFailed(prefix, who(), options.connectTimeout(), e));
            return result;
        }
        Channel ch = cf.channel();
        channel = ch;
        cf.addListener(f -> {
            if (!f.isSuccess()) {
                result.tryFailure(Dial.connectFailed(prefix, who(), options.connectTimeout(), f.cause()));
                ch.close();
                return;
            }
            tcpConnected = true;
            if (proxy == null) {
                finish(ch);
                return;
            }
            proxy.connectFuture().addListener(pf -> {
                if (pf.isSuccess()) {
                    watch.done();
                    loop.execute(() -> finish(ch)); // after this read has delivered everything it carried
                } else {
                    result.tryFailure(handshakeFailed(pf.cause()));
                    ch.close();
                }
            });
        });
        return result;
    }

    private String who() {
        return proxy == null ? Dial.hostPort(destination) : "proxy " + Dial.hostPort(proxy.proxyAddress());
    }

    private void timedOut() {
        String text = tcpConnected
                ? "the proxy did not finish its handshake within " + Dial.seconds(options.connectTimeout())
                + (watch != null && watch.answers() > 0 ? " (last answer: " + watch.answer() + ")" : " (no answer)")
                : "connecting to " + who() + " timed out after " + Dial.seconds(options.connectTimeout());
        if (result.tryFailure(new DialException(DialException.Reason.TIMEOUT, prefix + ": " + text, null))
                && channel != null) {
            channel.close();
        }
    }

    private void finish(Channel ch) {
        if (result.isDone()) { // timed out meanwhile
            ch.close();
            return;
        }
        ChannelPipeline p = ch.pipeline();
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, ?> e : p.toMap().entrySet()) {
            if (!e.getKey().equals(EarlyData.NAME)) names.add(e.getKey());
        }
        for (String name : names) {
            if (p.context(name) != null) p.remove(name);
        }
        if (!ch.isActive()) {
            result.tryFailure(new DialException(DialException.Reason.REFUSED, prefix
                    + ": the connection closed right after the proxy's success answer", null));
            ch.close();
            return;
        }
        if (!early.holdsSomething()) p.remove(early);
        if (!result.trySuccess(ch)) ch.close();
    }

    private DialException handshakeFailed(Throwable cause) {
        if (watch.failure() != null) {
            return new DialException(watch.failure(), prefix + ": " + watch.answer(), cause);
        }
        String text = cause.getMessage() == null ? "" : cause.getMessage();
        if (cause instanceof ProxyConnectException && cause.getCause() == null && text.endsWith("disconnected")) {
            return new DialException(DialException.Reason.PROXY_ERROR, prefix + ": the proxy closed the connection "
                    + (watch.answers() == 0 ? "without answering" : "after answering " + watch.answer()), cause);
        }
        Throwable root = cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof io.netty.handler.codec.DecoderException) {
            return new DialException(DialException.Reason.PROXY_ERROR,
                    prefix + ": malformed answer from the proxy (" + Dial.rootMessage(root) + ")", cause);
        }
        if (root instanceof IOException) {
            return new DialException(DialException.Reason.PROXY_ERROR,
                    prefix + ": the connection to the proxy failed during the handshake (" + Dial.rootMessage(root) + ")", cause);
        }
        // Netty's own wording, without its "socks5, none, /127.0.0.1:1080 => /192.0.2.7:80, " preamble
        int arrow = text.indexOf(" => ");
        int comma = arrow < 0 ? -1 : text.indexOf(", ", arrow);
        String detail = comma < 0 ? text : text.substring(comma + 2);
        return new DialException(DialException.Reason.PROXY_ERROR, prefix + ": " + detail, cause);
    }
}
