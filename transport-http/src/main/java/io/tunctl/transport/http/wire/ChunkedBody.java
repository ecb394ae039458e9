package io.tunctl.transport.http.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * HTTP/1.1 chunked transfer coding (RFC 9112 §7.1) for the long-lived stream bodies, written and read here rather
 * than by Netty's HTTP codec: once a stream's head is through, the codec leaves the pipeline and bodies move as
 * plain buffers — no message object per chunk, no chunk-size string, nothing allocated per read or write.
 *
 * <p>Writing: {@link #start} gives a buffer with room for the chunk-size line in front; the caller appends the
 * payload (frames) and {@link #finish} writes the size line into that room and the CRLF after it, so one buffer
 * holds the whole chunk. Reading: a {@link Decoder} per stream, fed whatever arrived.
 */
public final class ChunkedBody {
    private ChunkedBody() {}

    /** Room for the largest size line: 8 hex digits and CRLF. */
    static final int HEADER_ROOM = 10;
    /** The last chunk and an empty trailer section: the end of a body. */
    private static final byte[] LAST = {'0', '\r', '\n', '\r', '\n'};
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** A direct buffer for one chunk of up to {@code payload} bytes (it grows if more is appended). */
    public static ByteBuf start(ByteBufAllocator alloc, int payload) {
        ByteBuf b = alloc.directBuffer(HEADER_ROOM + payload + 2);
        b.setIndex(HEADER_ROOM, HEADER_ROOM);
        return b;
    }

    /** True when nothing was appended to a buffer from {@link #start}. */
    public static boolean isEmpty(ByteBuf chunk) {
        return chunk.writerIndex() == HEADER_ROOM;
    }

    /** Completes a buffer from {@link #start}: its readable bytes become exactly one chunk. */
    public static ByteBuf finish(ByteBuf chunk) {
        int size = chunk.writerIndex() - HEADER_ROOM;
        if (size <= 0) throw new IllegalArgumentException("an empty chunk would end the body");
        int digits = (32 - Integer.numberOfLeadingZeros(size) + 3) / 4;
        int at = HEADER_ROOM - 2 - digits;
        for (int i = digits - 1, v = size; i >= 0; i--, v >>>= 4) chunk.setByte(at + i, HEX[v & 0xf]);
        chunk.setByte(HEADER_ROOM - 2, '\r');
        chunk.setByte(HEADER_ROOM - 1, '\n');
        chunk.writeByte('\r').writeByte('\n');
        chunk.readerIndex(at);
        return chunk;
    }

    /** The end of a chunked body. */
    public static ByteBuf last(ByteBufAllocator alloc) {
        return alloc.buffer(LAST.length).writeBytes(LAST);
    }

    /** Receives the body's bytes: consume every readable byte of {@code data} (lent for the call). */
    @FunctionalInterface
    public interface Data {
        void data(ByteBuf data) throws java.io.IOException;
    }

    /**
     * Reads a chunked body, handing the chunk data to a {@link Data} sink with the buffer's indices narrowed to it
     * (nothing copied). Chunk extensions and trailer fields are skipped. Limits: a size of at most 8 hex digits, a
     * size line (with extensions) of at most 4 KiB, trailers of at most 16 KiB, every line ending in CRLF (a bare
     * LF is refused: a server or proxy on the way may read the body differently); anything else malformed is a
     * {@link FrameException} and the decoder stays failed.
     */
    public static final class Decoder {
        private static final int MAX_LINE = 4096;
        private static final int MAX_TRAILERS = 16384;

        private enum State { SIZE, EXTENSION, SIZE_LF, DATA, DATA_CR, DATA_LF, TRAILER, DONE, FAILED }

        private State state = State.SIZE;
        private int size;
        private int digits;
        private int lineBytes;
        private int remaining;
        private int trailerBytes;
        private int trailerLineBytes;
        private boolean trailerCr;

        /**
         * Consumes readable bytes of {@code in} (does not release it).
         *
         * @return true once the last chunk and the trailer section were read: the body ended. Bytes after it are
         *         left unread.
         */
        public boolean feed(ByteBuf in, Data sink) throws java.io.IOException {
            while (in.isReadable()) {
                switch (state) {
                    case SIZE -> {
                        int c = in.readUnsignedByte();
                        int v = Character.digit(c, 16);
                        if (v >= 0) {
                            if (++digits > 8) throw fail("chunk size longer than 8 hex digits");
                            size = size << 4 | v;
                            if (size < 0) throw fail("chunk size too large");
                        } else if (digits == 0) {
                            throw fail("chunk size line does not start with a hex digit");
                        } else if (c == '\r') {
                            state = State.SIZE_LF;
                        } else if (c == ';' || c == ' ' || c == '\t') {
                            state = State.EXTENSION; // extensions (or whitespace before them): skipped up to the CRLF
                            line(1 + digits);
                        } else {
                            throw fail(c == '\n' ? "chunk size line ends in a bare LF, not CRLF"
                                    : String.format("chunk size followed by 0x%02x, not ';' or CRLF", c));
                        }
                    }
                    case EXTENSION -> {
                        int c = in.readUnsignedByte();
                        if (c == '\r') state = State.SIZE_LF;
                        else if (c == '\n') throw fail("chunk size line ends in a bare LF, not CRLF");
                        else line(1);
                    }
                    case SIZE_LF -> {
                        if (in.readUnsignedByte() != '\n') throw fail("chunk size line: CR not followed by LF");
                        sizeDone();
                    }
                    case DATA -> {
                        int n = Math.min(remaining, in.readableBytes());
                        int r = in.readerIndex();
                        int w = in.writerIndex();
                        in.writerIndex(r + n);
                        try {
                            sink.data(in);
                        } finally {
                            in.setIndex(r + n, w);
                        }
                        remaining -= n;
                        if (remaining == 0) state = State.DATA_CR;
                    }
                    case DATA_CR -> {
                        int c = in.readUnsignedByte();
                        if (c == '\r') state = State.DATA_LF;
                        else throw fail("chunk data not followed by CRLF");
                    }
                    case DATA_LF -> {
                        if (in.readUnsignedByte() != '\n') throw fail("chunk data not followed by CRLF");
                        state = State.SIZE;
                    }
                    case TRAILER -> {
                        int c = in.readUnsignedByte();
                        if (++trailerBytes > MAX_TRAILERS) throw fail("trailer section longer than " + MAX_TRAILERS + " bytes");
                        if (c == '\n') {
                            if (!trailerCr) throw fail("trailer line ends in a bare LF, not CRLF");
                            trailerCr = false;
                            if (trailerLineBytes == 0) {
                                state = State.DONE;
                                return true;
                            }
                            trailerLineBytes = 0;
                        } else if (trailerCr) {
                            throw fail("trailer line: CR not followed by LF");
                        } else if (c == '\r') {
                            trailerCr = true;
                        } else {
                            trailerLineBytes++;
                        }
                    }
                    case DONE -> { return true; }
                    case FAILED -> throw new FrameException("chunked body already failed");
                }
            }
            return state == State.DONE;
        }

        private void line(int n) throws FrameException {
            lineBytes += n;
            if (lineBytes > MAX_LINE) throw fail("chunk size line longer than " + MAX_LINE + " bytes");
        }

        private void sizeDone() {
            if (size == 0) {
                state = State.TRAILER;
            } else {
                remaining = size;
                state = State.DATA;
            }
            size = 0;
            digits = 0;
            lineBytes = 0;
        }

        /** True when the last chunk was read. */
        public boolean ended() { return state == State.DONE; }

        private FrameException fail(String message) {
            state = State.FAILED;
            return new FrameException(message);
        }
    }
}
