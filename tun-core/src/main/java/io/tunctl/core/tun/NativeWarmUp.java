package io.tunctl.core.tun;

import io.tunctl.core.natives.linux.Natives;
import io.tunctl.core.natives.linux.if_tun_h;
import io.tunctl.core.natives.linux.ifreq;
import io.tunctl.core.natives.linux.libc_h;
import io.tunctl.core.natives.linux.pollfd;
import io.tunctl.core.netlink.Rtnetlink;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Runs every libc and netlink binding that bringing a Linux TUN up calls, on targets where the calls change nothing
 * and need no privilege: {@code /dev/null} (open, fcntl, both ioctl forms, which fail with ENOTTY, read, write,
 * close), an eventfd with poll, {@code strerror}, and a read-only netlink query for {@code lo}.
 *
 * <p>{@code tunctl aot-training} runs it so that the AOT cache holds the FFM linker's classes and the bindings' links:
 * the first downcall of each shape otherwise costs class loading and bytecode generation on {@code up}'s path.
 */
public final class NativeWarmUp {
    private NativeWarmUp() {}

    /** How many calls {@link #run()} checks. */
    public static final int CALLS = 8;

    /** Runs the calls above; returns how many of them behaved as they do on a Linux kernel. */
    public static int run() throws IOException {
        Natives.requireNativeAccess();
        int ok = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Natives.allocateCapture(arena);
            int fd = libc_h.open(errno, arena.allocateFrom("/dev/null"), libc_h.O_RDWR() | libc_h.O_CLOEXEC(), 0);
            if (fd < 0) throw new IOException("open /dev/null: errno " + Natives.errno(errno));
            try {
                MemorySegment buf = arena.allocate(64);
                if (libc_h.fcntl(errno, fd, libc_h.F_GETFL(), 0) >= 0) ok++;
                MemorySegment ifr = arena.allocate(ifreq.layout());
                if (libc_h.ioctl(errno, fd, if_tun_h.TUNGETFEATURES(), ifr) < 0
                        && Natives.errno(errno) == libc_h.ENOTTY()) ok++;
                if (libc_h.ioctl(errno, fd, if_tun_h.TUNSETOFFLOAD(), 0L) < 0
                        && Natives.errno(errno) == libc_h.ENOTTY()) ok++;
                if (libc_h.write(errno, fd, buf, buf.byteSize()) == buf.byteSize()) ok++;
                if (libc_h.read(errno, fd, buf, buf.byteSize()) == 0) ok++;
            } finally {
                libc_h.close(errno, fd);
            }
            int efd = libc_h.eventfd(errno, 1, libc_h.EFD_CLOEXEC() | libc_h.EFD_NONBLOCK());
            if (efd >= 0) {
                try {
                    MemorySegment pfd = arena.allocate(pollfd.layout());
                    pollfd.fd(pfd, efd);
                    pollfd.events(pfd, libc_h.POLLIN());
                    if (libc_h.poll(errno, pfd, 1, 0) == 1) ok++;
                } finally {
                    libc_h.close(errno, efd);
                }
            }
            if (!libc_h.strerror(libc_h.ENOTTY()).reinterpret(256).getString(0).isEmpty()) ok++;
        }
        try (Rtnetlink nl = Rtnetlink.open()) {
            if (nl.findLinkIndex("lo").isPresent()) ok++;
        }
        return ok;
    }
}
