package io.tunctl.core.tun;

import io.tunctl.core.natives.linux.libc_h;

import java.io.IOException;

/**
 * A failed system call or kernel request, named the way a person would retype it: the call, the argument that
 * matters (device name, path, address), errno as number, symbol and {@code strerror} text, and a hint when the
 * usual cause is known. Examples:
 * <pre>
 * ioctl(TUNSETIFF, "tun0"): EPERM (Operation not permitted): needs CAP_NET_ADMIN (run as root)
 * open("/dev/net/tun"): ENOENT (No such file or directory): /dev/net/tun missing: modprobe tun
 * RTM_NEWADDR 192.0.2.1/24 dev tun0: EEXIST (File exists)
 * setsockopt(SO_MARK, "fd 12 mark 0x51820"): EPERM (Operation not permitted): needs CAP_NET_ADMIN (run as root)
 * </pre>
 */
public final class NativeException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The hint for permission errors on TUN and netlink operations. */
    public static final String HINT_NET_ADMIN = "needs CAP_NET_ADMIN (run as root)";
    public static final String HINT_NO_TUN = "/dev/net/tun missing: modprobe tun";

    private final String call;
    private final String argument;
    private final int errno;
    private final String errnoName;
    private final String description;
    private final String hint;

    private NativeException(String message, String call, String argument, int errno, String description,
                            String hint) {
        this(message, call, argument, errno, libc_h.errnoName(errno), description, hint);
    }

    private NativeException(String message, String call, String argument, int errno, String errnoName,
                            String description, String hint) {
        super(message);
        this.call = call;
        this.argument = argument;
        this.errno = errno;
        this.errnoName = errnoName;
        this.description = description;
        this.hint = hint;
    }

    /**
     * A failed system call.
     *
     * @param call     the function, e.g. {@code ioctl}, {@code open}
     * @param request  the ioctl request or option name ({@code TUNSETIFF}), or null
     * @param argument the argument that matters (device name, path), or null; shown quoted
     * @param errno    the captured errno
     */
    public static NativeException syscall(String call, String request, String argument, int errno) {
        StringBuilder args = new StringBuilder();
        if (request != null) args.append(request);
        if (argument != null) {
            if (!args.isEmpty()) args.append(", ");
            args.append('"').append(argument).append('"');
        }
        String hint = hint(call, request, argument, errno);
        String desc = strerror(errno);
        String msg = call + "(" + args + "): " + errnoText(errno, desc) + (hint != null ? ": " + hint : "");
        return new NativeException(msg, request != null ? call + "(" + request + ")" : call, argument, errno,
                desc, hint);
    }

    /**
     * A netlink request the kernel refused.
     *
     * @param operation     the message type, e.g. {@code RTM_NEWADDR}
     * @param target        what it was about, e.g. {@code 192.0.2.1/24 dev tun0}
     * @param errno         the positive errno from {@code struct nlmsgerr}
     * @param kernelMessage the extended-ack text the kernel gave, or null
     */
    public static NativeException netlink(String operation, String target, int errno, String kernelMessage) {
        String hint = hint(operation, null, target, errno);
        String desc = strerror(errno);
        String msg = operation + (target != null && !target.isEmpty() ? " " + target : "") + ": "
                + errnoText(errno, desc)
                + (kernelMessage != null && !kernelMessage.isEmpty() ? ": kernel says \"" + kernelMessage + "\"" : "")
                + (hint != null ? ": " + hint : "");
        return new NativeException(msg, operation, target, errno, desc, hint);
    }

    /**
     * A failed call on another OS, whose error numbers are not Linux's: macOS errno (with its own names and
     * {@code strerror}) or a Windows error code (with {@code FormatMessageW}'s text). Same message shape as
     * {@link #syscall}: {@code call(request, "argument"): NAME (description): hint}.
     *
     * @param code        errno, {@code GetLastError()} or a returned Win32 status
     * @param codeName    its symbolic name ({@code EADDRNOTAVAIL}, {@code ERROR_ACCESS_DENIED})
     * @param description the OS's text for it, or empty
     * @param hint        what usually fixes it, or null
     */
    public static NativeException platform(String call, String request, String argument, int code, String codeName,
                                           String description, String hint) {
        StringBuilder args = new StringBuilder();
        if (request != null) args.append(request);
        if (argument != null) {
            if (!args.isEmpty()) args.append(", ");
            args.append('"').append(argument).append('"');
        }
        String desc = description == null ? "" : description.strip();
        String msg = call + "(" + args + "): " + (desc.isEmpty() ? codeName : codeName + " (" + desc + ")")
                + (hint != null ? ": " + hint : "");
        return new NativeException(msg, request != null ? call + "(" + request + ")" : call, argument, code, codeName,
                desc, hint);
    }

    private static String errnoText(int errno, String desc) {
        String name = libc_h.errnoName(errno);
        return desc.isEmpty() ? name : name + " (" + desc + ")";
    }

    static String hint(String call, String request, String argument, int errno) {
        boolean tunsetiff = "TUNSETIFF".equals(request);
        boolean netAdminCall = tunsetiff || "TUNSETQUEUE".equals(request) || call.startsWith("RTM_")
                || (call.equals("open") && "/dev/net/tun".equals(argument));
        if ((errno == libc_h.EPERM() || errno == libc_h.EACCES()) && netAdminCall) return HINT_NET_ADMIN;
        if (call.equals("setsockopt") && "SO_MARK".equals(request) && errno == libc_h.EPERM()) return HINT_NET_ADMIN;
        if (call.equals("setsockopt") && "SO_BINDTODEVICE".equals(request)) {
            if (errno == libc_h.EPERM()) return "needs CAP_NET_RAW to rebind a bound socket (run as root)";
            if (errno == libc_h.ENODEV()) return "no such interface in the socket's network namespace";
        }
        if ((errno == libc_h.EPERM() || errno == libc_h.EACCES()) && call.equals("setns")) {
            return "needs CAP_SYS_ADMIN (run as root)";
        }
        if ((errno == libc_h.ENOENT() || errno == libc_h.ENODEV() || errno == libc_h.ENXIO())
                && call.equals("open") && "/dev/net/tun".equals(argument)) {
            return HINT_NO_TUN;
        }
        if (errno == libc_h.ENOENT() && call.equals("open") && argument != null
                && argument.startsWith("/var/run/netns/")) {
            return "no such network namespace: ip netns add " + argument.substring("/var/run/netns/".length());
        }
        if (errno == libc_h.EBUSY() && tunsetiff) {
            return "name " + (argument != null ? "\"" + argument + "\" " : "")
                    + "in use: another process has this TUN open (or it is multi-queue and flags differ)";
        }
        if (errno == libc_h.EINVAL() && tunsetiff) {
            return "bad name or flags, or the name belongs to an interface that is not a TUN";
        }
        return null;
    }

    private static String strerror(int errno) {
        try {
            return libc_h.strerror(errno).reinterpret(512).getString(0);
        } catch (RuntimeException | Error e) {
            return ""; // no native access: the symbolic name still says what happened
        }
    }

    /** The failed call, e.g. {@code ioctl(TUNSETIFF)}, {@code open} or {@code RTM_NEWADDR}. */
    public String call() { return call; }

    /** The argument that mattered (device name, path, address), or null. */
    public String argument() { return argument; }

    public int errno() { return errno; }

    /** {@code EPERM}, {@code EEXIST}, ... */
    public String errnoName() { return errnoName; }

    /** The C library's text for {@link #errno()}. */
    public String description() { return description; }

    /** What usually fixes it, or null. */
    public String hint() { return hint; }
}
