package io.tunctl.netty;

import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.tunctl.core.tun.SocketBypass;

import java.io.IOException;

/**
 * Netty's epoll transport when its native library loads (Linux, with netty-transport-native-epoll on the class
 * path, or its module added on the module path), NIO otherwise. {@code -Dtunctl.netty.nio=true} (or the older
 * {@code -Dtunctl.http.nio=true}) forces NIO.
 */
public record NettyTransport(String name, IoHandlerFactory ioHandler, Class<? extends SocketChannel> socket,
                             Class<? extends ServerChannel> serverSocket, Class<? extends DatagramChannel> datagram) {

    public static final NettyTransport BEST = pick();

    private static NettyTransport pick() {
        boolean nio = Boolean.getBoolean("tunctl.netty.nio") || Boolean.getBoolean("tunctl.http.nio");
        if (!nio && nativeEpollVisible()) {
            try {
                if (Epoll.isAvailable()) {
                    return new NettyTransport("epoll", EpollIoHandler.newFactory(), EpollSocketChannel.class,
                            EpollServerSocketChannel.class, EpollDatagramChannel.class);
                }
            } catch (LinkageError e) {
                // native part missing or not loadable: NIO below
            }
        }
        return new NettyTransport("nio", NioIoHandler.newFactory(), NioSocketChannel.class, NioServerSocketChannel.class,
                NioDatagramChannel.class);
    }

    /**
     * On the module path the native library is in its own module, which is resolved only when added
     * ({@code --add-modules io.netty.transport.epoll.linux.x86_64}); without it, do not even try (trying prints a
     * native-access warning and fails).
     */
    private static boolean nativeEpollVisible() {
        if (!NettyTransport.class.getModule().isNamed()) return true;
        return ModuleLayer.boot().findModule("io.netty.transport.epoll.linux.x86_64").isPresent();
    }

    public EventLoopGroup newGroup(int threads) {
        return new MultiThreadIoEventLoopGroup(threads, ioHandler);
    }

    /**
     * Makes this transport's client sockets with {@code bypass} (SO_MARK, SO_BINDTODEVICE) already set, so that even
     * the SYN is routed around the tunnel. Use as {@code bootstrap.channelFactory(...)}; a socket option that cannot
     * be set fails the connect with the {@code NativeException} as cause.
     */
    public ChannelFactory<SocketChannel> sockets(SocketBypass bypass) {
        if (bypass.isNone()) return () -> newChannel(socket);
        if (name.equals("epoll")) {
            return () -> {
                EpollSocketChannel ch = new EpollSocketChannel();
                return applied(ch, () -> bypass.apply(ch.fd().intValue()));
            };
        }
        return () -> {
            try {
                java.nio.channels.SocketChannel jc = java.nio.channels.SocketChannel.open();
                return applied(new NioSocketChannel(jc), () -> bypass.apply(jc));
            } catch (IOException e) {
                throw new ChannelException(e);
            }
        };
    }

    /** The listening side of {@link #sockets}: accepted connections inherit the listener's mark. */
    public ChannelFactory<ServerChannel> serverSockets(SocketBypass bypass) {
        if (bypass.isNone()) return () -> newChannel(serverSocket);
        if (name.equals("epoll")) {
            return () -> {
                EpollServerSocketChannel ch = new EpollServerSocketChannel();
                return applied(ch, () -> bypass.apply(ch.fd().intValue()));
            };
        }
        return () -> {
            try {
                java.nio.channels.ServerSocketChannel jc = java.nio.channels.ServerSocketChannel.open();
                return applied(new NioServerSocketChannel(jc), () -> bypass.apply(jc));
            } catch (IOException e) {
                throw new ChannelException(e);
            }
        };
    }

    /**
     * UDP sockets of {@code family} with {@code bypass} set before they bind, like {@link #sockets}. (NIO needs the
     * family up front; epoll sockets are dual-stack either way.)
     */
    public ChannelFactory<DatagramChannel> datagrams(SocketBypass bypass, InternetProtocolFamily family) {
        if (name.equals("epoll")) {
            return () -> {
                EpollDatagramChannel ch = new EpollDatagramChannel(family);
                return bypass.isNone() ? ch : applied(ch, () -> bypass.apply(ch.fd().intValue()));
            };
        }
        return () -> {
            try {
                java.net.StandardProtocolFamily f = family == InternetProtocolFamily.IPv6
                        ? java.net.StandardProtocolFamily.INET6 : java.net.StandardProtocolFamily.INET;
                java.nio.channels.DatagramChannel jc = java.nio.channels.DatagramChannel.open(f);
                return bypass.isNone() ? new NioDatagramChannel(jc) : applied(new NioDatagramChannel(jc), () -> bypass.apply(jc));
            } catch (IOException e) {
                throw new ChannelException(e);
            }
        };
    }

    private interface SocketStep {
        void run() throws IOException;
    }

    private static <C extends io.netty.channel.Channel> C applied(C ch, SocketStep step) {
        try {
            step.run();
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.unsafe().closeForcibly();
            throw e instanceof ChannelException c ? c : new ChannelException(e.getMessage(), e);
        }
    }

    private static <C> C newChannel(Class<? extends C> type) {
        try {
            return type.getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new ChannelException("cannot make a " + type.getSimpleName(), e);
        }
    }
}
