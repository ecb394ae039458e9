package io.tunctl.transport.socks.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class Socks5UdpHeaderTest {

    private static InetSocketAddress at(String ip, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    @Test
    void encodesIpv4AsRfc1928Says() throws Exception {
        ByteBuf out = Unpooled.buffer();
        try {
            Socks5UdpHeader.encode(at("192.0.2.7", 53), out);
            // RSV 0000, FRAG 00, ATYP 01, 192.0.2.7, port 53
            assertEquals("000000" + "01" + "c0000207" + "0035", ByteBufUtil.hexDump(out));
            assertEquals(Socks5UdpHeader.IPV4_LENGTH, out.readableBytes());
            assertEquals(Socks5UdpHeader.IPV4_LENGTH, Socks5UdpHeader.length(at("192.0.2.7", 53)));
        } finally {
            out.release();
        }
    }

    @Test
    void encodesIpv6() throws Exception {
        ByteBuf out = Unpooled.buffer();
        try {
            Socks5UdpHeader.encode(at("2001:db8::1", 65535), out);
            assertEquals("000000" + "04" + "20010db8000000000000000000000001" + "ffff", ByteBufUtil.hexDump(out));
            assertEquals(Socks5UdpHeader.IPV6_LENGTH, Socks5UdpHeader.length(at("2001:db8::1", 1)));
        } finally {
            out.release();
        }
    }

    @Test
    void refusesUnresolvedNames() {
        ByteBuf out = Unpooled.buffer();
        try {
            assertThrows(IllegalArgumentException.class,
                    () -> Socks5UdpHeader.encode(InetSocketAddress.createUnresolved("example.org", 53), out));
        } finally {
            out.release();
        }
    }

    @Test
    void roundTripsAndLeavesThePayload() throws Exception {
        Socks5UdpHeader codec = new Socks5UdpHeader();
        for (InetSocketAddress a : new InetSocketAddress[] {at("127.0.0.1", 9999), at("::1", 1), at("198.51.100.200", 0)}) {
            ByteBuf b = Unpooled.buffer();
            try {
                Socks5UdpHeader.encode(a, b);
                b.writeBytes(new byte[] {'h', 'i'});
                assertEquals(a, codec.decode(b));
                assertEquals("6869", ByteBufUtil.hexDump(b));
            } finally {
                b.release();
            }
        }
        assertEquals(0, codec.malformed());
        assertEquals(0, codec.fragments());
    }

    @Test
    void dropsAndCountsFragmentsAndMalformedHeaders() {
        Socks5UdpHeader codec = new Socks5UdpHeader();
        assertNull(decode(codec, "000001" + "01" + "7f000001" + "0035" + "aa")); // FRAG 1
        assertEquals(1, codec.fragments());
        assertNull(decode(codec, "000000"));                                // shorter than RSV+FRAG+ATYP
        assertNull(decode(codec, "000000" + "01" + "7f0000"));              // address cut short
        assertNull(decode(codec, "000000" + "01" + "7f000001" + "00"));     // port cut short
        assertNull(decode(codec, "000000" + "04" + "0000"));                // IPv6 cut short
        assertNull(decode(codec, "000000" + "03" + "03616263" + "0035"));   // a domain name cannot be a source
        assertNull(decode(codec, "000000" + "07" + "7f000001" + "0035"));   // unknown ATYP
        assertNull(decode(codec, "010000" + "01" + "7f000001" + "0035"));   // RSV not zero
        assertEquals(7, codec.malformed());
        assertEquals(1, codec.fragments());
    }

    @Test
    void anEmptyPayloadIsFine() throws Exception {
        Socks5UdpHeader codec = new Socks5UdpHeader();
        assertEquals(at("127.0.0.1", 53), decode(codec, "000000" + "01" + "7f000001" + "0035"));
    }

    private static InetSocketAddress decode(Socks5UdpHeader codec, String hex) {
        ByteBuf b = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex));
        try {
            return codec.decode(b);
        } finally {
            b.release();
        }
    }
}
