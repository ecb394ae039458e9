package io.tunctl.core.packet;

import java.lang.foreign.MemorySegment;

/** Static accessors for a UDP header (RFC 768) at byte {@code off} of a segment, network byte order. */
public final class Udp {
    private Udp() {}

    public static final int HEADER_LENGTH = 8;
    public static final int OFF_SRC_PORT = 0, OFF_DST_PORT = 2, OFF_LENGTH = 4, OFF_CHECKSUM = 6;

    public static int sourcePort(MemorySegment s, long off) { return Bytes.u16(s, off + OFF_SRC_PORT); }

    public static int destinationPort(MemorySegment s, long off) { return Bytes.u16(s, off + OFF_DST_PORT); }

    /** Header plus payload length in bytes. */
    public static int length(MemorySegment s, long off) { return Bytes.u16(s, off + OFF_LENGTH); }

    /** The checksum field; 0 over IPv4 means "not computed". */
    public static int checksum(MemorySegment s, long off) { return Bytes.u16(s, off + OFF_CHECKSUM); }

    public static void setSourcePort(MemorySegment s, long off, int v) { Bytes.put16(s, off + OFF_SRC_PORT, v); }

    public static void setDestinationPort(MemorySegment s, long off, int v) { Bytes.put16(s, off + OFF_DST_PORT, v); }

    public static void setLength(MemorySegment s, long off, int v) { Bytes.put16(s, off + OFF_LENGTH, v); }

    public static void setChecksum(MemorySegment s, long off, int v) { Bytes.put16(s, off + OFF_CHECKSUM, v); }
}
