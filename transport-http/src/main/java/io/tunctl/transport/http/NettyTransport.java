package io.tunctl.transport.http;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * Netty's epoll transport when its native library loads (Linux, with netty-transport-native-epoll on the class
 * path, or its module added on the module path), NIO otherwise. {@code -Dtunctl.http.nio=true} forces NIO.
 */
public record NettyTransport(String name, IoHandlerFactory ioHandler, Class<? extends SocketChannel> socket,
                             Class<? extends ServerChannel> serverSocket) {

    public static final NettyTransport BEST = pick();

    private static NettyTransport pick() {
        if (!Boolean.getBoolean("tunctl.http.nio") && nativeEpollVisible()) {
            try {
                if (Epoll.isAvailable()) {
                    return new NettyTransport("epoll", EpollIoHandler.newFactory(), EpollSocketChannel.class,
                            EpollServerSocketChannel.class);
                }
            } catch (LinkageError e) {
                // native part missing or not loadable: NIO below
            }
        }
        return new NettyTransport("nio", NioIoHandler.newFactory(), NioSocketChannel.class, NioServerSocketChannel.class);
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
}
