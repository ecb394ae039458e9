package io.tunctl.transport.socks.proxy;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.tunctl.core.testkit.ProcessRunner;
import io.tunctl.core.testkit.Root;
import io.tunctl.core.tun.SocketBypass;
import io.tunctl.netty.NettyTransport;
import io.tunctl.transport.socks.testkit.ProxyLab;
import io.tunctl.transport.socks.testkit.TcpTarget;
import io.tunctl.transport.socks.testkit.UdpEchoTarget;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every socket an upstream opens carries the bypass mark: checked on the live sockets with {@code ss -e}, which
 * prints {@code fwmark:0x...} per socket. TCP via a proxy and direct, and both sockets of a SOCKS5 association
 * (control connection and UDP socket) plus the direct UDP socket.
 */
class MarkedSocketsIT {
    static final long MARK = 0x5a17;

    @Test
    void everySocketCarriesTheMark() throws Exception {
        Root.require();
        Root.ensureCommand("ss", "iproute2");
        EventLoopGroup group = NettyTransport.BEST.newGroup(1);
        EventLoop loop = group.next();
        UpstreamOptions marked = UpstreamOptions.defaults().withBypass(SocketBypass.mark(MARK));
        try (ProxyLab lab = new ProxyLab();
             TcpTarget echo = TcpTarget.echo(InetAddress.getLoopbackAddress());
             UdpEchoTarget udpEcho = new UdpEchoTarget(InetAddress.getLoopbackAddress(), "e:")) {
            for (String url : List.of(lab.dante(), "direct://")) {
                Upstream u = Upstream.of(ProxyUrl.parse(url), marked);
                Channel ch = Client.await(u.connect(echo.address(), loop));
                try {
                    assertMarked("-t", (InetSocketAddress) ch.localAddress(), url + " tcp");
                } finally {
                    ch.close().sync();
                }
                UdpCollector rx = new UdpCollector();
                UdpAssociation assoc = Client.await(u.associate(loop, rx));
                try {
                    assoc.send(udpEcho.address(), UdpCollector.bytes("m"));
                    assertEquals("e:m", rx.next().text());
                    UdpRelay relay = (UdpRelay) assoc;
                    assertMarked("-u", relay.udp.localAddress(), url + " udp");
                    if (relay instanceof Socks5UdpAssociation s) {
                        // the control connection's local address, found through its peer (the proxy port)
                        String out = ProcessRunner.run(Duration.ofSeconds(10), List.of("ss", "-t", "-nHe", "state",
                                "established", "dport = :" + ProxyUrl.parse(url).port())).orThrow();
                        assertEquals(1, out.strip().lines().count(), "one control connection expected:\n" + out);
                        assertTrue(out.contains("fwmark:0x5a17"), url + " control connection unmarked:\n" + out);
                        assertTrue(s.relay() != null);
                    }
                } finally {
                    assoc.close();
                }
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    private static void assertMarked(String proto, InetSocketAddress local, String what) {
        String out = ss(proto, "sport = :" + local.getPort());
        assertTrue(!out.isBlank(), what + ": socket on port " + local.getPort() + " not found");
        for (String line : out.strip().split("\n")) {
            assertTrue(line.contains("fwmark:0x5a17"), what + ": unmarked socket: " + line);
        }
    }

    /**
     * The sockets matching {@code filter}, but none in TIME-WAIT: the kernel may give a new connection the local port
     * of an earlier one still waiting out its close (to another peer), and such a socket carries no mark.
     */
    private static String ss(String proto, String filter) {
        return ProcessRunner.run(Duration.ofSeconds(10),
                List.of("ss", proto, "-naHe", "state", "all", "exclude", "time-wait", filter)).orThrow();
    }
}
