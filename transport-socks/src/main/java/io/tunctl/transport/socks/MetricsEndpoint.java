package io.tunctl.transport.socks;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.tunctl.netty.NettyTransport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code GET /metrics}: the engine's and the dispatcher's counters in Prometheus' text format, named
 * {@code tunctl_socks_*}. Meant for loopback; it has no authentication.
 */
final class MetricsEndpoint implements AutoCloseable {
    private final Channel server;

    private MetricsEndpoint(Channel server) { this.server = server; }

    static MetricsEndpoint start(String hostPort, EventLoopGroup group, Supplier<Map<String, Long>> counters)
            throws IOException {
        int colon = hostPort.lastIndexOf(':');
        String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
        int port = Integer.parseInt(hostPort.substring(colon + 1));
        ServerBootstrap b = new ServerBootstrap().group(group).channel(NettyTransport.BEST.serverSocket())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(4096),
                                new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                        boolean ok = req.uri().equals("/metrics");
                                        String body = ok ? render(counters.get()) : "not found: try /metrics\n";
                                        var res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                                ok ? HttpResponseStatus.OK : HttpResponseStatus.NOT_FOUND,
                                                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
                                        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4");
                                        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
                                        ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
                                    }
                                });
                    }
                });
        try {
            return new MetricsEndpoint(b.bind(new InetSocketAddress(host, port)).sync().channel());
        } catch (Exception e) {
            throw new IOException("cannot serve metrics on " + hostPort + ": " + e.getMessage(), e);
        }
    }

    static String render(Map<String, Long> counters) {
        StringBuilder out = new StringBuilder();
        counters.forEach((k, v) -> out.append("tunctl_socks_").append(k).append(' ').append(v).append('\n'));
        return out.toString();
    }

    @Override
    public void close() { server.close(); }
}
