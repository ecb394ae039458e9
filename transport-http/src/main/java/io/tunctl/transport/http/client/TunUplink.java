package io.tunctl.transport.http.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.tunctl.core.spi.DrivenDirection;
import io.tunctl.core.spi.PollableDevice;
import io.tunctl.transport.http.wire.ChunkedBody;
import io.tunctl.transport.http.wire.Frames;
import io.tunctl.transport.http.wire.Wire;

import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

import static java.lang.System.Logger.Level.WARNING;

/**
 * The client's TUN → PUT direction, run by the PUT channel's epoll event loop instead of a thread of its own: the
 * TUN's descriptor sits in that loop's epoll set; when it is readable and the PUT stream can take more, packets are
 * read straight into a chunk buffer, already framed (the kernel's virtio header lands where the frame's header goes),
 * and the chunk is written and flushed on the same thread. No copy of the packet, no hand-off between threads, no
 * wake-up per batch. Back-pressure is real: while the PUT stream is congested or down, the TUN is not read, so its
 * queue fills and the kernel drops (counted on the interface), as for any NIC.
 *
 * <p>Everything but {@link #close} runs on the loop; PUT channels are made on the same loop ({@link HttpTunnelClient}
 * pins them there), so the reader and the channel share one thread.
 */
final class TunUplink implements EpollIoHandle {
    /** Packets read per readiness event at most, so one busy TUN does not starve the loop's other channels. */
    static final int PACKETS_PER_EVENT = 64;
    /** Bytes of frames per chunk buffer; a GSO super-packet needs up to 64 KiB of it. */
    static final int CHUNK = 256 << 10;

    private final IoEventLoop loop;
    private final PollableDevice.DirectReader reader;
    private final FileDescriptor fd;
    private final DrivenDirection direction;
    private final Supplier<Channel> put;
    private final ClientDevice device;
    private final ByteBufAllocator alloc;
    private final System.Logger log;
    /** Largest packet a read may return: a super-packet with offload, the MTU without (re-read per event). */
    private final boolean offload;
    private IoRegistration registration;
    /** From {@link #start} until the loop has answered the registration: the reader must stay open meanwhile. */
    private boolean registering;
    private boolean armed;
    private boolean closed;

    private TunUplink(IoEventLoop loop, PollableDevice.DirectReader reader, DrivenDirection direction,
                      Supplier<Channel> put, ClientDevice device, ByteBufAllocator alloc, System.Logger log) {
        this.loop = loop;
        this.reader = reader;
        this.fd = new FileDescriptor(reader.fd());
        this.direction = direction;
        this.put = put;
        this.device = device;
        this.alloc = alloc;
        this.log = log;
        this.offload = reader.headerLength() > 0;
    }

    /**
     * Registers {@code source} with {@code loop}, or returns null when that loop is not an epoll loop (NIO: the
     * bridge then pumps). The first readiness event comes once {@link #arm} is called with the PUT stream up.
     */
    static TunUplink start(IoEventLoop loop, PollableDevice source, DrivenDirection direction, Supplier<Channel> put,
                           ClientDevice device, ByteBufAllocator alloc, System.Logger log) {
        if (!loop.isCompatible(EpollIoHandle.class) || !nativeAddresses(alloc)) return null;
        PollableDevice.DirectReader reader;
        try {
            reader = source.openDirectReader();
        } catch (IOException e) {
            log.log(WARNING, "{0}: cannot read {1} from the event loop ({2}); a thread pumps it instead",
                    device.describe(), source.describe(), e.getMessage());
            return null;
        }
        TunUplink up = new TunUplink(loop, reader, direction, put, device, alloc, log);
        up.registering = true;
        loop.register(up).addListener(f -> loop.execute(() -> up.registered(f.isSuccess() ? (IoRegistration) f.getNow()
                : null, f.cause(), source)));
        return up;
    }

    /** Reads go straight into buffer memory, so the allocator's direct buffers must expose their addresses. */
    private static boolean nativeAddresses(ByteBufAllocator alloc) {
        ByteBuf probe = alloc.directBuffer(1);
        try {
            return probe.hasMemoryAddress();
        } finally {
            probe.release();
        }
    }

    /** On the loop, once registered: watch the TUN if the PUT stream is already up. */
    private void registered(IoRegistration r, Throwable cause, PollableDevice source) {
        registering = false;
        if (r == null) {
            closed = true;
            reader.close();
            direction.ended(new IOException(device.describe() + ": cannot add " + source.describe()
                    + " to the event loop", cause));
            return;
        }
        registration = r;
        if (closed) {
            shutdown();
            return;
        }
        arm();
    }

    /** Starts (or keeps) watching the TUN when the PUT stream is up and writable; call on the loop. */
    void arm() {
        if (!loop.inEventLoop()) {
            execute(this::arm);
            return;
        }
        if (armed || closed || registration == null) return;
        Channel p = put.get();
        if (p == null || !p.isActive() || !p.isWritable() || p.eventLoop() != loop) return;
        interest(true);
    }

    private void interest(boolean in) {
        try {
            registration.submit(in ? EpollIoOps.EPOLLIN : EpollIoOps.EPOLLERR);
            armed = in;
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    @Override
    public FileDescriptor fd() { return fd; }

    @Override
    public void handle(IoRegistration r, IoEvent event) {
        if (closed) return;
        Channel p = put.get();
        if (p == null || !p.isActive() || !p.isWritable() || p.eventLoop() != loop) {
            interest(false); // the PUT stream comes back (or drains) and arms again
            return;
        }
        try {
            pump(p);
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    /** Reads what the TUN has (up to {@link #PACKETS_PER_EVENT}) into chunks and writes them to {@code p}. */
    private void pump(Channel p) throws IOException {
        int max = offload ? Wire.MAX_PACKET : Math.max(device.mtu(), 68);
        int room = Frames.PACKET_AT + max;
        boolean v6 = device.carriesIpv6();
        ByteBuf chunk = null;
        int packets = 0, dropped = 0;
        long bytes = 0;
        try {
            for (int i = 0; i < PACKETS_PER_EVENT; i++) {
                if (chunk == null) chunk = ChunkedBody.start(alloc, Math.max(CHUNK, room));
                else if (chunk.writableBytes() < room + 2) { // +2: the chunk's closing CRLF
                    p.write(ChunkedBody.finish(chunk), p.voidPromise());
                    chunk = ChunkedBody.start(alloc, Math.max(CHUNK, room));
                }
                long at = chunk.memoryAddress() + chunk.writerIndex();
                int len = reader.read(at + Frames.HEADER_AT, at + Frames.PACKET_AT, max);
                if (len == 0) break;
                if (len < 0) {
                    end(null);
                    break;
                }
                int version = len < 20 ? 0 : (chunk.getByte(chunk.writerIndex() + Frames.PACKET_AT) >>> 4) & 0xf;
                // tapotun carries IPv4 only; IPv6 goes up only when the server is a tunctl that gave us an address
                if (version != 4 && !(version == 6 && v6 && len >= 40)) {
                    dropped++;
                    continue;
                }
                Frames.completeInPlace(chunk, len, offload);
                packets++;
                bytes += len;
            }
            if (chunk != null && !ChunkedBody.isEmpty(chunk)) {
                p.write(ChunkedBody.finish(chunk), p.voidPromise());
                chunk = null;
            }
        } finally {
            if (chunk != null) chunk.release();
            if (packets > 0) {
                p.flush();
                device.sent(packets, bytes);
                direction.moved(packets, bytes);
            }
            if (dropped > 0) device.dropped(dropped);
        }
    }

    private void fail(Throwable e) {
        if (closed) return;
        log.log(WARNING, "{0}: reading the TUN on the event loop failed: {1}", device.describe(), e.toString());
        end(e);
    }

    private void end(Throwable failure) {
        shutdown();
        direction.ended(failure);
    }

    /**
     * Stops reading and closes the reader, on the loop; callable from any thread (the loop itself calls it when it
     * shuts down with this still registered).
     */
    @Override
    public void close() {
        if (loop.inEventLoop()) {
            shutdown();
        } else if (!execute(this::shutdown)) {
            shutdown(); // the loop is gone: nothing can read any more
        }
    }

    private boolean execute(Runnable task) {
        try {
            loop.execute(task);
            return true;
        } catch (RejectedExecutionException loopGone) {
            return false;
        }
    }

    private void shutdown() {
        closed = true;
        if (registering) return; // registered() finishes the job
        IoRegistration r = registration;
        registration = null;
        // out of the epoll set while the descriptor is still open, then closed: never a stale number in the set
        if (r != null && r.isValid()) r.cancel();
        reader.close();
    }

    @Override
    public String toString() { return "TunUplink[" + reader + "]"; }
}
