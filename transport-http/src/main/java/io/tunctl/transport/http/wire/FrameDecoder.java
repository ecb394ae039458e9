package io.tunctl.transport.http.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Splits a GET or PUT body into frames ({@code len:u16le | vnet:12 | packet:len}). HTTP chunk boundaries have no
 * relation to frame boundaries, so this is a byte-stream state machine: feed it whatever arrived.
 *
 * <p>No bytes are copied: a frame that lies wholly inside one fed buffer is handed out as a retained slice of it,
 * and a frame that spans buffers as a composite of retained slices of each. Buffers already handed out are never
 * moved or reused. Each emitted frame holds the 12-byte header followed by the packet; the sink owns (and must
 * release) it.
 */
public final class FrameDecoder {

    /** Receives decoded frames. */
    public interface Sink {
        /** A frame of {@code 12 + len} bytes (header then IP packet); the callee must release it. */
        void frame(ByteBuf frame) throws java.io.IOException;

        /** A v1 zero-length keep-alive. */
        default void keepAlive() {}
    }

    private final ByteBufAllocator alloc;
    private final boolean acceptKeepAlive;
    private int lowLengthByte = -1;   // first byte of a length prefix split across buffers
    private io.netty.buffer.CompositeByteBuf partial; // frame being assembled across buffers (header + packet)
    private int partialNeed;          // bytes the partial frame still lacks
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
            if (partial != null) {
                int n = Math.min(partialNeed, in.readableBytes());
                partial.addComponent(true, in.readRetainedSlice(n));
                partialNeed -= n;
                if (partialNeed > 0) return;
                ByteBuf f = partial;
                partial = null;
                sink.frame(f);
                continue;
            }
            int len;
            if (lowLengthByte >= 0) {
                len = lowLengthByte | (in.readUnsignedByte() << 8);
                lowLengthByte = -1;
            } else if (in.readableBytes() >= Wire.LENGTH_SIZE) {
                len = in.getUnsignedShortLE(in.readerIndex());
                int body = Wire.VNET_HDR_LEN + len;
                if (len >= Wire.MIN_PACKET && in.readableBytes() >= Wire.LENGTH_SIZE + body) {
                    ByteBuf f = in.retainedSlice(in.readerIndex() + Wire.LENGTH_SIZE, body);
                    in.skipBytes(Wire.LENGTH_SIZE + body);
                    sink.frame(f);
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
            partial = alloc.compositeBuffer(64);
            partialNeed = Wire.VNET_HDR_LEN + len;
        }
    }

    private FrameException fail(String message) {
        failed = true;
        release();
        return new FrameException(message);
    }

    /** True when no frame is half received (a stream may end cleanly here). */
    public boolean atFrameBoundary() {
        return partial == null && lowLengthByte < 0;
    }

    /** Frees a half-received frame. */
    public void release() {
        if (partial != null) {
            partial.release();
            partial = null;
        }
        lowLengthByte = -1;
    }
}
