package io.tunctl.core.packet;

import java.lang.foreign.MemorySegment;

/** Static accessors for a TCP header (RFC 9293) at byte {@code off} of a segment, network byte order. */
public final class Tcp {
    private Tcp() {}

    public static final int MIN_HEADER_LENGTH = 20;
    public static final int MAX_HEADER_LENGTH = 60;
    public static final int OFF_SRC_PORT = 0, OFF_DST_PORT = 2, OFF_SEQ = 4, OFF_ACK = 8, OFF_DATA_OFFSET = 12,
            OFF_FLAGS = 13, OFF_WINDOW = 14, OFF_CHECKSUM = 16, OFF_URGENT = 18;
    /** Flag bits of {@link #flags}. */
    public static final int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20, ECE = 0x40,
            CWR = 0x80;

    public static int sourcePort(MemorySegment s, long off) { return Bytes.u16(s, off + OFF_SRC_PORT); }

    public static int destinationPort(MemorySegment s, long off) { return Bytes.u16(s, off + OFF_DST_PORT); }

    /** Sequence number as an unsigned 32-bit value. */
    public static long sequence(MemorySegment s, long off) { return Bytes.u32(s, off + OFF_SEQ); }

    public static long acknowledgment(MemorySegment s, long off) { return Bytes.u32(s, off + OFF_ACK); }

    /** Header length in bytes (data offset * 4). */
    public static int headerLength(MemorySegment s, long off) { return (Bytes.u8(s, off + OFF_DATA_OFFSET) >>> 4) << 2; }

    /** The eight flag bits CWR..FIN. */
    public static int flags(MemorySegment s, long off) { return Bytes.u8(s, off + OFF_FLAGS); }

    public static int window(MemorySegment s, long off) { return Bytes.u16(s, off + OFF_WINDOW); }

    public static int checksum(MemorySegment s, long off) { return Bytes.u16(s, off + OFF_CHECKSUM); }

    public static int urgentPointer(MemorySegment s, long off) { return Bytes.u16(s, off + OFF_URGENT); }

    public static void setSourcePort(MemorySegment s, long off, int v) { Bytes.put16(s, off + OFF_SRC_PORT, v); }

    public static void setDestinationPort(MemorySegment s, long off, int v) { Bytes.put16(s, off + OFF_DST_PORT, v); }

    public static void setSequence(MemorySegment s, long off, long v) { Bytes.put32(s, off + OFF_SEQ, (int) v); }

    public static void setAcknowledgment(MemorySegment s, long off, long v) { Bytes.put32(s, off + OFF_ACK, (int) v); }

    /** Sets the data offset from a header length in bytes (a multiple of 4, 20..60). */
    public static void setHeaderLength(MemorySegment s, long off, int bytes) {
        int b = Bytes.u8(s, off + OFF_DATA_OFFSET);
        Bytes.put8(s, off + OFF_DATA_OFFSET, (b & 0x0f) | ((bytes >>> 2) << 4));
    }

    public static void setFlags(MemorySegment s, long off, int v) { Bytes.put8(s, off + OFF_FLAGS, v); }

    public static void setWindow(MemorySegment s, long off, int v) { Bytes.put16(s, off + OFF_WINDOW, v); }

    public static void setChecksum(MemorySegment s, long off, int v) { Bytes.put16(s, off + OFF_CHECKSUM, v); }

    public static void setUrgentPointer(MemorySegment s, long off, int v) { Bytes.put16(s, off + OFF_URGENT, v); }
}
