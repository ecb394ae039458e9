package io.tunctl.core.natives.linux;

/**
 * Constants of {@code <linux/if_tun.h>} (the TUN/TAP driver's ioctl interface) and of {@code <net/if.h>}.
 * Declarations: {@code native-headers/linux_tun.h}. Documentation: the kernel's
 * Documentation/networking/tuntap.rst; man page netdevice(7). ioctl request numbers are the x86_64/aarch64
 * encodings of {@code _IOW}/{@code _IOR} (asm-generic/ioctl.h).
 */
@SuppressWarnings({"unused", "checkstyle:TypeName", "checkstyle:MethodName"})
public final class if_tun_h {
    private if_tun_h() {}

    // ---- <linux/if_tun.h>: ioctl requests ----
    /**
     * From {@code linux/if_tun.h}:
     * {@snippet lang=c :
     * #define TUNSETIFF _IOW('T', 202, int)
     * }
     */
    public static long TUNSETIFF() { return 0x400454caL; }
    /**
     * From {@code linux/if_tun.h}:
     * {@snippet lang=c :
     * #define TUNSETPERSIST _IOW('T', 203, int)
     * }
     */
    public static long TUNSETPERSIST() { return 0x400454cbL; }
    /**
     * From {@code linux/if_tun.h}:
     * {@snippet lang=c :
     * #define TUNGETFEATURES _IOR('T', 207, unsigned int)
     * }
     */
    public static long TUNGETFEATURES() { return 0x800454cfL; }
    /**
     * From {@code linux/if_tun.h}:
     * {@snippet lang=c :
     * #define TUNSETOFFLOAD _IOW('T', 208, unsigned int)
     * }
     */
    public static long TUNSETOFFLOAD() { return 0x400454d0L; }
    /**
     * From {@code linux/if_tun.h}:
     * {@snippet lang=c :
     * #define TUNGETIFF _IOR('T', 210, unsigned int)
     * }
     */
    public static long TUNGETIFF() { return 0x800454d2L; }
    /**
     * From {@code linux/if_tun.h}:
     * {@snippet lang=c :
     * #define TUNSETVNETHDRSZ _IOW('T', 216, int)
     * }
     */
    public static long TUNSETVNETHDRSZ() { return 0x400454d8L; }
    /**
     * From {@code linux/if_tun.h}:
     * {@snippet lang=c :
     * #define TUNGETVNETHDRSZ _IOR('T', 215, int)
     * }
     */
    public static long TUNGETVNETHDRSZ() { return 0x800454d7L; }
    /**
     * From {@code linux/if_tun.h}:
     * {@snippet lang=c :
     * #define TUNSETQUEUE _IOW('T', 217, int)
     * }
     */
    public static long TUNSETQUEUE() { return 0x400454d9L; }

    // ---- <linux/if_tun.h>: TUNSETIFF flags (ifr_flags) ----
    /**
     * From {@code linux/if_tun.h}:
     * {@snippet lang=c :
     * #define IFF_TUN 0x0001
     * }
     */
    public static int IFF_TUN() { return 0x0001; }
    /**
     * From {@code linux/if_tun.h}:
     * {@snippet lang=c :
     * #define IFF_TAP 0x0002
     * }
     */
    public static int IFF_TAP() { return 0x0002; }
    /**
     * From {@code linux/if_tun.h}:
     * {@snippet lang=c :
     * #define IFF_NAPI 0x0010
     * }
     */
    public static int IFF_NAPI() { return 0x0010; }
    /**
     * From {@code linux/if_tun.h}:
     * {@snippet lang=c :
     * #define IFF_MULTI_QUEUE 0x0100
     * }
     */
    public static int IFF_MULTI_QUEUE() { return 0x0100; }
    /**
     * From {@code linux/if_tun.h}:
     * {@snippet lang=c :
     * #define IFF_ATTACH_QUEUE 0x0200
     * }
     */
    public static int IFF_ATTACH_QUEUE() { return 0x0200; }
    /**
     * From {@code linux/if_tun.h}:
     * {@snippet lang=c :
     * #define IFF_DETACH_QUEUE 0x0400
     * }
     */
    public static int IFF_DETACH_QUEUE() { return 0x0400; }
    /**
     * From {@code linux/if_tun.h}:
     * {@snippet lang=c :
     * #define IFF_PERSIST 0x0800
     * }
     */
    public static int IFF_PERSIST() { return 0x0800; }
    /**
     * From {@code linux/if_tun.h}:
     * {@snippet lang=c :
     * #define IFF_NO_PI 0x1000
     * }
     */
    public static int IFF_NO_PI() { return 0x1000; }
    /**
     * From {@code linux/if_tun.h}:
     * {@snippet lang=c :
     * #define IFF_VNET_HDR 0x4000
     * }
     */
    public static int IFF_VNET_HDR() { return 0x4000; }

    // ---- <linux/if_tun.h>: TUNSETOFFLOAD features ----
    /**
     * From {@code linux/if_tun.h}:
     * {@snippet lang=c :
     * #define TUN_F_CSUM 0x01
     * }
     */
    public static int TUN_F_CSUM() { return 0x01; }
    /**
     * From {@code linux/if_tun.h}:
     * {@snippet lang=c :
     * #define TUN_F_TSO4 0x02
     * }
     */
    public static int TUN_F_TSO4() { return 0x02; }
    /**
     * From {@code linux/if_tun.h}:
     * {@snippet lang=c :
     * #define TUN_F_TSO6 0x04
     * }
     */
    public static int TUN_F_TSO6() { return 0x04; }
    /**
     * From {@code linux/if_tun.h}:
     * {@snippet lang=c :
     * #define TUN_F_TSO_ECN 0x08
     * }
     */
    public static int TUN_F_TSO_ECN() { return 0x08; }
    /**
     * From {@code linux/if_tun.h}:
     * {@snippet lang=c :
     * #define TUN_F_UFO 0x10
     * }
     */
    public static int TUN_F_UFO() { return 0x10; }
    /**
     * From {@code linux/if_tun.h}:
     * {@snippet lang=c :
     * #define TUN_F_USO4 0x20 // Linux >= 6.2
     * }
     */
    public static int TUN_F_USO4() { return 0x20; }
    /**
     * From {@code linux/if_tun.h}:
     * {@snippet lang=c :
     * #define TUN_F_USO6 0x40 // Linux >= 6.2
     * }
     */
    public static int TUN_F_USO6() { return 0x40; }

    // ---- <linux/sockios.h> (via sys/ioctl.h) ----
    /**
     * From {@code linux/sockios.h}:
     * {@snippet lang=c :
     * #define SIOCGIFMTU 0x8921
     * }
     */
    public static long SIOCGIFMTU() { return 0x8921L; }
    /**
     * From {@code linux/sockios.h}:
     * {@snippet lang=c :
     * #define SIOCGIFINDEX 0x8933
     * }
     */
    public static long SIOCGIFINDEX() { return 0x8933L; }

    // ---- <net/if.h> ----
    /**
     * From {@code net/if.h}:
     * {@snippet lang=c :
     * #define IFNAMSIZ 16
     * }
     */
    public static int IFNAMSIZ() { return 16; }
    /**
     * From {@code net/if.h}:
     * {@snippet lang=c :
     * #define IFF_UP 0x1
     * }
     */
    public static int IFF_UP() { return 0x1; }
    /**
     * From {@code net/if.h}:
     * {@snippet lang=c :
     * #define IFF_RUNNING 0x40
     * }
     */
    public static int IFF_RUNNING() { return 0x40; }
}
