/*
 * The route netlink protocol tunctl binds (io.tunctl.core.natives.linux.rtnetlink_h and the structs nlmsghdr,
 * nlmsgerr, rtattr, ifinfomsg, ifaddrmsg, rtmsg, fib_rule_hdr, fib_rule_port_range, fib_rule_uid_range, sockaddr_nl).
 * See netlink(7), rtnetlink(7).
 */
#ifndef TUNCTL_RTNETLINK_H
#define TUNCTL_RTNETLINK_H

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/fib_rules.h>

#endif
