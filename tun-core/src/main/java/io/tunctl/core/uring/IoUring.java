package io.tunctl.core.uring;

import io.tunctl.core.natives.linux.Natives;
import io.tunctl.core.natives.linux.io_cqring_offsets;
import io.tunctl.core.natives.linux.io_sqring_offsets;
import io.tunctl.core.natives.linux.io_uring_cqe;
import io.tunctl.core.natives.linux.io_uring_h;
import io.tunctl.core.natives.linux.io_uring_params;
import io.tunctl.core.natives.linux.io_uring_sqe;
import io.tunctl.core.natives.linux.libc_h;
import io.tunctl.core.tun.NativeException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * One io_uring instance: its fd, the submission and completion rings mapped from it, and the SQE array.
 *
 * <p>Used by one thread at a time (the ring is set up {@code SINGLE_ISSUER | DEFER_TASKRUN} where the kernel has
 * it, so only the thread that first submits may enter it: completions are then run in that thread's own
 * {@code io_uring_enter}, with no interrupt of a running thread). SQEs are written in place ({@link #prep}), made
 * visible with one release store of the SQ tail and handed over with one {@link #submit}; completions are read in
 * place ({@link #cqReady}, {@link #cqeUserData}...) and retired with {@link #cqAdvance}. Nothing here allocates
 * after {@link #open}: no per-SQE or per-CQE object.
 *
 * <p>The ring's fd and mappings live in the arena given to {@link #open}; closing that arena unmaps and closes them.
 */
public final class IoUring {
    /** int with acquire/release access on ring memory: the kernel updates heads and tails concurrently. */
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final long SQE = io_uring_sqe.sizeof();
    private static final long CQE = io_uring_cqe.sizeof();

    private final int fd;
    private final boolean deferTaskrun;
    private final MemorySegment errno;
    private final MemorySegment fileScratch;
    private final MemorySegment sq;
    private final MemorySegment cq;
    private final MemorySegment sqes;
    private final long sqHeadOff;
    private final long sqTailOff;
    private final long cqHeadOff;
    private final long cqTailOff;
    private final long cqesOff;
    private final int sqMask;
    private final int sqEntries;
    private final int cqMask;
    private int sqTail;
    private int toSubmit;
    private int cqHead;

    private IoUring(int fd, boolean deferTaskrun, MemorySegment errno, MemorySegment fileScratch, MemorySegment sq,
                    MemorySegment cq, MemorySegment sqes, MemorySegment params) {
        this.fd = fd;
        this.deferTaskrun = deferTaskrun;
        this.errno = errno;
        this.fileScratch = fileScratch;
        this.sq = sq;
        this.cq = cq;
        this.sqes = sqes;
        MemorySegment so = io_uring_params.sq_off(params);
        MemorySegment co = io_uring_params.cq_off(params);
        this.sqHeadOff = io_sqring_offsets.head(so) & 0xffffffffL;
        this.sqTailOff = io_sqring_offsets.tail(so) & 0xffffffffL;
        this.sqMask = sq.get(ValueLayout.JAVA_INT, io_sqring_offsets.ring_mask(so) & 0xffffffffL);
        this.sqEntries = sq.get(ValueLayout.JAVA_INT, io_sqring_offsets.ring_entries(so) & 0xffffffffL);
        this.cqHeadOff = io_cqring_offsets.head(co) & 0xffffffffL;
        this.cqTailOff = io_cqring_offsets.tail(co) & 0xffffffffL;
        this.cqesOff = io_cqring_offsets.cqes(co) & 0xffffffffL;
        this.cqMask = cq.get(ValueLayout.JAVA_INT, io_cqring_offsets.ring_mask(co) & 0xffffffffL);
        this.sqTail = (int) INT.getAcquire(sq, sqTailOff);
        this.cqHead = (int) INT.getAcquire(cq, cqHeadOff);
        // the SQ index array maps ring slots to SQEs one to one, once
        long array = io_sqring_offsets.array(so) & 0xffffffffL;
        for (int i = 0; i < sqEntries; i++) sq.set(ValueLayout.JAVA_INT, array + 4L * i, i);
    }

    /**
     * Sets up a ring of {@code entries} SQEs (and twice as many CQEs), {@code SINGLE_ISSUER | DEFER_TASKRUN} where
     * the kernel has them (6.1+; with {@code SUBMIT_ALL}, so an SQE the kernel fails at once does not hold back the
     * ones after it), else {@code COOP_TASKRUN}, else plain.
     *
     * @throws NativeException naming {@code io_uring_setup} or {@code mmap} and the errno
     */
    public static IoUring open(Arena arena, int entries) throws NativeException {
        MemorySegment errno = Natives.allocateCapture(arena);
        MemorySegment params = io_uring_params.allocate(arena);
        int[] flagSets = {
                io_uring_h.IORING_SETUP_SINGLE_ISSUER() | io_uring_h.IORING_SETUP_DEFER_TASKRUN()
                        | io_uring_h.IORING_SETUP_SUBMIT_ALL(),
                io_uring_h.IORING_SETUP_COOP_TASKRUN() | io_uring_h.IORING_SETUP_TASKRUN_FLAG(),
                0};
        int fd = -1;
        int used = 0;
        for (int flags : flagSets) {
            params.fill((byte) 0);
            io_uring_params.flags(params, flags | io_uring_h.IORING_SETUP_CQSIZE());
            io_uring_params.cq_entries(params, entries * 2);
            fd = io_uring_h.io_uring_setup(errno, entries, params);
            if (fd >= 0) {
                used = flags;
                break;
            }
            if (Natives.errno(errno) != libc_h.EINVAL()) break; // EINVAL: a flag this kernel does not know
        }
        if (fd < 0) throw NativeException.syscall("io_uring_setup", null, entries + " entries", Natives.errno(errno));
        closeWith(arena, fd);
        if ((io_uring_params.features(params) & io_uring_h.IORING_FEAT_SINGLE_MMAP()) == 0) {
            throw NativeException.syscall("io_uring_setup", "IORING_FEAT_SINGLE_MMAP", "kernel older than 5.4",
                    libc_h.EOPNOTSUPP());
        }
        MemorySegment so = io_uring_params.sq_off(params);
        MemorySegment co = io_uring_params.cq_off(params);
        long sqSize = (io_sqring_offsets.array(so) & 0xffffffffL) + 4L * io_uring_params.sq_entries(params);
        long cqSize = (io_cqring_offsets.cqes(co) & 0xffffffffL) + CQE * io_uring_params.cq_entries(params);
        long ringSize = Math.max(sqSize, cqSize);
        MemorySegment ring = map(arena, errno, fd, ringSize, io_uring_h.IORING_OFF_SQ_RING());
        MemorySegment sqes = map(arena, errno, fd, SQE * io_uring_params.sq_entries(params),
                io_uring_h.IORING_OFF_SQES());
        return new IoUring(fd, (used & io_uring_h.IORING_SETUP_DEFER_TASKRUN()) != 0, errno,
                arena.allocate(ValueLayout.JAVA_INT), ring, ring, sqes, params);
    }

    private static MemorySegment map(Arena arena, MemorySegment errno, int fd, long size, long offset)
            throws NativeException {
        MemorySegment at = io_uring_h.mmap(errno, MemorySegment.NULL, size,
                io_uring_h.PROT_READ() | io_uring_h.PROT_WRITE(), io_uring_h.MAP_SHARED() | io_uring_h.MAP_POPULATE(),
                fd, offset);
        if (at.address() == -1L) throw NativeException.syscall("mmap", "io_uring", "offset 0x" + Long.toHexString(offset), Natives.errno(errno));
        return at.reinterpret(size, arena, IoUring::unmap);
    }

    private static void unmap(MemorySegment s) {
        try (Arena a = Arena.ofConfined()) {
            io_uring_h.munmap(Natives.allocateCapture(a), s, s.byteSize());
        }
    }

    static void closeWith(Arena arena, int fd) {
        MemorySegment.NULL.reinterpret(arena, ignored -> {
            try (Arena a = Arena.ofConfined()) {
                libc_h.close(Natives.allocateCapture(a), fd);
            }
        });
    }

    /** The ring's fd ({@code io_uring_register} takes it). */
    public int fd() { return fd; }

    /** Whether completions run only in this thread's {@link #submit} ({@code IORING_SETUP_DEFER_TASKRUN}). */
    public boolean deferTaskrun() { return deferTaskrun; }

    /** SQ slots free now. */
    public int sqSpace() {
        int head = (int) INT.getAcquire(sq, sqHeadOff);
        return sqEntries - (sqTail - head);
    }

    /**
     * Fills the next SQE (the caller checked {@link #sqSpace}): every field this ring's users need, the others
     * zeroed, so a slot never carries flags from its previous use.
     */
    public void prep(int opcode, int flags, int fd, long addr, int len, long off, int bufGroup, long userData) {
        prep(opcode, flags, fd, addr, len, off, 0, bufGroup, userData);
    }

    /** A one-shot {@code IORING_OP_POLL_ADD} of {@code events} ({@code POLLIN}...) on {@code fd}. */
    public void prepPoll(int fd, int events, long userData) {
        prep(io_uring_h.IORING_OP_POLL_ADD(), 0, fd, 0L, 0, 0L, events, 0, userData);
    }

    private void prep(int opcode, int flags, int fd, long addr, int len, long off, int opFlags, int bufGroup,
                      long userData) {
        long at = SQE * (sqTail & sqMask);
        MemorySegment s = sqes;
        s.set(ValueLayout.JAVA_BYTE, at + io_uring_sqe.opcode$offset(), (byte) opcode);
        s.set(ValueLayout.JAVA_BYTE, at + io_uring_sqe.flags$offset(), (byte) flags);
        s.set(ValueLayout.JAVA_SHORT, at + io_uring_sqe.ioprio$offset(), (short) 0);
        s.set(ValueLayout.JAVA_INT, at + io_uring_sqe.fd$offset(), fd);
        s.set(ValueLayout.JAVA_LONG, at + io_uring_sqe.off$offset(), off);
        s.set(ValueLayout.JAVA_LONG, at + io_uring_sqe.addr$offset(), addr);
        s.set(ValueLayout.JAVA_INT, at + io_uring_sqe.len$offset(), len);
        s.set(ValueLayout.JAVA_INT, at + io_uring_sqe.rw_flags$offset(), opFlags);
        s.set(ValueLayout.JAVA_LONG, at + io_uring_sqe.user_data$offset(), userData);
        s.set(ValueLayout.JAVA_SHORT, at + io_uring_sqe.buf_group$offset(), (short) bufGroup);
        s.set(ValueLayout.JAVA_SHORT, at + io_uring_sqe.personality$offset(), (short) 0);
        s.set(ValueLayout.JAVA_INT, at + io_uring_sqe.splice_fd_in$offset(), 0);
        s.set(ValueLayout.JAVA_LONG, at + io_uring_sqe.addr3$offset(), 0L);
        s.set(ValueLayout.JAVA_LONG, at + io_uring_sqe.__pad2$offset(), 0L);
        sqTail++;
        toSubmit++;
    }

    /**
     * Publishes the prepared SQEs and enters the kernel once: submits them and, when {@code minComplete} &gt; 0,
     * waits until that many completions are there. With {@code DEFER_TASKRUN} the entry also runs the completions
     * that are ready. Returns false when interrupted by a signal (EINTR) before waiting ended, true otherwise.
     *
     * @throws NativeException for any other failure of {@code io_uring_enter}
     */
    public boolean submit(int minComplete) throws NativeException {
        INT.setRelease(sq, sqTailOff, sqTail);
        int n = toSubmit;
        int flags = minComplete > 0 || deferTaskrun ? io_uring_h.IORING_ENTER_GETEVENTS() : 0;
        int r = io_uring_h.io_uring_enter(errno, fd, n, minComplete, flags);
        if (r >= 0) {
            toSubmit = n - r;
            return true;
        }
        int e = Natives.errno(errno);
        // EINTR: a signal; EAGAIN/EBUSY: the CQ is full of completions we have not read yet (read them first)
        if (e == libc_h.EINTR() || e == libc_h.EAGAIN() || e == libc_h.EBUSY()) return false;
        throw NativeException.syscall("io_uring_enter", null, "ring fd " + fd, e);
    }

    /**
     * Registers {@code fd} as this ring's one fixed file, index 0 ({@code IORING_REGISTER_FILES}): SQEs flagged
     * {@code IOSQE_FIXED_FILE} with fd 0 then use the ring's own reference to the file, with no look-up (and no
     * reference taken and dropped) per request. The ring keeps the file open until {@link #unregisterFiles}.
     */
    public void registerFile(int fd) throws NativeException {
        fileScratch.set(ValueLayout.JAVA_INT, 0, fd);
        if (io_uring_h.io_uring_register(errno, this.fd, io_uring_h.IORING_REGISTER_FILES(), fileScratch, 1) < 0) {
            throw NativeException.syscall("io_uring_register", "IORING_REGISTER_FILES", "fd " + fd,
                    Natives.errno(errno));
        }
    }

    /** Drops the fixed files; the kernel lets go of them once no request in flight uses them. */
    public void unregisterFiles() throws NativeException {
        if (io_uring_h.io_uring_register(errno, fd, io_uring_h.IORING_UNREGISTER_FILES(), MemorySegment.NULL, 0) < 0) {
            throw NativeException.syscall("io_uring_register", "IORING_UNREGISTER_FILES", "ring fd " + fd,
                    Natives.errno(errno));
        }
    }

    /** Completions ready to read now. */
    public int cqReady() {
        return (int) INT.getAcquire(cq, cqTailOff) - cqHead;
    }

    private long cqe(int k) {
        return cqesOff + CQE * ((cqHead + k) & cqMask);
    }

    /** {@code user_data} of the {@code k}-th ready completion. */
    public long cqeUserData(int k) { return cq.get(ValueLayout.JAVA_LONG, cqe(k) + io_uring_cqe.user_data$offset()); }

    /** {@code res} of the {@code k}-th ready completion: a byte count, or {@code -errno}. */
    public int cqeRes(int k) { return cq.get(ValueLayout.JAVA_INT, cqe(k) + io_uring_cqe.res$offset()); }

    /** {@code flags} of the {@code k}-th ready completion ({@code IORING_CQE_F_*}, the buffer id above bit 16). */
    public int cqeFlags(int k) { return cq.get(ValueLayout.JAVA_INT, cqe(k) + io_uring_cqe.flags$offset()); }

    /** Retires the first {@code n} ready completions (their CQ slots go back to the kernel). */
    public void cqAdvance(int n) {
        cqHead += n;
        INT.setRelease(cq, cqHeadOff, cqHead);
    }

    /** The errno capture segment of this ring's thread, for {@code io_uring_register} calls. */
    MemorySegment errno() { return errno; }
}
