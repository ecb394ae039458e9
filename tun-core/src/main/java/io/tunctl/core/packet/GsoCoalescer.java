package io.tunctl.core.packet;

import io.tunctl.core.spi.Offload;
import io.tunctl.core.spi.PacketBatch;

import java.lang.foreign.MemorySegment;

/**
 * Software GRO for TCP: merges consecutive in-order segments of one TCP flow from a batch of plain packets into
 * GSO super-packets ({@link Offload#GSO_TCPV4}/{@link Offload#GSO_TCPV6} with {@link Offload#F_NEEDS_CSUM}),
 * so that a TUN opened with a virtio_net_hdr hands the kernel one large packet instead of dozens.
 *
 * <p>A packet joins the open super-packet of its flow when the IP header fields (TOS/traffic class and flow
 * label, TTL/hop limit, DF, addresses), the ports, the acknowledgment number and the TCP options are equal, its
 * sequence number continues the super-packet, only ACK (and PSH) are set, its payload is no larger than the
 * first segment's, the previous segment was full sized, and its TCP checksum verifies (the kernel trusts a
 * NEEDS_CSUM packet, so a corrupt one must not be hidden inside). PSH or a short segment closes a super-packet.
 * IPv4 packets with options or fragments and IPv6 packets with extension headers are passed through, as is
 * everything that is not TCP. Order within a flow is kept; packets of different flows may be reordered
 * relative to each other, as Linux GRO does.
 *
 * <p>A merged super-packet keeps the first segment's headers (IPv4 identification included) with the window
 * and PSH of the last; its checksum field holds the pseudo-header sum over the whole TCP length and its metadata
 * is {@code hdrLen = csumStart + TCP header length, gsoSize = first payload, csumStart = IP header length,
 * csumOffset = 16}, which {@link GsoSegmenter} turns back into the original segments. A single packet that
 * merged with nothing is copied unchanged.
 *
 * <p>One instance per pumping thread; it keeps a small flow table sized at construction and allocates nothing
 * per call.
 */
public final class GsoCoalescer {
    private static final int MAX_IP_LENGTH = 65535;
    private static final int BAD_FLAGS = Tcp.FIN | Tcp.SYN | Tcp.RST | Tcp.URG | Tcp.ECE | Tcp.CWR;

    // one entry per open super-packet: the destination slot it lives in, and what the next segment must look like
    private final int[] slot;
    private final int[] hash;
    private final long[] nextSeq;
    private final int[] gsoSize;
    private final int[] segments;
    private final int[] ipHdr;
    private final int[] tcpHdr;
    private final boolean[] open;
    private int items;

    /** @param maxBatch the largest {@code src.size()} this coalescer will see */
    public GsoCoalescer(int maxBatch) {
        if (maxBatch < 1) throw new IllegalArgumentException("maxBatch must be >= 1: " + maxBatch);
        slot = new int[maxBatch];
        hash = new int[maxBatch];
        nextSeq = new long[maxBatch];
        gsoSize = new int[maxBatch];
        segments = new int[maxBatch];
        ipHdr = new int[maxBatch];
        tcpHdr = new int[maxBatch];
        open = new boolean[maxBatch];
    }

    /**
     * Appends every packet of {@code src} to {@code dst}, merged where the rules above allow. {@code src} is
     * not modified. Packets that carry offload metadata already are copied with it, unmerged.
     *
     * @return the number of slots appended to {@code dst}
     * @throws IllegalArgumentException if {@code dst} has fewer free slots than {@code src} has packets, or
     *     {@code src} is larger than this coalescer was built for
     */
    public int coalesce(PacketBatch src, PacketBatch dst) {
        int n = src.size();
        if (n > slot.length) throw new IllegalArgumentException("batch of " + n + " > maxBatch " + slot.length);
        if (dst.capacity() - dst.size() < n) {
            throw new IllegalArgumentException("destination has " + (dst.capacity() - dst.size())
                    + " free slots for " + n + " packets");
        }
        int start = dst.size();
        items = 0;
        int limit = Math.min(MAX_IP_LENGTH, dst.bufferSize());
        for (int i = 0; i < n; i++) {
            MemorySegment s = src.buffer(i);
            int len = src.length(i);
            int ip = candidate(src, i, s, len);
            if (ip < 0) {
                if (ip == NOT_TCP) {
                    src.copyTo(i, dst);
                } else {
                    // a TCP packet that cannot be merged ends its flow's super-packet, to keep the flow's order
                    closeFlow(s, flowHash(s), dst);
                    src.copyTo(i, dst);
                }
                continue;
            }
            int h = flowHash(s);
            int t = ip + Tcp.headerLength(s, ip);
            int item = findFlow(s, h, dst);
            if (item >= 0 && canAppend(item, s, len, ip, t, dst, limit)) {
                append(item, s, len, ip, t, dst);
                continue;
            }
            if (item >= 0) open[item] = false;
            src.copyTo(i, dst);
            int k = items++;
            slot[k] = dst.size() - 1;
            hash[k] = h;
            ipHdr[k] = ip;
            tcpHdr[k] = t - ip;
            gsoSize[k] = len - t;
            nextSeq[k] = (Tcp.sequence(s, ip) + len - t) & 0xffffffffL;
            segments[k] = 1;
            open[k] = (Tcp.flags(s, ip) & Tcp.PSH) == 0;
        }
        for (int k = 0; k < items; k++) if (segments[k] > 1) finish(k, dst);
        return dst.size() - start;
    }

    private static final int NOT_TCP = -1, TCP_UNMERGEABLE = -2;

    /** IP header length if the packet may start or join a super-packet, else NOT_TCP or TCP_UNMERGEABLE. */
    private static int candidate(PacketBatch b, int i, MemorySegment s, int len) {
        if (len < Ipv4.MIN_HEADER_LENGTH) return NOT_TCP;
        int version = IpPacket.version(s, 0);
        int ip;
        if (version == 4) {
            if (Ipv4.protocol(s, 0) != IpPacket.PROTO_TCP) return NOT_TCP;
            ip = Ipv4.headerLength(s, 0);
            if (!IpPacket.validate(s, 0, len).isValid()) return NOT_TCP;
            if (Ipv4.isFragment(s, 0)) return NOT_TCP;
            if (ip != Ipv4.MIN_HEADER_LENGTH || Ipv4.totalLength(s, 0) != len) return TCP_UNMERGEABLE;
        } else if (version == 6) {
            if (len < Ipv6.HEADER_LENGTH || Ipv6.nextHeader(s, 0) != IpPacket.PROTO_TCP) return NOT_TCP;
            if (!IpPacket.validate(s, 0, len).isValid()) return NOT_TCP;
            ip = Ipv6.HEADER_LENGTH;
            if (Ipv6.HEADER_LENGTH + Ipv6.payloadLength(s, 0) != len) return TCP_UNMERGEABLE;
        } else {
            return NOT_TCP;
        }
        if (b.hasOffload(i)) return TCP_UNMERGEABLE;
        int flags = Tcp.flags(s, ip);
        if ((flags & BAD_FLAGS) != 0 || (flags & Tcp.ACK) == 0) return TCP_UNMERGEABLE;
        if (len - ip - Tcp.headerLength(s, ip) <= 0) return TCP_UNMERGEABLE;
        if (!Checksum.verifyTransport(s, 0, len)) return TCP_UNMERGEABLE;
        return ip;
    }

    private static int flowHash(MemorySegment s) {
        long x;
        long ports;
        if (IpPacket.version(s, 0) == 4) {
            x = Bytes.i64(s, Ipv4.OFF_SRC);
            ports = Bytes.i32(s, Ipv4.headerLength(s, 0));
        } else {
            x = Bytes.i64(s, Ipv6.OFF_SRC) ^ Bytes.i64(s, Ipv6.OFF_SRC + 8) * 31
                    ^ Bytes.i64(s, Ipv6.OFF_DST) * 961 ^ Bytes.i64(s, Ipv6.OFF_DST + 8) * 29791;
            ports = Bytes.i32(s, Ipv6.HEADER_LENGTH);
        }
        x = (x ^ ports * 0x9E3779B97F4A7C15L) * 0xBF58476D1CE4E5B9L;
        return (int) (x ^ x >>> 32);
    }

    /** The open item of this packet's flow (same addresses and ports), or -1. */
    private int findFlow(MemorySegment s, int h, PacketBatch dst) {
        for (int k = items - 1; k >= 0; k--) {
            if (!open[k] || hash[k] != h) continue;
            if (sameFlow(s, dst.buffer(slot[k]), ipHdr[k])) return k;
        }
        return -1;
    }

    private void closeFlow(MemorySegment s, int h, PacketBatch dst) {
        int k = findFlow(s, h, dst);
        if (k >= 0) open[k] = false;
    }

    private static boolean sameFlow(MemorySegment s, MemorySegment d, int dIp) {
        int v = IpPacket.version(s, 0);
        if (IpPacket.version(d, 0) != v) return false;
        int sIp = v == 4 ? Ipv4.headerLength(s, 0) : Ipv6.HEADER_LENGTH;
        int addr = v == 4 ? Ipv4.OFF_SRC : Ipv6.OFF_SRC;
        int addrLen = v == 4 ? 8 : 32;
        return equal(s, addr, d, addr, addrLen) && equal(s, sIp, d, dIp, 4);
    }

    private boolean canAppend(int k, MemorySegment s, int len, int ip, int t, PacketBatch dst, int limit) {
        MemorySegment d = dst.buffer(slot[k]);
        int payload = len - t;
        if (ip != ipHdr[k] || t - ip != tcpHdr[k]) return false;
        if (payload > gsoSize[k] || Tcp.sequence(s, ip) != nextSeq[k]) return false;
        if (dst.length(slot[k]) + payload > limit) return false;
        if (ip == Ipv4.MIN_HEADER_LENGTH) {
            // TOS, TTL, DF, addresses
            if (Ipv4.tos(s, 0) != Ipv4.tos(d, 0) || Ipv4.ttl(s, 0) != Ipv4.ttl(d, 0)
                    || Ipv4.flags(s, 0) != Ipv4.flags(d, 0)) {
                return false;
            }
        } else {
            // version, traffic class, flow label; hop limit
            if (Bytes.i32(s, 0) != Bytes.i32(d, 0) || Ipv6.hopLimit(s, 0) != Ipv6.hopLimit(d, 0)) return false;
        }
        // ack number and options must match; ports and addresses matched in findFlow
        return equal(s, ip + Tcp.OFF_ACK, d, ip + Tcp.OFF_ACK, 4)
                && equal(s, ip + Tcp.MIN_HEADER_LENGTH, d, ip + Tcp.MIN_HEADER_LENGTH, t - ip - Tcp.MIN_HEADER_LENGTH);
    }

    private void append(int k, MemorySegment s, int len, int ip, int t, PacketBatch dst) {
        int j = slot[k];
        MemorySegment d = dst.buffer(j);
        int payload = len - t;
        int at = dst.length(j);
        MemorySegment.copy(s, t, d, at, payload);
        dst.length(j, at + payload);
        int flags = Tcp.flags(s, ip);
        Tcp.setFlags(d, ip, Tcp.flags(d, ip) | (flags & Tcp.PSH));
        Tcp.setWindow(d, ip, Tcp.window(s, ip));
        nextSeq[k] = (nextSeq[k] + payload) & 0xffffffffL;
        segments[k]++;
        if ((flags & Tcp.PSH) != 0 || payload < gsoSize[k]) open[k] = false;
    }

    private void finish(int k, PacketBatch dst) {
        int j = slot[k];
        MemorySegment d = dst.buffer(j);
        int len = dst.length(j);
        int ip = ipHdr[k];
        if (ip == Ipv4.MIN_HEADER_LENGTH && IpPacket.version(d, 0) == 4) {
            Ipv4.setTotalLength(d, 0, len);
            Checksum.fillIpv4Header(d, 0);
        } else {
            Ipv6.setPayloadLength(d, 0, len - Ipv6.HEADER_LENGTH);
        }
        Tcp.setChecksum(d, ip, Checksum.pseudo(d, 0, IpPacket.PROTO_TCP, len - ip));
        dst.setOffload(j, Offload.F_NEEDS_CSUM,
                IpPacket.version(d, 0) == 4 ? Offload.GSO_TCPV4 : Offload.GSO_TCPV6,
                ip + tcpHdr[k], gsoSize[k], ip, Tcp.OFF_CHECKSUM);
    }

    private static boolean equal(MemorySegment a, long aOff, MemorySegment b, long bOff, int len) {
        return len == 0 || MemorySegment.mismatch(a, aOff, aOff + len, b, bOff, bOff + len) == -1;
    }
}
