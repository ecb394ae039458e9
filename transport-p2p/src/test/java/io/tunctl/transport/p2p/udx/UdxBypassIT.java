package io.tunctl.transport.p2p.udx;

import io.netty.buffer.Unpooled;
import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.InterfaceSpec;
import io.tunctl.core.spi.RouteSpec;
import io.tunctl.core.spi.RuleSpec;
import io.tunctl.core.testkit.Netns;
import io.tunctl.core.testkit.Root;
import io.tunctl.core.tun.LinuxInterface;
import io.tunctl.core.tun.NetworkNamespace;
import io.tunctl.core.tun.SocketBypass;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link UdxSocket#keepOutOfTunnel} keeps a UDX socket's datagrams out of a tunnel that has taken every route:
 * namespace A sends everything unmarked into a TUN (wg-quick's {@code not fwmark 0x51820 lookup 1000}, table 1000
 * {@code default dev tnub0}); B, over a veth, only hears a socket that is marked or bound to the veth.
 */
class UdxBypassIT {
    static final long MARK = 0x51820;

    private Netns a;
    private Netns b;
    private NetworkNamespace inA;
    private NetworkNamespace inB;
    private LinuxInterface tun;

    @BeforeEach
    void setUp() throws IOException {
        Root.require();
        a = Netns.create("tn-ubyp");
        b = Netns.create("tn-ubyp");
        inA = NetworkNamespace.named(a.name());
        inB = NetworkNamespace.named(b.name());
        a.exec("sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0").orThrow();
        a.exec("sysctl", "-qw", "net.ipv4.conf.default.rp_filter=0").orThrow();
        Netns.veth(a, "vubypa", "198.51.100.1/24", b, "vubypb", "198.51.100.2/24");
        tun = inA.call(() -> LinuxInterface.create(new InterfaceSpec("tnub0", 1420,
                List.of(Cidr.parse("192.0.2.1/24")), List.of(RouteSpec.parse("0.0.0.0/0").inTable(1000)),
                List.of(new RuleSpec(4, MARK, null, 1000, 100, true)), false, 1)));
    }

    @AfterEach
    void tearDown() throws IOException {
        try {
            if (tun != null) tun.close();
        } finally {
            if (a != null) a.close();
            if (b != null) b.close();
        }
    }

    private static void send(UdxSocket s, String text, InetSocketAddress to) throws Exception {
        s.send(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII), to).get(5, TimeUnit.SECONDS);
    }

    @Test
    void markedOrBoundUdxSocketReachesThePeerAroundTheTunnel() throws Exception {
        InetSocketAddress peer = new InetSocketAddress("198.51.100.2", 5501);
        InetSocketAddress any = new InetSocketAddress("0.0.0.0", 0);
        try (DatagramChannel server = inB.call(() -> DatagramChannel.open().bind(peer))) {
            server.socket().setSoTimeout(5000);
            for (SocketBypass bypass : List.of(SocketBypass.mark(MARK), SocketBypass.device("vubypa"))) {
                try (UdxSocket plain = inA.call(() -> UdxSocket.bind(any));
                     UdxSocket kept = inA.call(() -> UdxSocket.bind(any))) {
                    send(plain, "into the tunnel", peer);
                    kept.keepOutOfTunnel(bypass);
                    send(kept, "around the tunnel " + bypass, peer);
                    DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
                    server.socket().receive(p);
                    assertEquals("around the tunnel " + bypass,
                            new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII),
                            "the first datagram the peer heard is the kept-out one");
                    assertEquals("198.51.100.1", p.getAddress().getHostAddress());
                }
            }
        }
    }
}
