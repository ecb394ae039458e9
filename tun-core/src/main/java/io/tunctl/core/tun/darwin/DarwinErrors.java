package io.tunctl.core.tun.darwin;

import io.tunctl.core.natives.darwin.libc_h;
import io.tunctl.core.tun.NativeException;

/** Turns a Darwin errno into a {@link NativeException} with macOS's names, {@code strerror} text and hints. */
final class DarwinErrors {
    private DarwinErrors() {}

    static final String HINT_ROOT = "needs root (run with sudo)";

    static NativeException of(String call, String request, String argument, int errno) {
        return NativeException.platform(call, request, argument, errno, libc_h.errnoName(errno), strerror(errno),
                hint(call, request, errno));
    }

    static String hint(String call, String request, int errno) {
        if (errno == libc_h.EPERM() || errno == libc_h.EACCES()) return HINT_ROOT;
        if (errno == libc_h.EBUSY() && "connect".equals(call)) {
            return "that utun unit is in use by another process: ask for another name, or none to let the kernel pick";
        }
        if (errno == libc_h.ENOENT() && "CTLIOCGINFO".equals(request)) {
            return "no utun kernel control: this is not macOS, or a very old one";
        }
        return null;
    }

    private static String strerror(int errno) {
        try {
            return libc_h.strerror(errno).reinterpret(512).getString(0);
        } catch (RuntimeException | Error e) {
            return ""; // not on macOS, or no native access: the symbolic name still says what happened
        }
    }
}
