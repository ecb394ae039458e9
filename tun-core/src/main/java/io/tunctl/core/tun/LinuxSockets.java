package io.tunctl.core.tun;

import io.tunctl.core.natives.linux.Natives;
import io.tunctl.core.natives.linux.if_tun_h;
import io.tunctl.core.natives.linux.libc_h;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.channels.Channel;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;

/**
 * Keeps a transport's own sockets out of the tunnel it carries, on Linux: {@code SO_MARK} gives every packet of
 * a socket a firewall mark that a policy rule can route around the tunnel ({@code not fwmark M lookup T}, as
 * wg-quick does), and {@code SO_BINDTODEVICE} pins a socket to one interface so its packets leave there whatever
 * the routes say. Set both before the socket sends its first packet (for TCP: before {@code connect}).
 *
 * <p>The calls take a file descriptor, so any socket works: Netty's epoll channels give theirs
 * ({@code AbstractEpollChannel.fd().intValue()}); for {@code java.nio} channels {@link #fd(Channel)} reads it,
 * which needs {@code --add-exports java.base/sun.nio.ch=io.tunctl.core} (or {@code =ALL-UNNAMED} on the class
 * path). Failures are {@link NativeException}s naming the call and option, e.g.
 * {@code setsockopt(SO_MARK, "fd 12 mark 0x51820"): EPERM (Operation not permitted): needs CAP_NET_ADMIN ...}.
 * Man page: socket(7).
 */
public final class LinuxSockets {
    private LinuxSockets() {}

    /** Sets {@code SO_MARK} (32 bits; 0 clears it). Needs CAP_NET_ADMIN (or CAP_NET_RAW on Linux 5.17+). */
    public static void setMark(int fd, long mark) throws NativeException {
        if (mark < 0 || mark > 0xffffffffL) throw new IllegalArgumentException("mark is 32 bits: " + mark);
        Natives.requireNativeAccess();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Natives.allocateCapture(arena);
            MemorySegment v = arena.allocateFrom(ValueLayout.JAVA_INT, (int) mark);
            if (libc_h.setsockopt(errno, fd, libc_h.SOL_SOCKET(), libc_h.SO_MARK(), v, 4) < 0) {
                throw NativeException.syscall("setsockopt", "SO_MARK",
                        "fd " + fd + " mark 0x" + Long.toHexString(mark), Natives.errno(errno));
            }
        }
    }

    /** The socket's {@code SO_MARK} (0 when none). */
    public static long mark(int fd) throws NativeException {
        Natives.requireNativeAccess();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Natives.allocateCapture(arena);
            MemorySegment v = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment len = arena.allocateFrom(ValueLayout.JAVA_INT, 4);
            if (libc_h.getsockopt(errno, fd, libc_h.SOL_SOCKET(), libc_h.SO_MARK(), v, len) < 0) {
                throw NativeException.syscall("getsockopt", "SO_MARK", "fd " + fd, Natives.errno(errno));
            }
            return v.get(ValueLayout.JAVA_INT, 0) & 0xffffffffL;
        }
    }

    /**
     * Sets {@code SO_BINDTODEVICE}: the socket sends and receives only through interface {@code name}; null or
     * empty unbinds it. Binding a socket that is already bound needs CAP_NET_RAW.
     */
    public static void bindToDevice(int fd, String name) throws NativeException {
        String n = name == null ? "" : name;
        byte[] bytes = n.getBytes(StandardCharsets.UTF_8);
        if (bytes.length >= if_tun_h.IFNAMSIZ() || n.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("not an interface name: '" + n + "'");
        }
        Natives.requireNativeAccess();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Natives.allocateCapture(arena);
            MemorySegment v = arena.allocate(if_tun_h.IFNAMSIZ());
            MemorySegment.copy(bytes, 0, v, ValueLayout.JAVA_BYTE, 0, bytes.length);
            // the kernel reads up to IFNAMSIZ - 1 bytes; length 0 unbinds
            if (libc_h.setsockopt(errno, fd, libc_h.SOL_SOCKET(), libc_h.SO_BINDTODEVICE(), v,
                    bytes.length == 0 ? 0 : bytes.length + 1) < 0) {
                throw NativeException.syscall("setsockopt", "SO_BINDTODEVICE", "fd " + fd + " dev " + n,
                        Natives.errno(errno));
            }
        }
    }

    /** The interface the socket is bound to ({@code SO_BINDTODEVICE}), or null. */
    public static String boundDevice(int fd) throws NativeException {
        Natives.requireNativeAccess();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Natives.allocateCapture(arena);
            MemorySegment v = arena.allocate(if_tun_h.IFNAMSIZ());
            MemorySegment len = arena.allocateFrom(ValueLayout.JAVA_INT, if_tun_h.IFNAMSIZ());
            if (libc_h.getsockopt(errno, fd, libc_h.SOL_SOCKET(), libc_h.SO_BINDTODEVICE(), v, len) < 0) {
                throw NativeException.syscall("getsockopt", "SO_BINDTODEVICE", "fd " + fd, Natives.errno(errno));
            }
            String s = v.getString(0);
            return len.get(ValueLayout.JAVA_INT, 0) == 0 || s.isEmpty() ? null : s;
        }
    }

    /** {@link #setMark(int, long)} on a {@code java.nio} socket channel. */
    public static void setMark(Channel channel, long mark) throws IOException {
        setMark(fd(channel), mark);
    }

    /** {@link #bindToDevice(int, String)} on a {@code java.nio} socket channel. */
    public static void bindToDevice(Channel channel, String name) throws IOException {
        bindToDevice(fd(channel), name);
    }

    /**
     * The file descriptor of a {@code java.nio} socket channel ({@code SocketChannel}, {@code DatagramChannel},
     * {@code ServerSocketChannel}). The JDK keeps it in {@code sun.nio.ch}, which must be exported to this module.
     *
     * @throws IllegalStateException    when {@code --add-exports java.base/sun.nio.ch=...} is missing (the message
     *                                  gives the exact flag)
     * @throws IllegalArgumentException when {@code channel} is not one of the JDK's socket channels
     * @throws ClosedChannelException   when the channel is closed
     */
    public static int fd(Channel channel) throws ClosedChannelException {
        MethodHandle getFd = NioFd.handle();
        if (!NioFd.TYPE.isInstance(channel)) {
            throw new IllegalArgumentException("not a JDK socket channel: " + channel.getClass().getName());
        }
        if (!channel.isOpen()) throw new ClosedChannelException();
        try {
            return (int) getFd.invoke(channel);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("reading the fd of " + channel + " failed", t);
        }
    }

    /** The flag that lets {@code module} read NIO file descriptors. */
    static String addExportsFlag(Module module) {
        return "--add-exports java.base/sun.nio.ch=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED");
    }

    /** {@code sun.nio.ch.SelChImpl.getFDVal()}, looked up once. */
    private static final class NioFd {
        static final Class<?> TYPE;
        private static final MethodHandle GET_FD_VAL;
        private static final String UNAVAILABLE;

        static {
            Class<?> type = null;
            MethodHandle h = null;
            String why = null;
            Module me = LinuxSockets.class.getModule();
            try {
                type = Class.forName("sun.nio.ch.SelChImpl", false, null);
                if (!type.getModule().isExported("sun.nio.ch", me)) {
                    why = "reading the file descriptor of a java.nio channel needs the JVM flag " + addExportsFlag(me);
                } else {
                    h = MethodHandles.lookup().findVirtual(type, "getFDVal", MethodType.methodType(int.class));
                }
            } catch (ReflectiveOperationException e) {
                why = "this JDK has no sun.nio.ch.SelChImpl.getFDVal() (" + e + "): cannot read the file"
                        + " descriptor of a java.nio channel";
            }
            TYPE = type != null ? type : Void.class;
            GET_FD_VAL = h;
            UNAVAILABLE = why;
        }

        static MethodHandle handle() {
            if (GET_FD_VAL == null) throw new IllegalStateException(UNAVAILABLE);
            return GET_FD_VAL;
        }
    }
}
