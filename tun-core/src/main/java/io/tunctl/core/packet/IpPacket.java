package io.tunctl.core.packet;

import java.lang.foreign.MemorySegment;

/**
 * Version-independent entry points for an IP packet at byte {@code off} of a segment: version, length,
 * validation and the location of the transport header. All methods are static, read the segment in network
 * byte order and allocate nothing.
 */
public final class IpPacket {
    private IpPacket() {}

    /** IANA protocol numbers (IPv4 protocol, IPv6 next header). */
    public static final int PROTO_HOPOPTS = 0, PROTO_ICMP = 1, PROTO_TCP = 6, PROTO_UDP = 17, PROTO_ROUTING = 43,
            PROTO_FRAGMENT = 44, PROTO_ESP = 50, PROTO_AH = 51, PROTO_ICMPV6 = 58, PROTO_NONE = 59,
            PROTO_DSTOPTS = 60, PROTO_MOBILITY = 135, PROTO_HIP = 139, PROTO_SHIM6 = 140;

    /** 4, 6, or whatever else the first nibble says. */
    public static int version(MemorySegment s, long off) { return Bytes.u8(s, off) >>> 4; }

    /**
     * The packet's own idea of its length: IPv4 total length, or 40 + IPv6 payload length. The bytes received
     * may be more (trailing padding) or fewer (truncated: {@link #validate} says so).
     */
    public static int length(MemorySegment s, long off) {
        return version(s, off) == 4 ? Ipv4.totalLength(s, off) : Ipv6.HEADER_LENGTH + Ipv6.payloadLength(s, off);
    }

    /**
     * Finds the transport header of the IPv4 or IPv6 packet at {@code off} with {@code len} bytes.
     *
     * @return a packed value, read with {@link #transportOffset(long)} (absolute offset in {@code s}) and
     *     {@link #transportProtocol(long)}; the protocol is {@link #PROTO_FRAGMENT} for a non-first fragment
     *     (no transport header in this packet); {@code -1} for an unknown version or a header past {@code len}
     */
    public static long transport(MemorySegment s, long off, int len) {
        if (len < 1) return -1;
        int v = version(s, off);
        if (v == 4) {
            if (len < Ipv4.MIN_HEADER_LENGTH) return -1;
            int ihl = Ipv4.headerLength(s, off);
            if (ihl < Ipv4.MIN_HEADER_LENGTH || ihl > len) return -1;
            if (Ipv4.fragmentOffset(s, off) != 0) return pack(off + ihl, PROTO_FRAGMENT);
            return pack(off + ihl, Ipv4.protocol(s, off));
        }
        if (v == 6) return Ipv6.transport(s, off, len);
        return -1;
    }

    /** Absolute offset of the transport header in a value from {@link #transport}. */
    public static long transportOffset(long packed) { return packed >>> 8; }

    /** Protocol number in a value from {@link #transport}. */
    public static int transportProtocol(long packed) { return (int) (packed & 0xff); }

    static long pack(long offset, int protocol) { return offset << 8 | protocol; }

    /**
     * Checks that the {@code len} bytes at {@code off} hold a well-formed IPv4 or IPv6 packet: header lengths
     * and the length fields fit the bytes received, the IPv6 extension chain is walkable, and (for packets that
     * are not fragments) the TCP, UDP, ICMP or ICMPv6 header is complete. Checksums are not verified here.
     */
    public static PacketValidity validate(MemorySegment s, long off, int len) {
        if (len <= 0) return PacketValidity.EMPTY;
        int v = version(s, off);
        int ipLen;
        long tp;
        boolean fragment;
        if (v == 4) {
            if (len < Ipv4.MIN_HEADER_LENGTH) return PacketValidity.TRUNCATED_IP_HEADER;
            int ihl = Ipv4.headerLength(s, off);
            if (ihl < Ipv4.MIN_HEADER_LENGTH) return PacketValidity.BAD_IHL;
            if (ihl > len) return PacketValidity.TRUNCATED_IP_HEADER;
            ipLen = Ipv4.totalLength(s, off);
            if (ipLen < ihl) return PacketValidity.BAD_TOTAL_LENGTH;
            if (ipLen > len) return PacketValidity.LENGTH_EXCEEDS_BUFFER;
            fragment = Ipv4.isFragment(s, off);
            tp = pack(off + ihl, Ipv4.protocol(s, off));
        } else if (v == 6) {
            if (len < Ipv6.HEADER_LENGTH) return PacketValidity.TRUNCATED_IP_HEADER;
            ipLen = Ipv6.HEADER_LENGTH + Ipv6.payloadLength(s, off);
            if (ipLen > len) return PacketValidity.LENGTH_EXCEEDS_BUFFER;
            tp = Ipv6.transport(s, off, ipLen);
            if (tp < 0) return PacketValidity.BAD_EXTENSION_HEADERS;
            fragment = Ipv6.isFragment(s, off, ipLen);
        } else {
            return PacketValidity.BAD_VERSION;
        }
        if (fragment) return PacketValidity.VALID;
        long t = transportOffset(tp);
        int avail = (int) (off + ipLen - t);
        switch (transportProtocol(tp)) {
            case PROTO_TCP -> {
                if (avail < Tcp.MIN_HEADER_LENGTH) return PacketValidity.TRUNCATED_TRANSPORT_HEADER;
                int doff = Tcp.headerLength(s, t);
                if (doff < Tcp.MIN_HEADER_LENGTH) return PacketValidity.BAD_TCP_DATA_OFFSET;
                if (doff > avail) return PacketValidity.TRUNCATED_TRANSPORT_HEADER;
            }
            case PROTO_UDP -> {
                if (avail < Udp.HEADER_LENGTH) return PacketValidity.TRUNCATED_TRANSPORT_HEADER;
                int ulen = Udp.length(s, t);
                if (ulen < Udp.HEADER_LENGTH || ulen > avail) return PacketValidity.BAD_UDP_LENGTH;
            }
            case PROTO_ICMP, PROTO_ICMPV6 -> {
                if (avail < Icmp.HEADER_LENGTH) return PacketValidity.TRUNCATED_TRANSPORT_HEADER;
            }
            default -> { }
        }
        return PacketValidity.VALID;
    }

    /** {@link #validate} over a whole segment. */
    public static PacketValidity validate(MemorySegment packet) {
        return validate(packet, 0, (int) Math.min(packet.byteSize(), Integer.MAX_VALUE));
    }
}
