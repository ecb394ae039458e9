package io.tunctl.core.natives.linux;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The libc functions and constants tunctl uses on Linux (glibc, x86_64 and aarch64): {@code <unistd.h>},
 * {@code <fcntl.h>}, {@code <poll.h>}, {@code <sched.h>}, {@code <sys/eventfd.h>}, {@code <sys/uio.h>},
 * {@code <sys/socket.h>}, {@code <sys/ioctl.h>}, {@code <string.h>}, {@code <errno.h>}.
 * Declarations: {@code native-headers/linux_libc.h}. Man pages: read(2), readv(2), poll(2), eventfd(2), setns(2),
 * ioctl(2), socket(2), setsockopt(2), socket(7), netlink(7).
 *
 * <p>Every function that can fail takes a leading {@code errno} segment ({@link Natives#allocateCapture}) into
 * which the call's errno is captured ({@code Linker.Option.captureCallState("errno")}); read it with
 * {@link Natives#errno}. Constants are methods, as jextract emits them for macros.
 */
@SuppressWarnings({"unused", "checkstyle:MethodName", "checkstyle:TypeName"})
public final class libc_h {
    private libc_h() {}

    // ---- <fcntl.h> (asm-generic/fcntl.h values, x86_64 and aarch64) ----
    /**
     * From {@code fcntl.h}:
     * {@snippet lang=c :
     * #define O_RDONLY 00
     * }
     */
    public static int O_RDONLY() { return 0; }
    /**
     * From {@code fcntl.h}:
     * {@snippet lang=c :
     * #define O_RDWR 02
     * }
     */
    public static int O_RDWR() { return 2; }
    /**
     * From {@code fcntl.h}:
     * {@snippet lang=c :
     * #define O_NONBLOCK 04000
     * }
     */
    public static int O_NONBLOCK() { return 04000; }
    /**
     * From {@code fcntl.h}:
     * {@snippet lang=c :
     * #define O_CLOEXEC 02000000
     * }
     */
    public static int O_CLOEXEC() { return 02000000; }
    /**
     * From {@code fcntl.h}:
     * {@snippet lang=c :
     * #define F_GETFL 3
     * }
     */
    public static int F_GETFL() { return 3; }
    /**
     * From {@code fcntl.h}:
     * {@snippet lang=c :
     * #define F_SETFL 4
     * }
     */
    public static int F_SETFL() { return 4; }
    /**
     * From {@code fcntl.h}:
     * {@snippet lang=c :
     * #define F_DUPFD_CLOEXEC 1030
     * }
     */
    public static int F_DUPFD_CLOEXEC() { return 1030; }

    // ---- <poll.h> ----
    /**
     * From {@code poll.h}:
     * {@snippet lang=c :
     * #define POLLIN 0x001
     * }
     */
    public static short POLLIN() { return 0x001; }
    /**
     * From {@code poll.h}:
     * {@snippet lang=c :
     * #define POLLOUT 0x004
     * }
     */
    public static short POLLOUT() { return 0x004; }
    /**
     * From {@code poll.h}:
     * {@snippet lang=c :
     * #define POLLERR 0x008
     * }
     */
    public static short POLLERR() { return 0x008; }
    /**
     * From {@code poll.h}:
     * {@snippet lang=c :
     * #define POLLHUP 0x010
     * }
     */
    public static short POLLHUP() { return 0x010; }
    /**
     * From {@code poll.h}:
     * {@snippet lang=c :
     * #define POLLNVAL 0x020
     * }
     */
    public static short POLLNVAL() { return 0x020; }

    // ---- <sys/eventfd.h> ----
    /**
     * From {@code sys/eventfd.h}:
     * {@snippet lang=c :
     * EFD_CLOEXEC = 02000000
     * }
     */
    public static int EFD_CLOEXEC() { return 02000000; }
    /**
     * From {@code sys/eventfd.h}:
     * {@snippet lang=c :
     * EFD_NONBLOCK = 00004000
     * }
     */
    public static int EFD_NONBLOCK() { return 04000; }

    // ---- <sched.h> ----
    /**
     * From {@code linux/sched.h via sched.h}:
     * {@snippet lang=c :
     * #define CLONE_NEWNET 0x40000000
     * }
     */
    public static int CLONE_NEWNET() { return 0x40000000; }

    // ---- <sys/socket.h> ----
    /**
     * From {@code sys/socket.h}:
     * {@snippet lang=c :
     * #define AF_UNSPEC 0
     * }
     */
    public static int AF_UNSPEC() { return 0; }
    /**
     * From {@code sys/socket.h}:
     * {@snippet lang=c :
     * #define AF_INET 2
     * }
     */
    public static int AF_INET() { return 2; }
    /**
     * From {@code sys/socket.h}:
     * {@snippet lang=c :
     * #define AF_INET6 10
     * }
     */
    public static int AF_INET6() { return 10; }
    /**
     * From {@code sys/socket.h}:
     * {@snippet lang=c :
     * #define AF_NETLINK 16
     * }
     */
    public static int AF_NETLINK() { return 16; }
    /**
     * From {@code bits/socket_type.h}:
     * {@snippet lang=c :
     * SOCK_DGRAM = 2
     * }
     */
    public static int SOCK_DGRAM() { return 2; }
    /**
     * From {@code bits/socket_type.h}:
     * {@snippet lang=c :
     * SOCK_RAW = 3
     * }
     */
    public static int SOCK_RAW() { return 3; }
    /**
     * From {@code bits/socket_type.h}:
     * {@snippet lang=c :
     * SOCK_CLOEXEC = 02000000
     * }
     */
    public static int SOCK_CLOEXEC() { return 02000000; }
    /**
     * From {@code asm-generic/socket.h}:
     * {@snippet lang=c :
     * #define SOL_SOCKET 1
     * }
     */
    public static int SOL_SOCKET() { return 1; }
    /**
     * From {@code asm-generic/socket.h}:
     * {@snippet lang=c :
     * #define SO_RCVBUF 8
     * }
     */
    public static int SO_RCVBUF() { return 8; }
    /**
     * From {@code asm-generic/socket.h}:
     * {@snippet lang=c :
     * #define SO_SNDBUF 7
     * }
     */
    public static int SO_SNDBUF() { return 7; }
    /**
     * From {@code asm-generic/socket.h}:
     * {@snippet lang=c :
     * #define SO_BINDTODEVICE 25
     * }
     */
    public static int SO_BINDTODEVICE() { return 25; }
    /**
     * From {@code asm-generic/socket.h}:
     * {@snippet lang=c :
     * #define SO_MARK 36
     * }
     */
    public static int SO_MARK() { return 36; }
    /**
     * From {@code bits/socket.h}:
     * {@snippet lang=c :
     * #define SOL_NETLINK 270
     * }
     */
    public static int SOL_NETLINK() { return 270; }

    // ---- <errno.h> (asm-generic/errno-base.h and asm-generic/errno.h) ----
    /**
     * From {@code asm-generic/errno-base.h}:
     * {@snippet lang=c :
     * #define EPERM 1
     * }
     */
    public static int EPERM() { return 1; }
    /**
     * From {@code asm-generic/errno-base.h}:
     * {@snippet lang=c :
     * #define ENOENT 2
     * }
     */
    public static int ENOENT() { return 2; }
    /**
     * From {@code asm-generic/errno-base.h}:
     * {@snippet lang=c :
     * #define ESRCH 3
     * }
     */
    public static int ESRCH() { return 3; }
    /**
     * From {@code asm-generic/errno-base.h}:
     * {@snippet lang=c :
     * #define EINTR 4
     * }
     */
    public static int EINTR() { return 4; }
    /**
     * From {@code asm-generic/errno-base.h}:
     * {@snippet lang=c :
     * #define EIO 5
     * }
     */
    public static int EIO() { return 5; }
    /**
     * From {@code asm-generic/errno-base.h}:
     * {@snippet lang=c :
     * #define ENXIO 6
     * }
     */
    public static int ENXIO() { return 6; }
    /**
     * From {@code asm-generic/errno-base.h}:
     * {@snippet lang=c :
     * #define EBADF 9
     * }
     */
    public static int EBADF() { return 9; }
    /**
     * From {@code asm-generic/errno-base.h}:
     * {@snippet lang=c :
     * #define EAGAIN 11
     * }
     */
    public static int EAGAIN() { return 11; }
    /**
     * From {@code asm-generic/errno-base.h}:
     * {@snippet lang=c :
     * #define ENOMEM 12
     * }
     */
    public static int ENOMEM() { return 12; }
    /**
     * From {@code asm-generic/errno-base.h}:
     * {@snippet lang=c :
     * #define EACCES 13
     * }
     */
    public static int EACCES() { return 13; }
    /**
     * From {@code asm-generic/errno-base.h}:
     * {@snippet lang=c :
     * #define EFAULT 14
     * }
     */
    public static int EFAULT() { return 14; }
    /**
     * From {@code asm-generic/errno-base.h}:
     * {@snippet lang=c :
     * #define EBUSY 16
     * }
     */
    public static int EBUSY() { return 16; }
    /**
     * From {@code asm-generic/errno-base.h}:
     * {@snippet lang=c :
     * #define EEXIST 17
     * }
     */
    public static int EEXIST() { return 17; }
    /**
     * From {@code asm-generic/errno-base.h}:
     * {@snippet lang=c :
     * #define ENODEV 19
     * }
     */
    public static int ENODEV() { return 19; }
    /**
     * From {@code asm-generic/errno-base.h}:
     * {@snippet lang=c :
     * #define ENOTDIR 20
     * }
     */
    public static int ENOTDIR() { return 20; }
    /**
     * From {@code asm-generic/errno-base.h}:
     * {@snippet lang=c :
     * #define EINVAL 22
     * }
     */
    public static int EINVAL() { return 22; }
    /**
     * From {@code asm-generic/errno-base.h}:
     * {@snippet lang=c :
     * #define ENFILE 23
     * }
     */
    public static int ENFILE() { return 23; }
    /**
     * From {@code asm-generic/errno-base.h}:
     * {@snippet lang=c :
     * #define EMFILE 24
     * }
     */
    public static int EMFILE() { return 24; }
    /**
     * From {@code asm-generic/errno-base.h}:
     * {@snippet lang=c :
     * #define ENOTTY 25
     * }
     */
    public static int ENOTTY() { return 25; }
    /**
     * From {@code asm-generic/errno-base.h}:
     * {@snippet lang=c :
     * #define ENOSPC 28
     * }
     */
    public static int ENOSPC() { return 28; }
    /**
     * From {@code asm-generic/errno-base.h}:
     * {@snippet lang=c :
     * #define EROFS 30
     * }
     */
    public static int EROFS() { return 30; }
    /**
     * From {@code asm-generic/errno-base.h}:
     * {@snippet lang=c :
     * #define EPIPE 32
     * }
     */
    public static int EPIPE() { return 32; }
    /**
     * From {@code asm-generic/errno-base.h}:
     * {@snippet lang=c :
     * #define ERANGE 34
     * }
     */
    public static int ERANGE() { return 34; }
    /**
     * From {@code asm-generic/errno.h}:
     * {@snippet lang=c :
     * #define ENOSYS 38
     * }
     */
    public static int ENOSYS() { return 38; }
    /**
     * From {@code asm-generic/errno.h}:
     * {@snippet lang=c :
     * #define ENODATA 61
     * }
     */
    public static int ENODATA() { return 61; }
    /**
     * From {@code asm-generic/errno.h}:
     * {@snippet lang=c :
     * #define EOVERFLOW 75
     * }
     */
    public static int EOVERFLOW() { return 75; }
    /**
     * From {@code asm-generic/errno.h}:
     * {@snippet lang=c :
     * #define ENOTSOCK 88
     * }
     */
    public static int ENOTSOCK() { return 88; }
    /**
     * From {@code asm-generic/errno.h}:
     * {@snippet lang=c :
     * #define EMSGSIZE 90
     * }
     */
    public static int EMSGSIZE() { return 90; }
    /**
     * From {@code asm-generic/errno.h}:
     * {@snippet lang=c :
     * #define EPROTONOSUPPORT 93
     * }
     */
    public static int EPROTONOSUPPORT() { return 93; }
    /**
     * From {@code asm-generic/errno.h}:
     * {@snippet lang=c :
     * #define EOPNOTSUPP 95
     * }
     */
    public static int EOPNOTSUPP() { return 95; }
    /**
     * From {@code asm-generic/errno.h}:
     * {@snippet lang=c :
     * #define EAFNOSUPPORT 97
     * }
     */
    public static int EAFNOSUPPORT() { return 97; }
    /**
     * From {@code asm-generic/errno.h}:
     * {@snippet lang=c :
     * #define EADDRINUSE 98
     * }
     */
    public static int EADDRINUSE() { return 98; }
    /**
     * From {@code asm-generic/errno.h}:
     * {@snippet lang=c :
     * #define EADDRNOTAVAIL 99
     * }
     */
    public static int EADDRNOTAVAIL() { return 99; }
    /**
     * From {@code asm-generic/errno.h}:
     * {@snippet lang=c :
     * #define ENETDOWN 100
     * }
     */
    public static int ENETDOWN() { return 100; }
    /**
     * From {@code asm-generic/errno.h}:
     * {@snippet lang=c :
     * #define ENETUNREACH 101
     * }
     */
    public static int ENETUNREACH() { return 101; }
    /**
     * From {@code asm-generic/errno.h}:
     * {@snippet lang=c :
     * #define ENOBUFS 105
     * }
     */
    public static int ENOBUFS() { return 105; }
    /**
     * From {@code asm-generic/errno.h}:
     * {@snippet lang=c :
     * #define ETIMEDOUT 110
     * }
     */
    public static int ETIMEDOUT() { return 110; }
    /**
     * From {@code asm-generic/errno.h}:
     * {@snippet lang=c :
     * #define EHOSTUNREACH 113
     * }
     */
    public static int EHOSTUNREACH() { return 113; }

    /** The symbolic name of a Linux errno value ({@code EPERM}), or {@code errno N} when not listed. */
    public static String errnoName(int errno) {
        return switch (errno) {
            case 1 -> "EPERM"; case 2 -> "ENOENT"; case 3 -> "ESRCH"; case 4 -> "EINTR"; case 5 -> "EIO";
            case 6 -> "ENXIO"; case 7 -> "E2BIG"; case 9 -> "EBADF"; case 11 -> "EAGAIN"; case 12 -> "ENOMEM";
            case 13 -> "EACCES"; case 14 -> "EFAULT"; case 16 -> "EBUSY"; case 17 -> "EEXIST";
            case 19 -> "ENODEV"; case 20 -> "ENOTDIR"; case 21 -> "EISDIR"; case 22 -> "EINVAL";
            case 23 -> "ENFILE"; case 24 -> "EMFILE"; case 25 -> "ENOTTY"; case 28 -> "ENOSPC";
            case 30 -> "EROFS"; case 32 -> "EPIPE"; case 34 -> "ERANGE"; case 38 -> "ENOSYS";
            case 61 -> "ENODATA"; case 71 -> "EPROTO"; case 74 -> "EBADMSG"; case 75 -> "EOVERFLOW";
            case 88 -> "ENOTSOCK"; case 90 -> "EMSGSIZE"; case 93 -> "EPROTONOSUPPORT"; case 95 -> "EOPNOTSUPP";
            case 97 -> "EAFNOSUPPORT"; case 98 -> "EADDRINUSE"; case 99 -> "EADDRNOTAVAIL";
            case 100 -> "ENETDOWN"; case 101 -> "ENETUNREACH"; case 105 -> "ENOBUFS"; case 110 -> "ETIMEDOUT";
            case 111 -> "ECONNREFUSED"; case 113 -> "EHOSTUNREACH";
            default -> "errno " + errno;
        };
    }

    // ---- functions ----

    private static final Linker.Option[] ERRNO = {Natives.CAPTURE_ERRNO};

    private static final class open {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
        static final MethodHandle HANDLE = Natives.downcall("open", DESC,
                Natives.CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    }

    /**
     * {@snippet lang=c :
     * int open(const char *pathname, int flags, ...);
     * }
     * Linked with the variadic
     * {@code mode_t mode} argument.
     */
    public static int open(MemorySegment errno, MemorySegment pathname, int flags, int mode) {
        try {
            return (int) open.HANDLE.invokeExact(errno, pathname, flags, mode);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class close {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, JAVA_INT);
        static final MethodHandle HANDLE = Natives.downcall("close", DESC, ERRNO);
    }

    /**
     * {@snippet lang=c :
     * int close(int fd);
     * }
     */
    public static int close(MemorySegment errno, int fd) {
        try {
            return (int) close.HANDLE.invokeExact(errno, fd);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class read {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
        static final MethodHandle HANDLE = Natives.downcall("read", DESC, ERRNO);
    }

    /**
     * {@snippet lang=c :
     * ssize_t read(int fd, void *buf, size_t count);
     * }
     */
    public static long read(MemorySegment errno, int fd, MemorySegment buf, long count) {
        try {
            return (long) read.HANDLE.invokeExact(errno, fd, buf, count);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class write {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
        static final MethodHandle HANDLE = Natives.downcall("write", DESC, ERRNO);
    }

    /**
     * {@snippet lang=c :
     * ssize_t write(int fd, const void *buf, size_t count);
     * }
     */
    public static long write(MemorySegment errno, int fd, MemorySegment buf, long count) {
        try {
            return (long) write.HANDLE.invokeExact(errno, fd, buf, count);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class readv {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
        static final MethodHandle HANDLE = Natives.downcall("readv", DESC, ERRNO);
    }

    /**
     * {@snippet lang=c :
     * ssize_t readv(int fd, const struct iovec *iov, int iovcnt);
     * }
     */
    public static long readv(MemorySegment errno, int fd, MemorySegment iov, int iovcnt) {
        try {
            return (long) readv.HANDLE.invokeExact(errno, fd, iov, iovcnt);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class writev {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
        static final MethodHandle HANDLE = Natives.downcall("writev", DESC, ERRNO);
    }

    /**
     * {@snippet lang=c :
     * ssize_t writev(int fd, const struct iovec *iov, int iovcnt);
     * }
     */
    public static long writev(MemorySegment errno, int fd, MemorySegment iov, int iovcnt) {
        try {
            return (long) writev.HANDLE.invokeExact(errno, fd, iov, iovcnt);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class ioctl {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS);
        static final MethodHandle HANDLE = Natives.downcall("ioctl", DESC,
                Natives.CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    }

    /**
     * {@snippet lang=c :
     * int ioctl(int fd, unsigned long request, ...);
     * }
     * Linked with a pointer argument.
     */
    public static int ioctl(MemorySegment errno, int fd, long request, MemorySegment arg) {
        try {
            return (int) ioctl.HANDLE.invokeExact(errno, fd, request, arg);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class ioctl$long {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG);
        static final MethodHandle HANDLE = Natives.downcall("ioctl", DESC,
                Natives.CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    }

    /**
     * {@snippet lang=c :
     * int ioctl(int fd, unsigned long request, ...);
     * }
     * Linked with an integer argument passed
     * by value (e.g. {@code TUNSETOFFLOAD}).
     */
    public static int ioctl(MemorySegment errno, int fd, long request, long arg) {
        try {
            return (int) ioctl$long.HANDLE.invokeExact(errno, fd, request, arg);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class fcntl {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
        static final MethodHandle HANDLE = Natives.downcall("fcntl", DESC,
                Natives.CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    }

    /**
     * {@snippet lang=c :
     * int fcntl(int fd, int cmd, ...);
     * }
     * Linked with an {@code int} argument.
     */
    public static int fcntl(MemorySegment errno, int fd, int cmd, int arg) {
        try {
            return (int) fcntl.HANDLE.invokeExact(errno, fd, cmd, arg);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class poll {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
        static final MethodHandle HANDLE = Natives.downcall("poll", DESC, ERRNO);
    }

    /**
     * {@snippet lang=c :
     * int poll(struct pollfd *fds, nfds_t nfds, int timeout);
     * }
     */
    public static int poll(MemorySegment errno, MemorySegment fds, long nfds, int timeout) {
        try {
            return (int) poll.HANDLE.invokeExact(errno, fds, nfds, timeout);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class eventfd {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT);
        static final MethodHandle HANDLE = Natives.downcall("eventfd", DESC, ERRNO);
    }

    /**
     * {@snippet lang=c :
     * int eventfd(unsigned int initval, int flags);
     * }
     */
    public static int eventfd(MemorySegment errno, int initval, int flags) {
        try {
            return (int) eventfd.HANDLE.invokeExact(errno, initval, flags);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class setns {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT);
        static final MethodHandle HANDLE = Natives.downcall("setns", DESC, ERRNO);
    }

    /**
     * {@snippet lang=c :
     * int setns(int fd, int nstype);
     * }
     * Affects the calling thread only.
     */
    public static int setns(MemorySegment errno, int fd, int nstype) {
        try {
            return (int) setns.HANDLE.invokeExact(errno, fd, nstype);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class socket {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
        static final MethodHandle HANDLE = Natives.downcall("socket", DESC, ERRNO);
    }

    /**
     * {@snippet lang=c :
     * int socket(int domain, int type, int protocol);
     * }
     */
    public static int socket(MemorySegment errno, int domain, int type, int protocol) {
        try {
            return (int) socket.HANDLE.invokeExact(errno, domain, type, protocol);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class bind {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
        static final MethodHandle HANDLE = Natives.downcall("bind", DESC, ERRNO);
    }

    /**
     * {@snippet lang=c :
     * int bind(int sockfd, const struct sockaddr *addr, socklen_t addrlen);
     * }
     */
    public static int bind(MemorySegment errno, int sockfd, MemorySegment addr, int addrlen) {
        try {
            return (int) bind.HANDLE.invokeExact(errno, sockfd, addr, addrlen);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class setsockopt {
        static final FunctionDescriptor DESC =
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
        static final MethodHandle HANDLE = Natives.downcall("setsockopt", DESC, ERRNO);
    }

    /**
     * {@snippet lang=c :
     * int setsockopt(int sockfd, int level, int optname, const void *optval, socklen_t optlen);
     * }
     */
    public static int setsockopt(MemorySegment errno, int sockfd, int level, int optname, MemorySegment optval,
                                 int optlen) {
        try {
            return (int) setsockopt.HANDLE.invokeExact(errno, sockfd, level, optname, optval, optlen);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class getsockopt {
        static final FunctionDescriptor DESC =
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
        static final MethodHandle HANDLE = Natives.downcall("getsockopt", DESC, ERRNO);
    }

    /**
     * {@snippet lang=c :
     * int getsockopt(int sockfd, int level, int optname, void *optval, socklen_t *optlen);
     * }
     */
    public static int getsockopt(MemorySegment errno, int sockfd, int level, int optname, MemorySegment optval,
                                 MemorySegment optlen) {
        try {
            return (int) getsockopt.HANDLE.invokeExact(errno, sockfd, level, optname, optval, optlen);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class sendto {
        static final FunctionDescriptor DESC =
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
        static final MethodHandle HANDLE = Natives.downcall("sendto", DESC, ERRNO);
    }

    /**
     * {@snippet lang=c :
     * ssize_t sendto(int sockfd, const void *buf, size_t len, int flags,
     *                const struct sockaddr *dest_addr, socklen_t addrlen);
     * }
     */
    public static long sendto(MemorySegment errno, int sockfd, MemorySegment buf, long len, int flags,
                              MemorySegment destAddr, int addrlen) {
        try {
            return (long) sendto.HANDLE.invokeExact(errno, sockfd, buf, len, flags, destAddr, addrlen);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class recv {
        static final FunctionDescriptor DESC =
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
        static final MethodHandle HANDLE = Natives.downcall("recv", DESC, ERRNO);
    }

    /**
     * {@snippet lang=c :
     * ssize_t recv(int sockfd, void *buf, size_t len, int flags);
     * }
     */
    public static long recv(MemorySegment errno, int sockfd, MemorySegment buf, long len, int flags) {
        try {
            return (long) recv.HANDLE.invokeExact(errno, sockfd, buf, len, flags);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class strerror {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(ADDRESS, JAVA_INT);
        static final MethodHandle HANDLE = Natives.downcall("strerror", DESC);
    }

    /**
     * {@snippet lang=c :
     * char *strerror(int errnum);
     * }
     * glibc returns a static string for known values
     * (thread-safe since 2.32), which is all we read.
     */
    public static MemorySegment strerror(int errnum) {
        try {
            return (MemorySegment) strerror.HANDLE.invokeExact(errnum);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }
}
