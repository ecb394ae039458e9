/**
 * io_uring for the TUN's data path, over FFM ({@code natives.linux.io_uring_h}): {@link io.tunctl.core.uring.IoUring}
 * (a ring: SQ and CQ mapped from its fd, SQEs prepared in place, one {@code io_uring_enter} per batch),
 * {@link io.tunctl.core.uring.BufferRing} (a provided-buffer ring that a multishot read picks buffers from) and
 * {@link io.tunctl.core.uring.UringSupport} (probed once: {@code io_uring_disabled}, setup, opcode probe; the reason
 * when it cannot be used).
 *
 * <p>Netty 4.2's io_uring transport ({@code IoUringIoHandler} with custom {@code IoHandle}s submitting raw SQEs
 * through {@code IoUringIoOps}) was considered and not used: tun-core depends on no Netty (its SPI is used by
 * transports on NIO, epoll and plain threads alike), Netty's handler owns the ring's thread (a TUN pump is a
 * platform thread of the bridge, writers are any thread), and its provided-buffer rings are tied to its own socket
 * channels. A ring of our own is a few hundred lines on the same FFM bindings as the rest of tun-core.
 */
package io.tunctl.core.uring;
