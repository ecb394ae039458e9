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
import java.nio.channels.ClosedChannelException;

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
    /** {@code user_data} of a forwarding write: this plus the id of the buffer it writes from. */
    private static final long WRITE = 1L << 32;
    /** Buffers in the ring: a pump batch (64) handed over plus as many the kernel can fill meanwhile. */
    static final int BUFFERS = 128;
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
    /** The device whose file is this ring's fixed file while forwarding ({@link #forward}), held open till then. */
    private TunDevice fixedTo;

    /** Packets lost: shorter than their virtio header, or a read the kernel failed. */
    long dropped;
    long bytes;
    /** Forwarding writes completed since the owner last took them (into the destination's counters). */
    int fwdSent;
    long fwdBytes;
    int fwdDropped;
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
        recycleHanded();
        int start = batch.size();
        while (true) {
            arm();
            boolean woke = reap(batch);
            b.publish();
            int got = batch.size() - start;
            if (got > 0 || woke) {
                if (woke) drainEventFd();
                return got;
            }
            // a read or wake that just ended is armed again before waiting, or the wait could be for nothing
            if (!readArmed || !wakeArmed) continue;
            r.submit(1);
        }
    }

    /**
     * One round of forwarding into {@code to} through this ring, as the C multishot loop does: waits for packets
     * (none of them copied: {@code refs} refers to the ring's buffers), queues one {@code WRITE} per packet of its
     * buffer, virtio header included, and submits them in the same {@code io_uring_enter} that collects the reads
     * that arrived meanwhile; a buffer goes back to the kernel when its write completes, counted in {@link #fwdSent}
     * and its siblings. Returns the packets read, or 0 after a wakeup or close.
     *
     * <p>{@code to}'s file is the ring's fixed file ({@link #fixTo}): writes take no file reference each, and no
     * write names a descriptor number that {@code to}'s close could free. The caller calls {@link #unfix} once either
     * device closed.
     *
     * @throws ClosedChannelException when {@code to} was closed (the packets are dropped, {@code to} let go)
     */
    int forward(PacketBatch refs, TunDevice to) throws IOException {
        ensureRing();
        if (fixedTo != to) fixTo(to);
        IoUring r = ring;
        BufferRing b = buffers;
        recycleHanded();
        refs.clear();
        while (true) {
            arm();
            boolean woke = reap(refs);
            if (woke) drainEventFd();
            int got = refs.size();
            if (got > 0) {
                send(refs, to);
                b.publish();
                return got;
            }
            b.publish();
            if (woke) return 0;
            if (!readArmed || !wakeArmed) continue;
            r.submit(1);
        }
    }

    /**
     * Makes {@code to}'s file this ring's fixed file and holds {@code to} open (counted in) until {@link #unfix}, so
     * its close waits for the file to leave the ring (it wakes this device, whose forwarding thread then lets go):
     * the interface is gone when close returns, as with any other user.
     */
    private void fixTo(TunDevice to) throws IOException {
        unfix();
        if (!to.acquire()) throw new ClosedChannelException();
        try {
            ring.registerFile(to.fd());
        } catch (NativeException | RuntimeException e) {
            to.release();
            throw e;
        }
        fixedTo = to;
    }

    /** Takes the destination's file out of the ring and lets the destination close. On the ring's thread. */
    void unfix() throws NativeException {
        TunDevice t = fixedTo;
        if (t == null) return;
        fixedTo = null;
        try {
            ring.unregisterFiles();
        } finally {
            t.release();
        }
    }

    /** Queues a write for each packet of {@code refs} that {@code to} admits, and submits them. */
    private void send(PacketBatch refs, TunDevice to) throws IOException {
        IoUring r = ring;
        BufferRing b = buffers;
        int n = refs.size();
        handedCount = 0; // each buffer goes back on its write's completion, or below
        if (to.isClosed()) {
            for (int i = 0; i < n; i++) b.recycle(handed[i]);
            unfix();
            throw new ClosedChannelException();
        }
        int mtu = to.writeMtu();
        int queued = 0;
        for (int i = 0; i < n; i++) {
            int bid = handed[i];
            if (!to.admits(refs, i, mtu)) {
                b.recycle(bid);
                continue;
            }
            r.prep(io_uring_h.IORING_OP_WRITE(), io_uring_h.IOSQE_FIXED_FILE(), 0, refs.address(i) - hdr,
                    refs.length(i) + hdr, 0L, 0, WRITE + bid);
            queued++;
        }
        // waits for the writes alone, which complete inline: returns at once, with the reads that came meanwhile
        if (queued > 0) r.submit(queued);
    }

    private void recycleHanded() {
        BufferRing b = buffers;
        for (int k = 0; k < handedCount; k++) b.recycle(handed[k]);
        handedCount = 0;
        b.publish();
    }

    /** Arms (prepares the SQEs of) the multishot read and the wakeup poll, if either ended. */
    private void arm() {
        if (!readArmed) {
            ring.prep(io_uring_h.IORING_OP_READ_MULTISHOT(), io_uring_h.IOSQE_BUFFER_SELECT(), fd, 0L, 0, 0L,
                    buffers.group(), READ);
            readArmed = true;
        }
        if (!wakeArmed) {
            ring.prepPoll(eventFd, libc_h.POLLIN(), WAKE);
            wakeArmed = true;
        }
    }

    /**
     * Takes the ready completions until {@code batch} is full: packets are appended as references (their buffer ids
     * in {@link #handed}), finished forwarding writes give their buffer back. True when a wakeup came.
     */
    private boolean reap(PacketBatch batch) throws NativeException {
        IoUring r = ring;
        BufferRing b = buffers;
        boolean woke = false;
        int ready = r.cqReady();
        int cap = batch.capacity();
        int i = batch.size();
        int k = 0;
        for (; k < ready && i < cap; k++) {
            long ud = r.cqeUserData(k);
            int res = r.cqeRes(k);
            int flags = r.cqeFlags(k);
            if (ud >= WRITE) {
                b.recycle((int) (ud - WRITE));
                if (res > hdr) {
                    fwdSent++;
                    fwdBytes += res - hdr;
                } else {
                    refused(res);
                }
                continue;
            }
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
        return woke;
    }

    /** A forwarding write the kernel refused: dropped, as {@link UringWriter} drops (EBADF: after {@link #unfix}). */
    private void refused(int res) throws NativeException {
        int e = -res;
        if (res >= 0 || e == libc_h.EINVAL() || e == libc_h.EIO() || e == libc_h.EAGAIN() || e == libc_h.EINTR()
                || e == libc_h.EBADF()) {
            fwdDropped++;
            return;
        }
        throw NativeException.syscall("io_uring write", "IORING_OP_WRITE", name + " forwarding", e);
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

    /**
     * Frees the ring (the device's close; or the reading thread changed). A destination still fixed (its thread
     * never got to {@link #unfix}) is let go; the kernel drops its file with the ring.
     */
    void release() {
        TunDevice t = fixedTo;
        fixedTo = null;
        if (t != null) t.release();
        if (arena != null) arena.close();
        arena = null;
        ring = null;
        buffers = null;
        owner = null;
    }
}
