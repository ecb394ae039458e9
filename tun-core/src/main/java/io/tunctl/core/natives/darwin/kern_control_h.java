package io.tunctl.core.natives.darwin;

/**
 * Kernel control sockets and the utun control, from {@code sys/kern_control.h} and {@code net/if_utun.h} (XNU).
 * A utun interface is made by connecting a {@code PF_SYSTEM}/{@code SYSPROTO_CONTROL} datagram socket to the
 * control named {@link #UTUN_CONTROL_NAME}; the socket is the device, and closing it destroys the interface.
 * Declarations: {@code native-headers/darwin_utun.h}; structs {@link ctl_info}, {@link sockaddr_ctl}.
 */
@SuppressWarnings({"unused", "checkstyle:MethodName", "checkstyle:TypeName"})
public final class kern_control_h {
    private kern_control_h() {}

    /** {@code #define UTUN_CONTROL_NAME "com.apple.net.utun_control"} in {@code net/if_utun.h}. */
    public static final String UTUN_CONTROL_NAME = "com.apple.net.utun_control";

    // ---- <sys/kern_control.h> ----
    /** {@code #define MAX_KCTL_NAME 96} in {@code sys/kern_control.h}. */
    public static int MAX_KCTL_NAME() { return 96; }
    /** {@code #define SYSPROTO_CONTROL 2} in {@code sys/kern_control.h}. */
    public static int SYSPROTO_CONTROL() { return 2; }
    /** {@code #define AF_SYS_CONTROL 2} in {@code sys/kern_control.h}. */
    public static int AF_SYS_CONTROL() { return 2; }
    /** {@code #define CTLIOCGINFO _IOWR('N', 3, struct ctl_info)} in {@code sys/kern_control.h}. */
    public static long CTLIOCGINFO() { return 0xc0644e03L; }
    // ---- <net/if_utun.h> ----
    /** {@code #define UTUN_OPT_IFNAME 2} in {@code net/if_utun.h}. */
    public static int UTUN_OPT_IFNAME() { return 2; }
}
