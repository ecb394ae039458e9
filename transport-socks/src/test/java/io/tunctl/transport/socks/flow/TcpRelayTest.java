package io.tunctl.transport.socks.flow;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.tunctl.core.tun.SocketBypass;
import io.tunctl.netty.NettyTransport;
import io.tunctl.transport.socks.proxy.ProxyUrl;
import io.tunctl.transport.socks.proxy.Upstream;
import io.tunctl.transport.socks.proxy.UpstreamOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The relay on real loopback sockets: an "application" connects to a Netty listener (the local side, as the
 * engine's listener hands it over: auto-read off), the upstream is a direct dial to a target; bytes cross both
 * ways intact, a half-close is carried through, and both sides close at the end.
 */
@Timeout(60)
class TcpRelayTest {
    private EventLoopGroup group;
    private Channel listener;
    private final CompletableFuture<Channel> accepted = new CompletableFuture<>();

    @BeforeEach
    void setUp() throws Exception {
        group = NettyTransport.BEST.newGroup(1);
        listener = new ServerBootstrap().group(group).channel(NettyTransport.BEST.serverSocket())
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void handlerAdded(ChannelHandlerContext ctx) {
                        accepted.complete(ctx.channel());
                        ctx.pipeline().remove(this);
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    @AfterEach
    void tearDown() {
        listener.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /** Repeated: splice's end of stream races the last bytes in the socket (see TcpRelay.drain). */
    @RepeatedTest(20)
    void bytesCrossBothWaysAndAnUploadThenDownloadSurvivesTheHalfClose() throws Exception {
        byte[] upload = new byte[3 << 20], download = new byte[5 << 20];
        new Random(1).nextBytes(upload);
        new Random(2).nextBytes(download);
        CompletableFuture<byte[]> targetGot = new CompletableFuture<>();
        try (ServerSocket target = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = target.accept()) {
                    targetGot.complete(s.getInputStream().readAllBytes()); // until the client's FIN
                    s.getOutputStream().write(download);
                } catch (Exception e) {
                    targetGot.completeExceptionally(e);
                }
            });
            Upstream direct = Upstream.of(ProxyUrl.parse("direct://"),
                    new UpstreamOptions(Duration.ofSeconds(5), SocketBypass.NONE, NettyTransport.BEST));
            try (Socket app = new Socket("127.0.0.1", ((InetSocketAddress) listener.localAddress()).getPort())) {
                Channel local = accepted.get(5, TimeUnit.SECONDS);
                Channel up = direct.connect(new InetSocketAddress("127.0.0.1", target.getLocalPort()), local.eventLoop())
                        .get(5, TimeUnit.SECONDS);
                CountDownLatch closed = new CountDownLatch(1);
                local.eventLoop().execute(() -> TcpRelay.join(local, up, Duration.ZERO, closed::countDown));
                OutputStream out = app.getOutputStream();
                out.write(upload);
                app.shutdownOutput();
                InputStream in = app.getInputStream();
                byte[] got = in.readAllBytes();
                assertArrayEquals(sha(upload), sha(targetGot.get(20, TimeUnit.SECONDS)), "upload");
                assertArrayEquals(sha(download), sha(got), "download after the half-close");
                assertTrue(closed.await(10, TimeUnit.SECONDS), "both sides closed");
            }
        }
    }

    private static byte[] sha(byte[] b) throws Exception { return MessageDigest.getInstance("SHA-256").digest(b); }
}
