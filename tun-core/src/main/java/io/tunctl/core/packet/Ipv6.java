package io.tunctl.core.packet;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Static accessors for an IPv6 header (RFC 8200) at byte {@code off} of a segment, network byte order,
 * and the extension-header walk that finds the transport header. Fields are not checked; run
 * {@link IpPacket#validate} first on untrusted input.
 */
public final class Ipv6 {
    private Ipv6() {}

    public static final int HEADER_LENGTH = 40;
    public static final int OFF_PAYLOAD_LENGTH = 4, OFF_NEXT_HEADER = 6, OFF_HOP_LIMIT = 7, OFF_SRC = 8, OFF_DST = 24;
    /** Extension headers walked before giving up (a bound against crafted chains). */
    static final int MAX_EXTENSION_HEADERS = 16;

    public static int version(MemorySegment s, long off) { return Bytes.u8(s, off) >>> 4; }

    public static int trafficClass(MemorySegment s, long off) { return (Bytes.u16(s, off) >>> 4) & 0xff; }

    public static int dscp(MemorySegment s, long off) { return trafficClass(s, off) >>> 2; }

    public static int ecn(MemorySegment s, long off) { return trafficClass(s, off) & 3; }

    public static int flowLabel(MemorySegment s, long off) { return Bytes.i32(s, off) & 0xfffff; }

    /** Bytes after the fixed 40-byte header (extension headers included). */
    public static int payloadLength(MemorySegment s, long off) { return Bytes.u16(s, off + OFF_PAYLOAD_LENGTH); }

    public static int nextHeader(MemorySegment s, long off) { return Bytes.u8(s, off + OFF_NEXT_HEADER); }

    public static int hopLimit(MemorySegment s, long off) { return Bytes.u8(s, off + OFF_HOP_LIMIT); }

    /** Upper 64 bits of the source address. */
    public static long sourceHigh(MemorySegment s, long off) { return Bytes.i64(s, off + OFF_SRC); }

    public static long sourceLow(MemorySegment s, long off) { return Bytes.i64(s, off + OFF_SRC + 8); }

    public static long destinationHigh(MemorySegment s, long off) { return Bytes.i64(s, off + OFF_DST); }

    public static long destinationLow(MemorySegment s, long off) { return Bytes.i64(s, off + OFF_DST + 8); }

    /** Copies the 16 source address bytes into {@code dst[dstOff..]}. */
    public static void source(MemorySegment s, long off, byte[] dst, int dstOff) {
        MemorySegment.copy(s, ValueLayout.JAVA_BYTE, off + OFF_SRC, dst, dstOff, 16);
    }

    public static void destination(MemorySegment s, long off, byte[] dst, int dstOff) {
        MemorySegment.copy(s, ValueLayout.JAVA_BYTE, off + OFF_DST, dst, dstOff, 16);
    }

    public static void setTrafficClass(MemorySegment s, long off, int tc) {
        int w = Bytes.u16(s, off);
        Bytes.put16(s, off, (w & 0xf00f) | ((tc & 0xff) << 4));
    }

    public static void setPayloadLength(MemorySegment s, long off, int v) { Bytes.put16(s, off + OFF_PAYLOAD_LENGTH, v); }

    public static void setNextHeader(MemorySegment s, long off, int v) { Bytes.put8(s, off + OFF_NEXT_HEADER, v); }

    public static void setHopLimit(MemorySegment s, long off, int v) { Bytes.put8(s, off + OFF_HOP_LIMIT, v); }

    public static void setSource(MemorySegment s, long off, byte[] a) {
        MemorySegment.copy(a, 0, s, ValueLayout.JAVA_BYTE, off + OFF_SRC, 16);
    }

    public static void setDestination(MemorySegment s, long off, byte[] a) {
        MemorySegment.copy(a, 0, s, ValueLayout.JAVA_BYTE, off + OFF_DST, 16);
    }

    /**
     * Walks the extension headers of the IPv6 packet at {@code off} (of {@code len} bytes, counted from
     * {@code off}) to the transport header.
     *
     * @return {@link IpPacket#transport packed} offset and protocol: the protocol is the first next-header value
     *     that is not a walkable extension header (TCP, UDP, ICMPv6, ESP, No Next Header, ...), or
     *     {@link IpPacket#PROTO_FRAGMENT} for a non-first fragment, whose transport header lies in another
     *     fragment; {@code -1} if a header runs past {@code len} or the chain is longer than 16 headers
     */
    public static long transport(MemorySegment s, long off, int len) {
        if (len < HEADER_LENGTH) return -1;
        int next = nextHeader(s, off);
        int pos = HEADER_LENGTH;
        for (int n = 0; n <= MAX_EXTENSION_HEADERS; n++) {
            switch (next) {
                case IpPacket.PROTO_HOPOPTS, IpPacket.PROTO_ROUTING, IpPacket.PROTO_DSTOPTS,
                     IpPacket.PROTO_MOBILITY, IpPacket.PROTO_HIP, IpPacket.PROTO_SHIM6 -> {
                    if (pos + 8 > len) return -1;
                    int hlen = (Bytes.u8(s, off + pos + 1) + 1) << 3;
                    next = Bytes.u8(s, off + pos);
                    pos += hlen;
                }
                case IpPacket.PROTO_AH -> {
                    if (pos + 8 > len) return -1;
                    int hlen = (Bytes.u8(s, off + pos + 1) + 2) << 2;
                    next = Bytes.u8(s, off + pos);
                    pos += hlen;
                }
                case IpPacket.PROTO_FRAGMENT -> {
                    if (pos + 8 > len) return -1;
                    int fragOff = Bytes.u16(s, off + pos + 2) & 0xfff8;
                    if (fragOff != 0) return IpPacket.pack(off + pos + 8, IpPacket.PROTO_FRAGMENT);
                    next = Bytes.u8(s, off + pos);
                    pos += 8;
                }
                default -> {
                    return pos > len ? -1 : IpPacket.pack(off + pos, next);
                }
            }
        }
        return -1;
    }

    /** True if the packet carries a fragment header in its (walkable) extension chain. */
    public static boolean isFragment(MemorySegment s, long off, int len) {
        if (len < HEADER_LENGTH) return false;
        int next = nextHeader(s, off);
        int pos = HEADER_LENGTH;
        for (int n = 0; n <= MAX_EXTENSION_HEADERS && pos + 8 <= len; n++) {
            switch (next) {
                case IpPacket.PROTO_FRAGMENT -> { return true; }
                case IpPacket.PROTO_HOPOPTS, IpPacket.PROTO_ROUTING, IpPacket.PROTO_DSTOPTS,
                     IpPacket.PROTO_MOBILITY, IpPacket.PROTO_HIP, IpPacket.PROTO_SHIM6 -> {
                    next = Bytes.u8(s, off + pos);
                    pos += (Bytes.u8(s, off + pos + 1) + 1) << 3;
                }
                case IpPacket.PROTO_AH -> {
                    next = Bytes.u8(s, off + pos);
                    pos += (Bytes.u8(s, off + pos + 1) + 2) << 2;
                }
                default -> { return false; }
            }
        }
        return false;
    }
}
