package io.tunctl.core.packet;

import java.lang.foreign.MemorySegment;

/**
 * Static accessors for ICMP (RFC 792) and ICMPv6 (RFC 4443) headers, which share the first four bytes
 * (type, code, checksum), at byte {@code off} of a segment. Echo request/reply also carry an identifier
 * and sequence number.
 */
public final class Icmp {
    private Icmp() {}

    public static final int HEADER_LENGTH = 8;
    public static final int OFF_TYPE = 0, OFF_CODE = 1, OFF_CHECKSUM = 2, OFF_ECHO_ID = 4, OFF_ECHO_SEQ = 6;

    /** ICMPv4 types. */
    public static final int V4_ECHO_REPLY = 0, V4_DEST_UNREACHABLE = 3, V4_ECHO_REQUEST = 8, V4_TIME_EXCEEDED = 11;
    /** ICMPv6 types. */
    public static final int V6_DEST_UNREACHABLE = 1, V6_PACKET_TOO_BIG = 2, V6_TIME_EXCEEDED = 3,
            V6_ECHO_REQUEST = 128, V6_ECHO_REPLY = 129, V6_NEIGHBOR_SOLICITATION = 135,
            V6_NEIGHBOR_ADVERTISEMENT = 136;

    public static int type(MemorySegment s, long off) { return Bytes.u8(s, off + OFF_TYPE); }

    public static int code(MemorySegment s, long off) { return Bytes.u8(s, off + OFF_CODE); }

    public static int checksum(MemorySegment s, long off) { return Bytes.u16(s, off + OFF_CHECKSUM); }

    /** Identifier of an echo request or reply. */
    public static int echoIdentifier(MemorySegment s, long off) { return Bytes.u16(s, off + OFF_ECHO_ID); }

    public static int echoSequence(MemorySegment s, long off) { return Bytes.u16(s, off + OFF_ECHO_SEQ); }

    public static void setType(MemorySegment s, long off, int v) { Bytes.put8(s, off + OFF_TYPE, v); }

    public static void setCode(MemorySegment s, long off, int v) { Bytes.put8(s, off + OFF_CODE, v); }

    public static void setChecksum(MemorySegment s, long off, int v) { Bytes.put16(s, off + OFF_CHECKSUM, v); }

    public static void setEchoIdentifier(MemorySegment s, long off, int v) { Bytes.put16(s, off + OFF_ECHO_ID, v); }

    public static void setEchoSequence(MemorySegment s, long off, int v) { Bytes.put16(s, off + OFF_ECHO_SEQ, v); }
}
