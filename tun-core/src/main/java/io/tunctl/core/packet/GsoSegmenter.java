package io.tunctl.core.packet;

import io.tunctl.core.spi.Offload;
import io.tunctl.core.spi.PacketBatch;

import java.lang.foreign.MemorySegment;

/**
 * Software GSO: splits a super-packet carried in a {@link PacketBatch} slot (virtio_net_hdr semantics,
 * {@link Offload#GSO_TCPV4}, {@link Offload#GSO_TCPV6}, {@link Offload#GSO_UDP_L4}) into plain packets with
 * complete headers and checksums, and completes {@link Offload#F_NEEDS_CSUM} partial checksums.
 *
 * <p>Each segment carries the super-packet's headers followed by at most {@code gsoSize} payload bytes. Per
 * segment: the IPv4 total length and header checksum (identification incremented by one per segment) or the
 * IPv6 payload length; for TCP the sequence number advanced by the payload already sent, FIN and PSH kept only
 * on the last segment and CWR only on the first; for UDP the length; and the TCP/UDP checksum computed in full
 * over the segment's pseudo-header (the partial sum in the super-packet is not trusted, nor is its
 * {@code hdrLen}, which Linux may set to the whole linear part: header lengths come from the packet itself).
 *
 * <p>Output slots get plain packets with no offload metadata. Stateless, allocation-free and resumable: when
 * the destination fills up, {@link #segment(PacketBatch, int, PacketBatch, int)} returns how many segments it
 * wrote, and the caller drains the destination and calls again from that segment index:
 * {@snippet :
 * int n = GsoSegmenter.segmentCount(in, i);
 * for (int done = 0; done < n; ) {
 *     done += GsoSegmenter.segment(in, i, out, done);
 *     if (out.isFull()) { device.write(out); out.clear(); }
 * }
 * }
 */
public final class GsoSegmenter {
    private GsoSegmenter() {}

    /**
     * The number of plain packets slot {@code i} of {@code src} becomes: 1 for a packet without GSO, otherwise
     * the payload split into {@code gsoSize} pieces (at least 1).
     *
     * @throws IllegalArgumentException if the slot holds a malformed GSO packet (the message says why)
     */
    public static int segmentCount(PacketBatch src, int i) {
        int gso = src.gsoType(i) & ~Offload.GSO_ECN;
        if (gso == Offload.GSO_NONE) return 1;
        long h = parse(src.view(i), src.length(i), gso, src.gsoSize(i), src.flags(i), src.csumStart(i),
                src.csumOffset(i));
        return count(h, src.gsoSize(i));
    }

    /** {@link #segment(PacketBatch, int, PacketBatch, int)} from the first segment. */
    public static int segment(PacketBatch src, int i, PacketBatch dst) { return segment(src, i, dst, 0); }

    /**
     * Appends segments {@code first, first+1, ...} of slot {@code i} of {@code src} to {@code dst} until all are
     * written or {@code dst} is full. A packet without GSO is copied as one segment, its partial checksum
     * completed if {@link Offload#F_NEEDS_CSUM} is set. {@code src} is not modified.
     *
     * @param first index of the first segment to write (0, or the total returned by earlier calls)
     * @return the number of segments written (0 if {@code dst} was already full)
     * @throws IllegalArgumentException if the packet or its offload metadata is malformed, a segment is larger
     *     than {@code dst}'s buffers, or {@code first} is out of range
     */
    public static int segment(PacketBatch src, int i, PacketBatch dst, int first) {
        MemorySegment s = src.view(i); // where it lies: a batch may only refer to its packets
        int len = src.length(i);
        int gso = src.gsoType(i) & ~Offload.GSO_ECN;
        if (gso == Offload.GSO_NONE) {
            if (first != 0) throw new IllegalArgumentException("a packet without GSO has 1 segment, asked for " + first);
            if (dst.isFull()) return 0;
            if (len > dst.bufferSize()) {
                throw new IllegalArgumentException("packet of " + len + " B > destination buffer " + dst.bufferSize());
            }
            boolean partial = (src.flags(i) & Offload.F_NEEDS_CSUM) != 0;
            // refuse before copying: a refused packet leaves dst as it was
            if (partial && src.csumStart(i) + src.csumOffset(i) + 2 > len) {
                throw new IllegalArgumentException("checksum field at csumStart " + src.csumStart(i) + " + csumOffset "
                        + src.csumOffset(i) + " outside the " + len + "-byte packet");
            }
            int j = dst.size();
            MemorySegment d = dst.buffer(j);
            MemorySegment.copy(s, 0, d, 0, len);
            if (partial) Checksum.completePartial(d, len, src.csumStart(i), src.csumOffset(i));
            dst.commit(len);
            return 1;
        }
        int gsoSize = src.gsoSize(i);
        long h = parse(s, len, gso, gsoSize, src.flags(i), src.csumStart(i), src.csumOffset(i));
        int ipHdr = ipHeaderLength(h);
        int hdr = ipHdr + l4HeaderLength(h);
        int ipLen = ipLength(h);
        int payload = ipLen - hdr;
        int n = count(h, gsoSize);
        if (first < 0 || first > n) throw new IllegalArgumentException("segment " + first + " of " + n);
        int largest = hdr + Math.min(gsoSize, payload);
        if (largest > dst.bufferSize()) {
            throw new IllegalArgumentException("segment of " + largest + " B > destination buffer " + dst.bufferSize());
        }
        boolean v4 = IpPacket.version(s, 0) == 4;
        boolean tcp = gso != Offload.GSO_UDP_L4;
        int id0 = v4 ? Ipv4.identification(s, 0) : 0;
        long seq0 = tcp ? Tcp.sequence(s, ipHdr) : 0;
        int flags0 = tcp ? Tcp.flags(s, ipHdr) : 0;
        int proto = tcp ? IpPacket.PROTO_TCP : IpPacket.PROTO_UDP;

        int written = 0;
        for (int k = first; k < n && !dst.isFull(); k++, written++) {
            int pOff = k * gsoSize;
            int pLen = Math.min(gsoSize, payload - pOff);
            int segLen = hdr + pLen;
            MemorySegment d = dst.buffer(dst.size());
            MemorySegment.copy(s, 0, d, 0, hdr);
            MemorySegment.copy(s, hdr + pOff, d, hdr, pLen);
            if (v4) {
                Ipv4.setTotalLength(d, 0, segLen);
                Ipv4.setIdentification(d, 0, id0 + k);
                Checksum.fillIpv4Header(d, 0);
            } else {
                Ipv6.setPayloadLength(d, 0, segLen - Ipv6.HEADER_LENGTH);
            }
            int tLen = segLen - ipHdr;
            if (tcp) {
                Tcp.setSequence(d, ipHdr, seq0 + pOff);
                int f = flags0;
                if (k != n - 1) f &= ~(Tcp.FIN | Tcp.PSH);
                if (k != 0) f &= ~Tcp.CWR;
                Tcp.setFlags(d, ipHdr, f);
                Tcp.setChecksum(d, ipHdr, 0);
                int sum = Checksum.sum(d, ipHdr, tLen, Checksum.pseudo(d, 0, proto, tLen));
                Tcp.setChecksum(d, ipHdr, ~sum & 0xffff);
            } else {
                Udp.setLength(d, ipHdr, tLen);
                Udp.setChecksum(d, ipHdr, 0);
                int c = ~Checksum.sum(d, ipHdr, tLen, Checksum.pseudo(d, 0, proto, tLen)) & 0xffff;
                Udp.setChecksum(d, ipHdr, c == 0 ? 0xffff : c);
            }
            dst.commit(segLen);
        }
        return written;
    }

    /**
     * Completes the partial checksum of slot {@code i} in place if {@link Offload#F_NEEDS_CSUM} is set
     * ({@link Checksum#completePartial}) and clears that flag; does nothing otherwise.
     *
     * @throws IllegalArgumentException if the slot holds a GSO super-packet (segment it instead) or the checksum
     *     field lies outside the packet
     */
    public static void completeChecksum(PacketBatch b, int i) {
        if ((b.flags(i) & Offload.F_NEEDS_CSUM) == 0) return;
        if ((b.gsoType(i) & ~Offload.GSO_ECN) != Offload.GSO_NONE) {
            throw new IllegalArgumentException("slot " + i + " is a GSO super-packet (type " + b.gsoType(i)
                    + "): segment it, the checksum covers each segment");
        }
        completeChecksum(b.view(i), b.length(i), b.csumStart(i), b.csumOffset(i));
        b.setOffload(i, b.flags(i) & ~Offload.F_NEEDS_CSUM, b.gsoType(i), b.hdrLen(i), b.gsoSize(i),
                b.csumStart(i), b.csumOffset(i));
    }

    /**
     * Completes a virtio partial checksum in a packet that starts at byte 0 of {@code packet}: the field at
     * {@code csumStart + csumOffset} holds the pseudo-header sum and receives the checksum of bytes
     * {@code csumStart .. len-1}.
     */
    public static void completeChecksum(MemorySegment packet, int len, int csumStart, int csumOffset) {
        Checksum.completePartial(packet, len, csumStart, csumOffset);
    }

    // ---- parsing: packs IP length << 32 | IP header length (with extensions) << 8 | L4 header length ----

    private static int ipLength(long h) { return (int) (h >>> 32); }

    private static int ipHeaderLength(long h) { return (int) (h >>> 8) & 0xffffff; }

    private static int l4HeaderLength(long h) { return (int) h & 0xff; }

    private static int count(long h, int gsoSize) {
        int payload = ipLength(h) - ipHeaderLength(h) - l4HeaderLength(h);
        return Math.max(1, (payload + gsoSize - 1) / gsoSize);
    }

    private static long parse(MemorySegment s, int len, int gso, int gsoSize, int flags, int csumStart,
                              int csumOffset) {
        int wantVersion;
        int wantProto;
        switch (gso) {
            case Offload.GSO_TCPV4 -> { wantVersion = 4; wantProto = IpPacket.PROTO_TCP; }
            case Offload.GSO_TCPV6 -> { wantVersion = 6; wantProto = IpPacket.PROTO_TCP; }
            case Offload.GSO_UDP_L4 -> { wantVersion = 0; wantProto = IpPacket.PROTO_UDP; }
            case Offload.GSO_UDP -> throw new IllegalArgumentException(
                    "GSO_UDP (UFO, IP fragmentation) is not supported; only TCPV4, TCPV6 and UDP_L4");
            default -> throw new IllegalArgumentException("unknown GSO type " + gso);
        }
        if (gsoSize == 0) throw new IllegalArgumentException("GSO packet with gsoSize 0");
        PacketValidity v = IpPacket.validate(s, 0, len);
        if (!v.isValid()) throw new IllegalArgumentException("malformed GSO packet: " + v.description());
        int version = IpPacket.version(s, 0);
        if (wantVersion != 0 && version != wantVersion) {
            throw new IllegalArgumentException("GSO type " + gso + " on an IPv" + version + " packet");
        }
        long tp = IpPacket.transport(s, 0, len);
        int proto = IpPacket.transportProtocol(tp);
        if (proto != wantProto) {
            throw new IllegalArgumentException("GSO type " + gso + " on IP protocol " + proto);
        }
        if (version == 4 ? Ipv4.isFragment(s, 0) : Ipv6.isFragment(s, 0, len)) {
            throw new IllegalArgumentException("GSO packet is an IP fragment");
        }
        int ipHdr = (int) IpPacket.transportOffset(tp);
        int l4Hdr = proto == IpPacket.PROTO_TCP ? Tcp.headerLength(s, ipHdr) : Udp.HEADER_LENGTH;
        if ((flags & Offload.F_NEEDS_CSUM) != 0) {
            int field = Checksum.checksumFieldOffset(proto);
            if (csumStart != ipHdr || csumOffset != field) {
                throw new IllegalArgumentException("csumStart/csumOffset " + csumStart + "/" + csumOffset
                        + " do not point at the " + (proto == IpPacket.PROTO_TCP ? "TCP" : "UDP")
                        + " checksum (" + ipHdr + "/" + field + ")");
            }
        }
        int ipLen = IpPacket.length(s, 0);
        return (long) ipLen << 32 | (long) ipHdr << 8 | l4Hdr;
    }
}
