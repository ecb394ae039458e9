package io.tunctl.core.natives.linux;

/**
 * Constants of {@code <linux/if_tun.h>} (the TUN/TAP driver's ioctl interface) and of {@code <net/if.h>}.
 * Declarations: {@code native-headers/linux/tun.h}. Documentation: the kernel's
 * Documentation/networking/tuntap.rst; man page netdevice(7). ioctl request numbers are the x86_64/aarch64
 * encodings of {@code _IOW}/{@code _IOR} (asm-generic/ioctl.h).
 */
@SuppressWarnings({"unused", "checkstyle:TypeName", "checkstyle:MethodName"})
public final class if_tun_h {
    private if_tun_h() {}

    // ---- <linux/if_tun.h>: ioctl requests ----
    /** {@snippet lang=c : #define TUNSETIFF _IOW('T', 202, int) } from linux/if_tun.h */
    public static long TUNSETIFF() { return 0x400454caL; }
    /** {@snippet lang=c : #define TUNSETPERSIST _IOW('T', 203, int) } from linux/if_tun.h */
    public static long TUNSETPERSIST() { return 0x400454cbL; }
    /** {@snippet lang=c : #define TUNGETFEATURES _IOR('T', 207, unsigned int) } from linux/if_tun.h */
    public static long TUNGETFEATURES() { return 0x800454cfL; }
    /** {@snippet lang=c : #define TUNSETOFFLOAD _IOW('T', 208, unsigned int) } from linux/if_tun.h */
    public static long TUNSETOFFLOAD() { return 0x400454d0L; }
    /** {@snippet lang=c : #define TUNGETIFF _IOR('T', 210, unsigned int) } from linux/if_tun.h */
    public static long TUNGETIFF() { return 0x800454d2L; }
    /** {@snippet lang=c : #define TUNSETVNETHDRSZ _IOW('T', 216, int) } from linux/if_tun.h */
    public static long TUNSETVNETHDRSZ() { return 0x400454d8L; }
    /** {@snippet lang=c : #define TUNGETVNETHDRSZ _IOR('T', 215, int) } from linux/if_tun.h */
    public static long TUNGETVNETHDRSZ() { return 0x800454d7L; }
    /** {@snippet lang=c : #define TUNSETQUEUE _IOW('T', 217, int) } from linux/if_tun.h */
    public static long TUNSETQUEUE() { return 0x400454d9L; }

    // ---- <linux/if_tun.h>: TUNSETIFF flags (ifr_flags) ----
    /** {@snippet lang=c : #define IFF_TUN 0x0001 } from linux/if_tun.h */
    public static int IFF_TUN() { return 0x0001; }
    /** {@snippet lang=c : #define IFF_TAP 0x0002 } from linux/if_tun.h */
    public static int IFF_TAP() { return 0x0002; }
    /** {@snippet lang=c : #define IFF_NAPI 0x0010 } from linux/if_tun.h */
    public static int IFF_NAPI() { return 0x0010; }
    /** {@snippet lang=c : #define IFF_MULTI_QUEUE 0x0100 } from linux/if_tun.h */
    public static int IFF_MULTI_QUEUE() { return 0x0100; }
    /** {@snippet lang=c : #define IFF_ATTACH_QUEUE 0x0200 } from linux/if_tun.h */
    public static int IFF_ATTACH_QUEUE() { return 0x0200; }
    /** {@snippet lang=c : #define IFF_DETACH_QUEUE 0x0400 } from linux/if_tun.h */
    public static int IFF_DETACH_QUEUE() { return 0x0400; }
    /** {@snippet lang=c : #define IFF_PERSIST 0x0800 } from linux/if_tun.h */
    public static int IFF_PERSIST() { return 0x0800; }
    /** {@snippet lang=c : #define IFF_NO_PI 0x1000 } from linux/if_tun.h */
    public static int IFF_NO_PI() { return 0x1000; }
    /** {@snippet lang=c : #define IFF_VNET_HDR 0x4000 } from linux/if_tun.h */
    public static int IFF_VNET_HDR() { return 0x4000; }

    // ---- <linux/if_tun.h>: TUNSETOFFLOAD features ----
    /** {@snippet lang=c : #define TUN_F_CSUM 0x01 } from linux/if_tun.h */
    public static int TUN_F_CSUM() { return 0x01; }
    /** {@snippet lang=c : #define TUN_F_TSO4 0x02 } from linux/if_tun.h */
    public static int TUN_F_TSO4() { return 0x02; }
    /** {@snippet lang=c : #define TUN_F_TSO6 0x04 } from linux/if_tun.h */
    public static int TUN_F_TSO6() { return 0x04; }
    /** {@snippet lang=c : #define TUN_F_TSO_ECN 0x08 } from linux/if_tun.h */
    public static int TUN_F_TSO_ECN() { return 0x08; }
    /** {@snippet lang=c : #define TUN_F_UFO 0x10 } from linux/if_tun.h */
    public static int TUN_F_UFO() { return 0x10; }
    /** {@snippet lang=c : #define TUN_F_USO4 0x20 // Linux >= 6.2 } from linux/if_tun.h */
    public static int TUN_F_USO4() { return 0x20; }
    /** {@snippet lang=c : #define TUN_F_USO6 0x40 // Linux >= 6.2 } from linux/if_tun.h */
    public static int TUN_F_USO6() { return 0x40; }

    // ---- <linux/sockios.h> (via sys/ioctl.h) ----
    /** {@snippet lang=c : #define SIOCGIFMTU 0x8921 } from linux/sockios.h */
    public static long SIOCGIFMTU() { return 0x8921L; }
    /** {@snippet lang=c : #define SIOCGIFINDEX 0x8933 } from linux/sockios.h */
    public static long SIOCGIFINDEX() { return 0x8933L; }

    // ---- <net/if.h> ----
    /** {@snippet lang=c : #define IFNAMSIZ 16 } from net/if.h */
    public static int IFNAMSIZ() { return 16; }
    /** {@snippet lang=c : #define IFF_UP 0x1 } from net/if.h */
    public static int IFF_UP() { return 0x1; }
    /** {@snippet lang=c : #define IFF_RUNNING 0x40 } from net/if.h */
    public static int IFF_RUNNING() { return 0x40; }
}
