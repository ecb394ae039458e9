package io.tunctl.transport.http.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PacketCheckTest {
    private static ByteBuf v4(int len, int ihlWords, int totalLength) {
        ByteBuf b = Unpooled.buffer(len + 3).writeZero(3 + len); // the packet starts at 3: offsets are honoured
        b.setByte(3, 0x40 | ihlWords);
        b.setShort(3 + 2, totalLength);
        return b;
    }

    private static ByteBuf v6(int len, int payloadLength) {
        ByteBuf b = Unpooled.buffer(len).writeZero(len);
        b.setByte(0, 0x60);
        b.setShort(4, payloadLength);
        return b;
    }

    @Test
    void consistentHeadersPass() {
        assertEquals(PacketCheck.OK, PacketCheck.check(v4(60, 5, 60), 3, 60, false));
        assertEquals(PacketCheck.OK, PacketCheck.check(v4(60, 15, 60), 3, 60, false));
        assertEquals(PacketCheck.OK, PacketCheck.check(v6(1280, 1240), 0, 1280, true));
    }

    @Test
    void headersThatDisagreeWithTheFrameAreMalformed() {
        assertEquals(PacketCheck.MALFORMED, PacketCheck.check(v4(60, 4, 60), 3, 60, false), "IHL below 5");
        assertEquals(PacketCheck.MALFORMED, PacketCheck.check(v4(40, 15, 40), 3, 40, false), "IHL past the end");
        assertEquals(PacketCheck.MALFORMED, PacketCheck.check(v4(60, 5, 80), 3, 60, false), "total length above the frame");
        assertEquals(PacketCheck.MALFORMED, PacketCheck.check(v4(60, 5, 40), 3, 60, false), "total length below the frame");
        assertEquals(PacketCheck.MALFORMED, PacketCheck.check(v4(19, 5, 19), 3, 19, false), "shorter than a header");
        assertEquals(PacketCheck.MALFORMED, PacketCheck.check(v6(100, 100), 0, 100, true), "payload length above");
        assertEquals(PacketCheck.MALFORMED, PacketCheck.check(v6(39, 0), 0, 39, true), "shorter than a header");
    }

    @Test
    void ipv6FromAPeerWithoutIpv6AndOtherVersionsAreTheWrongFamily() {
        assertEquals(PacketCheck.FAMILY, PacketCheck.check(v6(1280, 1240), 0, 1280, false));
        ByteBuf v5 = v4(60, 5, 60).setByte(3, 0x55);
        assertEquals(PacketCheck.FAMILY, PacketCheck.check(v5, 3, 60, true));
    }
}
