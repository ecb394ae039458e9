package io.tunctl.core.natives.linux;

/**
 * Constants of the route netlink protocol: {@code <linux/netlink.h>}, {@code <linux/rtnetlink.h>},
 * {@code <linux/if_addr.h>}, {@code <linux/if_link.h>} and {@code <linux/fib_rules.h>}.
 * Declarations: {@code native-headers/linux/rtnetlink.h}. Man pages: netlink(7), rtnetlink(7).
 * The structs are {@link nlmsghdr}, {@link nlmsgerr}, {@link rtattr}, {@link ifinfomsg},
 * {@link ifaddrmsg}, {@link rtmsg}, {@link fib_rule_hdr} and {@link sockaddr_nl}.
 */
@SuppressWarnings({"unused", "checkstyle:TypeName", "checkstyle:MethodName"})
public final class rtnetlink_h {
    private rtnetlink_h() {}

    // ---- <linux/netlink.h> ----
    /** {@snippet lang=c : #define NETLINK_ROUTE 0 } from linux/netlink.h */
    public static int NETLINK_ROUTE() { return 0; }
    /** {@snippet lang=c : #define NLM_F_REQUEST 0x01 } from linux/netlink.h */
    public static int NLM_F_REQUEST() { return 0x01; }
    /** {@snippet lang=c : #define NLM_F_MULTI 0x02 } from linux/netlink.h */
    public static int NLM_F_MULTI() { return 0x02; }
    /** {@snippet lang=c : #define NLM_F_ACK 0x04 } from linux/netlink.h */
    public static int NLM_F_ACK() { return 0x04; }
    /** {@snippet lang=c : #define NLM_F_DUMP (NLM_F_ROOT|NLM_F_MATCH) } from linux/netlink.h */
    public static int NLM_F_DUMP() { return 0x300; }
    /** {@snippet lang=c : #define NLM_F_REPLACE 0x100 } from linux/netlink.h */
    public static int NLM_F_REPLACE() { return 0x100; }
    /** {@snippet lang=c : #define NLM_F_EXCL 0x200 } from linux/netlink.h */
    public static int NLM_F_EXCL() { return 0x200; }
    /** {@snippet lang=c : #define NLM_F_CREATE 0x400 } from linux/netlink.h */
    public static int NLM_F_CREATE() { return 0x400; }
    /** {@snippet lang=c : #define NLM_F_CAPPED 0x100 } from linux/netlink.h */
    public static int NLM_F_CAPPED() { return 0x100; }
    /** {@snippet lang=c : #define NLM_F_ACK_TLVS 0x200 } from linux/netlink.h */
    public static int NLM_F_ACK_TLVS() { return 0x200; }
    /** {@snippet lang=c : #define NLMSG_NOOP 0x1 } from linux/netlink.h */
    public static int NLMSG_NOOP() { return 0x1; }
    /** {@snippet lang=c : #define NLMSG_ERROR 0x2 } from linux/netlink.h */
    public static int NLMSG_ERROR() { return 0x2; }
    /** {@snippet lang=c : #define NLMSG_DONE 0x3 } from linux/netlink.h */
    public static int NLMSG_DONE() { return 0x3; }
    /** {@snippet lang=c : #define NLMSG_ALIGNTO 4U } from linux/netlink.h */
    public static int NLMSG_ALIGNTO() { return 4; }
    /** {@snippet lang=c : #define NLMSGERR_ATTR_MSG 1 // enum nlmsgerr_attrs } from linux/netlink.h */
    public static int NLMSGERR_ATTR_MSG() { return 1; }
    /** {@snippet lang=c : #define NETLINK_CAP_ACK 10 } from linux/netlink.h */
    public static int NETLINK_CAP_ACK() { return 10; }
    /** {@snippet lang=c : #define NETLINK_EXT_ACK 11 } from linux/netlink.h */
    public static int NETLINK_EXT_ACK() { return 11; }
    /** {@snippet lang=c : #define NETLINK_GET_STRICT_CHK 12 } from linux/netlink.h */
    public static int NETLINK_GET_STRICT_CHK() { return 12; }

    // ---- <linux/rtnetlink.h> ----
    /** {@snippet lang=c : #define RTM_NEWLINK 16 } from linux/rtnetlink.h */
    public static int RTM_NEWLINK() { return 16; }
    /** {@snippet lang=c : #define RTM_DELLINK 17 } from linux/rtnetlink.h */
    public static int RTM_DELLINK() { return 17; }
    /** {@snippet lang=c : #define RTM_GETLINK 18 } from linux/rtnetlink.h */
    public static int RTM_GETLINK() { return 18; }
    /** {@snippet lang=c : #define RTM_NEWADDR 20 } from linux/rtnetlink.h */
    public static int RTM_NEWADDR() { return 20; }
    /** {@snippet lang=c : #define RTM_DELADDR 21 } from linux/rtnetlink.h */
    public static int RTM_DELADDR() { return 21; }
    /** {@snippet lang=c : #define RTM_GETADDR 22 } from linux/rtnetlink.h */
    public static int RTM_GETADDR() { return 22; }
    /** {@snippet lang=c : #define RTM_NEWROUTE 24 } from linux/rtnetlink.h */
    public static int RTM_NEWROUTE() { return 24; }
    /** {@snippet lang=c : #define RTM_DELROUTE 25 } from linux/rtnetlink.h */
    public static int RTM_DELROUTE() { return 25; }
    /** {@snippet lang=c : #define RTM_GETROUTE 26 } from linux/rtnetlink.h */
    public static int RTM_GETROUTE() { return 26; }
    /** {@snippet lang=c : #define RTM_NEWRULE 32 } from linux/rtnetlink.h */
    public static int RTM_NEWRULE() { return 32; }
    /** {@snippet lang=c : #define RTM_DELRULE 33 } from linux/rtnetlink.h */
    public static int RTM_DELRULE() { return 33; }
    /** {@snippet lang=c : #define RTM_GETRULE 34 } from linux/rtnetlink.h */
    public static int RTM_GETRULE() { return 34; }
    /** {@snippet lang=c : #define RTA_ALIGNTO 4U } from linux/rtnetlink.h */
    public static int RTA_ALIGNTO() { return 4; }
    /** {@snippet lang=c : #define RTA_DST 1 // enum rtattr_type_t } from linux/rtnetlink.h */
    public static int RTA_DST() { return 1; }
    /** {@snippet lang=c : #define RTA_SRC 2 } from linux/rtnetlink.h */
    public static int RTA_SRC() { return 2; }
    /** {@snippet lang=c : #define RTA_OIF 4 } from linux/rtnetlink.h */
    public static int RTA_OIF() { return 4; }
    /** {@snippet lang=c : #define RTA_GATEWAY 5 } from linux/rtnetlink.h */
    public static int RTA_GATEWAY() { return 5; }
    /** {@snippet lang=c : #define RTA_PRIORITY 6 } from linux/rtnetlink.h */
    public static int RTA_PRIORITY() { return 6; }
    /** {@snippet lang=c : #define RTA_PREFSRC 7 } from linux/rtnetlink.h */
    public static int RTA_PREFSRC() { return 7; }
    /** {@snippet lang=c : #define RTA_TABLE 15 } from linux/rtnetlink.h */
    public static int RTA_TABLE() { return 15; }
    /** {@snippet lang=c : #define RT_TABLE_UNSPEC 0 // enum rt_class_t } from linux/rtnetlink.h */
    public static int RT_TABLE_UNSPEC() { return 0; }
    /** {@snippet lang=c : #define RT_TABLE_DEFAULT 253 } from linux/rtnetlink.h */
    public static int RT_TABLE_DEFAULT() { return 253; }
    /** {@snippet lang=c : #define RT_TABLE_MAIN 254 } from linux/rtnetlink.h */
    public static int RT_TABLE_MAIN() { return 254; }
    /** {@snippet lang=c : #define RT_TABLE_LOCAL 255 } from linux/rtnetlink.h */
    public static int RT_TABLE_LOCAL() { return 255; }
    /** {@snippet lang=c : #define RTPROT_UNSPEC 0 } from linux/rtnetlink.h */
    public static int RTPROT_UNSPEC() { return 0; }
    /** {@snippet lang=c : #define RTPROT_KERNEL 2 } from linux/rtnetlink.h */
    public static int RTPROT_KERNEL() { return 2; }
    /** {@snippet lang=c : #define RTPROT_BOOT 3 } from linux/rtnetlink.h */
    public static int RTPROT_BOOT() { return 3; }
    /** {@snippet lang=c : #define RTPROT_STATIC 4 } from linux/rtnetlink.h */
    public static int RTPROT_STATIC() { return 4; }
    /** {@snippet lang=c : #define RT_SCOPE_UNIVERSE 0 // enum rt_scope_t } from linux/rtnetlink.h */
    public static int RT_SCOPE_UNIVERSE() { return 0; }
    /** {@snippet lang=c : #define RT_SCOPE_LINK 253 } from linux/rtnetlink.h */
    public static int RT_SCOPE_LINK() { return 253; }
    /** {@snippet lang=c : #define RT_SCOPE_HOST 254 } from linux/rtnetlink.h */
    public static int RT_SCOPE_HOST() { return 254; }
    /** {@snippet lang=c : #define RT_SCOPE_NOWHERE 255 } from linux/rtnetlink.h */
    public static int RT_SCOPE_NOWHERE() { return 255; }
    /** {@snippet lang=c : #define RTN_UNSPEC 0 } from linux/rtnetlink.h */
    public static int RTN_UNSPEC() { return 0; }
    /** {@snippet lang=c : #define RTN_UNICAST 1 } from linux/rtnetlink.h */
    public static int RTN_UNICAST() { return 1; }
    /** {@snippet lang=c : #define RTN_LOCAL 2 } from linux/rtnetlink.h */
    public static int RTN_LOCAL() { return 2; }

    // ---- <linux/if_addr.h> ----
    /** {@snippet lang=c : #define IFA_ADDRESS 1 // enum } from linux/if_addr.h */
    public static int IFA_ADDRESS() { return 1; }
    /** {@snippet lang=c : #define IFA_LOCAL 2 } from linux/if_addr.h */
    public static int IFA_LOCAL() { return 2; }
    /** {@snippet lang=c : #define IFA_LABEL 3 } from linux/if_addr.h */
    public static int IFA_LABEL() { return 3; }
    /** {@snippet lang=c : #define IFA_FLAGS 8 } from linux/if_addr.h */
    public static int IFA_FLAGS() { return 8; }
    /** {@snippet lang=c : #define IFA_F_NODAD 0x02 } from linux/if_addr.h */
    public static int IFA_F_NODAD() { return 0x02; }
    /** {@snippet lang=c : #define IFA_F_PERMANENT 0x80 } from linux/if_addr.h */
    public static int IFA_F_PERMANENT() { return 0x80; }

    // ---- <linux/if_link.h> ----
    /** {@snippet lang=c : #define IFLA_ADDRESS 1 // enum } from linux/if_link.h */
    public static int IFLA_ADDRESS() { return 1; }
    /** {@snippet lang=c : #define IFLA_IFNAME 3 } from linux/if_link.h */
    public static int IFLA_IFNAME() { return 3; }
    /** {@snippet lang=c : #define IFLA_MTU 4 } from linux/if_link.h */
    public static int IFLA_MTU() { return 4; }
    /** {@snippet lang=c : #define IFLA_LINK 5 } from linux/if_link.h */
    public static int IFLA_LINK() { return 5; }

    // ---- <linux/fib_rules.h> ----
    /** {@snippet lang=c : #define FRA_DST 1 // enum } from linux/fib_rules.h */
    public static int FRA_DST() { return 1; }
    /** {@snippet lang=c : #define FRA_SRC 2 } from linux/fib_rules.h */
    public static int FRA_SRC() { return 2; }
    /** {@snippet lang=c : #define FRA_PRIORITY 6 } from linux/fib_rules.h */
    public static int FRA_PRIORITY() { return 6; }
    /** {@snippet lang=c : #define FRA_FWMARK 10 } from linux/fib_rules.h */
    public static int FRA_FWMARK() { return 10; }
    /** {@snippet lang=c : #define FRA_TABLE 15 } from linux/fib_rules.h */
    public static int FRA_TABLE() { return 15; }
    /** {@snippet lang=c : #define FRA_FWMASK 16 } from linux/fib_rules.h */
    public static int FRA_FWMASK() { return 16; }
    /** {@snippet lang=c : #define FIB_RULE_PERMANENT 0x00000001 } from linux/fib_rules.h */
    public static int FIB_RULE_PERMANENT() { return 0x00000001; }
    /** {@snippet lang=c : #define FIB_RULE_INVERT 0x00000002 } from linux/fib_rules.h */
    public static int FIB_RULE_INVERT() { return 0x00000002; }
    /** {@snippet lang=c : #define FR_ACT_UNSPEC 0 // enum } from linux/fib_rules.h */
    public static int FR_ACT_UNSPEC() { return 0; }
    /** {@snippet lang=c : #define FR_ACT_TO_TBL 1 } from linux/fib_rules.h */
    public static int FR_ACT_TO_TBL() { return 1; }

    /** {@snippet lang=c : #define NLMSG_ALIGN(len) ( ((len)+NLMSG_ALIGNTO-1) & ~(NLMSG_ALIGNTO-1) ) } */
    public static int NLMSG_ALIGN(int len) { return (len + 3) & ~3; }

    /** {@snippet lang=c : #define RTA_ALIGN(len) ( ((len)+RTA_ALIGNTO-1) & ~(RTA_ALIGNTO-1) ) } */
    public static int RTA_ALIGN(int len) { return (len + 3) & ~3; }
}
