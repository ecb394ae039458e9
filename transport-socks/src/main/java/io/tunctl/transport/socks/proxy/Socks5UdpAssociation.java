package io.tunctl.transport.socks.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.socksx.v5.DefaultSocks5CommandRequest;
import io.netty.handler.codec.socksx.v5.DefaultSocks5InitialRequest;
import io.netty.handler.codec.socksx.v5.DefaultSocks5PasswordAuthRequest;
import io.netty.handler.codec.socksx.v5.Socks5AddressType;
import io.netty.handler.codec.socksx.v5.Socks5AuthMethod;
import io.netty.handler.codec.socksx.v5.Socks5ClientEncoder;
import io.netty.handler.codec.socksx.v5.Socks5CommandResponse;
import io.netty.handler.codec.socksx.v5.Socks5CommandResponseDecoder;
import io.netty.handler.codec.socksx.v5.Socks5CommandType;
import io.netty.handler.codec.socksx.v5.Socks5InitialResponse;
import io.netty.handler.codec.socksx.v5.Socks5InitialResponseDecoder;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthResponse;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthResponseDecoder;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthStatus;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * SOCKS5 UDP ASSOCIATE (RFC 1928 §4, §7): a TCP control connection (greeting, optional RFC 1929 login, UDP
 * ASSOCIATE with DST {@code 0.0.0.0:0} or {@code [::]:0}: we cannot know our source in advance behind NAT), then
 * one local UDP socket that talks to the relay address the proxy answered (BND; when unspecified, the proxy's own
 * address). Every datagram carries a {@link Socks5UdpHeader}. Datagrams are accepted only from the relay, but
 * whatever source the relay names in them is delivered (full-cone). The association lives as long as the control
 * connection, which has TCP keepalive on and whose reads are discarded.
 */
@SuppressWarnings("deprecation") // NettyTransport.datagrams takes InternetProtocolFamily, deprecated in Netty 4.2
final class Socks5UdpAssociation extends UdpRelay {
    private static final String DECODER = "socks5-decoder";
    private static final String ENCODER = "socks5-encoder";

    private final InetSocketAddress proxy;
    private final Promise<UdpAssociation> promise;
    private final Socks5UdpHeader header = new Socks5UdpHeader();
    private Channel control;
    private InetSocketAddress relay;
    private boolean relayAnyAddress; // BND was unspecified: accept the relay's port from the proxy host's addresses
    private Throwable controlCause;

    private Socks5UdpAssociation(ProxyUrl url, InetSocketAddress proxy, UpstreamOptions options, EventLoop loop,
                                 Receiver receiver) {
        super(url, options, loop, receiver);
        this.proxy = proxy;
        this.promise = loop.newPromise();
    }

    static Future<UdpAssociation> open(ProxyUrl url, InetSocketAddress proxy, UpstreamOptions options, EventLoop loop,
                                       Receiver receiver) {
        Socks5UdpAssociation a = new Socks5UdpAssociation(url, proxy, options, loop, receiver);
        loop.execute(a::start);
        return a.promise;
    }

    /** The relay address datagrams go to (known once the association is up). */
    InetSocketAddress relay() {
        return relay;
    }

    private String prefix() {
        return url + " UDP ASSOCIATE";
    }

    private void start() {
        ScheduledFuture<?> deadline = loop.schedule(() -> fail(new DialException(DialException.Reason.TIMEOUT, prefix()
                + ": no association within " + Dial.seconds(options.connectTimeout()), null)),
                options.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
        promise.addListener(f -> deadline.cancel(false));
        ChannelFuture cf;
        try {
            cf = new Bootstrap()
                    .group(loop)
                    .channelFactory(options.netty().sockets(options.bypass()))
                    .option(ChannelOption.SO_KEEPALIVE, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, options.connectTimeoutMillis())
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            Dial.tuneKeepalive(ch);
                            ch.pipeline().addLast(DECODER, new Socks5InitialResponseDecoder())
                                    .addLast(ENCODER, Socks5ClientEncoder.DEFAULT)
                                    .addLast(new Control());
                        }
                    })
                    .connect(proxy);
        } catch (RuntimeException e) {
            fail(Dial.connectFailed(prefix(), "proxy " + Dial.hostPort(proxy), options.connectTimeout(), e));
            return;
        }
        control = cf.channel();
        cf.addListener(f -> {
            if (!f.isSuccess()) {
                fail(Dial.connectFailed(prefix(), "proxy " + Dial.hostPort(proxy), options.connectTimeout(), f.cause()));
            }
        });
        control.closeFuture().addListener(f -> {
            if (!promise.isDone()) {
                fail(new DialException(DialException.Reason.PROXY_ERROR, prefix()
                        + ": the proxy closed the control connection before the association was up", controlCause));
            } else {
                end(controlCause);
            }
        });
    }

    /** Fails the dial (if it is still open) and closes whatever was opened. */
    private void fail(DialException e) {
        if (promise.tryFailure(e)) end(e);
    }

    @Override
    void closeMore() {
        if (control != null) control.close();
    }

    /** The control connection's handshake, then a sink for whatever else the proxy sends on it. */
    private final class Control extends ChannelInboundHandlerAdapter {
        private boolean offeredPassword;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            offeredPassword = url.username() != null;
            ctx.writeAndFlush(new DefaultSocks5InitialRequest(offeredPassword
                    ? List.of(Socks5AuthMethod.NO_AUTH, Socks5AuthMethod.PASSWORD) : List.of(Socks5AuthMethod.NO_AUTH)));
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (promise.isDone()) return; // established: the control connection carries nothing more
                if (msg instanceof DecoderResultProvider p && p.decoderResult().isFailure()) {
                    fail(new DialException(DialException.Reason.PROXY_ERROR, prefix() + ": malformed answer from the proxy ("
                            + Dial.rootMessage(p.decoderResult().cause()) + ")", p.decoderResult().cause()));
                } else if (msg instanceof Socks5InitialResponse r) {
                    greeted(ctx, r);
                } else if (msg instanceof Socks5PasswordAuthResponse r) {
                    if (r.status().equals(Socks5PasswordAuthStatus.SUCCESS)) {
                        associate(ctx);
                    } else {
                        fail(new DialException(DialException.Reason.AUTH_FAILED, prefix()
                                + ": authentication failed (the proxy answered status " + (r.status().byteValue() & 0xff) + ")", null));
                    }
                } else if (msg instanceof Socks5CommandResponse r) {
                    answered(ctx, r);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void greeted(ChannelHandlerContext ctx, Socks5InitialResponse r) {
            Socks5AuthMethod m = r.authMethod();
            if (m.equals(Socks5AuthMethod.NO_AUTH)) {
                associate(ctx);
            } else if (offeredPassword && m.equals(Socks5AuthMethod.PASSWORD)) {
                ctx.pipeline().replace(DECODER, DECODER, new Socks5PasswordAuthResponseDecoder());
                ctx.writeAndFlush(new DefaultSocks5PasswordAuthRequest(url.username(),
                        url.password() == null ? "" : url.password()));
            } else {
                fail(new DialException(DialException.Reason.AUTH_FAILED, prefix() + ": the proxy accepted none of the "
                        + "offered authentication methods (offered " + (offeredPassword ? "none and username/password" : "none")
                        + ", it answered method " + (m.byteValue() & 0xff) + ")", null));
            }
        }

        private void associate(ChannelHandlerContext ctx) {
            ctx.pipeline().replace(DECODER, DECODER, new Socks5CommandResponseDecoder());
            boolean v6 = proxy.getAddress() instanceof Inet6Address;
            ctx.writeAndFlush(new DefaultSocks5CommandRequest(Socks5CommandType.UDP_ASSOCIATE,
                    v6 ? Socks5AddressType.IPv6 : Socks5AddressType.IPv4, v6 ? "::" : "0.0.0.0", 0));
        }

        private void answered(ChannelHandlerContext ctx, Socks5CommandResponse r) {
            int rep = r.status().byteValue() & 0xff;
            if (!r.status().isSuccess()) {
                DialException.Reason reason = rep == 7 ? DialException.Reason.UDP_NOT_SUPPORTED : Dial.socks5Reason(rep);
                String text = rep == 7 ? "the proxy does not support UDP ASSOCIATE (it answered " + Dial.socks5Answer(r.status()) + ")"
                        : "the proxy answered " + Dial.socks5Answer(r.status());
                fail(new DialException(reason, prefix() + ": " + text, null));
                return;
            }
            InetAddress bnd = r.bndAddrType().equals(Socks5AddressType.DOMAIN) ? null
                    : NetUtil.createInetAddressFromIpAddressString(r.bndAddr());
            if (bnd == null || r.bndPort() == 0) {
                fail(new DialException(DialException.Reason.PROXY_ERROR, prefix() + ": the proxy answered an unusable relay address "
                        + r.bndAddr() + ":" + r.bndPort(), null));
                return;
            }
            relayAnyAddress = bnd.isAnyLocalAddress();
            relay = new InetSocketAddress(relayAnyAddress ? proxy.getAddress() : bnd, r.bndPort());
            ctx.pipeline().remove(DECODER);
            ctx.pipeline().remove(ENCODER);
            ChannelFuture f;
            InternetProtocolFamily family = relay.getAddress() instanceof Inet6Address
                    ? InternetProtocolFamily.IPv6 : InternetProtocolFamily.IPv4;
            try {
                f = bindUdp(family);
            } catch (RuntimeException e) {
                fail(new DialException(DialException.Reason.PROXY_ERROR, prefix() + ": cannot open a UDP socket ("
                        + Dial.rootMessage(e) + ")", e));
                return;
            }
            f.addListener(x -> {
                if (!x.isSuccess()) {
                    f.channel().close();
                    fail(new DialException(DialException.Reason.PROXY_ERROR, prefix() + ": cannot open a UDP socket ("
                            + Dial.rootMessage(x.cause()) + ")", x.cause()));
                    return;
                }
                if (isEnded()) { // the control connection went away meanwhile
                    f.channel().close();
                    return;
                }
                udp = (DatagramChannel) f.channel();
                handedOut();
                if (!promise.trySuccess(Socks5UdpAssociation.this)) close();
            });
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            controlCause = cause;
            ctx.close();
        }
    }

    @Override
    DatagramPacket outgoing(InetSocketAddress destination, ByteBuf payload) {
        if (Socks5UdpHeader.length(destination) + payload.readableBytes() > 65507) { // largest UDP payload over IPv4
            payload.release();
            return null;
        }
        ByteBuf head = udp.alloc().directBuffer(Socks5UdpHeader.length(destination));
        Socks5UdpHeader.encode(destination, head);
        CompositeByteBuf whole = udp.alloc().compositeDirectBuffer(2).addComponents(true, head, payload);
        return new DatagramPacket(whole, relay);
    }

    @Override
    boolean incoming(DatagramPacket packet) {
        InetSocketAddress from = DirectUdpAssociation.unmapped(packet.sender());
        boolean fromRelay = relayAnyAddress ? from.getPort() == relay.getPort() : from.equals(relay);
        if (!fromRelay) return false; // only the relay speaks for the association
        ByteBuf content = packet.content();
        InetSocketAddress source = header.decode(content);
        if (source == null) return false;
        receiver.datagram(source, content);
        return true;
    }

    @Override
    public String toString() {
        return super.toString() + (relay != null ? " relay " + Dial.hostPort(relay) : "");
    }
}
