package io.tunctl.core.packet;

import io.tunctl.core.spi.Offload;
import io.tunctl.core.spi.PacketBatch;

import java.lang.foreign.MemorySegment;

/**
 * Checks offload metadata that came from outside (a peer puts {@code struct virtio_net_hdr} on the wire as it is)
 * against the packet it describes, before the pair reaches a TUN opened with {@code IFF_VNET_HDR}, where the
 * kernel's {@code virtio_net_hdr_to_skb} would act on it. The answer is {@link #OK} or the first rule broken, an
 * {@code int} reason code that indexes a counter array ({@link #REASONS} entries) and names itself with
 * {@link #name(int)}; nothing is allocated and nothing is read outside the packet's {@code len} bytes.
 *
 * <p>The rules follow what Linux itself accepts, made exact where the kernel would only find out later (by
 * segmenting garbage, by a warning, or by trusting a checksum start inside the IP header). Everything Linux hands
 * a TUN reader with TSO/USO/CSUM offloads passes, so super-packets read from one TUN can be written to another:
 * <ul>
 * <li>Flags: only {@code NEEDS_CSUM} and {@code DATA_VALID}. GSO types: {@code NONE}, {@code TCPV4},
 *     {@code TCPV6}, {@code UDP_L4}. Legacy {@code GSO_UDP} (UFO, IP fragmentation) is refused: Linux no longer
 *     produces it and the TUN is not opened with it. The ECN bit only on the TCP types (the kernel refuses it on
 *     the others too).</li>
 * <li>{@code hdr_len} no larger than the packet (the kernel's own {@code tun_get_user} check).</li>
 * <li>A packet without {@code NEEDS_CSUM} and without GSO carries nothing the kernel acts on: it is parsed like
 *     any packet, so only the two rules above apply and its IP header is left to the kernel.</li>
 * <li>GSO needs {@code NEEDS_CSUM}. The kernel insists only for {@code UDP_L4}; for TCP it accepts GSO without
 *     it by guessing the headers with its flow dissector, the path behind a series of syzbot fixes. Linux's own
 *     TSO output is always {@code CHECKSUM_PARTIAL}, so nothing real is lost.</li>
 * <li>With {@code NEEDS_CSUM} or GSO the IP header must hold: IPv4 IHL at least 5 and within the bytes, total
 *     length between IHL and the bytes; IPv6 payload length within the bytes and the extension header chain
 *     walkable (at most 16 headers) inside it. Extension headers are walked, not refused: Linux sends TSO
 *     packets with sticky IPv6 options. No IP fragment may carry offload (Linux completes checksums before it
 *     fragments, and a fragment cannot be segmented).</li>
 * <li>{@code NEEDS_CSUM}: {@code csum_start} at or after the end of the IP header, and the 2-byte field at
 *     {@code csum_start + csum_offset} inside the IP length (trailing bytes past it are trimmed by the kernel,
 *     which would leave the field outside the packet). Without GSO the start may lie beyond the transport header
 *     (the inner header of a UDP tunnel, since a TUN has {@code NETIF_F_HW_CSUM}).</li>
 * <li>GSO: the type matches the packet ({@code TCPV4}: IPv4 and TCP, {@code TCPV6}: IPv6 and TCP,
 *     {@code UDP_L4}: UDP over either); {@code csum_start} is the transport header and {@code csum_offset} its
 *     checksum field (16 for TCP, 6 for UDP); that header is complete (TCP data offset 5 or more and within the
 *     packet, UDP length 8 or more and within the packet); {@code gso_size} is not 0 and one segment (IP header,
 *     transport header, {@code gso_size} bytes) fits the MTU, the bound every plain packet written meets; and
 *     {@code UDP_L4} makes at most 128 datagrams ({@code UDP_MAX_SEGMENTS}, counted as the kernel does).</li>
 * </ul>
 * A GSO packet whose payload is no larger than {@code gso_size} passes: the kernel treats it as a plain packet.
 */
public final class OffloadCheck {
    private OffloadCheck() {}

    /** The metadata fits the packet. */
    public static final int OK = 0;
    /** A flag bit other than {@code NEEDS_CSUM} (1) and {@code DATA_VALID} (2). */
    public static final int UNKNOWN_FLAGS = 1;
    /** A GSO type Linux does not define. */
    public static final int UNKNOWN_GSO_TYPE = 2;
    /** Legacy {@code GSO_UDP} (UFO). */
    public static final int GSO_UFO = 3;
    /** The ECN bit on a type other than {@code TCPV4}/{@code TCPV6}. */
    public static final int ECN_WITHOUT_TCP = 4;
    /** {@code hdr_len} larger than the packet. */
    public static final int HDR_LEN_BEYOND_PACKET = 5;
    /** A GSO packet without {@code NEEDS_CSUM}. */
    public static final int GSO_WITHOUT_CSUM = 6;
    /** A GSO packet with {@code gso_size} 0. */
    public static final int GSO_SIZE_ZERO = 7;
    /** IP version neither 4 nor 6. */
    public static final int BAD_IP_VERSION = 8;
    /** IP header shorter than its minimum, IPv4 IHL below 5, or header beyond the bytes. */
    public static final int BAD_IP_HEADER = 9;
    /** IPv4 total length below IHL or beyond the bytes; IPv6 payload beyond the bytes. */
    public static final int BAD_IP_LENGTH = 10;
    /** IPv6 extension header chain runs past the packet or is longer than 16 headers. */
    public static final int BAD_IPV6_EXTENSIONS = 11;
    /** Offload on an IP fragment. */
    public static final int FRAGMENT = 12;
    /** {@code csum_start} inside the IP header. */
    public static final int CSUM_START_IN_IP_HEADER = 13;
    /** The checksum field at {@code csum_start + csum_offset} does not fit inside the IP packet. */
    public static final int CSUM_FIELD_OUTSIDE_PACKET = 14;
    /** {@code TCPV4} on IPv6 or {@code TCPV6} on IPv4. */
    public static final int GSO_WRONG_IP_VERSION = 15;
    /** A TCP GSO type on a packet that is not TCP, or {@code UDP_L4} on one that is not UDP. */
    public static final int GSO_WRONG_PROTOCOL = 16;
    /** GSO with {@code csum_start} other than the transport header. */
    public static final int CSUM_START_NOT_TRANSPORT = 17;
    /** GSO with {@code csum_offset} other than the TCP (16) or UDP (6) checksum field. */
    public static final int CSUM_OFFSET_MISMATCH = 18;
    /** GSO on a truncated TCP header, a TCP data offset below 5, or a UDP length outside 8 .. bytes. */
    public static final int BAD_TRANSPORT_HEADER = 19;
    /** One segment (IP header, transport header, {@code gso_size}) larger than the MTU. */
    public static final int GSO_SIZE_ABOVE_MTU = 20;
    /** {@code UDP_L4} GSO of more than {@link #UDP_MAX_SEGMENTS} datagrams. */
    public static final int TOO_MANY_SEGMENTS = 21;

    /** Number of reason codes, {@link #OK} included: the size of a per-reason counter array. */
    public static final int REASONS = 22;

    /** Linux's UDP_MAX_SEGMENTS (include/linux/udp.h): 128 on current kernels; older ones (64) refuse more themselves. */
    public static final int UDP_MAX_SEGMENTS = 128;

    private static final String[] NAMES = {
            "ok", "unknown_flags", "unknown_gso_type", "gso_ufo", "ecn_without_tcp", "hdr_len_beyond_packet",
            "gso_without_csum", "gso_size_zero", "bad_ip_version", "bad_ip_header", "bad_ip_length",
            "bad_ipv6_extensions", "fragment", "csum_start_in_ip_header", "csum_field_outside_packet",
            "gso_wrong_ip_version", "gso_wrong_protocol", "csum_start_not_transport", "csum_offset_mismatch",
            "bad_transport_header", "gso_size_above_mtu", "too_many_segments",
    };

    private static final String[] DESCRIPTIONS = {
            "offload metadata fits the packet",
            "flag bits other than NEEDS_CSUM and DATA_VALID",
            "unknown GSO type",
            "legacy GSO_UDP (UFO) is not accepted",
            "GSO ECN bit without a TCP GSO type",
            "hdr_len larger than the packet",
            "GSO without NEEDS_CSUM",
            "GSO with gso_size 0",
            "IP version is neither 4 nor 6",
            "IP header truncated or IPv4 IHL below 5",
            "IP total/payload length inconsistent with the bytes received",
            "IPv6 extension header chain runs past the packet or is too long",
            "offload on an IP fragment",
            "csum_start inside the IP header",
            "checksum field at csum_start + csum_offset outside the IP packet",
            "GSO type for the other IP version",
            "GSO type for another transport protocol",
            "GSO csum_start is not the transport header",
            "GSO csum_offset is not the TCP/UDP checksum field",
            "GSO on a truncated or malformed TCP/UDP header",
            "GSO segment (headers + gso_size) larger than the MTU",
            "UDP GSO of more than 128 datagrams",
    };

    /**
     * Checks slot {@code i} of {@code batch}: its {@link PacketBatch#length(int) length} bytes against its offload
     * metadata.
     *
     * @param mtu the MTU of the device the packet is written to; one GSO segment must fit it
     * @return {@link #OK} or a reason code
     */
    public static int check(PacketBatch batch, int i, int mtu) {
        // memory/offset, not buffer(i): a packet the batch only refers to is checked where it lies, not copied
        return check(batch.memory(i), batch.offset(i), batch.length(i), batch.flags(i), batch.gsoType(i),
                batch.hdrLen(i), batch.gsoSize(i), batch.csumStart(i), batch.csumOffset(i), mtu);
    }

    /**
     * Checks the {@code len}-byte IP packet at byte 0 of {@code packet} against the {@code struct virtio_net_hdr}
     * fields given. Each field is taken at its width in the header (8 bits for {@code flags} and
     * {@code gsoType}, 16 for the others), as it would be written to the TUN.
     *
     * @param mtu the MTU of the device the packet is written to; one GSO segment must fit it
     * @return {@link #OK} or a reason code
     * @throws IllegalArgumentException if {@code len} is negative or larger than {@code packet}
     */
    public static int check(MemorySegment packet, int len, int flags, int gsoType, int hdrLen, int gsoSize,
                            int csumStart, int csumOffset, int mtu) {
        if (len < 0 || len > packet.byteSize()) {
            throw new IllegalArgumentException("length " + len + " outside the " + packet.byteSize() + "-byte segment");
        }
        return check(packet, 0, len, flags, gsoType, hdrLen, gsoSize, csumStart, csumOffset, mtu);
    }

    /** {@link #check(MemorySegment, int, int, int, int, int, int, int, int)} of the packet at {@code base}. */
    private static int check(MemorySegment packet, long base, int len, int flags, int gsoType, int hdrLen,
                             int gsoSize, int csumStart, int csumOffset, int mtu) {
        flags &= 0xff;
        gsoType &= 0xff;
        hdrLen &= 0xffff;
        gsoSize &= 0xffff;
        csumStart &= 0xffff;
        csumOffset &= 0xffff;

        if ((flags & ~(Offload.F_NEEDS_CSUM | Offload.F_DATA_VALID)) != 0) return UNKNOWN_FLAGS;
        int gso = gsoType & ~Offload.GSO_ECN;
        boolean tcpGso = gso == Offload.GSO_TCPV4 || gso == Offload.GSO_TCPV6;
        if (!tcpGso && gso != Offload.GSO_NONE && gso != Offload.GSO_UDP_L4) {
            return gso == Offload.GSO_UDP ? GSO_UFO : UNKNOWN_GSO_TYPE;
        }
        if ((gsoType & Offload.GSO_ECN) != 0 && !tcpGso) return ECN_WITHOUT_TCP;
        if (hdrLen > len) return HDR_LEN_BEYOND_PACKET;
        boolean needsCsum = (flags & Offload.F_NEEDS_CSUM) != 0;
        if (gso == Offload.GSO_NONE) {
            if (!needsCsum) return OK;
        } else {
            if (!needsCsum) return GSO_WITHOUT_CSUM;
            if (gsoSize == 0) return GSO_SIZE_ZERO;
        }

        // the IP header, read only within len
        if (len < 1) return BAD_IP_HEADER;
        int version = IpPacket.version(packet, base);
        int ipLen;
        int l3;
        int proto;
        if (version == 4) {
            if (len < Ipv4.MIN_HEADER_LENGTH) return BAD_IP_HEADER;
            l3 = Ipv4.headerLength(packet, base);
            if (l3 < Ipv4.MIN_HEADER_LENGTH || l3 > len) return BAD_IP_HEADER;
            ipLen = Ipv4.totalLength(packet, base);
            if (ipLen < l3 || ipLen > len) return BAD_IP_LENGTH;
            if (Ipv4.isFragment(packet, base)) return FRAGMENT;
            proto = Ipv4.protocol(packet, base);
        } else if (version == 6) {
            if (len < Ipv6.HEADER_LENGTH) return BAD_IP_HEADER;
            ipLen = Ipv6.HEADER_LENGTH + Ipv6.payloadLength(packet, base);
            if (ipLen > len) return BAD_IP_LENGTH;
            long tp = Ipv6.transport(packet, base, ipLen);
            if (tp < 0) return BAD_IPV6_EXTENSIONS;
            proto = IpPacket.transportProtocol(tp);
            if (proto == IpPacket.PROTO_FRAGMENT || Ipv6.isFragment(packet, base, ipLen)) return FRAGMENT;
            l3 = (int) (IpPacket.transportOffset(tp) - base);
        } else {
            return BAD_IP_VERSION;
        }

        if (csumStart < l3) return CSUM_START_IN_IP_HEADER;
        if (csumStart + csumOffset + 2 > ipLen) return CSUM_FIELD_OUTSIDE_PACKET;
        if (gso == Offload.GSO_NONE) return OK;

        if (gso == Offload.GSO_TCPV4 && version != 4 || gso == Offload.GSO_TCPV6 && version != 6) {
            return GSO_WRONG_IP_VERSION;
        }
        if (proto != (tcpGso ? IpPacket.PROTO_TCP : IpPacket.PROTO_UDP)) return GSO_WRONG_PROTOCOL;
        if (csumStart != l3) return CSUM_START_NOT_TRANSPORT;
        int avail = ipLen - l3;
        int l4;
        if (tcpGso) {
            if (csumOffset != Tcp.OFF_CHECKSUM) return CSUM_OFFSET_MISMATCH;
            if (avail < Tcp.MIN_HEADER_LENGTH) return BAD_TRANSPORT_HEADER;
            l4 = Tcp.headerLength(packet, base + l3);
            if (l4 < Tcp.MIN_HEADER_LENGTH || l4 > avail) return BAD_TRANSPORT_HEADER;
        } else {
            if (csumOffset != Udp.OFF_CHECKSUM) return CSUM_OFFSET_MISMATCH;
            // the checksum field fits (checked above), so the 8-byte header does
            int udpLen = Udp.length(packet, base + l3);
            if (udpLen < Udp.HEADER_LENGTH || udpLen > avail) return BAD_TRANSPORT_HEADER;
            l4 = Udp.HEADER_LENGTH;
        }
        if (l3 + l4 + gsoSize > mtu) return GSO_SIZE_ABOVE_MTU;
        // as virtio_net_hdr_to_skb counts: every byte after the UDP header, trailing ones included
        if (gso == Offload.GSO_UDP_L4 && len - l3 - l4 > gsoSize * UDP_MAX_SEGMENTS) return TOO_MANY_SEGMENTS;
        return OK;
    }

    /** A short stable name for a reason code ({@code "gso_size_above_mtu"}), for metrics labels and logs. */
    public static String name(int reason) {
        return reason >= 0 && reason < REASONS ? NAMES[reason] : "unknown_reason_" + reason;
    }

    /** A human-readable sentence for a reason code. */
    public static String description(int reason) {
        return reason >= 0 && reason < REASONS ? DESCRIPTIONS[reason] : "unknown reason " + reason;
    }
}
