package io.tunctl.core.natives.darwin;

/**
 * Routing socket messages on macOS, from {@code net/route.h} (XNU): a {@link rt_msghdr} written to a
 * {@code PF_ROUTE} raw socket, followed by the sockaddrs its {@code rtm_addrs} bits name, in bit order, each
 * padded to a multiple of 4 bytes (Darwin's {@code ROUNDUP32}). Declarations: {@code native-headers/darwin_utun.h}.
 * Man page: route(4).
 */
@SuppressWarnings({"unused", "checkstyle:MethodName", "checkstyle:TypeName"})
public final class route_h {
    private route_h() {}

    // ---- <net/route.h> ----
    /** {@code #define RTM_VERSION 5} in {@code net/route.h}. */
    public static int RTM_VERSION() { return 5; }
    /** {@code #define RTM_ADD 0x1} in {@code net/route.h}. */
    public static int RTM_ADD() { return 0x1; }
    /** {@code #define RTM_DELETE 0x2} in {@code net/route.h}. */
    public static int RTM_DELETE() { return 0x2; }
    /** {@code #define RTM_GET 0x4} in {@code net/route.h}. */
    public static int RTM_GET() { return 0x4; }
    /** {@code #define RTF_UP 0x1} in {@code net/route.h}. */
    public static int RTF_UP() { return 0x1; }
    /** {@code #define RTF_GATEWAY 0x2} in {@code net/route.h}. */
    public static int RTF_GATEWAY() { return 0x2; }
    /** {@code #define RTF_HOST 0x4} in {@code net/route.h}. */
    public static int RTF_HOST() { return 0x4; }
    /** {@code #define RTF_STATIC 0x800} in {@code net/route.h}. */
    public static int RTF_STATIC() { return 0x800; }
    /** {@code #define RTA_DST 0x1} in {@code net/route.h}. */
    public static int RTA_DST() { return 0x1; }
    /** {@code #define RTA_GATEWAY 0x2} in {@code net/route.h}. */
    public static int RTA_GATEWAY() { return 0x2; }
    /** {@code #define RTA_NETMASK 0x4} in {@code net/route.h}. */
    public static int RTA_NETMASK() { return 0x4; }
}
