package io.tunctl.transport.socks.engine.system;

import io.tunctl.core.packet.Rewrite;
import io.tunctl.core.packet.Tcp;
import io.tunctl.core.spi.Offload;
import io.tunctl.core.spi.PacketBatch;

import java.lang.foreign.MemorySegment;

/**
 * Rewrites a TCP packet's addresses and ports in place, checksums kept right incrementally, whole GSO
 * super-packets included.
 *
 * <p>A packet the kernel handed over with {@code VIRTIO_NET_HDR_F_NEEDS_CSUM} does not carry a checksum yet: its
 * checksum field holds the folded pseudo-header sum, uncomplemented, for the receiver to finish. Addresses are in
 * that sum and ports are not, so such a packet gets the address update on the uncomplemented value and no update
 * for the ports; a packet with a full checksum gets RFC 1624's update for both.
 */
final class NatRewrite {
    private NatRewrite() {}

    static void ipv4(PacketBatch b, int i, MemorySegment s, long off, int len, long t,
                     int src, int srcPort, int dst, int dstPort) {
        boolean partial = (b.flags(i) & Offload.F_NEEDS_CSUM) != 0;
        if (partial) Tcp.setChecksum(s, t, ~Tcp.checksum(s, t) & 0xffff);
        Rewrite.ipv4Source(s, off, len, src);
        Rewrite.ipv4Destination(s, off, len, dst);
        ports(s, off, len, t, partial, srcPort, dstPort);
    }

    static void ipv6(PacketBatch b, int i, MemorySegment s, long off, int len, long t,
                     long srcHi, long srcLo, int srcPort, long dstHi, long dstLo, int dstPort) {
        boolean partial = (b.flags(i) & Offload.F_NEEDS_CSUM) != 0;
        if (partial) Tcp.setChecksum(s, t, ~Tcp.checksum(s, t) & 0xffff);
        Rewrite.ipv6Source(s, off, len, srcHi, srcLo);
        Rewrite.ipv6Destination(s, off, len, dstHi, dstLo);
        ports(s, off, len, t, partial, srcPort, dstPort);
    }

    private static void ports(MemorySegment s, long off, int len, long t, boolean partial, int srcPort, int dstPort) {
        if (partial) {
            Tcp.setSourcePort(s, t, srcPort);
            Tcp.setDestinationPort(s, t, dstPort);
            Tcp.setChecksum(s, t, ~Tcp.checksum(s, t) & 0xffff);
        } else {
            Rewrite.sourcePort(s, off, len, srcPort);
            Rewrite.destinationPort(s, off, len, dstPort);
        }
    }
}
