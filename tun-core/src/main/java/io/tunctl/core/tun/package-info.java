/**
 * TUN devices. On Linux: {@link io.tunctl.core.tun.TunDevice} (the packet device),
 * {@link io.tunctl.core.tun.LinuxInterface} (a TUN plus the addresses, routes and rules it was given, undone on
 * close), {@link io.tunctl.core.tun.NetworkNamespace} (run code inside a named network namespace) and
 * {@link io.tunctl.core.tun.NativeException} (failed system calls, named with errno and a hint).
 */
package io.tunctl.core.tun;
