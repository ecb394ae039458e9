package io.tunctl.transport.p2p.vpn;

import io.tunctl.core.packet.Checksum;
import io.tunctl.core.packet.GsoSegmenter;
import io.tunctl.core.packet.OffloadCheck;
import io.tunctl.core.spi.Offload;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.transport.p2p.noise.NoisePayload;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The whole-super-packet frame and its announcement, I/O-free: the header round trip, refusal of forged headers,
 * the larger frames a negotiated decoder takes (and nospoon's does not), and the handshake trailer that Node's
 * decoder never reaches.
 */
class WholeGsoTest {
    private static final HexFormat HEX = HexFormat.of();

    /**
     * A TCP/IPv4 super-packet from 10.0.0.1 to 10.0.0.2 as Linux hands it over: {@code payload} bytes of data cut
     * into {@code gsoSize} segments, the pseudo-header sum in the checksum field.
     */
    static PacketBatch tcpSuperPacket(int payload, int gsoSize, int dstLastOctet) {
        byte[] p = new byte[40 + payload];
        p[0] = 0x45;
        put16(p, 2, p.length);
        p[6] = 0x40;
        p[8] = 64;
        p[9] = 6;
        p[12] = 10;
        p[15] = 1;
        p[16] = 10;
        p[19] = (byte) dstLastOctet;
        put16(p, 10, Checksum.checksum(MemorySegment.ofArray(p), 0, 20));
        put16(p, 20, 40000);
        put16(p, 22, 5201);
        p[32] = 0x50;
        p[33] = 0x10; // ACK
        put16(p, 34, 65000);
        for (int i = 0; i < payload; i++) p[40 + i] = (byte) (i * 7 + 3);
        put16(p, 36, Checksum.fold(Checksum.pseudoHeaderV4(MemorySegment.ofArray(p), 0, 6, p.length - 20)));
        PacketBatch b = PacketBatch.allocate(Arena.ofAuto(), 1, 65535);
        b.add(p, 0, p.length);
        b.setOffload(0, Offload.F_NEEDS_CSUM, Offload.GSO_TCPV4, 40, gsoSize, 20, 16);
        return b;
    }

    private static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    /** The frame payload a sender writes for slot 0 of {@code b}. */
    static byte[] frame(PacketBatch b) {
        byte[] f = new byte[WholeGso.HEADER + b.length(0)];
        WholeGso.header(f, 0, b, 0);
        System.arraycopy(b.toArray(0), 0, f, WholeGso.HEADER, b.length(0));
        return f;
    }

    @Test
    void aSuperPacketRoundTripsWithItsHeader() {
        PacketBatch b = tcpSuperPacket(64000, 1360, 2);
        byte[] f = frame(b);
        assertEquals(WholeGso.MARKER, f[0]);
        assertTrue(WholeGso.is(f, 0, f.length));
        assertEquals("01" + "01" + "01" + "0028" + "0550" + "0014" + "0010", HEX.formatHex(f, 0, WholeGso.HEADER));
        WholeGso.Offload o = new WholeGso.Offload();
        assertEquals(OffloadCheck.OK, o.decode(f, 0, f.length, 1400));
        PacketBatch back = PacketBatch.allocate(Arena.ofAuto(), 1, 65535);
        back.add(f, WholeGso.HEADER, f.length - WholeGso.HEADER);
        o.applyTo(back, 0);
        assertEquals(b.flags(0), back.flags(0));
        assertEquals(b.gsoType(0), back.gsoType(0));
        assertEquals(b.hdrLen(0), back.hdrLen(0));
        assertEquals(b.gsoSize(0), back.gsoSize(0));
        assertEquals(b.csumStart(0), back.csumStart(0));
        assertEquals(b.csumOffset(0), back.csumOffset(0));
        assertArrayEquals(b.toArray(0), back.toArray(0));
        assertEquals(48, GsoSegmenter.segmentCount(back, 0)); // 64000 / 1360, rounded up
    }

    @Test
    void anIpPacketIsNeverTakenForTheFrame() {
        for (int first : new int[] {0x45, 0x4f, 0x60, 0x6f}) {
            assertFalse(WholeGso.is(new byte[] {(byte) first, 0, 0, 0}, 0, 4));
        }
        assertFalse(WholeGso.is(new byte[0], 0, 0));
    }

    @Test
    void forgedHeadersAreRefusedWithTheirReason() {
        byte[] good = frame(tcpSuperPacket(20000, 1360, 2));
        WholeGso.Offload o = new WholeGso.Offload();
        assertEquals(OffloadCheck.GSO_SIZE_ZERO, o.decode(forge(good, 5, 0, 0), 0, good.length, 1400));
        // gso_size 1: 20,000 segments of one byte
        assertEquals(OffloadCheck.TOO_MANY_SEGMENTS, o.decode(forge(good, 5, 0, 1), 0, good.length, 1400));
        assertEquals(OffloadCheck.UNKNOWN_GSO_TYPE, o.decode(forge(good, 2, 9), 0, good.length, 1400));
        assertEquals(OffloadCheck.GSO_UFO, o.decode(forge(good, 2, Offload.GSO_UDP), 0, good.length, 1400));
        assertEquals(OffloadCheck.UNKNOWN_FLAGS, o.decode(forge(good, 1, 0x85), 0, good.length, 1400));
        assertEquals(OffloadCheck.GSO_WITHOUT_CSUM, o.decode(forge(good, 1, 0), 0, good.length, 1400));
        assertEquals(OffloadCheck.HDR_LEN_BEYOND_PACKET, o.decode(forge(good, 3, 0xff, 0xff), 0, good.length, 1400));
        assertEquals(OffloadCheck.CSUM_OFFSET_MISMATCH, o.decode(forge(good, 10, 6), 0, good.length, 1400));
        assertEquals(OffloadCheck.GSO_WRONG_IP_VERSION, o.decode(forge(good, 2, Offload.GSO_TCPV6), 0, good.length,
                1400));
        // one segment must fit the receiving TUN's MTU
        assertEquals(OffloadCheck.GSO_SIZE_ABOVE_MTU, o.decode(good, 0, good.length, 1300));
        // a length that lies about the packet
        byte[] shortened = Arrays.copyOf(good, 2000);
        assertEquals(OffloadCheck.BAD_IP_LENGTH, o.decode(shortened, 0, shortened.length, 1400));
        assertEquals(WholeGso.TRUNCATED, o.decode(good, 0, WholeGso.HEADER + 19, 1400));
        assertEquals("truncated", WholeGso.name(WholeGso.TRUNCATED));
        assertEquals("gso_size_zero", WholeGso.name(OffloadCheck.GSO_SIZE_ZERO));
        // and the original still passes
        assertEquals(OffloadCheck.OK, o.decode(good, 0, good.length, 1400));
    }

    @Test
    void randomHeadersNeverThrowAndWhatPassesCanBeCut() {
        java.util.Random r = new java.util.Random(17);
        byte[] good = frame(tcpSuperPacket(20000, 1360, 2));
        WholeGso.Offload o = new WholeGso.Offload();
        PacketBatch slot = PacketBatch.allocate(Arena.ofAuto(), 1, 65535);
        int passed = 0;
        for (int i = 0; i < 200_000; i++) {
            byte[] f = good.clone();
            // the header's ten bytes at random, now and then a few of the packet's too, and a random length
            for (int k = 1; k < WholeGso.HEADER; k++) if (r.nextInt(3) == 0) f[k] = (byte) r.nextInt(256);
            if (r.nextInt(4) == 0) f[WholeGso.HEADER + r.nextInt(60)] = (byte) r.nextInt(256);
            int len = r.nextInt(8) == 0 ? r.nextInt(f.length + 1) : f.length;
            int bad = o.decode(f, 0, len, 1400);
            if (bad != OffloadCheck.OK) continue;
            passed++;
            slot.clear();
            slot.add(f, WholeGso.HEADER, len - WholeGso.HEADER);
            o.applyTo(slot, 0);
            int n = GsoSegmenter.segmentCount(slot, 0);
            assertTrue(n >= 1 && n <= WholeGso.MAX_SEGMENTS, "segments " + n);
        }
        assertTrue(passed > 1000, "passed " + passed);
    }

    private static byte[] forge(byte[] f, int at, int... bytes) {
        byte[] c = f.clone();
        for (int i = 0; i < bytes.length; i++) c[at + i] = (byte) bytes[i];
        return c;
    }

    @Test
    void aNegotiatedDecoderTakesWholeFramesAndNospoonsDoesNot() {
        byte[] f = frame(tcpSuperPacket(65535 - 40, 1360, 2));
        assertEquals(WholeGso.MAX_FRAME, f.length);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        byte[] h = new byte[4];
        NospoonFraming.header(h, 0, f.length);
        wire.writeBytes(h);
        wire.writeBytes(f);
        byte[] plain = {0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2};
        NospoonFraming.header(h, 0, plain.length);
        wire.writeBytes(h);
        wire.writeBytes(plain);
        byte[] bytes = wire.toByteArray();

        List<byte[]> got = new ArrayList<>();
        NospoonFraming.Decoder whole = new NospoonFraming.Decoder(WholeGso.MAX_FRAME);
        // in three pieces, as UDX may cut a stream
        whole.feed(bytes, 0, 1000, (b, o, l) -> got.add(Arrays.copyOfRange(b, o, o + l)));
        whole.feed(bytes, 1000, 40000, (b, o, l) -> got.add(Arrays.copyOfRange(b, o, o + l)));
        whole.feed(bytes, 41000, bytes.length - 41000, (b, o, l) -> got.add(Arrays.copyOfRange(b, o, o + l)));
        assertEquals(2, got.size());
        assertArrayEquals(f, got.get(0));
        assertArrayEquals(plain, got.get(1));
        assertEquals(0, whole.corrupt());

        got.clear();
        NospoonFraming.Decoder nospoon = new NospoonFraming.Decoder();
        nospoon.feed(bytes, 0, bytes.length, (b, o, l) -> got.add(Arrays.copyOfRange(b, o, o + l)));
        assertTrue(got.isEmpty(), "a length above 65535 is corruption to nospoon");
        assertEquals(1, nospoon.corrupt());

        assertThrows(IllegalArgumentException.class, () -> new NospoonFraming.Decoder(WholeGso.MAX_FRAME + 1));
        assertThrows(IllegalArgumentException.class, () -> new NospoonFraming.Decoder(1500));
    }

    /** hyperdht-wire.md's client noisePayload (flags 0x1a: addresses4, udx, secretStream). */
    private static final String NODE_CLIENT_PAYLOAD = "011a0001017f000001409c0100fe443322110001";

    @Test
    void theTrailerFollowsNodesFieldsAndOnlyTunctlReadsIt() {
        NoisePayload node = NoisePayload.decode(HEX.parseHex(NODE_CLIENT_PAYLOAD));
        assertEquals(0, node.features());
        assertEquals(NODE_CLIENT_PAYLOAD, HEX.formatHex(node.encode()), "no features: the bytes Node sends");

        byte[] announced = node.withFeatures(NoisePayload.FEATURE_WHOLE_GSO).encode();
        // Node's fields unchanged, then "tunctl" and uint 1: compact-encoding's decode stops before it
        assertEquals(NODE_CLIENT_PAYLOAD + HEX.formatHex("tunctl".getBytes()) + "01", HEX.formatHex(announced));
        NoisePayload back = NoisePayload.decode(announced);
        assertEquals(NoisePayload.FEATURE_WHOLE_GSO, back.features());
        assertEquals(node, back.withFeatures(0));

        // a large feature set encodes as a compact uint
        assertEquals(0x1_0000_0001L, NoisePayload.decode(node.withFeatures(0x1_0000_0001L).encode()).features());
        // what is not a well-formed trailer is ignored, as Node ignores any trailing bytes
        for (String junk : new String[] {"00", "ff", "74756e63746c", "74756e63746cfd01", "74756e63746dff01"}) {
            NoisePayload p = NoisePayload.decode(HEX.parseHex(NODE_CLIENT_PAYLOAD + junk));
            assertEquals(0, p.features(), junk);
            assertEquals(node.udx(), p.udx());
        }
        assertThrows(IllegalArgumentException.class, () -> node.withFeatures(-1));
        // a payload of another version keeps only its version (and so announces nothing)
        assertEquals(0, NoisePayload.decode(HEX.parseHex("02" + HEX.formatHex("tunctl".getBytes()) + "01"))
                .features());
    }

    @Test
    void aServerPayloadWithEveryOptionalFieldStillEndsBeforeTheTrailer() {
        NoisePayload p = new NoisePayload(1, 0, NoisePayload.FIREWALL_CONSISTENT,
                new NoisePayload.Holepunch(7, List.of(new NoisePayload.Relay(
                        new InetSocketAddress("192.0.2.9", 49737), new InetSocketAddress("198.51.100.3", 40000)))),
                List.of(new InetSocketAddress("192.0.2.2", 49737)),
                List.of(new InetSocketAddress("2001:db8::2", 49737)), new NoisePayload.Udx(1, true, 0x11223344L, 0),
                new NoisePayload.SecretStream(1), new NoisePayload.RelayThrough(1, new byte[32], new byte[32]),
                List.of(new InetSocketAddress("192.0.2.9", 49737)), NoisePayload.FEATURE_WHOLE_GSO);
        byte[] withTrailer = p.encode();
        byte[] without = p.withFeatures(0).encode();
        assertEquals(without.length + 7, withTrailer.length);
        assertArrayEquals(without, Arrays.copyOf(withTrailer, without.length));
        assertEquals(p, NoisePayload.decode(withTrailer));
    }
}
