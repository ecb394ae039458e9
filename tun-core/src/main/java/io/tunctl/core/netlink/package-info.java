/**
 * Route netlink ({@code NETLINK_ROUTE}) over FFM: links, addresses, routes and policy rules, with ACK checking and
 * dumps. {@link io.tunctl.core.netlink.Rtnetlink} is the entry point; request encoding and reply parsing are
 * I/O-free and tested without a kernel.
 */
package io.tunctl.core.netlink;
