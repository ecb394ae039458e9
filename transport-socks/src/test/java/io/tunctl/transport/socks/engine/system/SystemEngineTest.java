package io.tunctl.transport.socks.engine.system;

import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.tunctl.core.packet.Checksum;
import io.tunctl.core.packet.Icmp;
import io.tunctl.core.packet.IpPacket;
import io.tunctl.core.packet.Ipv4;
import io.tunctl.core.packet.PacketBuilder;
import io.tunctl.core.packet.Tcp;
import io.tunctl.core.packet.Udp;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PacketSink;
import io.tunctl.transport.socks.engine.FlowHandler;
import io.tunctl.transport.socks.engine.TcpFlow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The system engine's packet side without a kernel: packets go in as the TUN would hand them over, and what the
 * engine sends back into the TUN is captured and checked byte by byte (addresses, ports, checksums).
 */
class SystemEngineTest {
    static final int HOST = ip("198.18.0.1"), GATEWAY = ip("198.18.0.2"), TARGET = ip("192.0.2.10");
    static final int LISTEN = 7777;

    private final List<byte[]> sent = new ArrayList<>();
    private final List<TcpFlow> flows = new ArrayList<>();
    private final List<String> datagrams = new ArrayList<>();
    private SystemEngine engine;
    private EventLoop loop;

    @BeforeEach
    void setUp() throws Exception {
        loop = new DefaultEventLoop();
        FlowHandler handler = new FlowHandler() {
            @Override
            public void tcpFlow(TcpFlow flow) { flows.add(flow); }

            @Override
            public void udpDatagram(InetSocketAddress source, InetSocketAddress destination, MemorySegment m, long off, int len) {
                byte[] b = new byte[len];
                MemorySegment.copy(m, ValueLayout.JAVA_BYTE, off, b, 0, len);
                datagrams.add(source + " " + destination + " " + new String(b));
            }
        };
        engine = new SystemEngine(new SystemEngine.Options(InetAddress.getByName("198.18.0.1"), null,
                InetAddress.getByName("198.18.0.2"), null, 1500, 16, 4, Duration.ofSeconds(5), Duration.ZERO, false),
                handler, null, null);
        engine.listening(LISTEN, -1);
        engine.device().deliverTo(() -> new PacketSink() {
            @Override
            public void accept(PacketBatch batch) {
                for (int i = 0; i < batch.size(); i++) {
                    byte[] b = new byte[batch.length(i)];
                    MemorySegment.copy(batch.memory(i), ValueLayout.JAVA_BYTE, batch.offset(i), b, 0, b.length);
                    synchronized (sent) {
                        sent.add(b);
                    }
                }
            }
        });
    }

    @AfterEach
    void tearDown() {
        engine.close();
        loop.shutdownGracefully();
    }

    @Test
    void aSynIsHeldUntilAdmittedThenBothDirectionsAreRewritten() throws Exception {
        write(tcp(HOST, 40000, TARGET, 80, Tcp.SYN, 1000, 0, 0));
        assertEquals(1, flows.size());
        assertEquals(new InetSocketAddress("192.0.2.10", 80), flows.getFirst().destination());
        assertEquals(new InetSocketAddress("198.18.0.1", 40000), flows.getFirst().source());
        assertTrue(sent.isEmpty(), "the SYN waits for the dial");
        write(tcp(HOST, 40000, TARGET, 80, Tcp.SYN, 1000, 0, 0));
        assertEquals(1, flows.size(), "a retransmitted SYN is no new flow");

        loop.submit(() -> flows.getFirst().admit(loop)).get();
        byte[] toListener = only();
        MemorySegment p = MemorySegment.ofArray(toListener);
        assertEquals(GATEWAY, Ipv4.source(p, 0));
        assertEquals(HOST, Ipv4.destination(p, 0));
        assertEquals(LISTEN, Tcp.destinationPort(p, 20));
        int natPort = Tcp.sourcePort(p, 20);
        assertEquals(Tcp.SYN, Tcp.flags(p, 20));
        assertValid(p);

        // the listener's SYN-ACK goes back to the application as if from the target
        write(tcp(HOST, LISTEN, GATEWAY, natPort, Tcp.SYN | Tcp.ACK, 5000, 1001, 0));
        MemorySegment back = MemorySegment.ofArray(only());
        assertEquals(TARGET, Ipv4.source(back, 0));
        assertEquals(HOST, Ipv4.destination(back, 0));
        assertEquals(80, Tcp.sourcePort(back, 20));
        assertEquals(40000, Tcp.destinationPort(back, 20));
        assertValid(back);

        // data from the application reaches the listener's side
        write(tcp(HOST, 40000, TARGET, 80, Tcp.ACK | Tcp.PSH, 1001, 5001, 1200));
        MemorySegment data = MemorySegment.ofArray(only());
        assertEquals(natPort, Tcp.sourcePort(data, 20));
        assertEquals(1200 + 40, IpPacket.length(data, 0));
        assertValid(data);
        assertEquals(1, engine.stats().natEntries());
    }

    @Test
    void aRefusedFlowGetsAResetAndAnUnreachableOneAnIcmpError() throws Exception {
        write(tcp(HOST, 40001, TARGET, 81, Tcp.SYN, 77, 0, 0));
        flows.getFirst().refuse(TcpFlow.Refusal.RESET);
        MemorySegment rst = MemorySegment.ofArray(only());
        assertEquals(TARGET, Ipv4.source(rst, 0));
        assertEquals(Tcp.RST | Tcp.ACK, Tcp.flags(rst, 20));
        assertEquals(78, Tcp.acknowledgment(rst, 20));
        assertValid(rst);
        assertEquals(0, engine.stats().natEntries());

        write(tcp(HOST, 40002, TARGET, 82, Tcp.SYN, 5, 0, 0));
        flows.get(1).refuse(TcpFlow.Refusal.UNREACHABLE);
        MemorySegment icmp = MemorySegment.ofArray(only());
        assertEquals(IpPacket.PROTO_ICMP, Ipv4.protocol(icmp, 0));
        assertEquals(Icmp.V4_DEST_UNREACHABLE, Icmp.type(icmp, 20));
        assertEquals(1, Icmp.code(icmp, 20));
        assertEquals(TARGET, Ipv4.source(icmp, 0));
    }

    @Test
    void pendingDialsAreBoundedAndTheExtraSynIsReset() {
        for (int i = 0; i < 4; i++) write(tcp(HOST, 41000 + i, TARGET, 80, Tcp.SYN, 1, 0, 0));
        assertTrue(sent.isEmpty());
        write(tcp(HOST, 41009, TARGET, 80, Tcp.SYN, 1, 0, 0));
        assertEquals(Tcp.RST | Tcp.ACK, Tcp.flags(MemorySegment.ofArray(only()), 20));
        assertEquals(4, flows.size());
    }

    @Test
    void aSegmentOfNoFlowIsResetAndAStrayResetIsIgnored() {
        write(tcp(HOST, 42000, TARGET, 80, Tcp.ACK, 10, 20, 0));
        assertEquals(Tcp.RST, Tcp.flags(MemorySegment.ofArray(only()), 20));
        write(tcp(HOST, 42000, TARGET, 80, Tcp.RST, 10, 0, 0));
        assertTrue(sent.isEmpty());
    }

    @Test
    void udpGoesToTheHandlerAndAnswersComeBackWholeOrFragmented() {
        MemorySegment seg = Arena.ofAuto().allocate(2000);
        byte[] hello = "hello".getBytes();
        int len = PacketBuilder.udp4(seg, 0, 2000, HOST, 5353 + 1, TARGET, 9999, MemorySegment.ofArray(hello), 0, hello.length, 1);
        write(seg.asSlice(0, len).toArray(ValueLayout.JAVA_BYTE));
        assertEquals(List.of("/198.18.0.1:5354 /192.0.2.10:9999 hello"), datagrams);

        engine.sendUdp(new InetSocketAddress("192.0.2.10", 9999), new InetSocketAddress("198.18.0.1", 5354),
                Unpooled.wrappedBuffer("echo:hello".getBytes()));
        MemorySegment reply = MemorySegment.ofArray(only());
        assertEquals(9999, Udp.sourcePort(reply, 20));
        assertValid(reply);

        engine.sendUdp(new InetSocketAddress("192.0.2.10", 9999), new InetSocketAddress("198.18.0.1", 5354),
                Unpooled.wrappedBuffer(new byte[4000]));
        assertEquals(3, sent.size(), "4028 bytes at MTU 1500: three fragments");
        for (byte[] f : sent) assertTrue(f.length <= 1500);
        sent.clear();

        engine.udpUnreachable(new InetSocketAddress("198.18.0.1", 5354), new InetSocketAddress("192.0.2.10", 9999),
                Unpooled.wrappedBuffer(hello));
        MemorySegment icmp = MemorySegment.ofArray(only());
        assertEquals(Icmp.V4_DEST_UNREACHABLE, Icmp.type(icmp, 20));
        assertEquals(3, Icmp.code(icmp, 20));
        assertEquals(TARGET, Ipv4.source(icmp, 0));
    }

    @Test
    void theGatewayAnswersEchoAndOtherDestinationsDoNot() {
        write(echo(HOST, GATEWAY));
        MemorySegment reply = MemorySegment.ofArray(only());
        assertEquals(Icmp.V4_ECHO_REPLY, Icmp.type(reply, 20));
        assertEquals(GATEWAY, Ipv4.source(reply, 0));
        assertValid(reply);
        write(echo(HOST, TARGET));
        assertTrue(sent.isEmpty());
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private byte[] only() {
        synchronized (sent) {
            assertEquals(1, sent.size(), "packets sent: " + sent.size());
            return sent.removeFirst();
        }
    }

    private void write(byte[] packet) {
        PacketBatch b = PacketBatch.allocate(Arena.ofAuto(), 1, 65535);
        b.add(MemorySegment.ofArray(packet));
        try {
            engine.device().write(b);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void assertValid(MemorySegment p) {
        assertTrue(IpPacket.validate(p, 0, (int) p.byteSize()).isValid());
        assertTrue(Checksum.verifyIpv4Header(p, 0), "IPv4 header checksum");
        assertTrue(Checksum.verifyTransport(p, 0, (int) p.byteSize()), "transport checksum");
    }

    static byte[] tcp(int src, int sport, int dst, int dport, int flags, long seq, long ack, int payload) {
        int len = 40 + payload;
        MemorySegment s = MemorySegment.ofArray(new byte[len]);
        s.set(ValueLayout.JAVA_BYTE, 0, (byte) 0x45);
        Ipv4.setTotalLength(s, 0, len);
        Ipv4.setTtl(s, 0, 64);
        Ipv4.setProtocol(s, 0, IpPacket.PROTO_TCP);
        Ipv4.setSource(s, 0, src);
        Ipv4.setDestination(s, 0, dst);
        Checksum.fillIpv4Header(s, 0);
        Tcp.setSourcePort(s, 20, sport);
        Tcp.setDestinationPort(s, 20, dport);
        Tcp.setSequence(s, 20, seq);
        Tcp.setAcknowledgment(s, 20, ack);
        Tcp.setHeaderLength(s, 20, 20);
        Tcp.setFlags(s, 20, flags);
        Tcp.setWindow(s, 20, 64240);
        for (int i = 0; i < payload; i++) s.set(ValueLayout.JAVA_BYTE, 40 + i, (byte) i);
        Checksum.fillTransport(s, 0, len);
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    static byte[] echo(int src, int dst) {
        MemorySegment s = MemorySegment.ofArray(new byte[28 + 8]);
        s.set(ValueLayout.JAVA_BYTE, 0, (byte) 0x45);
        Ipv4.setTotalLength(s, 0, 36);
        Ipv4.setTtl(s, 0, 64);
        Ipv4.setProtocol(s, 0, IpPacket.PROTO_ICMP);
        Ipv4.setSource(s, 0, src);
        Ipv4.setDestination(s, 0, dst);
        Checksum.fillIpv4Header(s, 0);
        Icmp.setType(s, 20, Icmp.V4_ECHO_REQUEST);
        Icmp.setEchoIdentifier(s, 20, 42);
        Icmp.setEchoSequence(s, 20, 1);
        Checksum.fillTransport(s, 0, 36);
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    static int ip(String dotted) {
        try {
            return Ipv4.toInt(InetAddress.getByName(dotted).getAddress());
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
