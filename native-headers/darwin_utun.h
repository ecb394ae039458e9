/*
 * The Darwin (macOS) declarations tunctl binds in io.tunctl.core.natives.darwin: utun through a PF_SYSTEM kernel
 * control socket, interface addresses and MTU through socket ioctls, routes through a PF_ROUTE socket, and the
 * libc calls around them.
 *
 * This is a SUBSET TRANSCRIBED from Apple's open-source XNU and Libc headers (bsd/sys/kern_control.h,
 * bsd/net/if_utun.h, bsd/net/if.h, bsd/net/if_dl.h, bsd/net/route.h, bsd/netinet/in.h, bsd/netinet6/in6.h,
 * bsd/netinet6/in6_var.h, bsd/netinet6/nd6.h, bsd/sys/ioccom.h, bsd/sys/sockio.h, bsd/sys/socket.h,
 * bsd/sys/errno.h, bsd/sys/fcntl.h, bsd/sys/poll.h), not the macOS SDK, which cannot be installed on a Linux build
 * machine. The layout check (DarwinLayoutCheckIT) compiles it with clang for x86_64-apple-darwin and
 * arm64-apple-darwin: that proves the Java layouts match what the Darwin ABI makes of THESE declarations
 * (padding, alignment, the _IOW/_IOWR request numbers computed from the struct sizes), i.e. it is an ABI check,
 * not an SDK check. A wrong transcription here would go unnoticed until run on a Mac.
 *
 * Freestanding: no system header is included, so the file compiles on any host with clang.
 */
#ifndef TUNCTL_DARWIN_UTUN_H
#define TUNCTL_DARWIN_UTUN_H

#include <stddef.h>
#include <stdint.h>

/* ---- bsd/sys/_types.h, bsd/sys/types.h ---- */
typedef unsigned char u_char;
typedef unsigned short u_short;
typedef unsigned int u_int;
typedef uint8_t __uint8_t;
typedef uint16_t u_int16_t;
typedef uint32_t u_int32_t;
typedef uint32_t __uint32_t;
typedef int32_t pid_t;
typedef long time_t;            /* __darwin_time_t: long on LP64 */
typedef long ssize_t;
typedef __uint8_t sa_family_t;
typedef uint16_t in_port_t;
typedef uint32_t in_addr_t;
typedef uint32_t socklen_t;
typedef char *caddr_t;
typedef unsigned int nfds_t;
typedef unsigned long long u_quad_t;

/* ---- bsd/sys/ioccom.h ---- */
#define IOCPARM_MASK 0x1fff
#define IOC_VOID ((u_int32_t) 0x20000000)
#define IOC_OUT ((u_int32_t) 0x40000000)
#define IOC_IN ((u_int32_t) 0x80000000)
#define IOC_INOUT (IOC_IN | IOC_OUT)
#define _IOC(inout, group, num, len) \
    ((u_int32_t) ((inout) | (((len) & IOCPARM_MASK) << 16) | ((group) << 8) | (num)))
#define _IOW(g, n, t) _IOC(IOC_IN, (g), (n), sizeof(t))
#define _IOWR(g, n, t) _IOC(IOC_INOUT, (g), (n), sizeof(t))

/* ---- bsd/sys/socket.h ---- */
#define AF_UNSPEC 0
#define AF_INET 2
#define AF_ROUTE 17
#define AF_LINK 18
#define AF_INET6 30
#define AF_SYSTEM 32
#define PF_INET AF_INET
#define PF_ROUTE AF_ROUTE
#define PF_SYSTEM AF_SYSTEM
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_RAW 3
#define SOL_SOCKET 0xffff
#define SO_USELOOPBACK 0x0040
#define SO_RCVBUF 0x1002
#define SO_SNDBUF 0x1001

struct sockaddr {
    __uint8_t sa_len;
    sa_family_t sa_family;
    char sa_data[14];
};

/* ---- bsd/netinet/in.h, bsd/netinet6/in6.h ---- */
struct in_addr {
    in_addr_t s_addr;
};
struct sockaddr_in {
    __uint8_t sin_len;
    sa_family_t sin_family;
    in_port_t sin_port;
    struct in_addr sin_addr;
    char sin_zero[8];
};
struct in6_addr {
    union {
        __uint8_t __u6_addr8[16];
        u_int16_t __u6_addr16[8];
        u_int32_t __u6_addr32[4];
    } __u6_addr;
};
struct sockaddr_in6 {
    __uint8_t sin6_len;
    sa_family_t sin6_family;
    in_port_t sin6_port;
    __uint32_t sin6_flowinfo;
    struct in6_addr sin6_addr;
    __uint32_t sin6_scope_id;
};

/* ---- bsd/net/if_dl.h ---- */
struct sockaddr_dl {
    u_char sdl_len;
    u_char sdl_family;
    u_short sdl_index;
    u_char sdl_type;
    u_char sdl_nlen;
    u_char sdl_alen;
    u_char sdl_slen;
    char sdl_data[12];
};

/* ---- bsd/sys/kern_control.h ---- */
#define MAX_KCTL_NAME 96
#define SYSPROTO_EVENT 1
#define SYSPROTO_CONTROL 2
#define AF_SYS_CONTROL 2
struct ctl_info {
    u_int32_t ctl_id;
    char ctl_name[MAX_KCTL_NAME];
};
struct sockaddr_ctl {
    u_char sc_len;
    u_char sc_family;
    u_int16_t ss_sysaddr;
    u_int32_t sc_id;
    u_int32_t sc_unit;
    u_int32_t sc_reserved[5];
};
#define CTLIOCGINFO _IOWR('N', 3, struct ctl_info)

/* ---- bsd/net/if_utun.h ---- */
#define UTUN_CONTROL_NAME "com.apple.net.utun_control"
#define UTUN_OPT_FLAGS 1
#define UTUN_OPT_IFNAME 2

/* ---- bsd/net/if.h ---- */
#define IFNAMSIZ 16
struct ifdevmtu {
    int ifdm_current;
    int ifdm_min;
    int ifdm_max;
};
struct ifkpi {
    unsigned int ifk_module_id;
    unsigned int ifk_type;
    union {
        void *ifk_ptr;
        int ifk_value;
    } ifk_data;
};
struct ifreq {
    char ifr_name[IFNAMSIZ];
    union {
        struct sockaddr ifru_addr;
        struct sockaddr ifru_dstaddr;
        struct sockaddr ifru_broadaddr;
        short ifru_flags;
        int ifru_metric;
        int ifru_mtu;
        int ifru_phys;
        int ifru_media;
        int ifru_intval;
        caddr_t ifru_data;
        struct ifdevmtu ifru_devmtu;
        struct ifkpi ifru_kpi;
        u_int32_t ifru_wake_flags;
        u_int32_t ifru_route_refcnt;
        int ifru_cap[2];
        u_int32_t ifru_functional_type;
    } ifr_ifru;
};
struct ifaliasreq {
    char ifra_name[IFNAMSIZ];
    struct sockaddr ifra_addr;
    struct sockaddr ifra_broadaddr;
    struct sockaddr ifra_mask;
};

/* ---- bsd/netinet6/in6_var.h, bsd/netinet6/nd6.h ---- */
struct in6_addrlifetime {
    time_t ia6t_expire;
    time_t ia6t_preferred;
    u_int32_t ia6t_vltime;
    u_int32_t ia6t_pltime;
};
struct icmp6_ifstat {
    u_quad_t ifs6_in_msg, ifs6_in_error, ifs6_in_dstunreach, ifs6_in_adminprohib, ifs6_in_timeexceed,
        ifs6_in_paramprob, ifs6_in_pkttoobig, ifs6_in_echo, ifs6_in_echoreply, ifs6_in_routersolicit,
        ifs6_in_routeradvert, ifs6_in_neighborsolicit, ifs6_in_neighboradvert, ifs6_in_redirect,
        ifs6_in_mldquery, ifs6_in_mldreport, ifs6_in_mlddone;
    u_quad_t ifs6_out_msg, ifs6_out_error, ifs6_out_dstunreach, ifs6_out_adminprohib, ifs6_out_timeexceed,
        ifs6_out_paramprob, ifs6_out_pkttoobig, ifs6_out_echo, ifs6_out_echoreply, ifs6_out_routersolicit,
        ifs6_out_routeradvert, ifs6_out_neighborsolicit, ifs6_out_neighboradvert, ifs6_out_redirect,
        ifs6_out_mldquery, ifs6_out_mldreport, ifs6_out_mlddone;
};
/* the union also holds struct in6_ifstat (smaller than icmp6_ifstat) and scope ids; left out, they do not
 * change its size or alignment */
struct in6_ifreq {
    char ifr_name[IFNAMSIZ];
    union {
        struct sockaddr_in6 ifru_addr;
        struct sockaddr_in6 ifru_dstaddr;
        int ifru_flags;
        int ifru_flags6;
        int ifru_metric;
        int ifru_intval;
        caddr_t ifru_data;
        struct in6_addrlifetime ifru_lifetime;
        struct icmp6_ifstat ifru_icmp6stat;
        u_int32_t ifru_scope_id[16];
    } ifr_ifru;
};
struct in6_aliasreq {
    char ifra_name[IFNAMSIZ];
    struct sockaddr_in6 ifra_addr;
    struct sockaddr_in6 ifra_dstaddr;
    struct sockaddr_in6 ifra_prefixmask;
    int ifra_flags;
    struct in6_addrlifetime ifra_lifetime;
};
#define ND6_INFINITE_LIFETIME 0xffffffff

/* ---- bsd/sys/sockio.h, bsd/netinet6/in6_var.h ---- */
#define IFF_UP 0x1
#define SIOCSIFFLAGS _IOW('i', 16, struct ifreq)
#define SIOCGIFFLAGS _IOWR('i', 17, struct ifreq)
#define SIOCDIFADDR _IOW('i', 25, struct ifreq)
#define SIOCAIFADDR _IOW('i', 26, struct ifaliasreq)
#define SIOCGIFMTU _IOWR('i', 51, struct ifreq)
#define SIOCSIFMTU _IOW('i', 52, struct ifreq)
#define SIOCDIFADDR_IN6 _IOW('i', 25, struct in6_ifreq)
#define SIOCAIFADDR_IN6 _IOW('i', 26, struct in6_aliasreq)

/* ---- bsd/net/route.h ---- */
struct rt_metrics {
    u_int32_t rmx_locks;
    u_int32_t rmx_mtu;
    u_int32_t rmx_hopcount;
    int32_t rmx_expire;
    u_int32_t rmx_recvpipe;
    u_int32_t rmx_sendpipe;
    u_int32_t rmx_ssthresh;
    u_int32_t rmx_rtt;
    u_int32_t rmx_rttvar;
    u_int32_t rmx_pksent;
    u_int32_t rmx_state;
    u_int32_t rmx_filler[3];
};
struct rt_msghdr {
    u_short rtm_msglen;
    u_char rtm_version;
    u_char rtm_type;
    u_short rtm_index;
    int rtm_flags;
    int rtm_addrs;
    pid_t rtm_pid;
    int rtm_seq;
    int rtm_errno;
    int rtm_use;
    u_int32_t rtm_inits;
    struct rt_metrics rtm_rmx;
};
#define RTM_VERSION 5
#define RTM_ADD 0x1
#define RTM_DELETE 0x2
#define RTM_GET 0x4
#define RTF_UP 0x1
#define RTF_GATEWAY 0x2
#define RTF_HOST 0x4
#define RTF_STATIC 0x800
#define RTA_DST 0x1
#define RTA_GATEWAY 0x2
#define RTA_NETMASK 0x4

/* ---- bsd/sys/fcntl.h, bsd/sys/poll.h ---- */
#define O_NONBLOCK 0x00000004
#define F_GETFL 3
#define F_SETFL 4
#define F_SETFD 2
#define FD_CLOEXEC 1
#define POLLIN 0x0001
#define POLLOUT 0x0004
#define POLLERR 0x0008
#define POLLHUP 0x0010
#define POLLNVAL 0x0020
struct pollfd {
    int fd;
    short events;
    short revents;
};
struct iovec {
    void *iov_base;
    size_t iov_len;
};

/* ---- bsd/sys/errno.h ---- */
#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EIO 5
#define ENXIO 6
#define EBADF 9
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define EINVAL 22
#define EMFILE 24
#define ENOSPC 28
#define EPIPE 32
#define EAGAIN 35
#define EMSGSIZE 40
#define EPROTONOSUPPORT 43
#define EOPNOTSUPP 45
#define EAFNOSUPPORT 47
#define EADDRINUSE 48
#define EADDRNOTAVAIL 49
#define ENETDOWN 50
#define ENETUNREACH 51
#define ENOBUFS 55
#define ENOTCONN 57
#define ETIMEDOUT 60
#define EHOSTUNREACH 65

/* ---- the functions, as bound (Libc: unistd.h, fcntl.h, poll.h, sys/socket.h, sys/ioctl.h, net/if.h,
 * string.h) ---- */
int close(int fd);
ssize_t read(int fd, void *buf, size_t nbyte);
ssize_t write(int fd, const void *buf, size_t nbyte);
ssize_t readv(int fd, const struct iovec *iov, int iovcnt);
ssize_t writev(int fd, const struct iovec *iov, int iovcnt);
int pipe(int fildes[2]);
int fcntl(int fildes, int cmd, ...);            /* linked with one variadic int */
int ioctl(int fildes, unsigned long request, ...); /* linked with one variadic pointer */
int poll(struct pollfd fds[], nfds_t nfds, int timeout);
int socket(int domain, int type, int protocol);
int connect(int socket, const struct sockaddr *address, socklen_t address_len);
int getsockopt(int socket, int level, int option_name, void *option_value, socklen_t *option_len);
int setsockopt(int socket, int level, int option_name, const void *option_value, socklen_t option_len);
unsigned int if_nametoindex(const char *ifname);
pid_t getpid(void);
char *strerror(int errnum);

#endif
