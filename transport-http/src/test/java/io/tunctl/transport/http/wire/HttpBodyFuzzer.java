package io.tunctl.transport.http.wire;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.tunctl.core.testkit.AllocationBound;

/**
 * Coverage-guided fuzz target for a stream body as a peer sends it: the HTTP/1.1 chunked coding
 * ({@link ChunkedBody.Decoder}) and inside it the frames ({@link FrameDecoder}), with {@link PacketCheck} on every
 * frame, exactly as the server and client stack them. Input: one control byte (bit 0: the v1 wire, where
 * {@code 00 00} is a keep-alive; bit 1: the body is chunked; the rest seeds where the body is cut into the pieces
 * the decoders are fed, so state carried across reads is exercised), then the body. Property: only the
 * documented {@link FrameException}; each frame lent holds exactly {@code 12 + len} bytes with
 * {@code 20 <= len <= 65535}; allocation at most {@value #BASE} bytes plus {@value #PER_BYTE} per input byte
 * (the buffer wrappers of the pieces; the decoder's own assembly buffer is one 64 KiB direct buffer).
 */
public class HttpBodyFuzzer {
    static final long BASE = 65536;
    static final long PER_BYTE = 128;
    private static final UnpooledByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false);

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        if (data.length == 0) return;
        AllocationBound.check("http body", data.length, BASE, PER_BYTE, () -> body(data));
    }

    @FuzzTest(maxDuration = "10s")
    void fuzz(byte[] data) throws Exception {
        fuzzerTestOneInput(data);
    }

    private static void body(byte[] data) {
        int control = data[0] & 0xff;
        boolean v1 = (control & 1) != 0, chunked = (control & 2) != 0;
        FrameDecoder frames = new FrameDecoder(ALLOC, v1);
        ChunkedBody.Decoder chunks = new ChunkedBody.Decoder();
        FrameDecoder.Sink sink = f -> {
            int n = f.readableBytes();
            if (n < Wire.VNET_HDR_LEN + Wire.MIN_PACKET || n > Wire.VNET_HDR_LEN + Wire.MAX_PACKET) {
                throw new AssertionError("a frame of " + n + " bytes was lent");
            }
            PacketCheck.check(f, f.readerIndex() + Wire.VNET_HDR_LEN, n - Wire.VNET_HDR_LEN, (control & 4) != 0);
        };
        int seed = control >>> 3;
        try {
            for (int p = 1; p < data.length; ) {
                seed = seed * 1103515245 + 12345;
                int n = Math.min(data.length - p, 1 + ((seed >>> 16) & 0x3ff));
                ByteBuf piece = Unpooled.wrappedBuffer(data, p, n);
                p += n;
                if (chunked) {
                    if (chunks.feed(piece, d -> frames.feed(d, sink))) break;
                } else {
                    frames.feed(piece, sink);
                }
            }
        } catch (FrameException documented) {
            documented.getMessage();
        } catch (java.io.IOException e) {
            throw new AssertionError("an IOException other than FrameException", e);
        } finally {
            frames.release();
        }
    }
}
