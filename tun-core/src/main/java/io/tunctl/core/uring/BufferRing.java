package io.tunctl.core.uring;

import io.tunctl.core.natives.linux.Natives;
import io.tunctl.core.natives.linux.io_uring_buf;
import io.tunctl.core.natives.linux.io_uring_buf_reg;
import io.tunctl.core.natives.linux.io_uring_h;
import io.tunctl.core.tun.NativeException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * A provided-buffer ring ({@code IORING_REGISTER_PBUF_RING}, Linux 5.19): {@code count} buffers of {@code size}
 * bytes that the kernel picks from, one per completion, for a read submitted with {@code IOSQE_BUFFER_SELECT} and
 * this ring's group id. A buffer comes back to the application in a CQE ({@code IORING_CQE_F_BUFFER}, its id above
 * bit 16) and is returned to the kernel with {@link #recycle} and {@link #publish}.
 *
 * <p>Buffers are one anonymous mapping that the kernel backs page by page as packets land, so 64 KiB slots for GSO
 * cost memory only where super-packets actually arrived. Used by the ring's thread only; allocates nothing after
 * {@link #register}.
 */
public final class BufferRing {
    private static final VarHandle SHORT = ValueLayout.JAVA_SHORT.varHandle();
    /** The ring's tail is the {@code resv} field of entry 0. */
    private static final long TAIL = io_uring_buf.resv$offset();
    private static final long ENTRY = io_uring_buf.sizeof();

    private final MemorySegment ring;
    private final MemorySegment buffers;
    private final int group;
    private final int count;
    private final int size;
    private final int mask;
    private short tail;
    private int pending;

    private BufferRing(MemorySegment ring, MemorySegment buffers, int group, int count, int size) {
        this.ring = ring;
        this.buffers = buffers;
        this.group = group;
        this.count = count;
        this.size = size;
        this.mask = count - 1;
    }

    /**
     * Maps {@code count} (a power of two, at most 32768) buffers of {@code size} bytes and the ring, registers the
     * ring with {@code uring} as group {@code group} and hands every buffer to the kernel.
     */
    public static BufferRing register(IoUring uring, Arena arena, int group, int count, int size)
            throws NativeException {
        if (Integer.bitCount(count) != 1 || count > 32768) throw new IllegalArgumentException("count " + count);
        MemorySegment errno = uring.errno();
        MemorySegment ring = anonymous(arena, errno, ENTRY * count, "buffer ring");
        MemorySegment buffers = anonymous(arena, errno, (long) count * size, "ring buffers");
        MemorySegment reg = io_uring_buf_reg.allocate(arena);
        io_uring_buf_reg.ring_addr(reg, ring.address());
        io_uring_buf_reg.ring_entries(reg, count);
        io_uring_buf_reg.bgid(reg, (short) group);
        if (io_uring_h.io_uring_register(errno, uring.fd(), io_uring_h.IORING_REGISTER_PBUF_RING(), reg, 1) < 0) {
            throw NativeException.syscall("io_uring_register", "IORING_REGISTER_PBUF_RING", "group " + group,
                    Natives.errno(errno));
        }
        BufferRing br = new BufferRing(ring, buffers, group, count, size);
        for (int i = 0; i < count; i++) br.recycle(i);
        br.publish();
        return br;
    }

    private static MemorySegment anonymous(Arena arena, MemorySegment errno, long size, String what)
            throws NativeException {
        MemorySegment at = io_uring_h.mmap(errno, MemorySegment.NULL, size,
                io_uring_h.PROT_READ() | io_uring_h.PROT_WRITE(),
                io_uring_h.MAP_PRIVATE() | io_uring_h.MAP_ANONYMOUS(), -1, 0L);
        if (at.address() == -1L) throw NativeException.syscall("mmap", null, what, Natives.errno(errno));
        return at.reinterpret(size, arena, s -> {
            try (Arena a = Arena.ofConfined()) {
                io_uring_h.munmap(Natives.allocateCapture(a), s, s.byteSize());
            }
        });
    }

    /** The group id reads name in {@code buf_group}. */
    public int group() { return group; }

    public int count() { return count; }

    /** Bytes per buffer. */
    public int size() { return size; }

    /** Native address of buffer {@code bid}. */
    public long address(int bid) { return buffers.address() + (long) bid * size; }

    /** The memory of all buffers (buffer {@code bid} starts at {@code bid * size()}). */
    public MemorySegment buffers() { return buffers; }

    /** Queues buffer {@code bid} for the kernel; it sees it after {@link #publish}. */
    public void recycle(int bid) {
        long at = ENTRY * ((tail + pending) & mask);
        ring.set(ValueLayout.JAVA_LONG, at + io_uring_buf.addr$offset(), buffers.address() + (long) bid * size);
        ring.set(ValueLayout.JAVA_INT, at + io_uring_buf.len$offset(), size);
        ring.set(ValueLayout.JAVA_SHORT, at + io_uring_buf.bid$offset(), (short) bid);
        pending++;
    }

    /** Makes the recycled buffers visible to the kernel (one release store of the tail). */
    public void publish() {
        if (pending == 0) return;
        tail += (short) pending;
        pending = 0;
        SHORT.setRelease(ring, TAIL, tail);
    }
}
