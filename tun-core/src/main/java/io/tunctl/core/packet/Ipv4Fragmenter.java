package io.tunctl.core.packet;

import java.lang.foreign.MemorySegment;

/**
 * Splits an IPv4 packet larger than an MTU into fragments (RFC 791 §3.2), one at a time into the caller's
 * buffer: {@link #start} once, then {@link #next} until it returns 0. Fragment data is cut at multiples of 8
 * bytes; the first fragment keeps the whole header, later ones carry only the options whose "copied" flag is set
 * (RFC 791 §3.1), padded with end-of-options to a multiple of 4. Each fragment gets its offset, MF and a fresh
 * header checksum; the transport header, and so its checksum, travels unchanged in the first fragment.
 *
 * <p>A packet that is already a fragment is split further: offsets continue from its own, and its MF is kept
 * on the last piece. A packet with DF set is not split ({@link #DONT_FRAGMENT}: answer it with
 * {@link IcmpReplies#fragmentationNeeded}). One instance is reused across packets; it holds a reference to the
 * packet being split, which must not change until {@link #next} returns 0. Nothing is allocated.
 */
public final class Ipv4Fragmenter {
    /** {@link #start} results besides a fragment count. */
    public static final int FITS = 0, DONT_FRAGMENT = -1, INVALID = -2;

    private static final int OPTION_END = 0, OPTION_NOP = 1, OPTION_COPIED = 0x80;

    private MemorySegment src;
    private long srcOff;
    private int ihl;
    /** Header length of the fragments after the first: 20 plus the copied options, padded. */
    private int laterHeaderLength;
    private int dataLength;
    private int firstChunk, laterChunk;
    /** Data bytes already sent. */
    private int pos;
    /** Fragment offset (bytes) and MF of the packet being split. */
    private int baseOffset;
    private boolean baseMore;

    /**
     * Prepares to split the IPv4 packet at {@code (seg, off, len)} for {@code mtu}.
     *
     * @param mtu largest fragment, 68..65535 (every IPv4 link carries 68 bytes, RFC 791)
     * @return the number of fragments {@link #next} will write; {@link #FITS} if the packet is not longer than
     *     {@code mtu} (send it as it is); {@link #DONT_FRAGMENT} if it is longer and has DF set; {@link #INVALID} if
     *     it is not a well-formed IPv4 packet or its options cannot be walked. In all but the first case
     *     {@link #next} writes nothing.
     * @throws IllegalArgumentException if {@code mtu} is out of range
     */
    public int start(MemorySegment seg, long off, int len, int mtu) {
        if (mtu < IcmpReplies.MIN_MTU4 || mtu > 0xffff) {
            throw new IllegalArgumentException("MTU " + mtu + " not in " + IcmpReplies.MIN_MTU4 + "..65535");
        }
        src = null;
        pos = dataLength = 0;
        if (len < Ipv4.MIN_HEADER_LENGTH || IpPacket.version(seg, off) != 4
                || !IpPacket.validate(seg, off, len).isValid()) {
            return INVALID;
        }
        int total = Ipv4.totalLength(seg, off);
        if (total <= mtu) return FITS;
        if ((Ipv4.flags(seg, off) & Ipv4.FLAG_DF) != 0) return DONT_FRAGMENT;
        int hl = Ipv4.headerLength(seg, off);
        int copied = copiedOptionsLength(seg, off, hl);
        if (copied < 0) return INVALID;
        src = seg;
        srcOff = off;
        ihl = hl;
        laterHeaderLength = Ipv4.MIN_HEADER_LENGTH + ((copied + 3) & ~3);
        dataLength = total - hl;
        firstChunk = (mtu - hl) & ~7;
        laterChunk = (mtu - laterHeaderLength) & ~7;
        baseOffset = Ipv4.fragmentOffset(seg, off);
        baseMore = (Ipv4.flags(seg, off) & Ipv4.FLAG_MF) != 0;
        return 1 + (dataLength - firstChunk + laterChunk - 1) / laterChunk;
    }

    /** Bytes of the options with the copied flag, or -1 if an option runs past the header or is shorter than 2. */
    private static int copiedOptionsLength(MemorySegment s, long off, int hl) {
        int copied = 0;
        for (int i = Ipv4.MIN_HEADER_LENGTH; i < hl; ) {
            int type = Bytes.u8(s, off + i);
            if (type == OPTION_END) break;
            if (type == OPTION_NOP) { i++; continue; }
            if (i + 1 >= hl) return -1;
            int olen = Bytes.u8(s, off + i + 1);
            if (olen < 2 || i + olen > hl) return -1;
            if ((type & OPTION_COPIED) != 0) copied += olen;
            i += olen;
        }
        return copied;
    }

    /**
     * Writes the next fragment at {@code (out, outOff)}, which must not overlap the packet being split.
     *
     * @return its length; 0 when all fragments were written (or {@link #start} returned no count); -1 if it does
     *     not fit in {@code cap} (nothing written, the same fragment is tried again on the next call)
     */
    public int next(MemorySegment out, long outOff, int cap) {
        if (src == null || pos >= dataLength) return 0;
        boolean first = pos == 0;
        int hl = first ? ihl : laterHeaderLength;
        int chunk = Math.min(first ? firstChunk : laterChunk, dataLength - pos);
        if (hl + chunk > cap) return -1;
        if (first) {
            MemorySegment.copy(src, srcOff, out, outOff, ihl);
        } else {
            MemorySegment.copy(src, srcOff, out, outOff, Ipv4.MIN_HEADER_LENGTH);
            writeCopiedOptions(out, outOff + Ipv4.MIN_HEADER_LENGTH, hl - Ipv4.MIN_HEADER_LENGTH);
            Bytes.put8(out, outOff, 0x40 | hl >>> 2);
        }
        boolean more = pos + chunk < dataLength || baseMore;
        Ipv4.setTotalLength(out, outOff, hl + chunk);
        Bytes.put16(out, outOff + Ipv4.OFF_FRAG, (more ? Ipv4.FLAG_MF << 13 : 0) | (baseOffset + pos) >>> 3);
        Checksum.fillIpv4Header(out, outOff);
        MemorySegment.copy(src, srcOff + ihl + pos, out, outOff + hl, chunk);
        pos += chunk;
        if (pos >= dataLength) src = null; // let go of the caller's packet
        return hl + chunk;
    }

    /** The copied options of the source header, then end-of-options padding up to {@code room} bytes. */
    private void writeCopiedOptions(MemorySegment out, long at, int room) {
        int w = 0;
        for (int i = Ipv4.MIN_HEADER_LENGTH; i < ihl; ) {
            int type = Bytes.u8(src, srcOff + i);
            if (type == OPTION_END) break;
            if (type == OPTION_NOP) { i++; continue; }
            int olen = Bytes.u8(src, srcOff + i + 1);
            if ((type & OPTION_COPIED) != 0) {
                MemorySegment.copy(src, srcOff + i, out, at + w, olen);
                w += olen;
            }
            i += olen;
        }
        for (; w < room; w++) Bytes.put8(out, at + w, OPTION_END);
    }

    /** Data bytes of the current packet not yet written. */
    public int remaining() { return dataLength - pos; }
}
