package io.tunctl.core.tun;

import io.tunctl.core.natives.linux.Natives;
import io.tunctl.core.natives.linux.io_uring_h;
import io.tunctl.core.natives.linux.libc_h;
import io.tunctl.core.natives.linux.virtio_net_hdr;
import io.tunctl.core.spi.Offload;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.uring.BufferRing;
import io.tunctl.core.uring.IoUring;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The read side of a {@link TunDevice} opened with {@link TunIo#URING}: one multishot read
 * ({@code IORING_OP_READ_MULTISHOT}) armed on the TUN fd takes a buffer from a {@link BufferRing} for every packet,
 * so reads are in flight while the pump is busy writing, and a {@code POLL_ADD} on the device's eventfd ends a wait
 * for {@link TunDevice#wakeup()} and close. A read hands packets over in place: batch slots refer
 * ({@link PacketBatch#addRef}) to the ring's buffers, which go back to the kernel at the next read, when the caller
 * is done with the batch (the bridge's pump clears its batch before every read). One {@code io_uring_enter} per wait,
 * none while completions are already there.
 *
 * <p>The ring is made by the first reading thread and belongs to it ({@code SINGLE_ISSUER}); should another thread
 * read later, the ring is made again for that thread. Used under the device's read lock; allocates nothing after
 * the ring is made.
 */
final class UringReader {
    private static final long READ = 1;
    private static final long WAKE = 2;
    /** Buffers in the ring: a pump batch (64) handed over plus as many the kernel can fill meanwhile. */
    private static final int BUFFERS = 128;
    private static final int BUFFER_SIZE = 65536 + 64;

    private final int fd;
    private final int eventFd;
    private final boolean vnet;
    private final int hdr;
    private final String name;
    private final MemorySegment errno;
    private final MemorySegment eventCount;

    private Arena arena;
    private Thread owner;
    private IoUring ring;
    private BufferRing buffers;
    private final int[] handed = new int[BUFFERS];
    private int handedCount;
    private boolean readArmed;
    private boolean wakeArmed;

    /** Packets lost: shorter than their virtio header, or a read the kernel failed. */
    long dropped;
    long bytes;
    /** Multishot reads the kernel ended with EAGAIN (nothing to read on a non-blocking fd), re-armed. */
    long rearmedOnEagain;

    UringReader(Arena deviceArena, int fd, int eventFd, boolean vnet, String name) {
        this.fd = fd;
        this.eventFd = eventFd;
        this.vnet = vnet;
        this.hdr = vnet ? Offload.VIRTIO_NET_HDR_LEN : 0;
        this.name = name;
        this.errno = Natives.allocateCapture(deviceArena);
        this.eventCount = deviceArena.allocate(ValueLayout.JAVA_LONG);
    }

    /** The ring for the calling thread: made on first use, and again if another thread reads from now on. */
    private void ensureRing() throws NativeException {
        Thread me = Thread.currentThread();
        if (owner == me) return;
        release();
        Arena a = Arena.ofShared();
        try {
            ring = IoUring.open(a, 256);
            buffers = BufferRing.register(ring, a, 0, BUFFERS, BUFFER_SIZE);
        } catch (NativeException | RuntimeException e) {
            a.close();
            ring = null;
            buffers = null;
            throw e;
        }
        arena = a;
        owner = me;
        handedCount = 0;
        readArmed = false;
        wakeArmed = false;
    }

    /**
     * Appends what is ready (blocking until something is): the packets appended, or 0 after a wakeup or close (the
     * caller tells them apart). Buffers handed out by the previous call go back to the kernel first.
     */
    int read(PacketBatch batch) throws IOException {
        ensureRing();
        IoUring r = ring;
        BufferRing b = buffers;
        for (int k = 0; k < handedCount; k++) b.recycle(handed[k]);
        handedCount = 0;
        b.publish();
        int start = batch.size();
        int cap = batch.capacity();
        while (true) {
            if (!readArmed) {
                r.prep(io_uring_h.IORING_OP_READ_MULTISHOT(), io_uring_h.IOSQE_BUFFER_SELECT(), fd, 0L, 0, 0L,
                        b.group(), READ);
                readArmed = true;
            }
            if (!wakeArmed) {
                r.prepPoll(eventFd, libc_h.POLLIN(), WAKE);
                wakeArmed = true;
            }
            boolean woke = false;
            int ready = r.cqReady();
            int k = 0;
            int i = batch.size();
            for (; k < ready && i < cap; k++) {
                long ud = r.cqeUserData(k);
                int res = r.cqeRes(k);
                int flags = r.cqeFlags(k);
                if (ud == WAKE) {
                    wakeArmed = false;
                    woke = true;
                    continue;
                }
                if ((flags & io_uring_h.IORING_CQE_F_MORE()) == 0) readArmed = false;
                if ((flags & io_uring_h.IORING_CQE_F_BUFFER()) != 0) {
                    int bid = flags >>> io_uring_h.IORING_CQE_BUFFER_SHIFT();
                    if (res > hdr && res - hdr <= batch.bufferSize()) {
                        long at = b.address(bid);
                        int len = res - hdr;
                        batch.addRef(at + hdr, len);
                        if (vnet) {
                            MemorySegment h = b.buffers();
                            long off = (long) bid * b.size();
                            batch.setOffload(i,
                                    h.get(ValueLayout.JAVA_BYTE, off + virtio_net_hdr.flags$offset()) & 0xff,
                                    h.get(ValueLayout.JAVA_BYTE, off + virtio_net_hdr.gso_type$offset()) & 0xff,
                                    h.get(ValueLayout.JAVA_SHORT, off + virtio_net_hdr.hdr_len$offset()) & 0xffff,
                                    h.get(ValueLayout.JAVA_SHORT, off + virtio_net_hdr.gso_size$offset()) & 0xffff,
                                    h.get(ValueLayout.JAVA_SHORT, off + virtio_net_hdr.csum_start$offset()) & 0xffff,
                                    h.get(ValueLayout.JAVA_SHORT, off + virtio_net_hdr.csum_offset$offset()) & 0xffff);
                        }
                        handed[handedCount++] = bid;
                        bytes += len;
                        i++;
                    } else {
                        b.recycle(bid);
                        if (res >= 0) dropped++;
                    }
                } else if (res < 0) {
                    failed(-res);
                }
            }
            r.cqAdvance(k);
            b.publish();
            int got = i - start;
            if (got > 0 || woke) {
                if (woke) drainEventFd();
                return got;
            }
            // a read or wake that just ended is armed again before waiting, or the wait could be for nothing
            if (!readArmed || !wakeArmed) continue;
            r.submit(1);
        }
    }

    /** A failed multishot read: ENOBUFS (every buffer handed out) and EAGAIN/EINTR re-arm; the rest ends reading. */
    private void failed(int e) throws NativeException {
        if (e == libc_h.EAGAIN()) rearmedOnEagain++;
        if (e == libc_h.ENOBUFS() || e == libc_h.EAGAIN() || e == libc_h.EINTR()) return;
        if (e == libc_h.EFAULT()) {
            dropped++;
            return;
        }
        throw NativeException.syscall("io_uring read", "IORING_OP_READ_MULTISHOT", name, e);
    }

    private void drainEventFd() {
        libc_h.read(errno, eventFd, eventCount, 8);
    }

    /** Frees the ring (the device's close; or the reading thread changed). */
    void release() {
        if (arena != null) arena.close();
        arena = null;
        ring = null;
        buffers = null;
        owner = null;
    }
}
