package io.tunctl.transport.p2p.udx;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.tunctl.core.tun.SocketBypass;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One UDP socket carrying any number of {@link UdxStream}s plus other datagrams (DHT RPC, holepunch probes).
 *
 * <p>Incoming datagrams are demultiplexed as libudx does: a datagram of at least 20 bytes starting
 * {@code 0xFF 0x01} whose id names a live stream of this socket goes to that stream; everything else goes to the
 * {@link #onMessage message handler}. The socket is a Netty native epoll datagram channel that reads in batches
 * ({@code recvmmsg}) and writes each batch of outgoing packets with one {@code sendmmsg}; ACKs for a read batch
 * are sent after the batch. Don't-fragment is set so MTU probes that are too big are lost, not fragmented.
 */
public final class UdxSocket implements AutoCloseable {

    private static final int MAX_DATAGRAM = 2048;
    private static final int READ_BATCH = 64;
    private static final int SOCKET_BUFFER = 4 << 20;
    /** {@code IP_MTU_DISCOVER} / {@code IPV6_MTU_DISCOVER} = {@code IP_PMTUDISC_PROBE} (linux/in.h, in6.h). */
    private static final IntegerUnixChannelOption IP_MTU_DISCOVER =
            new IntegerUnixChannelOption("IP_MTU_DISCOVER", 0, 10);
    private static final IntegerUnixChannelOption IPV6_MTU_DISCOVER =
            new IntegerUnixChannelOption("IPV6_MTU_DISCOVER", 41, 23);
    private static final int IP_PMTUDISC_PROBE = 3;
    /** UDP GSO for data packets; {@code -Dtunctl.udx.gso=false} turns it off. */
    private static final boolean GSO = !"false".equals(System.getProperty("tunctl.udx.gso"));
    /**
     * UDP GRO on receive ({@code -Dtunctl.udx.gro=true}): the kernel hands over runs of a GSO sender's datagrams
     * in one buffer, which Netty splits again. Each read slot must then hold 64 KiB, so fewer datagrams from
     * non-GSO peers fit in one {@code recvmmsg}; off by default.
     */
    private static final boolean GRO = Boolean.getBoolean("tunctl.udx.gro");
    private static final int GSO_MAX_SEGMENTS = 64;
    private static final int GSO_MAX_BYTES = 65000;

    /** IP_TTL (linux/in.h), set around a low-TTL send. */
    private static final IntegerUnixChannelOption IP_TTL = new IntegerUnixChannelOption("IP_TTL", 0, 2);
    private static final int DEFAULT_TTL = 64;

    private final EventLoopGroup ownGroup;
    private final EpollDatagramChannel channel;
    private final EventLoop loop;
    /**
     * Streams by local id, shared with every {@linkplain #bindSibling sibling} (libudx keeps one table per UDX
     * instance, so a stream's packets are found on whichever socket they arrive).
     */
    private final IntObjectHashMap<UdxStream> streams;
    private final List<UdxStream> dirty = new ArrayList<>();
    private final AtomicInteger liveStreams;
    /** The socket whose table this one shares, or null if it owns it. */
    private final UdxSocket owner;
    private final AtomicLong datagramsReceived = new AtomicLong();
    private volatile UdxMessageHandler messageHandler;
    private boolean flushPending;
    /** Datagrams written are held until {@link #uncork} ({@link #cork}). */
    private boolean corked;
    private final boolean gso = GSO && io.netty.channel.epoll.SegmentedDatagramPacket.isSupported();
    private io.netty.buffer.CompositeByteBuf batch;
    private int batchSegment;
    private int batchCount;
    private int batchBytes;
    private InetSocketAddress batchTo;
    private volatile boolean closed;
    /** On the root socket: what {@link #keepOutOfTunnel} gave it, applied to every sibling bound after. */
    private volatile SocketBypass bypass;

    private UdxSocket(EventLoopGroup ownGroup, EpollDatagramChannel channel, UdxSocket owner) {
        this.ownGroup = ownGroup;
        this.channel = channel;
        this.loop = channel.eventLoop();
        this.owner = owner;
        this.streams = owner == null ? new IntObjectHashMap<>() : owner.streams;
        this.liveStreams = owner == null ? new AtomicInteger() : owner.liveStreams;
    }

    /** Binds a socket on its own single-threaded event loop (closed with the socket). */
    public static UdxSocket bind(InetSocketAddress local) throws IOException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("udx", true),
                EpollIoHandler.newFactory());
        try {
            return bind(local, group, group, null);
        } catch (IOException | RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    /** Binds a socket on one event loop of {@code group} (an epoll group), which the caller keeps owning. */
    public static UdxSocket bind(InetSocketAddress local, EventLoopGroup group) throws IOException {
        return bind(local, group, null, null);
    }

    /**
     * Binds another socket on this one's event loop that shares its streams (libudx's sockets of one UDX instance):
     * a stream's packets are routed to it whichever of the two they arrive on, and {@link UdxStream#connect(UdxSocket,
     * int, InetSocketAddress)} may send through either. hyperdht's client/server socket pair and its holepunch sockets
     * are siblings. Closing a sibling destroys only the streams that send through it; closing this socket destroys
     * them all.
     */
    public UdxSocket bindSibling(InetSocketAddress local) throws IOException {
        Objects.requireNonNull(local, "local");
        UdxSocket root = owner == null ? this : owner;
        if (!loop.inEventLoop()) {
            try {
                return loop.submit(() -> bindSiblingOnLoop(local, root)).get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted binding UDX socket to " + local, e);
            } catch (TimeoutException | java.util.concurrent.RejectedExecutionException e) {
                throw new IOException("UDX event loop did not bind " + local, e);
            }
        }
        return bindSiblingOnLoop(local, root);
    }

    /**
     * On the loop, registering and binding complete at once (Netty runs them inline there), so a holepuncher can
     * open its sockets from an event-loop callback without waiting on the loop it runs on.
     */
    private UdxSocket bindSiblingOnLoop(InetSocketAddress local, UdxSocket root) throws IOException {
        if (closed) {
            throw new IOException("UDX socket " + localAddress() + " is closed");
        }
        boolean v6 = local.getAddress() instanceof Inet6Address;
        EpollDatagramChannel ch = new EpollDatagramChannel(v6 ? SocketProtocolFamily.INET6
                : SocketProtocolFamily.INET);
        var c = ch.config();
        c.setOption(ChannelOption.SO_RCVBUF, SOCKET_BUFFER);
        c.setOption(ChannelOption.SO_SNDBUF, SOCKET_BUFFER);
        c.setOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT);
        c.setOption(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, GRO ? 0 : MAX_DATAGRAM);
        c.setOption(EpollChannelOption.UDP_GRO, GRO);
        c.setOption(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(GRO ? 65536
                : MAX_DATAGRAM * READ_BATCH));
        c.setOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(8 << 20, 16 << 20));
        c.setOption(ChannelOption.MAX_MESSAGES_PER_WRITE, 1024);
        c.setOption(v6 ? IPV6_MTU_DISCOVER : IP_MTU_DISCOVER, IP_PMTUDISC_PROBE);
        Handler handler = new Handler();
        ch.pipeline().addLast(handler);
        SocketBypass keepOut = root.bypass;
        if (keepOut != null) {
            try {
                keepOut.apply(ch.fd().intValue());
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        }
        ChannelFuture reg = loop.register(ch);
        ChannelFuture f = reg.isSuccess() ? ch.bind(local) : reg;
        if (!f.isDone() || !f.isSuccess()) {
            ch.close();
            Throwable cause = f.cause();
            throw new IOException("UDX socket bind to " + local + " failed: "
                    + (cause == null ? "not done on the event loop" : cause.getMessage()), cause);
        }
        UdxSocket socket = new UdxSocket(null, ch, root);
        handler.socket = socket;
        return socket;
    }

    private static UdxSocket bind(InetSocketAddress local, EventLoopGroup group, EventLoopGroup own, UdxSocket owner)
            throws IOException {
        Objects.requireNonNull(local, "local");
        if (!Epoll.isAvailable()) {
            throw new IOException("UDX needs Netty native epoll (linux-x86_64): " + Epoll.unavailabilityCause(),
                    Epoll.unavailabilityCause());
        }
        boolean v6 = local.getAddress() instanceof Inet6Address;
        Handler handler = new Handler();
        Bootstrap b = new Bootstrap()
                .group(group)
                .channelFactory(() -> new EpollDatagramChannel(v6 ? SocketProtocolFamily.INET6
                        : SocketProtocolFamily.INET))
                .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER)
                .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, GRO ? 0 : MAX_DATAGRAM)
                .option(EpollChannelOption.UDP_GRO, GRO)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(GRO ? 65536
                        : MAX_DATAGRAM * READ_BATCH))
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(8 << 20, 16 << 20))
                .option(ChannelOption.MAX_MESSAGES_PER_WRITE, 1024)
                .option(v6 ? IPV6_MTU_DISCOVER : IP_MTU_DISCOVER, IP_PMTUDISC_PROBE)
                .handler(handler);
        ChannelFuture f = b.bind(local);
        try {
            if (!f.await(10, TimeUnit.SECONDS)) {
                f.channel().close();
                throw new IOException("UDX socket bind to " + local + " timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted binding UDX socket to " + local, e);
        }
        if (!f.isSuccess()) {
            throw new IOException("UDX socket bind to " + local + " failed: " + f.cause().getMessage(), f.cause());
        }
        UdxSocket socket = new UdxSocket(own, (EpollDatagramChannel) f.channel(), owner);
        handler.socket = socket;
        return socket;
    }

    /** The bound address (with the actual port when bound to port 0). */
    public InetSocketAddress localAddress() {
        return channel.localAddress();
    }

    /**
     * Keeps this socket's datagrams out of the tunnel they may carry (SO_MARK and/or SO_BINDTODEVICE, see
     * {@link SocketBypass}); call it before the first send.
     */
    public void keepOutOfTunnel(SocketBypass bypass) throws IOException {
        bypass.apply(channel.fd().intValue());
        // siblings bound from now on (holepunch sockets) get it too: a full tunnel must not capture any of them
        (owner == null ? this : owner).bypass = bypass;
    }

    /** The event loop every stream of this socket runs on. */
    public EventLoop eventLoop() {
        return loop;
    }

    ByteBufAllocator allocator() {
        return channel.alloc();
    }

    /**
     * Creates a stream with local id {@code localId}; packets carrying that id are routed to it from now on.
     *
     * @throws IllegalStateException if a live stream of this socket already has that id
     */
    public UdxStream createStream(int localId) {
        return callOnLoop(() -> {
            if (closed) {
                throw new IllegalStateException("UDX socket " + localAddress() + " is closed");
            }
            UdxStream old = streams.get(localId);
            if (old != null) {
                if (old.isLive()) {
                    throw new IllegalStateException("UDX stream id " + Integer.toUnsignedString(localId)
                            + " is already in use on " + localAddress());
                }
                streams.remove(localId); // a closed stream lingering to re-ACK its peer's END
            }
            UdxStream s = new UdxStream(this, localId);
            streams.put(localId, s);
            liveStreams.incrementAndGet();
            return s;
        });
    }

    /** Number of streams created on this socket and not yet closed (lingering closed streams excluded). */
    public int streamCount() {
        return liveStreams.get();
    }

    /** Sets the handler for datagrams that are not packets of a live stream (null drops them). */
    public void onMessage(UdxMessageHandler handler) {
        this.messageHandler = handler;
    }

    /**
     * Sends one raw datagram (for example a DHT RPC message) through this socket. Takes ownership of
     * {@code datagram}. The future completes when the datagram was handed to the kernel.
     */
    public CompletableFuture<Void> send(ByteBuf datagram, InetSocketAddress to) {
        Objects.requireNonNull(to, "to");
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closed) {
            datagram.release();
            done.completeExceptionally(new IOException("UDX socket " + localAddress() + " is closed"));
            return done;
        }
        channel.writeAndFlush(new DatagramPacket(datagram, to)).addListener(f -> {
            if (f.isSuccess()) {
                done.complete(null);
            } else {
                done.completeExceptionally(new IOException("UDX socket send to " + to + " failed: "
                        + f.cause().getMessage(), f.cause()));
            }
        });
        return done;
    }

    /**
     * Sends one datagram with IP TTL {@code ttl} (hyperdht's holepunch probes go out with TTL 5: enough to open our
     * own NAT's mapping, too little to reach the peer's). Event loop only: the TTL is set, the datagram written and
     * flushed, and the TTL restored in one go, so no other datagram leaves with it.
     */
    public void sendWithTtl(ByteBuf datagram, InetSocketAddress to, int ttl) {
        if (!loop.inEventLoop()) {
            datagram.release();
            throw new IllegalStateException("sendWithTtl runs on the socket's event loop");
        }
        if (closed) {
            datagram.release();
            return;
        }
        flush();
        boolean low = ttl != DEFAULT_TTL;
        if (low) {
            channel.config().setOption(IP_TTL, ttl);
        }
        try {
            channel.writeAndFlush(new DatagramPacket(datagram, to), channel.voidPromise());
        } finally {
            if (low) {
                channel.config().setOption(IP_TTL, DEFAULT_TTL);
            }
        }
    }

    /** Whether {@link #bindSibling} made this socket (it shares another's streams). */
    public boolean isSibling() {
        return owner != null;
    }

    /** Destroys every stream (each sends DESTROY), then closes the UDP socket. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            callOnLoop(() -> {
                for (UdxStream s : new ArrayList<>(streams.values())) {
                    if (owner == null || s.socket() == this) {
                        s.closeBySocket(new IOException("UDX socket " + localAddress() + " closed"));
                    }
                }
                if (owner == null) {
                    streams.clear();
                }
                flush();
                return null;
            });
        } catch (RuntimeException ignored) {
            // the loop is already gone; nothing left to release on it
        }
        if (loop.inEventLoop()) { // called from a callback: cannot wait for the loop we are running on
            channel.close();
            if (ownGroup != null) {
                ownGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            }
            return;
        }
        channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (ownGroup != null) {
            ownGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }

    // ---- for streams (event loop)

    void write(ByteBuf datagram, InetSocketAddress to) {
        emitBatch();
        channel.write(new DatagramPacket(datagram, to), channel.voidPromise());
        flushPending = true;
    }

    /**
     * Writes a stream data packet. With UDP GSO, consecutive packets of the same size to the same address are
     * gathered into one {@code sendmsg} with {@code UDP_SEGMENT}: the kernel cuts it back into one datagram per
     * packet (each with its own UDX header), so the peer sees exactly what separate sends would give it.
     */
    void writeData(ByteBuf datagram, InetSocketAddress to) {
        if (!gso) {
            write(datagram, to);
            return;
        }
        int n = datagram.readableBytes();
        if (batchCount > 0 && (n > batchSegment || batchCount >= GSO_MAX_SEGMENTS || batchBytes + n > GSO_MAX_BYTES
                || (to != batchTo && !to.equals(batchTo)))) {
            emitBatch();
        }
        if (batchCount == 0) {
            batch = channel.alloc().compositeDirectBuffer(GSO_MAX_SEGMENTS);
            batchSegment = n;
            batchTo = to;
        }
        batch.addComponent(true, datagram);
        batchCount++;
        batchBytes += n;
        flushPending = true;
        if (n < batchSegment) {
            emitBatch(); // only the last segment may be shorter
        }
    }

    private void emitBatch() {
        if (batchCount == 0) {
            return;
        }
        if (batchCount == 1) {
            channel.write(new DatagramPacket(batch, batchTo), channel.voidPromise());
        } else {
            channel.write(new io.netty.channel.epoll.SegmentedDatagramPacket(batch, batchSegment, batchTo),
                    channel.voidPromise());
        }
        batch = null;
        batchCount = 0;
        batchBytes = 0;
        batchTo = null;
    }

    /**
     * Holds the datagrams streams write on this socket until {@link #uncork}, so that what one step on the event loop
     * writes leaves in one go after it (libudx sends what a callback wrote once the callback returns). Event loop only.
     */
    public void cork() {
        corked = true;
    }

    /** Sends what was held since {@link #cork}. Event loop only. */
    public void uncork() {
        corked = false;
        flush();
    }

    void flush() {
        if (flushPending && !corked) {
            flushPending = false;
            emitBatch();
            channel.flush();
        }
    }

    void forget(UdxStream stream) {
        if (streams.get(stream.localId()) == stream) {
            streams.remove(stream.localId());
        }
    }

    void streamClosed(UdxStream stream) {
        liveStreams.decrementAndGet();
    }

    long datagramsReceived() {
        return datagramsReceived.get();
    }

    private <T> T callOnLoop(java.util.concurrent.Callable<T> task) {
        if (loop.inEventLoop()) {
            try {
                T t = task.call();
                flush();
                return t;
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        try {
            return loop.submit(() -> {
                T t = task.call();
                flush();
                return t;
            }).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the UDX event loop", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("UDX event loop did not answer within 10 s", e);
        }
    }

    private void onDatagram(DatagramPacket packet) {
        ByteBuf c = packet.content();
        datagramsReceived.incrementAndGet();
        if (UdxHeader.isUdx(c)) {
            UdxStream s = streams.get(UdxHeader.peekId(c));
            if (s != null && s.onDatagram(this, c, packet.sender(), System.nanoTime())) {
                if (!dirty.contains(s)) {
                    dirty.add(s);
                }
                return;
            }
        }
        UdxMessageHandler h = messageHandler;
        if (h != null) {
            h.onMessage(this, c, packet.sender());
        }
    }

    private void onReadComplete() {
        for (int i = 0; i < dirty.size(); i++) {
            UdxStream s = dirty.get(i);
            s.afterBatch();
            if (s.socket() != this) {
                s.socket().flush(); // a stream that sends through a sibling
            }
        }
        dirty.clear();
        flush();
    }

    private static final class Handler extends ChannelInboundHandlerAdapter {
        volatile UdxSocket socket;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket p = (DatagramPacket) msg;
            try {
                if (socket != null) {
                    socket.onDatagram(p);
                }
            } finally {
                p.release();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (socket != null) {
                socket.onReadComplete();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // a failed sendmmsg entry (e.g. EMSGSIZE for an MTU probe) is a lost datagram; UDX recovers from it
        }
    }
}
