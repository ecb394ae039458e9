/**
 * Streams the VPN layer uses: secret-stream running over a UDX stream
 * ({@link io.tunctl.transport.p2p.stream.SecureStream}: push delivery on the socket's event loop, pause/resume,
 * keep-alive, timeout, half-close) and the hand-over of received packets to the core's push SPI
 * ({@link io.tunctl.transport.p2p.stream.PacketSinkDelivery}).
 */
package io.tunctl.transport.p2p.stream;
