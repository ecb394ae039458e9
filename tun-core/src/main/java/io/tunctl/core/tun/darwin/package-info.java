/**
 * The macOS TUN: {@link io.tunctl.core.tun.darwin.UtunDevice} (a utun kernel-control socket as a packet device),
 * {@link io.tunctl.core.tun.darwin.UtunInterface} (addresses, MTU and routes, undone on close), and the I/O-free
 * {@link io.tunctl.core.tun.darwin.UtunFrame} (the 4-byte family header) and
 * {@link io.tunctl.core.tun.darwin.RouteMessage} (routing-socket messages). Reached through
 * {@link io.tunctl.core.tun.Interfaces}. Written and checked on Linux only: see docs/platforms.md.
 */
package io.tunctl.core.tun.darwin;
