package io.tunctl.core.runtime;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.testkit.Netns;
import io.tunctl.core.testkit.Root;
import io.tunctl.core.tun.NetworkNamespace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A server's NAT for its tunnel subnet, in three namespaces; a veth stands for the TUN (NAT does not care what
 * kind of interface the packets come in on):
 *
 * <pre>
 *   cli 10.77.0.2/24 ── tnat0 10.77.0.1/24  srv  out0 198.51.100.1/24 ── 198.51.100.2/24 net
 *   default via 10.77.0.1                     default via 198.51.100.2        (no route back to 10.77.0.0/24)
 * </pre>
 *
 * Without NAT a connection from cli to net cannot come up (net has no way back); with it, net sees the server's
 * address; after close the table is gone and forwarding is back off.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ServerNatNetnsIT {
    @Test
    void masqueradesWhileInstalledAndLeavesNothingAfter() throws Exception {
        Root.require();
        Root.ensureCommand("nft", "nftables");
        try (Netns cli = Netns.create("tn-natc"); Netns srv = Netns.create("tn-nats"); Netns net = Netns.create("tn-natn")) {
            Netns.veth(cli, "c0", "10.77.0.2/24", srv, "tnat0", "10.77.0.1/24");
            Netns.veth(srv, "out0", "198.51.100.1/24", net, "n0", "198.51.100.2/24");
            cli.ip("route", "add", "default", "via", "10.77.0.1");
            srv.ip("route", "add", "default", "via", "198.51.100.2");
            NetworkNamespace s = NetworkNamespace.named(srv.name());
            assertEquals("0", s.call(ServerNatNetnsIT::forwarding));
            ServerSocket listener = NetworkNamespace.named(net.name()).call(() -> {
                ServerSocket ss = new ServerSocket();
                ss.bind(new InetSocketAddress("198.51.100.2", 8080));
                ss.setSoTimeout(5_000);
                return ss;
            });
            try (listener) {
                ServerNat nat = s.call(() -> ServerNat.install("tnat0", Cidr.parse("10.77.0.1/24"), null));
                try {
                    assertEquals("1", s.call(ServerNatNetnsIT::forwarding));
                    assertTrue(srv.exec("nft", "list", "table", "ip", "tunctl_nat_tnat0").stdout()
                            .contains("oifname \"out0\""), "the default route's interface was picked");
                    connect(cli);
                    try (Socket accepted = listener.accept()) {
                        assertEquals("198.51.100.1", ((InetSocketAddress) accepted.getRemoteSocketAddress())
                                .getAddress().getHostAddress(), "net sees the server's address, not the client's");
                    }
                } finally {
                    s.run(nat::close);
                }
                assertEquals("0", s.call(ServerNatNetnsIT::forwarding));
                assertFalse(srv.exec("nft", "list", "tables").stdout().contains("tunctl_nat"));
                assertThrows(SocketTimeoutException.class, () -> {
                    connect(cli);
                    listener.accept(); // a SYN that reaches net cannot be answered: nothing is accepted
                });
            }
        }
    }

    private static void connect(Netns cli) throws IOException {
        NetworkNamespace.named(cli.name()).run(() -> {
            try (Socket c = new Socket()) {
                c.connect(new InetSocketAddress("198.51.100.2", 8080), 2_000);
            } catch (SocketTimeoutException e) {
                // the unNATed case: reported by the accept that never comes
            }
        });
    }

    private static String forwarding() throws IOException {
        return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/net/ipv4/ip_forward")).strip();
    }
}
