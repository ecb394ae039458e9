package io.tunctl.transport.http.wire;

import io.netty.buffer.ByteBuf;
import io.tunctl.core.spi.PacketBatch;

import java.lang.foreign.MemorySegment;

/**
 * Encoding of frames and reading of the fields inside them. A decoded frame (see {@link FrameDecoder}) is
 * {@code vnet:12 | packet}; its header holds the {@code struct virtio_net_hdr} fields in little-endian order.
 */
public final class Frames {
    private Frames() {}

    /** The largest packet a frame carries (a GSO super-packet). */
    public static int maxPacket() {
        return Wire.MAX_PACKET;
    }

    /** Bytes a frame of a {@code len}-byte packet occupies on the wire. */
    public static int wireSize(int len) {
        return Wire.LENGTH_SIZE + Wire.VNET_HDR_LEN + len;
    }

    /** Appends packet {@code i} of {@code batch} as one frame, its offload metadata as the vnet header. */
    public static void encode(PacketBatch batch, int i, ByteBuf out) {
        int len = batch.length(i);
        out.ensureWritable(wireSize(len));
        out.writeShortLE(len);
        out.writeByte(batch.flags(i));
        out.writeByte(batch.gsoType(i));
        out.writeShortLE(batch.hdrLen(i));
        out.writeShortLE(batch.gsoSize(i));
        out.writeShortLE(batch.csumStart(i));
        out.writeShortLE(batch.csumOffset(i));
        out.writeShortLE(0); // num_buffers: meaningless on the wire
        int at = out.writerIndex();
        if (out.hasMemoryAddress()) {
            batch.copyTo(i, out.memoryAddress() + at); // no buffer or segment object per packet
        } else {
            MemorySegment.copy(batch.buffer(i), 0, MemorySegment.ofBuffer(out.nioBuffer(at, len)), 0, len);
        }
        out.writerIndex(at + len);
    }

    /** Where, from a frame's start, a reader that fills frames in place puts the {@code struct virtio_net_hdr}. */
    public static final int HEADER_AT = Wire.LENGTH_SIZE;
    /** Where, from a frame's start, a reader that fills frames in place puts the packet. */
    public static final int PACKET_AT = Wire.LENGTH_SIZE + Wire.VNET_HDR_LEN;

    /**
     * Completes a frame read into place at {@code out}'s writer index (a TUN read straight into the send buffer):
     * the {@code len}-byte packet at {@link #PACKET_AT} and, if {@code headerRead}, the 10-byte
     * {@code struct virtio_net_hdr} (host byte order) at {@link #HEADER_AT}; without one the header is zero (no
     * offload). Writes the length and {@code num_buffers}, puts the fields in the wire's little-endian order, and
     * moves the writer index past the frame.
     */
    public static void completeInPlace(ByteBuf out, int len, boolean headerRead) {
        int at = out.writerIndex();
        out.setShortLE(at, len);
        int h = at + HEADER_AT;
        if (!headerRead) {
            out.setZero(h, Wire.VNET_HDR_LEN);
        } else {
            if (java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.BIG_ENDIAN) {
                for (int f = h + 2; f < h + 10; f += 2) out.setShort(f, Short.reverseBytes(out.getShort(f)));
            }
            out.setShortLE(h + 10, 0); // num_buffers: meaningless on the wire
        }
        out.writerIndex(at + PACKET_AT + len);
    }

    /** Appends a frame made of a decoded frame ({@code vnet | packet}) as it is: forwarding needs no re-encoding. */
    public static void encode(ByteBuf frame, ByteBuf out) {
        out.writeShortLE(frame.readableBytes() - Wire.VNET_HDR_LEN);
        out.writeBytes(frame, frame.readerIndex(), frame.readableBytes());
    }

    /** Appends a frame with a zero header around a plain packet. */
    public static void encodePlain(byte[] packet, ByteBuf out) {
        out.writeShortLE(packet.length);
        out.writeZero(Wire.VNET_HDR_LEN);
        out.writeBytes(packet);
    }

    /** The v1 keep-alive: a zero length and no header. */
    public static void encodeKeepAlive(ByteBuf out) {
        out.writeShortLE(0);
    }

    /** Copies a decoded frame into the next slot of {@code batch}, header fields as offload metadata. */
    public static void decodeInto(ByteBuf frame, PacketBatch batch) {
        int r = frame.readerIndex();
        int len = frame.readableBytes() - Wire.VNET_HDR_LEN;
        int slot = batch.size();
        if (frame.hasMemoryAddress()) {
            batch.addFrom(frame.memoryAddress() + r + Wire.VNET_HDR_LEN, len); // no buffer or segment object per packet
        } else {
            frame.getBytes(r + Wire.VNET_HDR_LEN, batch.buffer(slot).asSlice(0, len).asByteBuffer());
            batch.commit(len);
        }
        batch.setOffload(slot, frame.getUnsignedByte(r), frame.getUnsignedByte(r + 1), frame.getUnsignedShortLE(r + 2),
                frame.getUnsignedShortLE(r + 4), frame.getUnsignedShortLE(r + 6), frame.getUnsignedShortLE(r + 8));
    }

    /**
     * Appends a slot to {@code batch} that refers to the packet inside a decoded frame where it lies, header fields
     * as offload metadata; the frame's memory must outlive the batch's use of it (see
     * {@link PacketBatch#addRef}). A frame without a native address is copied instead.
     */
    public static void referInto(ByteBuf frame, PacketBatch batch) {
        if (!frame.hasMemoryAddress()) {
            decodeInto(frame, batch);
            return;
        }
        int r = frame.readerIndex();
        int slot = batch.addRef(frame.memoryAddress() + r + Wire.VNET_HDR_LEN, frame.readableBytes() - Wire.VNET_HDR_LEN);
        batch.setOffload(slot, frame.getUnsignedByte(r), frame.getUnsignedByte(r + 1), frame.getUnsignedShortLE(r + 2),
                frame.getUnsignedShortLE(r + 4), frame.getUnsignedShortLE(r + 6), frame.getUnsignedShortLE(r + 8));
    }

    /** Length of the IP packet inside a decoded frame. */
    public static int packetLength(ByteBuf frame) {
        return frame.readableBytes() - Wire.VNET_HDR_LEN;
    }

    /** IP version nibble of the packet inside a decoded frame. */
    public static int ipVersion(ByteBuf frame) {
        return frame.getUnsignedByte(frame.readerIndex() + Wire.VNET_HDR_LEN) >>> 4;
    }

    /** True when the frame carries GSO or a partial checksum the receiving side must complete. */
    public static boolean hasOffload(ByteBuf frame) {
        int r = frame.readerIndex();
        return frame.getUnsignedByte(r + 1) != 0 || (frame.getUnsignedByte(r) & 1) != 0;
    }

    /** Copies the destination address (4 or 16 bytes) into {@code out}; false if the packet is too short. */
    public static boolean destination(ByteBuf frame, byte[] out) {
        return address(frame, out, 16, 24);
    }

    /** Copies the source address (4 or 16 bytes) into {@code out}; false if the packet is too short. */
    public static boolean source(ByteBuf frame, byte[] out) {
        return address(frame, out, 12, 8);
    }

    private static boolean address(ByteBuf frame, byte[] out, int v4Offset, int v6Offset) {
        int p = frame.readerIndex() + Wire.VNET_HDR_LEN;
        int len = frame.readableBytes() - Wire.VNET_HDR_LEN;
        int off = out.length == 4 ? v4Offset : v6Offset;
        if (len < off + out.length) return false;
        frame.getBytes(p + off, out);
        return true;
    }
}
