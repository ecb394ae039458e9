package io.tunctl.transport.p2p.vpn;

import io.tunctl.core.packet.OffloadCheck;
import io.tunctl.core.spi.PacketBatch;

import java.lang.foreign.MemorySegment;

/**
 * The frame that carries a GSO super-packet whole between two tunctl peers that both announced
 * {@code NoisePayload.FEATURE_WHOLE_GSO} in their handshakes. It is the payload of an ordinary nospoon frame
 * ({@link NospoonFraming}), so it may be up to {@link #MAX_FRAME} bytes:
 * <pre>
 *   0x01 | flags u8 | gsoType u8 | hdrLen u16 | gsoSize u16 | csumStart u16 | csumOffset u16 | IP packet
 * </pre>
 * (the fields of {@code struct virtio_net_hdr}, big-endian). The first byte can never begin an IP packet (its
 * version nibble is 0), so a plain frame and this one are told apart by it. A Node nospoon peer never announces the
 * feature and so never receives one. On receipt the metadata is checked against the packet with the core's
 * {@link OffloadCheck} (the rules a TUN write applies) before anything acts on it: a forged or inconsistent header is
 * refused with a reason code, and so is one that would make more than {@link #MAX_SEGMENTS} segments (a forged
 * {@code gso_size} of 1), which the core's check leaves to the kernel. I/O-free.
 */
public final class WholeGso {
    /** The first byte of the frame. */
    public static final int MARKER = 0x01;
    /** Marker and offload fields before the IP packet. */
    public static final int HEADER = 11;
    /** The largest such frame payload: a 65,535-byte IP packet and its header. */
    public static final int MAX_FRAME = NospoonFraming.MAX_PACKET + HEADER;
    /** Most segments a super-packet received whole may make (the bridge's bound for cutting one in Java). */
    public static final int MAX_SEGMENTS = io.tunctl.core.bridge.PacketBridge.MAX_SEGMENTS;
    /** {@link Offload#decode} refusal: shorter than the header plus a minimal IP header. */
    public static final int TRUNCATED = -1;

    private WholeGso() {}

    /** True when {@code buf[off, off+len)} is such a frame rather than a plain IP packet. */
    public static boolean is(byte[] buf, int off, int len) {
        return len > 0 && buf[off] == MARKER;
    }

    /** Writes the header for slot {@code i} of {@code batch} at {@code buf[off]}. */
    public static void header(byte[] buf, int off, PacketBatch batch, int i) {
        buf[off] = MARKER;
        buf[off + 1] = (byte) batch.flags(i);
        buf[off + 2] = (byte) batch.gsoType(i);
        put16(buf, off + 3, batch.hdrLen(i));
        put16(buf, off + 5, batch.gsoSize(i));
        put16(buf, off + 7, batch.csumStart(i));
        put16(buf, off + 9, batch.csumOffset(i));
    }

    /** A received frame's offload fields; one per receiving thread, refilled by {@link #decode}. */
    public static final class Offload {
        public int flags, gsoType, hdrLen, gsoSize, csumStart, csumOffset;

        /**
         * Reads the header of the frame at {@code buf[off, off+len)} and checks it against its packet, which starts at
         * {@code off + HEADER}.
         *
         * @param mtu the MTU of the receiving TUN (one GSO segment must fit it)
         * @return {@link OffloadCheck#OK}, an {@link OffloadCheck} reason, or {@link #TRUNCATED}
         */
        public int decode(byte[] buf, int off, int len, int mtu) {
            if (len < HEADER + 20 || buf[off] != MARKER) return TRUNCATED;
            flags = buf[off + 1] & 0xff;
            gsoType = buf[off + 2] & 0xff;
            hdrLen = get16(buf, off + 3);
            gsoSize = get16(buf, off + 5);
            csumStart = get16(buf, off + 7);
            csumOffset = get16(buf, off + 9);
            int bad = OffloadCheck.check(MemorySegment.ofArray(buf).asSlice(off + HEADER, len - HEADER), len - HEADER,
                    flags, gsoType, hdrLen, gsoSize, csumStart, csumOffset, mtu);
            // more segments than bytes / gso_size is impossible, so this bound never refuses an honest packet
            if (bad == OffloadCheck.OK && gsoType != 0 && (len - HEADER) / gsoSize > MAX_SEGMENTS) {
                return OffloadCheck.TOO_MANY_SEGMENTS;
            }
            return bad;
        }

        /** Sets slot {@code i} of {@code batch} to these fields. */
        public void applyTo(PacketBatch batch, int i) {
            batch.setOffload(i, flags, gsoType, hdrLen, gsoSize, csumStart, csumOffset);
        }
    }

    /** A reason from {@link Offload#decode} as a word for counters and logs. */
    public static String name(int reason) {
        return reason == TRUNCATED ? "truncated" : OffloadCheck.name(reason);
    }

    private static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    private static int get16(byte[] b, int off) {
        return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
    }
}
