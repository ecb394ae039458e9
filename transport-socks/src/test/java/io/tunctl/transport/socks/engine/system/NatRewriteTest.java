package io.tunctl.transport.socks.engine.system;

import io.tunctl.core.packet.Checksum;
import io.tunctl.core.packet.IpPacket;
import io.tunctl.core.packet.Ipv4;
import io.tunctl.core.packet.Ipv6;
import io.tunctl.core.packet.Tcp;
import io.tunctl.core.spi.Offload;
import io.tunctl.core.spi.PacketBatch;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The in-place NAT keeps checksums right for packets with a full checksum and for the kernel's partial ones
 * (VIRTIO_NET_HDR_F_NEEDS_CSUM: the field holds the pseudo-header sum), which are completed afterwards as the
 * kernel would; both must verify after the rewrite.
 */
class NatRewriteTest {
    private final Random random = new Random(3);

    @Test
    void ipv4FullAndPartialChecksumsStayRight() {
        for (int round = 0; round < 200; round++) {
            for (boolean partial : new boolean[] {false, true}) {
                PacketBatch b = PacketBatch.allocate(Arena.ofAuto(), 1, 65535);
                MemorySegment s = b.buffer(0);
                int payload = random.nextInt(3000);
                int len = tcp4(s, payload);
                b.commit(len);
                if (partial) makePartial(b, s, len, 20);
                NatRewrite.ipv4(b, 0, s, 0, len, 20, random.nextInt(), random.nextInt(65536), random.nextInt(),
                        random.nextInt(65536));
                if (partial) Checksum.completePartial(s, len, b.csumStart(0), b.csumOffset(0));
                assertTrue(Checksum.verifyIpv4Header(s, 0));
                assertTrue(Checksum.verifyTransport(s, 0, len), "partial=" + partial + " round " + round);
            }
        }
    }

    @Test
    void ipv6FullAndPartialChecksumsStayRight() {
        for (int round = 0; round < 200; round++) {
            for (boolean partial : new boolean[] {false, true}) {
                PacketBatch b = PacketBatch.allocate(Arena.ofAuto(), 1, 65535);
                MemorySegment s = b.buffer(0);
                int len = tcp6(s, random.nextInt(3000));
                b.commit(len);
                if (partial) makePartial(b, s, len, 40);
                NatRewrite.ipv6(b, 0, s, 0, len, 40, random.nextLong(), random.nextLong(), random.nextInt(65536),
                        random.nextLong(), random.nextLong(), random.nextInt(65536));
                if (partial) Checksum.completePartial(s, len, b.csumStart(0), b.csumOffset(0));
                assertTrue(Checksum.verifyTransport(s, 0, len), "partial=" + partial + " round " + round);
                assertEquals(6, IpPacket.version(s, 0));
            }
        }
    }

    /** As the kernel hands a locally sent segment over: the field holds the folded pseudo-header sum. */
    private static void makePartial(PacketBatch b, MemorySegment s, int len, int t) {
        int pseudo = IpPacket.version(s, 0) == 4
                ? Checksum.pseudoHeaderV4(s, 0, IpPacket.PROTO_TCP, len - t)
                : Checksum.pseudoHeaderV6(s, 0, IpPacket.PROTO_TCP, len - t);
        Tcp.setChecksum(s, t, pseudo);
        b.setOffload(0, Offload.F_NEEDS_CSUM, 0, 0, 0, t, Tcp.OFF_CHECKSUM);
    }

    private int tcp4(MemorySegment s, int payload) {
        int len = 20 + 20 + payload;
        s.asSlice(0, len).fill((byte) 0);
        s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 0x45);
        Ipv4.setTotalLength(s, 0, len);
        Ipv4.setTtl(s, 0, 64);
        Ipv4.setProtocol(s, 0, IpPacket.PROTO_TCP);
        Ipv4.setSource(s, 0, random.nextInt());
        Ipv4.setDestination(s, 0, random.nextInt());
        Checksum.fillIpv4Header(s, 0);
        fillTcp(s, 20, payload);
        Checksum.fillTransport(s, 0, len);
        return len;
    }

    private int tcp6(MemorySegment s, int payload) {
        int len = 40 + 20 + payload;
        s.asSlice(0, len).fill((byte) 0);
        s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 0x60);
        s.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), Ipv6.OFF_PAYLOAD_LENGTH, (short) (len - 40));
        s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, Ipv6.OFF_NEXT_HEADER, (byte) IpPacket.PROTO_TCP);
        s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, Ipv6.OFF_HOP_LIMIT, (byte) 64);
        for (int i = 0; i < 32; i++) s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, Ipv6.OFF_SRC + i, (byte) random.nextInt());
        fillTcp(s, 40, payload);
        Checksum.fillTransport(s, 0, len);
        return len;
    }

    private void fillTcp(MemorySegment s, int t, int payload) {
        Tcp.setSourcePort(s, t, random.nextInt(65536));
        Tcp.setDestinationPort(s, t, random.nextInt(65536));
        Tcp.setSequence(s, t, random.nextInt());
        Tcp.setHeaderLength(s, t, 20);
        Tcp.setFlags(s, t, Tcp.ACK);
        Tcp.setWindow(s, t, 65535);
        for (int i = 0; i < payload; i++) s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, t + 20 + i, (byte) random.nextInt());
    }
}
