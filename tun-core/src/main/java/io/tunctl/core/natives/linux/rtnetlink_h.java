package io.tunctl.core.natives.linux;

/**
 * Constants of the route netlink protocol: {@code <linux/netlink.h>}, {@code <linux/rtnetlink.h>},
 * {@code <linux/if_addr.h>}, {@code <linux/if_link.h>} and {@code <linux/fib_rules.h>}.
 * Declarations: {@code native-headers/linux_rtnetlink.h}. Man pages: netlink(7), rtnetlink(7).
 * The structs are {@link nlmsghdr}, {@link nlmsgerr}, {@link rtattr}, {@link ifinfomsg},
 * {@link ifaddrmsg}, {@link rtmsg}, {@link fib_rule_hdr}, {@link fib_rule_port_range}, {@link fib_rule_uid_range}
 * and {@link sockaddr_nl}.
 */
@SuppressWarnings({"unused", "checkstyle:TypeName", "checkstyle:MethodName"})
public final class rtnetlink_h {
    private rtnetlink_h() {}

    // ---- <linux/netlink.h> ----
    /**
     * From {@code linux/netlink.h}:
     * {@snippet lang=c :
     * #define NETLINK_ROUTE 0
     * }
     */
    public static int NETLINK_ROUTE() { return 0; }
    /**
     * From {@code linux/netlink.h}:
     * {@snippet lang=c :
     * #define NLM_F_REQUEST 0x01
     * }
     */
    public static int NLM_F_REQUEST() { return 0x01; }
    /**
     * From {@code linux/netlink.h}:
     * {@snippet lang=c :
     * #define NLM_F_MULTI 0x02
     * }
     */
    public static int NLM_F_MULTI() { return 0x02; }
    /**
     * From {@code linux/netlink.h}:
     * {@snippet lang=c :
     * #define NLM_F_ACK 0x04
     * }
     */
    public static int NLM_F_ACK() { return 0x04; }
    /**
     * From {@code linux/netlink.h}:
     * {@snippet lang=c :
     * #define NLM_F_DUMP (NLM_F_ROOT|NLM_F_MATCH)
     * }
     */
    public static int NLM_F_DUMP() { return 0x300; }
    /**
     * From {@code linux/netlink.h}:
     * {@snippet lang=c :
     * #define NLM_F_REPLACE 0x100
     * }
     */
    public static int NLM_F_REPLACE() { return 0x100; }
    /**
     * From {@code linux/netlink.h}:
     * {@snippet lang=c :
     * #define NLM_F_EXCL 0x200
     * }
     */
    public static int NLM_F_EXCL() { return 0x200; }
    /**
     * From {@code linux/netlink.h}:
     * {@snippet lang=c :
     * #define NLM_F_CREATE 0x400
     * }
     */
    public static int NLM_F_CREATE() { return 0x400; }
    /**
     * From {@code linux/netlink.h}:
     * {@snippet lang=c :
     * #define NLM_F_CAPPED 0x100
     * }
     */
    public static int NLM_F_CAPPED() { return 0x100; }
    /**
     * From {@code linux/netlink.h}:
     * {@snippet lang=c :
     * #define NLM_F_ACK_TLVS 0x200
     * }
     */
    public static int NLM_F_ACK_TLVS() { return 0x200; }
    /**
     * From {@code linux/netlink.h}:
     * {@snippet lang=c :
     * #define NLMSG_NOOP 0x1
     * }
     */
    public static int NLMSG_NOOP() { return 0x1; }
    /**
     * From {@code linux/netlink.h}:
     * {@snippet lang=c :
     * #define NLMSG_ERROR 0x2
     * }
     */
    public static int NLMSG_ERROR() { return 0x2; }
    /**
     * From {@code linux/netlink.h}:
     * {@snippet lang=c :
     * #define NLMSG_DONE 0x3
     * }
     */
    public static int NLMSG_DONE() { return 0x3; }
    /**
     * From {@code linux/netlink.h}:
     * {@snippet lang=c :
     * #define NLMSG_ALIGNTO 4U
     * }
     */
    public static int NLMSG_ALIGNTO() { return 4; }
    /**
     * From {@code linux/netlink.h}:
     * {@snippet lang=c :
     * #define NLMSGERR_ATTR_MSG 1 // enum nlmsgerr_attrs
     * }
     */
    public static int NLMSGERR_ATTR_MSG() { return 1; }
    /**
     * From {@code linux/netlink.h}:
     * {@snippet lang=c :
     * #define NETLINK_CAP_ACK 10
     * }
     */
    public static int NETLINK_CAP_ACK() { return 10; }
    /**
     * From {@code linux/netlink.h}:
     * {@snippet lang=c :
     * #define NETLINK_EXT_ACK 11
     * }
     */
    public static int NETLINK_EXT_ACK() { return 11; }
    /**
     * From {@code linux/netlink.h}:
     * {@snippet lang=c :
     * #define NETLINK_GET_STRICT_CHK 12
     * }
     */
    public static int NETLINK_GET_STRICT_CHK() { return 12; }

    // ---- <linux/rtnetlink.h> ----
    /**
     * From {@code linux/rtnetlink.h}:
     * {@snippet lang=c :
     * #define RTM_NEWLINK 16
     * }
     */
    public static int RTM_NEWLINK() { return 16; }
    /**
     * From {@code linux/rtnetlink.h}:
     * {@snippet lang=c :
     * #define RTM_DELLINK 17
     * }
     */
    public static int RTM_DELLINK() { return 17; }
    /**
     * From {@code linux/rtnetlink.h}:
     * {@snippet lang=c :
     * #define RTM_GETLINK 18
     * }
     */
    public static int RTM_GETLINK() { return 18; }
    /**
     * From {@code linux/rtnetlink.h}:
     * {@snippet lang=c :
     * #define RTM_NEWADDR 20
     * }
     */
    public static int RTM_NEWADDR() { return 20; }
    /**
     * From {@code linux/rtnetlink.h}:
     * {@snippet lang=c :
     * #define RTM_DELADDR 21
     * }
     */
    public static int RTM_DELADDR() { return 21; }
    /**
     * From {@code linux/rtnetlink.h}:
     * {@snippet lang=c :
     * #define RTM_GETADDR 22
     * }
     */
    public static int RTM_GETADDR() { return 22; }
    /**
     * From {@code linux/rtnetlink.h}:
     * {@snippet lang=c :
     * #define RTM_NEWROUTE 24
     * }
     */
    public static int RTM_NEWROUTE() { return 24; }
    /**
     * From {@code linux/rtnetlink.h}:
     * {@snippet lang=c :
     * #define RTM_DELROUTE 25
     * }
     */
    public static int RTM_DELROUTE() { return 25; }
    /**
     * From {@code linux/rtnetlink.h}:
     * {@snippet lang=c :
     * #define RTM_GETROUTE 26
     * }
     */
    public static int RTM_GETROUTE() { return 26; }
    /**
     * From {@code linux/rtnetlink.h}:
     * {@snippet lang=c :
     * #define RTM_NEWRULE 32
     * }
     */
    public static int RTM_NEWRULE() { return 32; }
    /**
     * From {@code linux/rtnetlink.h}:
     * {@snippet lang=c :
     * #define RTM_DELRULE 33
     * }
     */
    public static int RTM_DELRULE() { return 33; }
    /**
     * From {@code linux/rtnetlink.h}:
     * {@snippet lang=c :
     * #define RTM_GETRULE 34
     * }
     */
    public static int RTM_GETRULE() { return 34; }
    /**
     * From {@code linux/rtnetlink.h}:
     * {@snippet lang=c :
     * #define RTA_ALIGNTO 4U
     * }
     */
    public static int RTA_ALIGNTO() { return 4; }
    /**
     * From {@code linux/rtnetlink.h}:
     * {@snippet lang=c :
     * #define RTA_DST 1 // enum rtattr_type_t
     * }
     */
    public static int RTA_DST() { return 1; }
    /**
     * From {@code linux/rtnetlink.h}:
     * {@snippet lang=c :
     * #define RTA_SRC 2
     * }
     */
    public static int RTA_SRC() { return 2; }
    /**
     * From {@code linux/rtnetlink.h}:
     * {@snippet lang=c :
     * #define RTA_OIF 4
     * }
     */
    public static int RTA_OIF() { return 4; }
    /**
     * From {@code linux/rtnetlink.h}:
     * {@snippet lang=c :
     * #define RTA_GATEWAY 5
     * }
     */
    public static int RTA_GATEWAY() { return 5; }
    /**
     * From {@code linux/rtnetlink.h}:
     * {@snippet lang=c :
     * #define RTA_PRIORITY 6
     * }
     */
    public static int RTA_PRIORITY() { return 6; }
    /**
     * From {@code linux/rtnetlink.h}:
     * {@snippet lang=c :
     * #define RTA_PREFSRC 7
     * }
     */
    public static int RTA_PREFSRC() { return 7; }
    /**
     * From {@code linux/rtnetlink.h}:
     * {@snippet lang=c :
     * #define RTA_TABLE 15
     * }
     */
    public static int RTA_TABLE() { return 15; }
    /**
     * From {@code linux/rtnetlink.h}:
     * {@snippet lang=c :
     * #define RT_TABLE_UNSPEC 0 // enum rt_class_t
     * }
     */
    public static int RT_TABLE_UNSPEC() { return 0; }
    /**
     * From {@code linux/rtnetlink.h}:
     * {@snippet lang=c :
     * #define RT_TABLE_DEFAULT 253
     * }
     */
    public static int RT_TABLE_DEFAULT() { return 253; }
    /**
     * From {@code linux/rtnetlink.h}:
     * {@snippet lang=c :
     * #define RT_TABLE_MAIN 254
     * }
     */
    public static int RT_TABLE_MAIN() { return 254; }
    /**
     * From {@code linux/rtnetlink.h}:
     * {@snippet lang=c :
     * #define RT_TABLE_LOCAL 255
     * }
     */
    public static int RT_TABLE_LOCAL() { return 255; }
    /**
     * From {@code linux/rtnetlink.h}:
     * {@snippet lang=c :
     * #define RTPROT_UNSPEC 0
     * }
     */
    public static int RTPROT_UNSPEC() { return 0; }
    /**
     * From {@code linux/rtnetlink.h}:
     * {@snippet lang=c :
     * #define RTPROT_KERNEL 2
     * }
     */
    public static int RTPROT_KERNEL() { return 2; }
    /**
     * From {@code linux/rtnetlink.h}:
     * {@snippet lang=c :
     * #define RTPROT_BOOT 3
     * }
     */
    public static int RTPROT_BOOT() { return 3; }
    /**
     * From {@code linux/rtnetlink.h}:
     * {@snippet lang=c :
     * #define RTPROT_STATIC 4
     * }
     */
    public static int RTPROT_STATIC() { return 4; }
    /**
     * From {@code linux/rtnetlink.h}:
     * {@snippet lang=c :
     * #define RT_SCOPE_UNIVERSE 0 // enum rt_scope_t
     * }
     */
    public static int RT_SCOPE_UNIVERSE() { return 0; }
    /**
     * From {@code linux/rtnetlink.h}:
     * {@snippet lang=c :
     * #define RT_SCOPE_LINK 253
     * }
     */
    public static int RT_SCOPE_LINK() { return 253; }
    /**
     * From {@code linux/rtnetlink.h}:
     * {@snippet lang=c :
     * #define RT_SCOPE_HOST 254
     * }
     */
    public static int RT_SCOPE_HOST() { return 254; }
    /**
     * From {@code linux/rtnetlink.h}:
     * {@snippet lang=c :
     * #define RT_SCOPE_NOWHERE 255
     * }
     */
    public static int RT_SCOPE_NOWHERE() { return 255; }
    /**
     * From {@code linux/rtnetlink.h}:
     * {@snippet lang=c :
     * #define RTN_UNSPEC 0
     * }
     */
    public static int RTN_UNSPEC() { return 0; }
    /**
     * From {@code linux/rtnetlink.h}:
     * {@snippet lang=c :
     * #define RTN_UNICAST 1
     * }
     */
    public static int RTN_UNICAST() { return 1; }
    /**
     * From {@code linux/rtnetlink.h}:
     * {@snippet lang=c :
     * #define RTN_LOCAL 2
     * }
     */
    public static int RTN_LOCAL() { return 2; }

    // ---- <linux/if_addr.h> ----
    /**
     * From {@code linux/if_addr.h}:
     * {@snippet lang=c :
     * #define IFA_ADDRESS 1 // enum
     * }
     */
    public static int IFA_ADDRESS() { return 1; }
    /**
     * From {@code linux/if_addr.h}:
     * {@snippet lang=c :
     * #define IFA_LOCAL 2
     * }
     */
    public static int IFA_LOCAL() { return 2; }
    /**
     * From {@code linux/if_addr.h}:
     * {@snippet lang=c :
     * #define IFA_LABEL 3
     * }
     */
    public static int IFA_LABEL() { return 3; }
    /**
     * From {@code linux/if_addr.h}:
     * {@snippet lang=c :
     * #define IFA_FLAGS 8
     * }
     */
    public static int IFA_FLAGS() { return 8; }
    /**
     * From {@code linux/if_addr.h}:
     * {@snippet lang=c :
     * #define IFA_F_NODAD 0x02
     * }
     */
    public static int IFA_F_NODAD() { return 0x02; }
    /**
     * From {@code linux/if_addr.h}:
     * {@snippet lang=c :
     * #define IFA_F_PERMANENT 0x80
     * }
     */
    public static int IFA_F_PERMANENT() { return 0x80; }

    // ---- <linux/if_link.h> ----
    /**
     * From {@code linux/if_link.h}:
     * {@snippet lang=c :
     * #define IFLA_ADDRESS 1 // enum
     * }
     */
    public static int IFLA_ADDRESS() { return 1; }
    /**
     * From {@code linux/if_link.h}:
     * {@snippet lang=c :
     * #define IFLA_IFNAME 3
     * }
     */
    public static int IFLA_IFNAME() { return 3; }
    /**
     * From {@code linux/if_link.h}:
     * {@snippet lang=c :
     * #define IFLA_MTU 4
     * }
     */
    public static int IFLA_MTU() { return 4; }
    /**
     * From {@code linux/if_link.h}:
     * {@snippet lang=c :
     * #define IFLA_LINK 5
     * }
     */
    public static int IFLA_LINK() { return 5; }

    // ---- <linux/fib_rules.h> ----
    /**
     * From {@code linux/fib_rules.h}:
     * {@snippet lang=c :
     * #define FRA_DST 1 // enum
     * }
     */
    public static int FRA_DST() { return 1; }
    /**
     * From {@code linux/fib_rules.h}:
     * {@snippet lang=c :
     * #define FRA_SRC 2
     * }
     */
    public static int FRA_SRC() { return 2; }
    /**
     * From {@code linux/fib_rules.h}:
     * {@snippet lang=c :
     * #define FRA_IIFNAME 3
     * }
     */
    public static int FRA_IIFNAME() { return 3; }
    /**
     * From {@code linux/fib_rules.h}:
     * {@snippet lang=c :
     * #define FRA_PRIORITY 6
     * }
     */
    public static int FRA_PRIORITY() { return 6; }
    /**
     * From {@code linux/fib_rules.h}:
     * {@snippet lang=c :
     * #define FRA_FWMARK 10
     * }
     */
    public static int FRA_FWMARK() { return 10; }
    /**
     * From {@code linux/fib_rules.h}:
     * {@snippet lang=c :
     * #define FRA_SUPPRESS_PREFIXLEN 14
     * }
     */
    public static int FRA_SUPPRESS_PREFIXLEN() { return 14; }
    /**
     * From {@code linux/fib_rules.h}:
     * {@snippet lang=c :
     * #define FRA_TABLE 15
     * }
     */
    public static int FRA_TABLE() { return 15; }
    /**
     * From {@code linux/fib_rules.h}:
     * {@snippet lang=c :
     * #define FRA_FWMASK 16
     * }
     */
    public static int FRA_FWMASK() { return 16; }
    /**
     * From {@code linux/fib_rules.h}:
     * {@snippet lang=c :
     * #define FRA_OIFNAME 17
     * }
     */
    public static int FRA_OIFNAME() { return 17; }
    /**
     * From {@code linux/fib_rules.h}:
     * {@snippet lang=c :
     * #define FRA_UID_RANGE 20 // struct fib_rule_uid_range
     * }
     */
    public static int FRA_UID_RANGE() { return 20; }
    /**
     * From {@code linux/fib_rules.h}:
     * {@snippet lang=c :
     * #define FRA_IP_PROTO 22 // __u8
     * }
     */
    public static int FRA_IP_PROTO() { return 22; }
    /**
     * From {@code linux/fib_rules.h}:
     * {@snippet lang=c :
     * #define FRA_SPORT_RANGE 23 // struct fib_rule_port_range
     * }
     */
    public static int FRA_SPORT_RANGE() { return 23; }
    /**
     * From {@code linux/fib_rules.h}:
     * {@snippet lang=c :
     * #define FRA_DPORT_RANGE 24 // struct fib_rule_port_range
     * }
     */
    public static int FRA_DPORT_RANGE() { return 24; }
    /**
     * From {@code linux/fib_rules.h}:
     * {@snippet lang=c :
     * #define FIB_RULE_PERMANENT 0x00000001
     * }
     */
    public static int FIB_RULE_PERMANENT() { return 0x00000001; }
    /**
     * From {@code linux/fib_rules.h}:
     * {@snippet lang=c :
     * #define FIB_RULE_INVERT 0x00000002
     * }
     */
    public static int FIB_RULE_INVERT() { return 0x00000002; }
    /**
     * From {@code linux/fib_rules.h}:
     * {@snippet lang=c :
     * #define FR_ACT_UNSPEC 0 // enum
     * }
     */
    public static int FR_ACT_UNSPEC() { return 0; }
    /**
     * From {@code linux/fib_rules.h}:
     * {@snippet lang=c :
     * #define FR_ACT_TO_TBL 1
     * }
     */
    public static int FR_ACT_TO_TBL() { return 1; }

    /**
     * {@snippet lang=c :
     * #define NLMSG_ALIGN(len) ( ((len)+NLMSG_ALIGNTO-1) & ~(NLMSG_ALIGNTO-1) )
     * }
     */
    public static int NLMSG_ALIGN(int len) { return (len + 3) & ~3; }

    /**
     * {@snippet lang=c :
     * #define RTA_ALIGN(len) ( ((len)+RTA_ALIGNTO-1) & ~(RTA_ALIGNTO-1) )
     * }
     */
    public static int RTA_ALIGN(int len) { return (len + 3) & ~3; }
}
