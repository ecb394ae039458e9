package io.tunctl.transport.http.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.tunctl.transport.http.config.Endpoints;
import io.tunctl.transport.http.wire.ChunkedBody;
import io.tunctl.transport.http.wire.FrameDecoder;
import io.tunctl.transport.http.wire.Frames;
import io.tunctl.transport.http.wire.PacketCheck;
import io.tunctl.transport.http.wire.TunConf;
import io.tunctl.transport.http.wire.Wire;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * One HTTP connection to the server. A request with method {@code PUT} is an upload stream (its body is frames
 * for the server); any other method is the download stream (the response body is frames for the client).
 * The path is ignored, as tapotun does.
 *
 * <p>Netty's HTTP codec reads the request head and writes the response head; then it leaves the pipeline, and the
 * stream's body moves as plain buffers: chunks framed by {@link ChunkedBody}, frames split by {@link FrameDecoder}
 * and lent to {@link #frame}, so the data path makes no message object per read, write or packet.
 */
final class StreamHandler extends ChannelInboundHandlerAdapter implements FrameDecoder.Sink {
    /** A PUT that sends nothing (not even v1 keep-alives) for this long is considered dead. */
    private static final int PUT_IDLE_SECONDS = 180;

    private enum Mode { NONE, GET, PUT, REJECTED }

    private final HttpTunnelServer server;
    private final System.Logger log;
    private Mode mode = Mode.NONE;
    private Peer peer;
    private FrameDecoder decoder;
    /** The PUT body's chunked coding, or null for a body with a Content-Length ({@link #bodyLeft} bytes). */
    private ChunkedBody.Decoder chunks;
    private long bodyLeft;
    private final ChunkedBody.Data toFrames = data -> decoder.feed(data, this);
    private ChannelHandlerContext ctx;
    private final Map<Peer, ByteBuf> outbox = new IdentityHashMap<>();
    private final Map<Peer, int[]> outboxCounts = new IdentityHashMap<>();
    /** This channel's event loop's batch towards the TUN (set when a PUT starts). */
    private io.tunctl.transport.http.StreamEnd.Inbound toTun;

    StreamHandler(HttpTunnelServer server) {
        this.server = server;
        this.log = server.logger();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        try {
            if (msg instanceof ByteBuf body) onBody(ctx, body);
            if (msg instanceof HttpRequest req) onRequest(ctx, req);
            if (msg instanceof HttpContent c) onContent(ctx, c);
        } finally {
            if (toTun != null) toTun.flush(); // packets referring to msg go into the TUN before msg is released
            ReferenceCountUtil.release(msg);
        }
    }

    private void onRequest(ChannelHandlerContext ctx, HttpRequest req) {
        if (req.decoderResult().isFailure()) {
            respond(ctx, HttpResponseStatus.BAD_REQUEST, "Bad Request", true);
            mode = Mode.REJECTED;
            return;
        }
        if (mode == Mode.GET || mode == Mode.PUT) {
            // a stream owns its connection: a pipelined second request is a protocol error
            respond(ctx, HttpResponseStatus.BAD_REQUEST, "Bad Request", true);
            mode = Mode.REJECTED;
            return;
        }
        boolean put = req.method().equals(HttpMethod.PUT);
        String peerAddress = peerAddress(ctx, req);
        Peer p = server.authenticate(req.headers().get(Wire.API_KEY_HEADER));
        if (p == null) {
            server.authFailures.increment();
            server.refusals.log("[" + server.name() + "] " + (put ? "PUT" : "GET") + " from " + peerAddress
                    + " refused: " + (req.headers().contains(Wire.API_KEY_HEADER) ? "unknown token" : "no x-api-key header"));
            respond(ctx, HttpResponseStatus.FORBIDDEN, "Forbidden", true);
            mode = Mode.REJECTED;
            return;
        }
        peer = p;
        if (put) startPut(ctx, req, peerAddress);
        else startGet(ctx, peerAddress);
    }

    private void startGet(ChannelHandlerContext ctx, String from) {
        mode = Mode.GET;
        Endpoints.Server s = server.spec();
        HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        TunConf conf;
        if (s.generation() == 1) {
            conf = TunConf.v1(s.mtu(), s.net().prefixLength(), peer.spec.ip());
        } else {
            java.util.List<byte[]> ips = new java.util.ArrayList<>();
            ips.add(peer.spec.ip());
            ips.addAll(peer.spec.extraIps());
            conf = TunConf.v2(s.mtu(), s.net().prefixLength(), ips, peer.spec.pushed());
        }
        res.headers().set(Wire.TUN_CONF_HEADER, conf.toHeader());
        if (peer.spec.ip6() != null) res.headers().set(Wire.TUN_CONF6_HEADER, peer.spec.ip6().toString());
        res.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        res.headers().set("x-accel-buffering", "no"); // nginx: do not buffer this response
        // become the current GET before the client can see the headers: two GETs racing on two event loops then
        // end in the order their clients saw them (frames queued meanwhile run after this task, behind the headers)
        peer.attachGet(ctx.channel());
        ctx.writeAndFlush(res);
        ctx.pipeline().remove("http"); // the head is out: the body is written as plain chunks (Peer.send)
        // v1 peers expect 00 00 keep-alives on an idle stream; v2 peers get pings instead (HttpTunnelServer)
        if (s.generation() == 1) io.tunctl.transport.http.KeepAlive.start(ctx.channel(), () -> true);
        log.log(INFO, "[{0}] client {1} GET stream open from {2}", server.name(), peer.label, from);
    }

    private void startPut(ChannelHandlerContext ctx, HttpRequest req, String from) {
        mode = Mode.PUT;
        if (HttpUtil.is100ContinueExpected(req)) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
        decoder = new FrameDecoder(ctx.alloc(), server.spec().generation() == 1);
        toTun = server.device().inbound(ctx.channel().eventLoop());
        if (HttpUtil.isTransferEncodingChunked(req)) {
            chunks = new ChunkedBody.Decoder();
        } else {
            bodyLeft = Math.max(0, HttpUtil.getContentLength(req, 0L));
        }
        // the head is read: the body arrives as plain buffers (onBody); what the codec had already read past the
        // head comes along when it leaves
        ctx.pipeline().remove("http");
        peer.puts.add(ctx.channel());
        if (ctx.pipeline().get("idle") == null) {
            ctx.pipeline().addBefore("stream", "idle", new IdleStateHandler(PUT_IDLE_SECONDS, 0, 0));
        }
        log.log(INFO, "[{0}] client {1} PUT stream open from {2}", server.name(), peer.label, from);
    }

    /** Body content the codec decoded before it left the pipeline: only an empty body's end can come this way. */
    private void onContent(ChannelHandlerContext ctx, HttpContent c) {
        if (mode != Mode.PUT) return; // bodies of GETs and of refused requests are ignored
        try {
            decoder.feed(c.content(), this);
        } catch (IOException e) {
            corrupt(ctx, e);
            return;
        }
        if (c instanceof LastHttpContent) endPut(ctx);
    }

    /** PUT body bytes as they arrived (chunked, or counted against Content-Length). */
    private void onBody(ChannelHandlerContext ctx, ByteBuf in) {
        if (mode != Mode.PUT) return; // a GET's client has nothing more to say; refused streams are closing
        try {
            boolean ended;
            if (chunks != null) {
                ended = chunks.feed(in, toFrames);
            } else {
                int n = (int) Math.min(bodyLeft, in.readableBytes());
                in.writerIndex(in.readerIndex() + n);
                decoder.feed(in, this);
                bodyLeft -= n;
                ended = bodyLeft == 0;
            }
            if (ended) endPut(ctx);
        } catch (IOException e) {
            corrupt(ctx, e);
        }
    }

    private void corrupt(ChannelHandlerContext ctx, IOException e) {
        server.badStreams.increment();
        server.refusals.log("[" + server.name() + "] client " + peer.label + " PUT stream corrupt, answered 400 and closed: "
                + e.getMessage());
        flushOutbox();
        mode = Mode.REJECTED;
        // the codec has left the pipeline: the response head is written as bytes
        ctx.writeAndFlush(Unpooled.copiedBuffer("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 11\r\n\r\n"
                + "Bad Request", StandardCharsets.US_ASCII)).addListener(ChannelFutureListener.CLOSE);
    }

    /** The client ended its upload: tapotun answers {@code 200 OK} only now (spec §1.4). */
    private void endPut(ChannelHandlerContext ctx) {
        flushOutbox();
        if (!decoder.atFrameBoundary()) {
            log.log(WARNING, "[{0}] client {1} PUT ended inside a frame", server.name(), peer.label);
        }
        decoder.release();
        peer.puts.remove(ctx.channel());
        mode = Mode.REJECTED;
        // the codec has left the pipeline: the response head is written as bytes
        ctx.writeAndFlush(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nOK", StandardCharsets.US_ASCII));
    }

    /** A frame from the client: forward it to the TUN or to another client's GET. */
    @Override
    public void frame(ByteBuf frame) {
        Peer from = peer;
        int len = Frames.packetLength(frame);
        from.rxPackets.increment();
        from.rxBytes.add(len);
        int r = frame.readerIndex() + Wire.VNET_HDR_LEN;
        int version = Frames.ipVersion(frame);
        if (version == Wire.PING_VERSION && server.spec().generation() == 2) {
            from.pong(io.tunctl.transport.http.wire.Ping.epochMillis(frame), System.currentTimeMillis());
            return;
        }
        int bad = PacketCheck.check(frame, r, len, from.spec.ip6() != null);
        if (bad != PacketCheck.OK) {
            // checked before anything reads addresses from it: the TUN and the other clients get only sane headers
            (bad == PacketCheck.FAMILY ? server.familyDrops : server.malformedPackets).increment();
            from.drops.increment();
            return;
        }
        ForwardingTable.Decision<Peer> d;
        Router<Peer> table = server.table();
        if (!table.admit(from, frame, r)) { // a source outside the client's allowed prefixes (counted server-wide)
            from.drops.increment();
            return;
        }
        if (version == 4) {
            d = table.route4(frame.getInt(r + 12), frame.getInt(r + 16), from);
        } else if (version == 6 && len >= 40) {
            d = table.route6(frame.getLong(r + 24), frame.getLong(r + 32), from);
        } else {
            from.drops.increment(); // tapotun v1 carries IPv4 only; v2 pings do not belong on a v1 stream
            return;
        }
        if (d instanceof ForwardingTable.ToTun<Peer>) {
            // a frame in the read buffer is referred to, not copied: channelRead flushes before releasing it
            if (decoder.lendingAssembled()) toTun.add(frame);
            else toTun.addRef(frame);
        } else if (d instanceof ForwardingTable.ToClient<Peer> c) {
            ByteBuf out = outbox.computeIfAbsent(c.client(), k -> ChunkedBody.start(ctx.alloc(), 64 * 1024));
            Frames.encode(frame, out);
            int[] n = outboxCounts.computeIfAbsent(c.client(), k -> new int[2]);
            n[0]++;
            n[1] += len;
        } else {
            from.drops.increment();
        }
    }

    @Override
    public void keepAlive() {
        log.log(DEBUG, "[{0}] keep-alive from client {1}", server.name(), peer.label);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flushOutbox();
        ctx.fireChannelReadComplete();
    }

    private void flushOutbox() {
        if (toTun != null) toTun.flush();
        if (outbox.isEmpty()) return;
        for (Map.Entry<Peer, ByteBuf> e : outbox.entrySet()) {
            int[] n = outboxCounts.get(e.getKey());
            e.getKey().send(e.getValue(), n[0], n[1]);
        }
        outbox.clear();
        outboxCounts.clear();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent e) {
            if (e.state() == IdleState.READER_IDLE && mode == Mode.PUT) {
                log.log(INFO, "[{0}] client {1} PUT idle for {2} s, closing", server.name(), peer.label, PUT_IDLE_SECONDS);
                ctx.close();
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (peer != null) {
            if (mode == Mode.GET) {
                peer.detachGet(ctx.channel());
                log.log(INFO, "[{0}] client {1} GET stream closed", server.name(), peer.label);
            }
            peer.puts.remove(ctx.channel());
        }
        if (decoder != null) decoder.release();
        for (ByteBuf b : outbox.values()) b.release();
        outbox.clear();
        if (toTun != null) toTun.flush();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.log(DEBUG, "[{0}] connection error: {1}", server.name(), cause.toString());
        ctx.close();
    }

    private static void respond(ChannelHandlerContext ctx, HttpResponseStatus status, String body, boolean close) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.US_ASCII));
        res.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length());
        if (close) res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        var f = ctx.writeAndFlush(res);
        if (close) f.addListener(ChannelFutureListener.CLOSE);
    }

    private static String peerAddress(ChannelHandlerContext ctx, HttpRequest req) {
        String xff = req.headers().get("x-forwarded-for");
        String remote = String.valueOf(ctx.channel().remoteAddress());
        if (xff == null) return remote;
        int comma = xff.indexOf(',');
        return (comma < 0 ? xff : xff.substring(0, comma)).strip() + " (via " + remote + ")";
    }

    static long elapsedSeconds(long sinceMillis) {
        return sinceMillis == 0 ? 0 : TimeUnit.MILLISECONDS.toSeconds(System.currentTimeMillis() - sinceMillis);
    }
}
