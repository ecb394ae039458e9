package io.tunctl.transport.http.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Splits a GET or PUT body into frames ({@code len:u16le | vnet:12 | packet:len}). HTTP chunk boundaries have no
 * relation to frame boundaries, so this is a byte-stream state machine: feed it whatever arrived.
 *
 * <p>Frames are <em>lent</em> to the sink: the buffer passed to {@link Sink#frame} holds exactly one frame (the
 * 12-byte header then the packet) between its reader and writer index, and is valid only during the call. A
 * frame that lies wholly inside a fed buffer is that buffer with its indices narrowed for the call (then
 * restored), so nothing is copied or allocated; a frame that spans fed buffers is assembled in one buffer the
 * decoder keeps for its lifetime. The sink copies what it needs (into a packet batch, into an outgoing stream).
 */
public final class FrameDecoder {

    /** Receives decoded frames. */
    public interface Sink {
        /**
         * A frame of {@code 12 + len} bytes (header then IP packet), readable in {@code frame}; lent for this call
         * only: copy what you keep, do not release or retain it, do not move its indices.
         */
        void frame(ByteBuf frame) throws java.io.IOException;

        /** A v1 zero-length keep-alive. */
        default void keepAlive() {}
    }

    private final ByteBufAllocator alloc;
    private final boolean acceptKeepAlive;
    private int lowLengthByte = -1;   // first byte of a length prefix split across buffers
    private ByteBuf partial;          // the frame being assembled across buffers (header + packet); reused
    private int partialNeed;          // bytes the partial frame still lacks
    private boolean assembling;
    private boolean lendingAssembled;
    private boolean failed;

    /**
     * @param acceptKeepAlive true for the v1 wire, where {@code 00 00} is a keep-alive; in v2 it is an error
     */
    public FrameDecoder(ByteBufAllocator alloc, boolean acceptKeepAlive) {
        this.alloc = alloc;
        this.acceptKeepAlive = acceptKeepAlive;
    }

    /** Consumes all readable bytes of {@code in} (does not release it). */
    public void feed(ByteBuf in, Sink sink) throws java.io.IOException {
        if (failed) throw new FrameException("stream already failed");
        while (in.isReadable()) {
            if (assembling) {
                int n = Math.min(partialNeed, in.readableBytes());
                partial.writeBytes(in, n);
                partialNeed -= n;
                if (partialNeed > 0) return;
                assembling = false;
                lendingAssembled = true;
                try {
                    sink.frame(partial);
                } finally {
                    lendingAssembled = false;
                }
                partial.clear();
                continue;
            }
            int len;
            if (lowLengthByte >= 0) {
                len = lowLengthByte | (in.readUnsignedByte() << 8);
                lowLengthByte = -1;
            } else if (in.readableBytes() >= Wire.LENGTH_SIZE) {
                int r = in.readerIndex();
                len = in.getUnsignedShortLE(r);
                int body = Wire.VNET_HDR_LEN + len;
                if (len >= Wire.MIN_PACKET && in.readableBytes() >= Wire.LENGTH_SIZE + body) {
                    int w = in.writerIndex();
                    in.setIndex(r + Wire.LENGTH_SIZE, r + Wire.LENGTH_SIZE + body);
                    try {
                        sink.frame(in);
                    } finally {
                        in.setIndex(r + Wire.LENGTH_SIZE + body, w);
                    }
                    continue;
                }
                in.skipBytes(Wire.LENGTH_SIZE);
            } else {
                lowLengthByte = in.readUnsignedByte();
                return;
            }
            if (len == 0) {
                if (!acceptKeepAlive) throw fail("zero frame length (a v1 keep-alive on a v2 stream)");
                sink.keepAlive();
                continue;
            }
            if (len < Wire.MIN_PACKET) throw fail("frame length " + len + " below the minimum " + Wire.MIN_PACKET);
            if (partial == null) partial = alloc.directBuffer(Wire.VNET_HDR_LEN + Wire.MAX_PACKET);
            partial.clear();
            partialNeed = Wire.VNET_HDR_LEN + len;
            assembling = true;
        }
    }

    private FrameException fail(String message) {
        failed = true;
        release();
        return new FrameException(message);
    }

    /**
     * During {@link Sink#frame}: true when the frame lent is one the decoder assembled from several fed buffers
     * (its memory is reused for the next such frame), false when it lies in the buffer being fed (its memory is the
     * caller's, valid as long as the caller keeps that buffer).
     */
    public boolean lendingAssembled() {
        return lendingAssembled;
    }

    /** True when no frame is half received (a stream may end cleanly here). */
    public boolean atFrameBoundary() {
        return !assembling && lowLengthByte < 0;
    }

    /** Frees the assembly buffer; call when the stream ends. */
    public void release() {
        if (partial != null) {
            partial.release();
            partial = null;
        }
        assembling = false;
        lowLengthByte = -1;
    }
}
