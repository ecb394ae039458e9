package io.tunctl.transport.p2p.udx;

import io.netty.buffer.Unpooled;
import io.tunctl.core.testkit.BypassNet;
import io.tunctl.core.testkit.Netns;
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
 * {@code default dev tnubyp0}); B, over a veth, only hears a socket that is marked or bound to the veth.
 */
class UdxBypassIT {
    static final long MARK = BypassNet.MARK;

    private Netns a;
    private Netns b;
    private NetworkNamespace inA;
    private NetworkNamespace inB;
    private LinuxInterface tun;
    private BypassNet net;

    @BeforeEach
    void setUp() throws IOException {
        net = BypassNet.create("ubyp");
        a = net.a();
        b = net.b();
        inA = net.inA();
        inB = net.inB();
        tun = net.tun();
    }

    @AfterEach
    void tearDown() throws IOException {
        try {
            if (net != null) net.close();
        } finally {
            net = null;
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
