package io.tunctl.core.natives.linux;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * io_uring (Linux 5.1+): the three system calls, {@code mmap(2)}/{@code munmap(2)} for the rings, and the constants
 * tunctl uses from {@code <linux/io_uring.h>} and {@code <sys/mman.h>}. Declarations:
 * {@code native-headers/linux_io_uring.h}. Man pages: io_uring(7), io_uring_setup(2), io_uring_enter(2),
 * io_uring_register(2), io_uring_register_buf_ring(3), mmap(2).
 *
 * <p>glibc has no wrappers, so each call goes through {@code syscall(2)} with its number (the same on x86_64 and
 * aarch64: io_uring came after the syscall tables were unified) and its arguments passed as variadic longs or
 * pointers. The calls return the kernel's {@code -1}/errno convention through glibc, captured as in {@link libc_h}.
 */
@SuppressWarnings({"unused", "checkstyle:TypeName", "checkstyle:MethodName"})
public final class io_uring_h {
    private io_uring_h() {}

    /**
     * From {@code asm/unistd_64.h}:
     * {@snippet lang=c :
     * #define __NR_io_uring_setup 425
     * }
     */
    public static long __NR_io_uring_setup() { return 425L; }
    /**
     * From {@code asm/unistd_64.h}:
     * {@snippet lang=c :
     * #define __NR_io_uring_enter 426
     * }
     */
    public static long __NR_io_uring_enter() { return 426L; }
    /**
     * From {@code asm/unistd_64.h}:
     * {@snippet lang=c :
     * #define __NR_io_uring_register 427
     * }
     */
    public static long __NR_io_uring_register() { return 427L; }
    /**
     * From {@code linux/io_uring.h}:
     * {@snippet lang=c :
     * #define IORING_SETUP_CQSIZE (1U << 3)
     * }
     */
    public static int IORING_SETUP_CQSIZE() { return 8; }
    /**
     * From {@code linux/io_uring.h}:
     * {@snippet lang=c :
     * #define IORING_SETUP_SUBMIT_ALL (1U << 7)
     * }
     */
    public static int IORING_SETUP_SUBMIT_ALL() { return 128; }
    /**
     * From {@code linux/io_uring.h}:
     * {@snippet lang=c :
     * #define IORING_SETUP_COOP_TASKRUN (1U << 8)
     * }
     */
    public static int IORING_SETUP_COOP_TASKRUN() { return 256; }
    /**
     * From {@code linux/io_uring.h}:
     * {@snippet lang=c :
     * #define IORING_SETUP_TASKRUN_FLAG (1U << 9)
     * }
     */
    public static int IORING_SETUP_TASKRUN_FLAG() { return 512; }
    /**
     * From {@code linux/io_uring.h}:
     * {@snippet lang=c :
     * #define IORING_SETUP_SINGLE_ISSUER (1U << 12)
     * }
     */
    public static int IORING_SETUP_SINGLE_ISSUER() { return 4096; }
    /**
     * From {@code linux/io_uring.h}:
     * {@snippet lang=c :
     * #define IORING_SETUP_DEFER_TASKRUN (1U << 13)
     * }
     */
    public static int IORING_SETUP_DEFER_TASKRUN() { return 8192; }
    /**
     * From {@code linux/io_uring.h}:
     * {@snippet lang=c :
     * #define IORING_FEAT_SINGLE_MMAP (1U << 0)
     * }
     */
    public static int IORING_FEAT_SINGLE_MMAP() { return 1; }
    /**
     * From {@code linux/io_uring.h}:
     * {@snippet lang=c :
     * #define IORING_FEAT_NODROP (1U << 1)
     * }
     */
    public static int IORING_FEAT_NODROP() { return 2; }
    /**
     * From {@code linux/io_uring.h}:
     * {@snippet lang=c :
     * #define IORING_FEAT_FAST_POLL (1U << 5)
     * }
     */
    public static int IORING_FEAT_FAST_POLL() { return 32; }
    /**
     * From {@code linux/io_uring.h}:
     * {@snippet lang=c :
     * #define IORING_OFF_SQ_RING 0ULL
     * }
     */
    public static long IORING_OFF_SQ_RING() { return 0L; }
    /**
     * From {@code linux/io_uring.h}:
     * {@snippet lang=c :
     * #define IORING_OFF_CQ_RING 0x8000000ULL
     * }
     */
    public static long IORING_OFF_CQ_RING() { return 134217728L; }
    /**
     * From {@code linux/io_uring.h}:
     * {@snippet lang=c :
     * #define IORING_OFF_SQES 0x10000000ULL
     * }
     */
    public static long IORING_OFF_SQES() { return 268435456L; }
    /**
     * From {@code linux/io_uring.h}:
     * {@snippet lang=c :
     * #define IORING_ENTER_GETEVENTS (1U << 0)
     * }
     */
    public static int IORING_ENTER_GETEVENTS() { return 1; }
    /**
     * From {@code linux/io_uring.h}:
     * {@snippet lang=c :
     * #define IORING_SQ_CQ_OVERFLOW (1U << 1)
     * }
     */
    public static int IORING_SQ_CQ_OVERFLOW() { return 2; }
    /**
     * From {@code linux/io_uring.h}:
     * {@snippet lang=c :
     * #define IORING_SQ_TASKRUN (1U << 2)
     * }
     */
    public static int IORING_SQ_TASKRUN() { return 4; }
    /**
     * From {@code linux/io_uring.h}:
     * {@snippet lang=c :
     * IORING_OP_NOP = 0 (enum io_uring_op)
     * }
     */
    public static int IORING_OP_NOP() { return 0; }
    /**
     * From {@code linux/io_uring.h}:
     * {@snippet lang=c :
     * IORING_OP_READV = 1 (enum io_uring_op)
     * }
     */
    public static int IORING_OP_READV() { return 1; }
    /**
     * From {@code linux/io_uring.h}:
     * {@snippet lang=c :
     * IORING_OP_WRITEV = 2 (enum io_uring_op)
     * }
     */
    public static int IORING_OP_WRITEV() { return 2; }
    /**
     * From {@code linux/io_uring.h}:
     * {@snippet lang=c :
     * IORING_OP_POLL_ADD = 6 (enum io_uring_op)
     * }
     */
    public static int IORING_OP_POLL_ADD() { return 6; }
    /**
     * From {@code linux/io_uring.h}:
     * {@snippet lang=c :
     * IORING_OP_READ = 22 (enum io_uring_op)
     * }
     */
    public static int IORING_OP_READ() { return 22; }
    /**
     * From {@code linux/io_uring.h}:
     * {@snippet lang=c :
     * IORING_OP_WRITE = 23 (enum io_uring_op)
     * }
     */
    public static int IORING_OP_WRITE() { return 23; }
    /**
     * From {@code linux/io_uring.h (Linux 6.7)}:
     * {@snippet lang=c :
     * IORING_OP_READ_MULTISHOT = 49 (enum io_uring_op)
     * }
     */
    public static int IORING_OP_READ_MULTISHOT() { return 49; }
    /**
     * From {@code linux/io_uring.h}:
     * {@snippet lang=c :
     * #define IOSQE_BUFFER_SELECT (1U << IOSQE_BUFFER_SELECT_BIT)
     * }
     */
    public static int IOSQE_BUFFER_SELECT() { return 32; }
    /**
     * From {@code linux/io_uring.h}:
     * {@snippet lang=c :
     * #define IOSQE_FIXED_FILE (1U << IOSQE_FIXED_FILE_BIT)
     * }
     */
    public static int IOSQE_FIXED_FILE() { return 1; }
    /**
     * From {@code linux/io_uring.h}:
     * {@snippet lang=c :
     * #define IORING_CQE_F_BUFFER (1U << 0)
     * }
     */
    public static int IORING_CQE_F_BUFFER() { return 1; }
    /**
     * From {@code linux/io_uring.h}:
     * {@snippet lang=c :
     * #define IORING_CQE_F_MORE (1U << 1)
     * }
     */
    public static int IORING_CQE_F_MORE() { return 2; }
    /**
     * From {@code linux/io_uring.h}:
     * {@snippet lang=c :
     * IORING_CQE_BUFFER_SHIFT = 16
     * }
     */
    public static int IORING_CQE_BUFFER_SHIFT() { return 16; }
    /**
     * From {@code linux/io_uring.h}:
     * {@snippet lang=c :
     * IORING_REGISTER_PROBE = 8 (enum)
     * }
     */
    public static int IORING_REGISTER_PROBE() { return 8; }
    /**
     * From {@code linux/io_uring.h}:
     * {@snippet lang=c :
     * IORING_REGISTER_FILES = 2 (enum)
     * }
     */
    public static int IORING_REGISTER_FILES() { return 2; }
    /**
     * From {@code linux/io_uring.h}:
     * {@snippet lang=c :
     * IORING_UNREGISTER_FILES = 3 (enum)
     * }
     */
    public static int IORING_UNREGISTER_FILES() { return 3; }
    /**
     * From {@code linux/io_uring.h}:
     * {@snippet lang=c :
     * IORING_REGISTER_PBUF_RING = 22 (enum)
     * }
     */
    public static int IORING_REGISTER_PBUF_RING() { return 22; }
    /**
     * From {@code linux/io_uring.h}:
     * {@snippet lang=c :
     * IORING_UNREGISTER_PBUF_RING = 23 (enum)
     * }
     */
    public static int IORING_UNREGISTER_PBUF_RING() { return 23; }
    /**
     * From {@code linux/io_uring.h}:
     * {@snippet lang=c :
     * #define IO_URING_OP_SUPPORTED (1U << 0)
     * }
     */
    public static int IO_URING_OP_SUPPORTED() { return 1; }
    /**
     * From {@code sys/mman.h}:
     * {@snippet lang=c :
     * #define PROT_READ 0x1
     * }
     */
    public static int PROT_READ() { return 1; }
    /**
     * From {@code sys/mman.h}:
     * {@snippet lang=c :
     * #define PROT_WRITE 0x2
     * }
     */
    public static int PROT_WRITE() { return 2; }
    /**
     * From {@code sys/mman.h}:
     * {@snippet lang=c :
     * #define MAP_SHARED 0x01
     * }
     */
    public static int MAP_SHARED() { return 1; }
    /**
     * From {@code sys/mman.h}:
     * {@snippet lang=c :
     * #define MAP_PRIVATE 0x02
     * }
     */
    public static int MAP_PRIVATE() { return 2; }
    /**
     * From {@code sys/mman.h}:
     * {@snippet lang=c :
     * #define MAP_ANONYMOUS 0x20
     * }
     */
    public static int MAP_ANONYMOUS() { return 32; }
    /**
     * From {@code sys/mman.h}:
     * {@snippet lang=c :
     * #define MAP_POPULATE 0x08000
     * }
     */
    public static int MAP_POPULATE() { return 32768; }

    // ---- functions ----

    private static final class io_uring_setup {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS);
        static final MethodHandle HANDLE = Natives.downcall("syscall", DESC,
                Natives.CAPTURE_ERRNO, Linker.Option.firstVariadicArg(1));
    }

    /**
     * {@snippet lang=c :
     * int io_uring_setup(u32 entries, struct io_uring_params *p);  // syscall(__NR_io_uring_setup, ...)
     * }
     * @return the ring's file descriptor, or -1 with errno captured
     */
    public static int io_uring_setup(MemorySegment errno, int entries, MemorySegment params) {
        try {
            return (int) (long) io_uring_setup.HANDLE.invokeExact(errno, __NR_io_uring_setup(), (long) entries, params);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class io_uring_enter {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
                JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG);
        static final MethodHandle HANDLE = Natives.downcall("syscall", DESC,
                Natives.CAPTURE_ERRNO, Linker.Option.firstVariadicArg(1));
    }

    /**
     * {@snippet lang=c :
     * int io_uring_enter(unsigned int fd, u32 to_submit, u32 min_complete, u32 flags, const sigset_t *sig,
     *                    size_t sz);  // syscall(__NR_io_uring_enter, ...), sig NULL
     * }
     * @return SQEs consumed, or -1 with errno captured
     */
    public static int io_uring_enter(MemorySegment errno, int fd, int toSubmit, int minComplete, int flags) {
        try {
            return (int) (long) io_uring_enter.HANDLE.invokeExact(errno, __NR_io_uring_enter(), (long) fd,
                    (long) toSubmit, (long) minComplete, (long) flags, MemorySegment.NULL, 0L);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class io_uring_register {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
                ADDRESS, JAVA_LONG);
        static final MethodHandle HANDLE = Natives.downcall("syscall", DESC,
                Natives.CAPTURE_ERRNO, Linker.Option.firstVariadicArg(1));
    }

    /**
     * {@snippet lang=c :
     * int io_uring_register(unsigned int fd, unsigned int opcode, void *arg, unsigned int nr_args);
     * }
     * @return 0 or an opcode-specific value, or -1 with errno captured
     */
    public static int io_uring_register(MemorySegment errno, int fd, int opcode, MemorySegment arg, int nrArgs) {
        try {
            return (int) (long) io_uring_register.HANDLE.invokeExact(errno, __NR_io_uring_register(), (long) fd,
                    (long) opcode, arg, (long) nrArgs);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class mmap {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_LONG);
        static final MethodHandle HANDLE = Natives.downcall("mmap", DESC, Natives.CAPTURE_ERRNO);
    }

    /**
     * {@snippet lang=c :
     * void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset);
     * }
     * @return the mapping (a zero-length segment: reinterpret it), or {@code MAP_FAILED} (address -1)
     */
    public static MemorySegment mmap(MemorySegment errno, MemorySegment addr, long length, int prot, int flags, int fd,
                                     long offset) {
        try {
            return (MemorySegment) mmap.HANDLE.invokeExact(errno, addr, length, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class munmap {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG);
        static final MethodHandle HANDLE = Natives.downcall("munmap", DESC, Natives.CAPTURE_ERRNO);
    }

    /**
     * {@snippet lang=c :
     * int munmap(void *addr, size_t length);
     * }
     */
    public static int munmap(MemorySegment errno, MemorySegment addr, long length) {
        try {
            return (int) munmap.HANDLE.invokeExact(errno, addr, length);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }
}
