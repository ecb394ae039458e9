package io.tunctl.core.tun;

import io.tunctl.core.natives.linux.io_uring_h;
import io.tunctl.core.natives.linux.iovec;
import io.tunctl.core.natives.linux.libc_h;
import io.tunctl.core.natives.linux.virtio_net_hdr;
import io.tunctl.core.spi.Offload;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.uring.IoUring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One writing thread's batched writes into a {@link TunDevice} opened with {@link TunIo#URING}: a ring of its own
 * (rings are single-issuer; writers are any number of threads), one SQE per packet ({@code WRITE}, or {@code WRITEV}
 * of the virtio header and the packet), all submitted with one {@code io_uring_enter} that also waits for their
 * completions: a TUN write completes inline, and the caller may reuse the batch as soon as {@code write} returns.
 * Headers and iovecs live in per-slot scratch, made once, so nothing is allocated per packet.
 */
final class UringWriter {
    static final int SLOTS = 64;
    private static final long HDR = 16; // virtio_net_hdr (10 bytes) per slot, 16-aligned
    private static final long IOV = iovec.sizeof();

    private final IoUring ring;
    private final MemorySegment hdrs;
    private final MemorySegment iovs;
    private final int fd;
    private final boolean vnet;
    private int prepared;
    final int[] lengths = new int[SLOTS];

    /** Written and failed since the last {@link #flush} (the caller adds them to the device's counters). */
    int sent;
    long bytes;
    int dropped;

    UringWriter(Arena deviceArena, int fd, boolean vnet) throws NativeException {
        this.fd = fd;
        this.vnet = vnet;
        this.ring = IoUring.open(deviceArena, SLOTS);
        this.hdrs = deviceArena.allocate(HDR * SLOTS, 16);
        this.iovs = deviceArena.allocate(IOV * 2 * SLOTS, 8);
        for (int k = 0; k < SLOTS; k++) {
            long v = IOV * 2 * k;
            iovs.set(ValueLayout.JAVA_LONG, v + iovec.iov_base$offset(), hdrs.address() + HDR * k);
            iovs.set(ValueLayout.JAVA_LONG, v + iovec.iov_len$offset(), Offload.VIRTIO_NET_HDR_LEN);
        }
    }

    /** Queues packet {@code i} of {@code batch}; flushes first when every slot is taken. */
    void add(PacketBatch batch, int i, int len) throws NativeException {
        if (prepared == SLOTS) flush();
        int k = prepared;
        if (vnet) {
            long h = HDR * k;
            MemorySegment m = hdrs;
            m.set(ValueLayout.JAVA_BYTE, h + virtio_net_hdr.flags$offset(), (byte) batch.flags(i));
            m.set(ValueLayout.JAVA_BYTE, h + virtio_net_hdr.gso_type$offset(), (byte) batch.gsoType(i));
            m.set(ValueLayout.JAVA_SHORT, h + virtio_net_hdr.hdr_len$offset(), (short) batch.hdrLen(i));
            m.set(ValueLayout.JAVA_SHORT, h + virtio_net_hdr.gso_size$offset(), (short) batch.gsoSize(i));
            m.set(ValueLayout.JAVA_SHORT, h + virtio_net_hdr.csum_start$offset(), (short) batch.csumStart(i));
            m.set(ValueLayout.JAVA_SHORT, h + virtio_net_hdr.csum_offset$offset(), (short) batch.csumOffset(i));
            long v = IOV * (2 * k + 1);
            iovs.set(ValueLayout.JAVA_LONG, v + iovec.iov_base$offset(), batch.address(i));
            iovs.set(ValueLayout.JAVA_LONG, v + iovec.iov_len$offset(), len);
            ring.prep(io_uring_h.IORING_OP_WRITEV(), 0, fd, iovs.address() + IOV * 2 * k, 2, 0L, 0, k);
        } else {
            ring.prep(io_uring_h.IORING_OP_WRITE(), 0, fd, batch.address(i), len, 0L, 0, k);
        }
        lengths[k] = len;
        prepared++;
    }

    /** Submits what was queued and waits for every completion; counts what went in and what the kernel refused. */
    void flush() throws NativeException {
        int n = prepared;
        if (n == 0) return;
        prepared = 0;
        IoUring r = ring;
        r.submit(n); // a TUN write completes inline: this one entry normally returns with all n done
        int done = 0;
        while (done < n) {
            int ready = r.cqReady();
            if (ready == 0) {
                r.submit(n - done);
                continue;
            }
            for (int k = 0; k < ready; k++) {
                int res = r.cqeRes(k);
                if (res >= 0) {
                    sent++;
                    bytes += lengths[(int) r.cqeUserData(k)];
                } else {
                    refused(-res);
                }
            }
            r.cqAdvance(ready);
            done += ready;
        }
    }

    /** EINVAL (not IP, bad header), EIO (interface down), EAGAIN (no room): dropped, as a NIC drops. */
    private void refused(int e) throws NativeException {
        if (e == libc_h.EINVAL() || e == libc_h.EIO() || e == libc_h.EAGAIN() || e == libc_h.EINTR()) {
            dropped++;
            return;
        }
        throw NativeException.syscall("io_uring write", vnet ? "IORING_OP_WRITEV" : "IORING_OP_WRITE",
                "fd " + fd, e);
    }
}
