package io.tunctl.transport.http.wire;

import io.netty.buffer.ByteBuf;

/**
 * The v2 in-band ping: a frame whose packet has version nibble 1, {@code 0x10 | t:u64le | 39 zero bytes}, 48 bytes.
 * The server sends it on a GET; the client echoes the whole frame, header included, on its PUT.
 */
public final class Ping {
    private Ping() {}

    /** Appends a ping frame (62 bytes) stamped with {@code epochMillis}. */
    public static void encode(long epochMillis, ByteBuf out) {
        out.writeShortLE(Wire.PING_LEN);
        out.writeZero(Wire.VNET_HDR_LEN);
        out.writeByte(Wire.PING_VERSION << 4);
        out.writeLongLE(epochMillis * 10_000L + Wire.STD_TIME_EPOCH_TICKS);
        out.writeZero(Wire.PING_LEN - 9);
    }

    /** The sender's time in a decoded ping frame ({@code vnet | packet}), as unix milliseconds. */
    public static long epochMillis(ByteBuf frame) {
        long ticks = frame.getLongLE(frame.readerIndex() + Wire.VNET_HDR_LEN + 1);
        return (ticks - Wire.STD_TIME_EPOCH_TICKS) / 10_000L;
    }
}
