package io.tunctl.transport.p2p.udx;

import io.netty.buffer.ByteBuf;

/**
 * The fixed 20-byte header every UDX datagram starts with (libudx wire format, magic 0xFF, version 1).
 *
 * <p>All four 32-bit fields are little-endian. {@code id} is the stream id of the <em>receiver</em>;
 * {@code rwnd} is the sender's receive window in bytes; {@code seq} is the packet's sequence number for
 * DATA/END packets and the sender's next unsent sequence number otherwise; {@code ack} is the next
 * sequence number the sender expects (cumulative). {@code dataOffset} is the number of padding or SACK
 * bytes between the header and the payload. Sequence numbers count packets, not bytes, and wrap.
 *
 * <p>This class is a pure codec: it reads and writes {@link ByteBuf}s and does no I/O.
 *
 * @param type       flag bits ({@link #DATA}, {@link #END}, {@link #SACK}, {@link #MESSAGE},
 *                   {@link #DESTROY}, {@link #HEARTBEAT}); 0 is a pure ACK. Unknown bits are kept, as libudx
 *                   tests each bit on its own and ignores the others.
 * @param dataOffset 0..255
 * @param id         receiver's stream id (uint32 as int)
 * @param rwnd       receive window in bytes (uint32 as int)
 * @param seq        sequence number (uint32 as int)
 * @param ack        cumulative acknowledgement (uint32 as int)
 */
public record UdxHeader(int type, int dataOffset, int id, int rwnd, int seq, int ack) {

    /** Header size in bytes. */
    public static final int SIZE = 20;
    /** First byte of every UDX datagram. */
    public static final int MAGIC = 0xFF;
    /** Second byte: the only wire version libudx speaks. */
    public static final int VERSION = 1;

    /** Stream bytes; consumes a sequence number and is retransmitted. */
    public static final int DATA = 0x01;
    /** End of the sender's byte stream (half-close); consumes a sequence number. */
    public static final int END = 0x02;
    /** The body holds 8-byte selective-ack ranges. */
    public static final int SACK = 0x04;
    /** One unreliable datagram; not sequenced, not retransmitted. */
    public static final int MESSAGE = 0x08;
    /** Abortive close; the receiver closes with ECONNRESET. Sent once. */
    public static final int DESTROY = 0x10;
    /** Keepalive; the receiver answers with an ACK and ignores the other fields. */
    public static final int HEARTBEAT = 0x20;

    /** At most this many SACK ranges are put in one packet (as libudx). */
    public static final int MAX_SACK_RANGES = 50;

    public UdxHeader {
        if ((type & ~0xFF) != 0) {
            throw new IllegalArgumentException("UDX type must fit in one byte: " + type);
        }
        if (dataOffset < 0 || dataOffset > 255) {
            throw new IllegalArgumentException("UDX data offset must be 0..255: " + dataOffset);
        }
    }

    /** Whether {@code flag} (one of the type constants) is set. */
    public boolean has(int flag) {
        return (type & flag) != 0;
    }

    /**
     * Whether the readable bytes of {@code datagram} look like a UDX packet: at least 20 bytes, magic 0xFF and
     * version 1. This is the first step of demultiplexing a shared UDP socket; it does not move the reader index.
     */
    public static boolean isUdx(ByteBuf datagram) {
        int i = datagram.readerIndex();
        return datagram.readableBytes() >= SIZE
                && datagram.getUnsignedByte(i) == MAGIC
                && datagram.getUnsignedByte(i + 1) == VERSION;
    }

    /** The receiver stream id of a datagram that {@link #isUdx} accepted, without decoding the rest. */
    public static int peekId(ByteBuf datagram) {
        return datagram.getIntLE(datagram.readerIndex() + 4);
    }

    /**
     * Decodes the header at the reader index of {@code datagram} without moving it.
     *
     * @throws UdxCodecException naming the field that is wrong: too short, wrong magic or version, or a data
     *                           offset that runs past the end of the datagram
     */
    public static UdxHeader decode(ByteBuf datagram) throws UdxCodecException {
        int i = datagram.readerIndex();
        int len = datagram.readableBytes();
        if (len < SIZE) {
            throw new UdxCodecException("UDX datagram too short: " + len + " bytes, header needs " + SIZE);
        }
        int magic = datagram.getUnsignedByte(i);
        if (magic != MAGIC) {
            throw new UdxCodecException(String.format("UDX magic byte is 0x%02x, expected 0xff", magic));
        }
        int version = datagram.getUnsignedByte(i + 1);
        if (version != VERSION) {
            throw new UdxCodecException("UDX version " + version + " is not supported (only 1)");
        }
        int type = datagram.getUnsignedByte(i + 2);
        int dataOffset = datagram.getUnsignedByte(i + 3);
        if (SIZE + dataOffset > len && (type & SACK) == 0) {
            throw new UdxCodecException("UDX data offset " + dataOffset + " runs past the end of a " + len
                    + "-byte datagram");
        }
        return new UdxHeader(type, dataOffset, datagram.getIntLE(i + 4), datagram.getIntLE(i + 8),
                datagram.getIntLE(i + 12), datagram.getIntLE(i + 16));
    }

    /** Writes the 20 header bytes at the writer index of {@code out}. */
    public void encode(ByteBuf out) {
        write(out, type, dataOffset, id, rwnd, seq, ack);
    }

    /** Allocation-free form of {@link #encode}: writes a header at the writer index of {@code out}. */
    public static void write(ByteBuf out, int type, int dataOffset, int id, int rwnd, int seq, int ack) {
        out.writeByte(MAGIC);
        out.writeByte(VERSION);
        out.writeByte(type);
        out.writeByte(dataOffset);
        out.writeIntLE(id);
        out.writeIntLE(rwnd);
        out.writeIntLE(seq);
        out.writeIntLE(ack);
    }

    /**
     * Index (relative to the reader index) of the first payload byte of a non-SACK packet: the header plus
     * {@link #dataOffset} padding bytes (MTU probes pad this way).
     */
    public int payloadStart() {
        return SIZE + dataOffset;
    }

    /**
     * Decodes the selective-ack ranges of a SACK packet as half-open {@code [start, end)} pairs, flattened
     * {@code start0, end0, start1, end1, ...}. As libudx: the range area is {@code dataOffset} bytes when that is
     * positive and smaller than the body, otherwise the whole body; a trailing partial range is ignored.
     * Returns an empty array when the SACK flag is not set.
     */
    public static int[] decodeSackRanges(ByteBuf datagram, UdxHeader header) {
        if (!header.has(SACK)) {
            return new int[0];
        }
        int body = datagram.readableBytes() - SIZE;
        int area = header.dataOffset() > 0 && header.dataOffset() < body ? header.dataOffset() : body;
        int n = area / 8;
        int[] ranges = new int[n * 2];
        int p = datagram.readerIndex() + SIZE;
        for (int k = 0; k < n * 2; k++) {
            ranges[k] = datagram.getIntLE(p + 4 * k);
        }
        return ranges;
    }

    /** Writes {@code count} half-open ranges from {@code ranges} (flattened start/end pairs) after a header. */
    public static void writeSackRanges(ByteBuf out, int[] ranges, int count) {
        if (count < 0 || count * 2 > ranges.length || count > MAX_SACK_RANGES) {
            throw new IllegalArgumentException("SACK range count " + count + " out of 0.." + MAX_SACK_RANGES);
        }
        for (int k = 0; k < count * 2; k++) {
            out.writeIntLE(ranges[k]);
        }
    }

    /** Signed comparison of two wrapping 32-bit sequence numbers: negative if {@code a} is before {@code b}. */
    public static int seqCompare(int a, int b) {
        return a - b;
    }

    @Override
    public String toString() {
        return String.format("UdxHeader[type=0x%02x off=%d id=0x%08x rwnd=%d seq=%d ack=%d]", type, dataOffset, id,
                Integer.toUnsignedLong(rwnd), Integer.toUnsignedLong(seq), Integer.toUnsignedLong(ack));
    }
}
