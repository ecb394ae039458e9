package io.tunctl.core.natives.darwin;

/**
 * The socket ioctls that set an interface's addresses and MTU on macOS, from {@code sys/sockio.h} and
 * {@code netinet6/in6_var.h} (XNU); issued on an {@code AF_INET} (or {@code AF_INET6}) datagram socket with
 * {@link libc_h#ioctl}. Request numbers encode the argument's size ({@code _IOW}), so they are checked together
 * with {@link ifreq}, {@link ifaliasreq}, {@link in6_ifreq} and {@link in6_aliasreq} by the layout check.
 * Declarations: {@code native-headers/darwin_utun.h}. Man page: netintro(4).
 */
@SuppressWarnings({"unused", "checkstyle:MethodName", "checkstyle:TypeName"})
public final class sockio_h {
    private sockio_h() {}

    // ---- <net/if.h> ----
    /** {@code #define IFNAMSIZ 16} in {@code net/if.h}. */
    public static int IFNAMSIZ() { return 16; }
    /** {@code #define IFF_UP 0x1} in {@code net/if.h}. */
    public static short IFF_UP() { return 0x1; }
    // ---- <sys/sockio.h> ----
    /** {@code #define SIOCSIFFLAGS _IOW('i', 16, struct ifreq)} in {@code sys/sockio.h}. */
    public static long SIOCSIFFLAGS() { return 0x80206910L; }
    /** {@code #define SIOCGIFFLAGS _IOWR('i', 17, struct ifreq)} in {@code sys/sockio.h}. */
    public static long SIOCGIFFLAGS() { return 0xc0206911L; }
    /** {@code #define SIOCDIFADDR _IOW('i', 25, struct ifreq)} in {@code sys/sockio.h}. */
    public static long SIOCDIFADDR() { return 0x80206919L; }
    /** {@code #define SIOCAIFADDR _IOW('i', 26, struct ifaliasreq)} in {@code sys/sockio.h}. */
    public static long SIOCAIFADDR() { return 0x8040691aL; }
    /** {@code #define SIOCGIFMTU _IOWR('i', 51, struct ifreq)} in {@code sys/sockio.h}. */
    public static long SIOCGIFMTU() { return 0xc0206933L; }
    /** {@code #define SIOCSIFMTU _IOW('i', 52, struct ifreq)} in {@code sys/sockio.h}. */
    public static long SIOCSIFMTU() { return 0x80206934L; }
    // ---- <netinet6/in6_var.h> ----
    /** {@code #define SIOCDIFADDR_IN6 _IOW('i', 25, struct in6_ifreq)} in {@code netinet6/in6_var.h}. */
    public static long SIOCDIFADDR_IN6() { return 0x81206919L; }
    /** {@code #define SIOCAIFADDR_IN6 _IOW('i', 26, struct in6_aliasreq)} in {@code netinet6/in6_var.h}. */
    public static long SIOCAIFADDR_IN6() { return 0x8080691aL; }
    // ---- <netinet6/nd6.h> ----
    /** {@code #define ND6_INFINITE_LIFETIME 0xffffffff} in {@code netinet6/nd6.h}. */
    public static long ND6_INFINITE_LIFETIME() { return 0xffffffffL; }
}
