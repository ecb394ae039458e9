/**
 * The Windows TUN: {@link io.tunctl.core.tun.windows.WintunDevice} (a Wintun session as a packet device),
 * {@link io.tunctl.core.tun.windows.WintunInterface} (IP Helper addresses, routes and MTU, undone on close),
 * {@link io.tunctl.core.tun.windows.WintunLibrary} (where wintun.dll comes from) and the I/O-free
 * {@link io.tunctl.core.tun.windows.IpHelperRows}. Reached through {@link io.tunctl.core.tun.Interfaces}. Written
 * and checked on Linux only: see docs/platforms.md.
 */
package io.tunctl.core.tun.windows;
