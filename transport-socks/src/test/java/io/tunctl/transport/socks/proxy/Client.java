package io.tunctl.transport.socks.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.concurrent.Future;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** A test's end of a connection dialed through an {@link Upstream}: collects what arrives, in order. */
final class Client implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(10);

    final Channel channel;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    private Client(Channel channel) {
        this.channel = channel;
    }

    /**
     * Dials, fails the test with the DialException if the dial fails, checks the channel is handed over as
     * promised (active, autoRead off, empty pipeline), then starts reading.
     */
    static Client open(Upstream upstream, InetSocketAddress destination, EventLoop loop) throws Exception {
        return open(upstream, destination, loop, false);
    }

    /** {@link #open}, for a proxy that sends bytes right after its answer: the early-data handler must be there. */
    static Client openWithEarlyData(Upstream upstream, InetSocketAddress destination, EventLoop loop) throws Exception {
        return open(upstream, destination, loop, true);
    }

    /**
     * {@link #open}, for a target that talks first: whether its first bytes came with the proxy's answer (and so
     * wait in the early-data handler) is a race.
     */
    static Client openMaybeEarlyData(Upstream upstream, InetSocketAddress destination, EventLoop loop) throws Exception {
        return open(upstream, destination, loop, null);
    }

    private static Client open(Upstream upstream, InetSocketAddress destination, EventLoop loop, Boolean early) throws Exception {
        Channel ch = await(upstream.connect(destination, loop));
        assertTrue(ch.isActive(), "dialed channel not active");
        assertEquals(false, ch.config().isAutoRead(), "autoRead must be off");
        java.util.List<String> left = java.util.List.copyOf(ch.pipeline().toMap().keySet());
        if (early == null) early = !left.isEmpty();
        assertEquals(early ? java.util.List.of(Upstream.EARLY_DATA_HANDLER) : java.util.List.of(), left,
                "handlers left in the pipeline");
        Client c = new Client(ch);
        ch.eventLoop().submit(() -> {
            ch.pipeline().addLast(c.new Collector());
            ch.config().setAutoRead(true);
        }).sync();
        return c;
    }

    static <T> T await(Future<T> f) throws Exception {
        if (!f.await(WAIT.toMillis() + 5000)) fail("dial did not complete in time");
        if (!f.isSuccess()) throw new AssertionError("dial failed: " + f.cause().getMessage(), f.cause());
        return f.getNow();
    }

    /** The DialException a dial fails with (the test fails if it succeeds). */
    static DialException failure(Future<?> f) throws InterruptedException {
        if (!f.await(WAIT.toMillis() + 5000)) fail("dial did not complete in time");
        if (f.isSuccess()) {
            if (f.getNow() instanceof Channel c) c.close();
            if (f.getNow() instanceof UdpAssociation a) a.close();
            fail("dial succeeded, expected a failure");
        }
        return assertInstanceOf(DialException.class, f.cause(), () -> "not a DialException: " + f.cause());
    }

    void write(byte[] data) throws Exception {
        channel.writeAndFlush(Unpooled.wrappedBuffer(data)).sync();
    }

    void write(String text) throws Exception {
        write(text.getBytes(StandardCharsets.UTF_8));
    }

    void shutdownOutput() throws Exception {
        ((DuplexChannel) channel).shutdownOutput().sync();
    }

    /** Waits until the far end closed and returns everything received. */
    byte[] readToEnd() throws Exception {
        try {
            closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            fail("no EOF within " + WAIT + "; got so far: " + text());
        } catch (ExecutionException e) {
            // closed by an error: return what came before it
        }
        synchronized (received) {
            return received.toByteArray();
        }
    }

    /** Waits until at least {@code n} bytes arrived and returns them all. */
    byte[] readAtLeast(int n) throws Exception {
        long end = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < end) {
            synchronized (received) {
                if (received.size() >= n) return received.toByteArray();
            }
            Thread.sleep(10);
        }
        fail("only " + text().length() + " of " + n + " bytes within " + WAIT + ": " + text());
        return null;
    }

    String text() {
        synchronized (received) {
            return received.toString(StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(5000);
    }

    private final class Collector extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            try {
                byte[] bytes = new byte[b.readableBytes()];
                b.readBytes(bytes);
                synchronized (received) {
                    received.writeBytes(bytes);
                }
            } finally {
                b.release();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closed.complete(null);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            closed.completeExceptionally(cause);
            ctx.close();
        }
    }
}
