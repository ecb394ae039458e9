package io.tunctl.transport.http.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The server's operator endpoint, on its own listener (never behind the tunnel's reverse proxy):
 * {@code GET /healthz} (JSON, 200 while the server runs) and {@code GET /metrics} (Prometheus text format 0.0.4).
 */
final class AdminEndpoint implements AutoCloseable {
    private final Channel channel;

    private AdminEndpoint(Channel channel) {
        this.channel = channel;
    }

    static AdminEndpoint start(InetSocketAddress at, EventLoopGroup group, List<HttpTunnelServer> servers,
                               System.Logger log) throws IOException {
        ServerBootstrap b = new ServerBootstrap().group(group).channel(io.tunctl.netty.NettyTransport.BEST.serverSocket())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192), new Handler(servers));
                    }
                });
        try {
            Channel c = b.bind(at).sync().channel();
            log.log(System.Logger.Level.INFO, "admin endpoint on http://{0}:{1}/metrics and /healthz",
                    at.getHostString(), String.valueOf(((InetSocketAddress) c.localAddress()).getPort()));
            return new AdminEndpoint(c);
        } catch (Exception e) {
            throw new IOException("cannot listen for the admin endpoint on " + at.getHostString() + ":" + at.getPort()
                    + ": " + e.getMessage(), e);
        }
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final List<HttpTunnelServer> servers;

        Handler(List<HttpTunnelServer> servers) {
            this.servers = servers;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            String path = URI.create(req.uri()).getPath();
            FullHttpResponse res;
            if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.HEAD)) {
                res = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain", "GET only\n");
            } else if ("/metrics".equals(path)) {
                res = text(HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8", metrics(servers));
            } else if ("/healthz".equals(path) || "/health".equals(path)) {
                res = text(HttpResponseStatus.OK, "application/json", health(servers));
            } else {
                res = text(HttpResponseStatus.NOT_FOUND, "text/plain", "try /metrics or /healthz\n");
            }
            boolean keep = HttpUtil.isKeepAlive(req);
            var f = ctx.writeAndFlush(res);
            if (!keep) f.addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static FullHttpResponse text(HttpResponseStatus status, String type, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(b));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, b.length);
        return r;
    }

    static String health(List<HttpTunnelServer> servers) {
        StringBuilder sb = new StringBuilder("{\"status\":\"ok\",\"interfaces\":[");
        for (int i = 0; i < servers.size(); i++) {
            HttpTunnelServer s = servers.get(i);
            long connected = s.peers().stream().filter(Peer::connected).count();
            if (i > 0) sb.append(',');
            sb.append("{\"name\":\"").append(s.name()).append("\",\"clients\":").append(s.peers().size())
                    .append(",\"connected\":").append(connected).append(",\"uptime_seconds\":")
                    .append(StreamHandler.elapsedSeconds(s.startedMillis())).append(",\"peers\":[");
            List<Peer> peers = s.peers();
            for (int j = 0; j < peers.size(); j++) {
                Peer p = peers.get(j);
                if (j > 0) sb.append(',');
                sb.append("{\"ip\":\"").append(p.label).append("\",\"connected\":").append(p.connected())
                        .append(",\"connected_seconds\":").append(StreamHandler.elapsedSeconds(p.connectedSinceMillis()))
                        .append('}');
            }
            sb.append("]}");
        }
        return sb.append("]}\n").toString();
    }

    static String metrics(List<HttpTunnelServer> servers) {
        StringBuilder sb = new StringBuilder();
        help(sb, "tunctl_http_clients", "gauge", "Configured clients.");
        for (HttpTunnelServer s : servers) sample(sb, "tunctl_http_clients", s.name(), null, s.peers().size());
        help(sb, "tunctl_http_auth_failures_total", "counter", "Requests refused for a missing or unknown token.");
        for (HttpTunnelServer s : servers) sample(sb, "tunctl_http_auth_failures_total", s.name(), null, s.authFailures.sum());
        help(sb, "tunctl_http_corrupt_streams_total", "counter", "PUT streams closed for invalid framing.");
        for (HttpTunnelServer s : servers) sample(sb, "tunctl_http_corrupt_streams_total", s.name(), null, s.badStreams.sum());
        help(sb, "tunctl_http_malformed_packets_total", "counter",
                "Packets from clients dropped because their IP header disagrees with their frame.");
        for (HttpTunnelServer s : servers) sample(sb, "tunctl_http_malformed_packets_total", s.name(), null, s.malformedPackets.sum());
        help(sb, "tunctl_http_family_drops_total", "counter",
                "Packets from clients dropped for their IP version (IPv6 from a client without ip6, or neither 4 nor 6).");
        for (HttpTunnelServer s : servers) sample(sb, "tunctl_http_family_drops_total", s.name(), null, s.familyDrops.sum());
        help(sb, "tunctl_http_connections", "gauge", "TCP connections open to the tunnel listener.");
        for (HttpTunnelServer s : servers) sample(sb, "tunctl_http_connections", s.name(), null, s.admission.connections());
        help(sb, "tunctl_http_connections_refused_total", "counter",
                "Connections closed as accepted: over the total or the per-source limit.");
        for (HttpTunnelServer s : servers) {
            sample(sb, "tunctl_http_connections_refused_total", s.name(), "limit", "total", s.admission.refusedTotal.sum());
            sample(sb, "tunctl_http_connections_refused_total", s.name(), "limit", "source", s.admission.refusedPerSource.sum());
        }
        help(sb, "tunctl_http_head_timeouts_total", "counter",
                "Connections closed because no complete request head arrived in time.");
        for (HttpTunnelServer s : servers) sample(sb, "tunctl_http_head_timeouts_total", s.name(), null, s.admission.headTimeouts.sum());
        help(sb, "tunctl_http_tun_drops_total", "counter", "Packets dropped between the TUN and the streams (no route, queue full).");
        for (HttpTunnelServer s : servers) {
            ServerDevice d = s.device();
            sample(sb, "tunctl_http_tun_drops_total", s.name(), null, d == null ? 0 : d.stats().drops());
        }
        help(sb, "tunctl_http_tun_offload_drops_total", "counter",
                "Packets the TUN refused because their virtio-net header did not fit the packet (forged or corrupt).");
        for (HttpTunnelServer s : servers) sample(sb, "tunctl_http_tun_offload_drops_total", s.name(), null, s.tunOffloadDrops());
        help(sb, "tunctl_http_routing_drops_total", "counter", "Packets dropped by the server's peer routing: "
                + "reason=spoofed_source, a client sent from an address outside its allowed prefixes (a tunctl check, "
                + "not in tapotun); reason=no_route, nothing to forward to.");
        for (HttpTunnelServer s : servers) {
            sample(sb, "tunctl_http_routing_drops_total", s.name(), "reason", "spoofed_source", s.routeDrops.spoofedSource());
            sample(sb, "tunctl_http_routing_drops_total", s.name(), "reason", "no_route", s.routeDrops.noRoute());
        }
        String[][] perClient = {
                {"tunctl_http_client_connected", "gauge", "1 while the client has a GET stream."},
                {"tunctl_http_client_connected_seconds", "gauge", "Seconds since the current GET stream opened."},
                {"tunctl_http_client_connects_total", "counter", "GET streams opened."},
                {"tunctl_http_client_put_streams", "gauge", "Open PUT streams."},
                {"tunctl_http_client_rx_packets_total", "counter", "Packets received from the client."},
                {"tunctl_http_client_rx_bytes_total", "counter", "IP bytes received from the client."},
                {"tunctl_http_client_tx_packets_total", "counter", "Packets sent to the client."},
                {"tunctl_http_client_tx_bytes_total", "counter", "IP bytes sent to the client."},
                {"tunctl_http_client_drops_total", "counter", "Packets for or from the client that were dropped (also for a spoofed source)."},
        };
        for (String[] m : perClient) {
            help(sb, m[0], m[1], m[2]);
            for (HttpTunnelServer s : servers) {
                for (Peer p : s.peers()) {
                    long v = switch (m[0]) {
                        case "tunctl_http_client_connected" -> p.connected() ? 1 : 0;
                        case "tunctl_http_client_connected_seconds" -> StreamHandler.elapsedSeconds(p.connectedSinceMillis());
                        case "tunctl_http_client_connects_total" -> p.connects.sum();
                        case "tunctl_http_client_put_streams" -> p.puts.size();
                        case "tunctl_http_client_rx_packets_total" -> p.rxPackets.sum();
                        case "tunctl_http_client_rx_bytes_total" -> p.rxBytes.sum();
                        case "tunctl_http_client_tx_packets_total" -> p.txPackets.sum();
                        case "tunctl_http_client_tx_bytes_total" -> p.txBytes.sum();
                        default -> p.drops.sum();
                    };
                    sample(sb, m[0], s.name(), p.label, v);
                }
            }
        }
        process(sb, io.tunctl.core.runtime.ProcessFootprint.current());
        return sb.toString();
    }

    /** The whole process (every interface of this config shares it), under Prometheus' usual process_* names. */
    static void process(StringBuilder sb, io.tunctl.core.runtime.ProcessFootprint f) {
        help(sb, "process_resident_memory_bytes", "gauge", "Resident memory of the tunctl process (VmRSS).");
        sb.append("process_resident_memory_bytes ").append(f.residentBytes()).append('\n');
        help(sb, "process_threads", "gauge", "Threads of the tunctl process, the JVM's own included.");
        sb.append("process_threads ").append(f.threads()).append('\n');
        help(sb, "process_open_fds", "gauge", "Open file descriptors of the tunctl process.");
        sb.append("process_open_fds ").append(f.openFds()).append('\n');
    }

    private static void help(StringBuilder sb, String name, String type, String help) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder sb, String name, String iface, String client, long value) {
        sample(sb, name, iface, "client", client, value);
    }

    private static void sample(StringBuilder sb, String name, String iface, String label, String labelValue, long value) {
        sb.append(name).append("{interface=\"").append(escape(iface)).append('"');
        if (labelValue != null) sb.append(',').append(label).append("=\"").append(escape(labelValue)).append('"');
        sb.append("} ").append(value).append('\n');
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
