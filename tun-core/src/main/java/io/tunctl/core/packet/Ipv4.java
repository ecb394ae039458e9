package io.tunctl.core.packet;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Static accessors for an IPv4 header (RFC 791) at byte {@code off} of a segment, network byte order.
 * Nothing is checked here: run {@link IpPacket#validate} first on untrusted input; a read beyond the
 * segment throws {@link IndexOutOfBoundsException}.
 */
public final class Ipv4 {
    private Ipv4() {}

    /** Smallest header (IHL 5). */
    public static final int MIN_HEADER_LENGTH = 20;
    /** Largest header (IHL 15). */
    public static final int MAX_HEADER_LENGTH = 60;
    /** Offsets of the fields within the header. */
    public static final int OFF_TOTAL_LENGTH = 2, OFF_ID = 4, OFF_FRAG = 6, OFF_TTL = 8, OFF_PROTOCOL = 9,
            OFF_CHECKSUM = 10, OFF_SRC = 12, OFF_DST = 16;
    /** Don't Fragment and More Fragments bits of {@link #flags}. */
    public static final int FLAG_DF = 0b010, FLAG_MF = 0b001;

    public static int version(MemorySegment s, long off) { return Bytes.u8(s, off) >>> 4; }

    /** Header length in bytes (IHL * 4). */
    public static int headerLength(MemorySegment s, long off) { return (Bytes.u8(s, off) & 0x0f) << 2; }

    /** Differentiated services code point (upper 6 bits of the TOS byte). */
    public static int dscp(MemorySegment s, long off) { return Bytes.u8(s, off + 1) >>> 2; }

    /** ECN bits (lower 2 bits of the TOS byte). */
    public static int ecn(MemorySegment s, long off) { return Bytes.u8(s, off + 1) & 3; }

    public static int tos(MemorySegment s, long off) { return Bytes.u8(s, off + 1); }

    public static int totalLength(MemorySegment s, long off) { return Bytes.u16(s, off + OFF_TOTAL_LENGTH); }

    public static int identification(MemorySegment s, long off) { return Bytes.u16(s, off + OFF_ID); }

    /** The three flag bits (reserved, DF, MF) as {@code 0..7}. */
    public static int flags(MemorySegment s, long off) { return Bytes.u16(s, off + OFF_FRAG) >>> 13; }

    /** Fragment offset in bytes (the field counts 8-byte units). */
    public static int fragmentOffset(MemorySegment s, long off) { return (Bytes.u16(s, off + OFF_FRAG) & 0x1fff) << 3; }

    /** True for any fragment: MF set or a non-zero offset. */
    public static boolean isFragment(MemorySegment s, long off) { return (Bytes.u16(s, off + OFF_FRAG) & 0x3fff) != 0; }

    public static int ttl(MemorySegment s, long off) { return Bytes.u8(s, off + OFF_TTL); }

    public static int protocol(MemorySegment s, long off) { return Bytes.u8(s, off + OFF_PROTOCOL); }

    public static int headerChecksum(MemorySegment s, long off) { return Bytes.u16(s, off + OFF_CHECKSUM); }

    /** Source address as a big-endian int ({@code 192.0.2.1} is {@code 0xC0000201}). */
    public static int source(MemorySegment s, long off) { return Bytes.i32(s, off + OFF_SRC); }

    public static int destination(MemorySegment s, long off) { return Bytes.i32(s, off + OFF_DST); }

    /** Copies the 4 source address bytes into {@code dst[dstOff..]}. */
    public static void source(MemorySegment s, long off, byte[] dst, int dstOff) {
        MemorySegment.copy(s, ValueLayout.JAVA_BYTE, off + OFF_SRC, dst, dstOff, 4);
    }

    public static void destination(MemorySegment s, long off, byte[] dst, int dstOff) {
        MemorySegment.copy(s, ValueLayout.JAVA_BYTE, off + OFF_DST, dst, dstOff, 4);
    }

    public static void setTos(MemorySegment s, long off, int tos) { Bytes.put8(s, off + 1, tos); }

    public static void setTotalLength(MemorySegment s, long off, int v) { Bytes.put16(s, off + OFF_TOTAL_LENGTH, v); }

    public static void setIdentification(MemorySegment s, long off, int v) { Bytes.put16(s, off + OFF_ID, v); }

    public static void setTtl(MemorySegment s, long off, int v) { Bytes.put8(s, off + OFF_TTL, v); }

    public static void setProtocol(MemorySegment s, long off, int v) { Bytes.put8(s, off + OFF_PROTOCOL, v); }

    public static void setHeaderChecksum(MemorySegment s, long off, int v) { Bytes.put16(s, off + OFF_CHECKSUM, v); }

    public static void setSource(MemorySegment s, long off, int addr) { Bytes.put32(s, off + OFF_SRC, addr); }

    public static void setDestination(MemorySegment s, long off, int addr) { Bytes.put32(s, off + OFF_DST, addr); }

    /** Converts 4 address bytes to the big-endian int form used by {@link #source(MemorySegment, long)}. */
    public static int toInt(byte[] a) {
        if (a.length != 4) throw new IllegalArgumentException("IPv4 address needs 4 bytes, got " + a.length);
        return (a[0] & 0xff) << 24 | (a[1] & 0xff) << 16 | (a[2] & 0xff) << 8 | (a[3] & 0xff);
    }

    public static byte[] toBytes(int addr) {
        return new byte[] {(byte) (addr >>> 24), (byte) (addr >>> 16), (byte) (addr >>> 8), (byte) addr};
    }
}
