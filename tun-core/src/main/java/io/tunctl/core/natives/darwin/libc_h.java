package io.tunctl.core.natives.darwin;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The libSystem functions and constants tunctl uses on macOS (x86_64 and arm64): {@code <unistd.h>},
 * {@code <fcntl.h>}, {@code <poll.h>}, {@code <sys/socket.h>}, {@code <sys/ioctl.h>}, {@code <net/if.h>},
 * {@code <string.h>}, {@code <sys/errno.h>}. Declarations: {@code native-headers/darwin_utun.h}. Man pages:
 * read(2), readv(2), write(2), pipe(2), fcntl(2), ioctl(2), poll(2), socket(2), connect(2), getsockopt(2),
 * if_nametoindex(3), strerror(3).
 *
 * <p>Every function that can fail takes a leading {@code errno} segment ({@link Natives#allocateCapture}) into
 * which the call's errno is captured ({@code Linker.Option.captureCallState("errno")}). Darwin's errno numbers
 * differ from Linux's above 34 ({@code EAGAIN} is 35): never compare them with the Linux {@code libc_h}.
 */
@SuppressWarnings({"unused", "checkstyle:MethodName", "checkstyle:TypeName"})
public final class libc_h {
    private libc_h() {}

    // ---- <sys/socket.h> ----
    /** {@code #define AF_UNSPEC 0} in {@code sys/socket.h}. */
    public static int AF_UNSPEC() { return 0; }
    /** {@code #define AF_INET 2} in {@code sys/socket.h}. */
    public static int AF_INET() { return 2; }
    /** {@code #define AF_ROUTE 17} in {@code sys/socket.h}. */
    public static int AF_ROUTE() { return 17; }
    /** {@code #define AF_LINK 18} in {@code sys/socket.h}. */
    public static int AF_LINK() { return 18; }
    /** {@code #define AF_INET6 30} in {@code sys/socket.h}. */
    public static int AF_INET6() { return 30; }
    /** {@code #define AF_SYSTEM 32} in {@code sys/socket.h}. */
    public static int AF_SYSTEM() { return 32; }
    /** {@code #define PF_ROUTE AF_ROUTE} in {@code sys/socket.h}. */
    public static int PF_ROUTE() { return 17; }
    /** {@code #define PF_SYSTEM AF_SYSTEM} in {@code sys/socket.h}. */
    public static int PF_SYSTEM() { return 32; }
    /** {@code #define SOCK_DGRAM 2} in {@code sys/socket.h}. */
    public static int SOCK_DGRAM() { return 2; }
    /** {@code #define SOCK_RAW 3} in {@code sys/socket.h}. */
    public static int SOCK_RAW() { return 3; }
    /** {@code #define SOL_SOCKET 0xffff} in {@code sys/socket.h}. */
    public static int SOL_SOCKET() { return 0xffff; }
    /** {@code #define SO_USELOOPBACK 0x0040} in {@code sys/socket.h}. */
    public static int SO_USELOOPBACK() { return 0x0040; }
    /** {@code #define SO_SNDBUF 0x1001} in {@code sys/socket.h}. */
    public static int SO_SNDBUF() { return 0x1001; }
    /** {@code #define SO_RCVBUF 0x1002} in {@code sys/socket.h}. */
    public static int SO_RCVBUF() { return 0x1002; }
    // ---- <sys/fcntl.h> ----
    /** {@code #define O_NONBLOCK 0x00000004} in {@code sys/fcntl.h}. */
    public static int O_NONBLOCK() { return 0x00000004; }
    /** {@code #define F_SETFD 2} in {@code sys/fcntl.h}. */
    public static int F_SETFD() { return 2; }
    /** {@code #define F_GETFL 3} in {@code sys/fcntl.h}. */
    public static int F_GETFL() { return 3; }
    /** {@code #define F_SETFL 4} in {@code sys/fcntl.h}. */
    public static int F_SETFL() { return 4; }
    /** {@code #define FD_CLOEXEC 1} in {@code sys/fcntl.h}. */
    public static int FD_CLOEXEC() { return 1; }
    // ---- <sys/poll.h> ----
    /** {@code #define POLLIN 0x0001} in {@code sys/poll.h}. */
    public static short POLLIN() { return 0x0001; }
    /** {@code #define POLLOUT 0x0004} in {@code sys/poll.h}. */
    public static short POLLOUT() { return 0x0004; }
    /** {@code #define POLLERR 0x0008} in {@code sys/poll.h}. */
    public static short POLLERR() { return 0x0008; }
    /** {@code #define POLLHUP 0x0010} in {@code sys/poll.h}. */
    public static short POLLHUP() { return 0x0010; }
    /** {@code #define POLLNVAL 0x0020} in {@code sys/poll.h}. */
    public static short POLLNVAL() { return 0x0020; }
    // ---- <sys/errno.h> ----
    /** {@code #define EPERM 1} in {@code sys/errno.h}. */
    public static int EPERM() { return 1; }
    /** {@code #define ENOENT 2} in {@code sys/errno.h}. */
    public static int ENOENT() { return 2; }
    /** {@code #define ESRCH 3} in {@code sys/errno.h}. */
    public static int ESRCH() { return 3; }
    /** {@code #define EINTR 4} in {@code sys/errno.h}. */
    public static int EINTR() { return 4; }
    /** {@code #define EIO 5} in {@code sys/errno.h}. */
    public static int EIO() { return 5; }
    /** {@code #define ENXIO 6} in {@code sys/errno.h}. */
    public static int ENXIO() { return 6; }
    /** {@code #define EBADF 9} in {@code sys/errno.h}. */
    public static int EBADF() { return 9; }
    /** {@code #define ENOMEM 12} in {@code sys/errno.h}. */
    public static int ENOMEM() { return 12; }
    /** {@code #define EACCES 13} in {@code sys/errno.h}. */
    public static int EACCES() { return 13; }
    /** {@code #define EFAULT 14} in {@code sys/errno.h}. */
    public static int EFAULT() { return 14; }
    /** {@code #define EBUSY 16} in {@code sys/errno.h}. */
    public static int EBUSY() { return 16; }
    /** {@code #define EEXIST 17} in {@code sys/errno.h}. */
    public static int EEXIST() { return 17; }
    /** {@code #define ENODEV 19} in {@code sys/errno.h}. */
    public static int ENODEV() { return 19; }
    /** {@code #define EINVAL 22} in {@code sys/errno.h}. */
    public static int EINVAL() { return 22; }
    /** {@code #define EMFILE 24} in {@code sys/errno.h}. */
    public static int EMFILE() { return 24; }
    /** {@code #define ENOSPC 28} in {@code sys/errno.h}. */
    public static int ENOSPC() { return 28; }
    /** {@code #define EPIPE 32} in {@code sys/errno.h}. */
    public static int EPIPE() { return 32; }
    /** {@code #define EAGAIN 35} in {@code sys/errno.h}. */
    public static int EAGAIN() { return 35; }
    /** {@code #define EMSGSIZE 40} in {@code sys/errno.h}. */
    public static int EMSGSIZE() { return 40; }
    /** {@code #define EPROTONOSUPPORT 43} in {@code sys/errno.h}. */
    public static int EPROTONOSUPPORT() { return 43; }
    /** {@code #define EOPNOTSUPP 45} in {@code sys/errno.h}. */
    public static int EOPNOTSUPP() { return 45; }
    /** {@code #define EAFNOSUPPORT 47} in {@code sys/errno.h}. */
    public static int EAFNOSUPPORT() { return 47; }
    /** {@code #define EADDRINUSE 48} in {@code sys/errno.h}. */
    public static int EADDRINUSE() { return 48; }
    /** {@code #define EADDRNOTAVAIL 49} in {@code sys/errno.h}. */
    public static int EADDRNOTAVAIL() { return 49; }
    /** {@code #define ENETDOWN 50} in {@code sys/errno.h}. */
    public static int ENETDOWN() { return 50; }
    /** {@code #define ENETUNREACH 51} in {@code sys/errno.h}. */
    public static int ENETUNREACH() { return 51; }
    /** {@code #define ENOBUFS 55} in {@code sys/errno.h}. */
    public static int ENOBUFS() { return 55; }
    /** {@code #define ENOTCONN 57} in {@code sys/errno.h}. */
    public static int ENOTCONN() { return 57; }
    /** {@code #define ETIMEDOUT 60} in {@code sys/errno.h}. */
    public static int ETIMEDOUT() { return 60; }
    /** {@code #define EHOSTUNREACH 65} in {@code sys/errno.h}. */
    public static int EHOSTUNREACH() { return 65; }

    /** The symbolic name of a Darwin errno ({@code EAGAIN}), or {@code errno N}. */
    public static String errnoName(int errno) {
        return switch (errno) {
            case 1 -> "EPERM";
            case 2 -> "ENOENT";
            case 3 -> "ESRCH";
            case 4 -> "EINTR";
            case 5 -> "EIO";
            case 6 -> "ENXIO";
            case 9 -> "EBADF";
            case 12 -> "ENOMEM";
            case 13 -> "EACCES";
            case 14 -> "EFAULT";
            case 16 -> "EBUSY";
            case 17 -> "EEXIST";
            case 19 -> "ENODEV";
            case 22 -> "EINVAL";
            case 24 -> "EMFILE";
            case 28 -> "ENOSPC";
            case 32 -> "EPIPE";
            case 35 -> "EAGAIN";
            case 40 -> "EMSGSIZE";
            case 43 -> "EPROTONOSUPPORT";
            case 45 -> "EOPNOTSUPP";
            case 47 -> "EAFNOSUPPORT";
            case 48 -> "EADDRINUSE";
            case 49 -> "EADDRNOTAVAIL";
            case 50 -> "ENETDOWN";
            case 51 -> "ENETUNREACH";
            case 55 -> "ENOBUFS";
            case 57 -> "ENOTCONN";
            case 60 -> "ETIMEDOUT";
            case 65 -> "EHOSTUNREACH";
            default -> "errno " + errno;
        };
    }

    // ---- functions ----

    private static final Linker.Option CAPTURE_ERRNO = Natives.CAPTURE_ERRNO;
    private static final Linker.Option ERRNO = Natives.CAPTURE_ERRNO;

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
     * ssize_t read(int fd, void *buf, size_t nbyte);
     * }
     */
    public static long read(MemorySegment errno, int fd, MemorySegment buf, long nbyte) {
        try {
            return (long) read.HANDLE.invokeExact(errno, fd, buf, nbyte);
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
     * ssize_t write(int fd, const void *buf, size_t nbyte);
     * }
     */
    public static long write(MemorySegment errno, int fd, MemorySegment buf, long nbyte) {
        try {
            return (long) write.HANDLE.invokeExact(errno, fd, buf, nbyte);
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

    private static final class pipe {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);
        static final MethodHandle HANDLE = Natives.downcall("pipe", DESC, ERRNO);
    }

    /**
     * {@snippet lang=c :
     * int pipe(int fildes[2]);
     * }
     */
    public static int pipe(MemorySegment errno, MemorySegment fildes) {
        try {
            return (int) pipe.HANDLE.invokeExact(errno, fildes);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class fcntl {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
        static final MethodHandle HANDLE = Natives.downcall("fcntl", DESC, CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    }

    /**
     * {@snippet lang=c :
     * int fcntl(int fildes, int cmd, ...);
     * }
     * Linked with one variadic {@code int}.
     */
    public static int fcntl(MemorySegment errno, int fildes, int cmd, int arg) {
        try {
            return (int) fcntl.HANDLE.invokeExact(errno, fildes, cmd, arg);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class ioctl {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS);
        static final MethodHandle HANDLE = Natives.downcall("ioctl", DESC, CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    }

    /**
     * {@snippet lang=c :
     * int ioctl(int fildes, unsigned long request, ...);
     * }
     * Linked with one variadic pointer (on arm64 Darwin variadic arguments go on the stack, so this matters).
     */
    public static int ioctl(MemorySegment errno, int fildes, long request, MemorySegment arg) {
        try {
            return (int) ioctl.HANDLE.invokeExact(errno, fildes, request, arg);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class poll {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
        static final MethodHandle HANDLE = Natives.downcall("poll", DESC, ERRNO);
    }

    /**
     * {@snippet lang=c :
     * int poll(struct pollfd fds[], nfds_t nfds, int timeout);
     * }
     */
    public static int poll(MemorySegment errno, MemorySegment fds, int nfds, int timeout) {
        try {
            return (int) poll.HANDLE.invokeExact(errno, fds, nfds, timeout);
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

    private static final class connect {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
        static final MethodHandle HANDLE = Natives.downcall("connect", DESC, ERRNO);
    }

    /**
     * {@snippet lang=c :
     * int connect(int socket, const struct sockaddr *address, socklen_t address_len);
     * }
     */
    public static int connect(MemorySegment errno, int socket, MemorySegment address, int address_len) {
        try {
            return (int) connect.HANDLE.invokeExact(errno, socket, address, address_len);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class getsockopt {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
        static final MethodHandle HANDLE = Natives.downcall("getsockopt", DESC, ERRNO);
    }

    /**
     * {@snippet lang=c :
     * int getsockopt(int socket, int level, int option_name, void *option_value, socklen_t *option_len);
     * }
     */
    public static int getsockopt(MemorySegment errno, int socket, int level, int option_name, MemorySegment option_value, MemorySegment option_len) {
        try {
            return (int) getsockopt.HANDLE.invokeExact(errno, socket, level, option_name, option_value, option_len);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class setsockopt {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
        static final MethodHandle HANDLE = Natives.downcall("setsockopt", DESC, ERRNO);
    }

    /**
     * {@snippet lang=c :
     * int setsockopt(int socket, int level, int option_name, const void *option_value, socklen_t option_len);
     * }
     */
    public static int setsockopt(MemorySegment errno, int socket, int level, int option_name, MemorySegment option_value, int option_len) {
        try {
            return (int) setsockopt.HANDLE.invokeExact(errno, socket, level, option_name, option_value, option_len);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class if_nametoindex {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);
        static final MethodHandle HANDLE = Natives.downcall("if_nametoindex", DESC, CAPTURE_ERRNO);
    }

    /**
     * {@snippet lang=c :
     * unsigned int if_nametoindex(const char *ifname);
     * }
     * Returns 0 (errno set) when there is no such interface.
     */
    public static int if_nametoindex(MemorySegment errno, MemorySegment ifname) {
        try {
            return (int) if_nametoindex.HANDLE.invokeExact(errno, ifname);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class getpid {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT);
        static final MethodHandle HANDLE = Natives.downcall("getpid", DESC);
    }

    /**
     * {@snippet lang=c :
     * pid_t getpid(void);
     * }
     */
    public static int getpid() {
        try {
            return (int) getpid.HANDLE.invokeExact();
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
     * A zero-length segment: {@code reinterpret} it to read the text.
     */
    public static MemorySegment strerror(int errnum) {
        try {
            return (MemorySegment) strerror.HANDLE.invokeExact(errnum);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }
}
