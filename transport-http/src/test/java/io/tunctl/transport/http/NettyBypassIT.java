package io.tunctl.transport.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.tunctl.core.testkit.BypassNet;
import io.tunctl.core.testkit.Netns;
import io.tunctl.core.tun.LinuxInterface;
import io.tunctl.core.tun.NativeException;
import io.tunctl.core.tun.NetworkNamespace;
import io.tunctl.core.tun.SocketBypass;
import io.tunctl.netty.NettyTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link NettyTransport#sockets} and {@link NettyTransport#serverSockets} keep Netty's sockets out of a tunnel that
 * has taken every route: namespace A sends everything unmarked into a TUN (wg-quick's
 * {@code not fwmark 0x51820 lookup 1000}, table 1000 {@code default dev tnnbyp0}); B, over a veth, is reachable only
 * by a socket that is marked or bound to the veth. Both the epoll and the NIO transport.
 */
class NettyBypassIT {
    static final long MARK = BypassNet.MARK;

    private Netns a;
    private Netns b;
    private NetworkNamespace inA;
    private NetworkNamespace inB;
    private LinuxInterface tun;
    private BypassNet net;

    @BeforeEach
    void setUp() throws IOException {
        net = BypassNet.create("nbyp");
        a = net.a();
        b = net.b();
        inA = net.inA();
        inB = net.inB();
        tun = net.tun();
    }

    @AfterEach
    void tearDown() throws IOException {
        try {
            if (net != null) net.close();
        } finally {
            net = null;
        }
    }

    static NettyTransport transport(String kind) {
        return kind.equals("epoll")
                ? new NettyTransport("epoll", EpollIoHandler.newFactory(), EpollSocketChannel.class,
                        EpollServerSocketChannel.class, io.netty.channel.epoll.EpollDatagramChannel.class)
                : new NettyTransport("nio", NioIoHandler.newFactory(), NioSocketChannel.class,
                        NioServerSocketChannel.class, io.netty.channel.socket.nio.NioDatagramChannel.class);
    }

    /** Connects from A with {@code bypass}; the future, done. */
    private ChannelFuture connect(EventLoopGroup group, NettyTransport t, SocketBypass bypass,
                                  InetSocketAddress to) throws Exception {
        Bootstrap boot = new Bootstrap().group(group).channelFactory(t.sockets(bypass))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 1000).handler(new ChannelInboundHandlerAdapter());
        ChannelFuture f = inA.call(() -> boot.connect(to)); // the socket is made here, in A
        assertTrue(f.await(5, TimeUnit.SECONDS), "connect finished");
        return f;
    }

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "nio"})
    void clientSocketsMarkedOrBoundReachTheServer(String kind) throws Exception {
        NettyTransport t = transport(kind);
        EventLoopGroup group = t.newGroup(1);
        InetSocketAddress to = new InetSocketAddress("198.51.100.2", 5401);
        try (ServerSocketChannel server = inB.call(() -> ServerSocketChannel.open().bind(to))) {
            server.socket().setSoTimeout(5000);
            ChannelFuture plain = connect(group, t, SocketBypass.NONE, to);
            assertFalse(plain.isSuccess(), "the unmarked SYN went into the TUN: no answer");
            for (SocketBypass bypass : List.of(SocketBypass.mark(MARK), SocketBypass.device("vnbypa"))) {
                ChannelFuture f = connect(group, t, bypass, to);
                assertTrue(f.isSuccess(), bypass + ": " + f.cause());
                try (SocketChannel accepted = server.socket().accept().getChannel()) {
                    assertEquals("198.51.100.1", ((InetSocketAddress) accepted.getRemoteAddress()).getHostString());
                }
                f.channel().close().sync();
            }
            ChannelFuture bad = connect(group, t, SocketBypass.device("nosuch0"), to);
            Throwable c = bad.cause();
            while (c != null && !(c instanceof NativeException)) c = c.getCause();
            assertTrue(c instanceof NativeException n && n.errnoName().equals("ENODEV"), String.valueOf(bad.cause()));
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "nio"})
    void acceptedConnectionsOfAMarkedListenerAnswerAroundTheTunnel(String kind) throws Exception {
        NettyTransport t = transport(kind);
        EventLoopGroup group = t.newGroup(1);
        try {
            for (SocketBypass bypass : List.of(SocketBypass.NONE, SocketBypass.mark(MARK))) {
                InetSocketAddress at = new InetSocketAddress("198.51.100.1", bypass.isNone() ? 5402 : 5403);
                ServerBootstrap boot = new ServerBootstrap().group(group).channelFactory(t.serverSockets(bypass))
                        .childHandler(new ChannelInboundHandlerAdapter());
                Channel listener = inA.call(() -> boot.bind(at)).sync().channel();
                try (SocketChannel client = inB.call(SocketChannel::open)) {
                    if (bypass.isNone()) {
                        // the SYN-ACK of an unmarked listener is routed into the TUN
                        assertThrows(SocketTimeoutException.class, () -> client.socket().connect(at, 1000));
                    } else {
                        client.socket().connect(at, 5000);
                        assertTrue(client.isConnected(), "accepted sockets inherit the listener's mark");
                    }
                } finally {
                    listener.close().sync();
                }
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
