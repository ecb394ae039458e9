package io.tunctl.transport.p2p.udx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Header codec against datagrams captured from udx-native 1.21.3 (udx-wire.md section 13). */
class UdxHeaderTest {

    private static final int A = 0x11223344;
    private static final int B = 0xa1b2c3d4;

    private static ByteBuf hex(String s) {
        return Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(s.replaceAll("[^0-9a-fA-F]", "")));
    }

    private static String encode(UdxHeader h, byte[] body) {
        ByteBuf out = Unpooled.buffer();
        h.encode(out);
        out.writeBytes(body);
        return ByteBufUtil.hexDump(out);
    }

    @Test
    void firstDataPacketV1() throws Exception {
        ByteBuf v1 = hex("ff|01|01|00|d4c3b2a1|00004000|00000000|00000000|68656c6c6f");
        UdxHeader h = UdxHeader.decode(v1);
        assertEquals(new UdxHeader(UdxHeader.DATA, 0, B, 4194304, 0, 0), h);
        assertEquals("hello", v1.toString(v1.readerIndex() + h.payloadStart(), 5, StandardCharsets.US_ASCII));
        assertEquals(ByteBufUtil.hexDump(v1), encode(h, "hello".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(B, UdxHeader.peekId(v1));
    }

    @Test
    void pureAckV2AndHeartbeatV4c() throws Exception {
        UdxHeader ack = UdxHeader.decode(hex("ff|01|00|00|44332211|00004000|00000000|01000000"));
        assertEquals(new UdxHeader(0, 0, A, 4194304, 0, 1), ack);
        UdxHeader hb = UdxHeader.decode(hex("ff|01|20|00|d4c3b2a1|00004000|01000000|01000000"));
        assertTrue(hb.has(UdxHeader.HEARTBEAT));
        assertFalse(hb.has(UdxHeader.DATA));
    }

    @Test
    void dataEndV6AndDestroyV7() throws Exception {
        UdxHeader de = UdxHeader.decode(hex("ff010300 d4c3b2a1 00004000 00000000 00000000 627965"));
        assertTrue(de.has(UdxHeader.DATA) && de.has(UdxHeader.END));
        UdxHeader d = UdxHeader.decode(hex("ff|01|10|00|d4c3b2a1|00004000|01000000|00000000"));
        assertEquals(UdxHeader.DESTROY, d.type());
        assertEquals(1, d.seq());
    }

    @Test
    void sackRangesV8() throws Exception {
        ByteBuf v8 = hex("ff010400 44332211 00004000 00000000 01000000 02000000 03000000 04000000 06000000");
        UdxHeader h = UdxHeader.decode(v8);
        assertEquals(1, h.ack());
        assertArrayEquals(new int[] {2, 3, 4, 6}, UdxHeader.decodeSackRanges(v8, h));
        ByteBuf out = Unpooled.buffer();
        h.encode(out);
        UdxHeader.writeSackRanges(out, new int[] {2, 3, 4, 6}, 2);
        assertEquals(ByteBufUtil.hexDump(v8), ByteBufUtil.hexDump(out));
        // a trailing partial range is ignored, as libudx rounds the area down to whole 8-byte ranges
        ByteBuf partial = hex("ff010400 44332211 00004000 00000000 01000000 02000000 03000000 0400");
        assertArrayEquals(new int[] {2, 3}, UdxHeader.decodeSackRanges(partial, UdxHeader.decode(partial)));
    }

    @Test
    void mtuProbePaddingV9() throws Exception {
        ByteBuf v9 = hex("ff 01 01 20 d4c3b2a1 00004000 1e000000 00000000" + "00".repeat(32) + "61".repeat(1152));
        UdxHeader h = UdxHeader.decode(v9);
        assertEquals(32, h.dataOffset());
        assertEquals(30, h.seq());
        assertEquals(52, h.payloadStart());
        assertEquals(1152, v9.readableBytes() - h.payloadStart());
    }

    @Test
    void wrappingSequenceNumbersV10() throws Exception {
        UdxHeader h = UdxHeader.decode(hex("ff010100 d4c3b2a1 00004000 feffffff 00000000"));
        assertEquals(0xfffffffe, h.seq());
        assertTrue(UdxHeader.seqCompare(0, h.seq()) > 0);
        assertTrue(UdxHeader.seqCompare(h.seq(), 1) < 0);
    }

    @Test
    void demultiplexingV12() {
        assertFalse(UdxHeader.isUdx(hex("00")));
        assertFalse(UdxHeader.isUdx(hex("0300000000")));
        assertFalse(UdxHeader.isUdx(hex("ff020800 d4c3b2a1 00000000 00000000 00000000")));
        assertFalse(UdxHeader.isUdx(hex("ff010800 d4c3b2a1 00000000 00000000 000000")));
        assertTrue(UdxHeader.isUdx(hex("ff010800 d4c3b2a1 00000000 00000000 00000000 6869")));
    }

    @Test
    void rejectsMalformedWithNamedField() {
        assertTrue(assertThrows(UdxCodecException.class, () -> UdxHeader.decode(hex("ff01")))
                .getMessage().contains("too short"));
        assertTrue(assertThrows(UdxCodecException.class,
                () -> UdxHeader.decode(hex("fe010000 00000000 00000000 00000000 00000000")))
                .getMessage().contains("magic"));
        assertTrue(assertThrows(UdxCodecException.class,
                () -> UdxHeader.decode(hex("ff020000 00000000 00000000 00000000 00000000")))
                .getMessage().contains("version 2"));
        assertTrue(assertThrows(UdxCodecException.class,
                () -> UdxHeader.decode(hex("ff010105 00000000 00000000 00000000 00000000 6162")))
                .getMessage().contains("data offset 5"));
        assertThrows(IllegalArgumentException.class, () -> new UdxHeader(0, 256, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new UdxHeader(0x100, 0, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class,
                () -> UdxHeader.writeSackRanges(Unpooled.buffer(), new int[102], 51));
    }
}
