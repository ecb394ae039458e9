package io.tunctl.transport.http.it;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.packet.OffloadCheck;
import io.tunctl.core.runtime.DefaultTunnelContext;
import io.tunctl.core.testkit.Netns;
import io.tunctl.core.testkit.OffloadCases;
import io.tunctl.core.testkit.OffloadCases.Case;
import io.tunctl.core.testkit.Root;
import io.tunctl.core.tun.LinuxInterface;
import io.tunctl.core.tun.NetworkNamespace;
import io.tunctl.transport.http.HttpTunnel;
import io.tunctl.transport.http.config.Endpoints;
import io.tunctl.transport.http.server.HttpTunnelServer;
import io.tunctl.transport.http.wire.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A peer forges virtio-net headers: a raw PUT stream over a real TCP connection to a running http server on
 * loopback, in a namespace of the test's own, whose TUN takes vnet headers. Each forged frame is dropped and
 * counted, by the server's packet check when its IP lengths disagree with the frame
 * ({@code tunctl_http_malformed_packets_total}) and otherwise by its TUN ({@code tunctl_http_tun_offload_drops_total}),
 * and the kernel never sees it (the TUN's rx counters do not move); a valid UDP GSO frame sent after them arrives as datagrams.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ForgedOffloadHttpIT {
    private static final String DEV = "tnhofl0";
    private static final int MTU = 1400;
    private static final byte[] CLIENT = Cidr.parseAddress("192.0.2.2");
    private static final byte[] SERVER = Cidr.parseAddress("192.0.2.1");
    private static final String[] RX = {"rx_packets", "rx_bytes", "rx_errors", "rx_dropped", "rx_frame_errors"};

    @Test
    void forgedHeadersFromAPeerAreCountedAndNeverReachTheKernel() throws Exception {
        Root.require();
        try (Netns ns = Netns.create("tn-hofl")) {
            NetworkNamespace netns = NetworkNamespace.named(ns.name());
            Endpoints.Peer peer = new Endpoints.Peer(HexFormat.of().parseHex(Tokens.sha1Hex("test")), CLIENT,
                    List.of(), List.of(), null);
            Endpoints.Server spec = new Endpoints.Server(DEV, 0, "127.0.0.1", Cidr.parse("192.0.2.1/24"), MTU,
                    List.of(), List.of(), List.of(peer), null, new InetSocketAddress("127.0.0.1", 0), true,
                    new Endpoints.Mark(0, 0));
            DefaultTunnelContext ctx = new DefaultTunnelContext(LinuxInterface::create, null,
                    System.getLogger("tunctl.test.forged-offload"));
            // the TUN, the listeners and the UDP receiver are made inside the namespace and stay there
            HttpTunnel tunnel = netns.call(() -> HttpTunnel.open(List.of(spec), ctx, null));
            DatagramChannel udp = netns.call(() -> DatagramChannel.open(StandardProtocolFamily.INET)
                    .bind(new InetSocketAddress("192.0.2.1", 5300)));
            try {
                HttpTunnelServer server = tunnel.servers().getFirst();
                assertEquals(0, offloadDrops(RawHttp.metrics(netns, server.adminPort())));
                Map<String, Long> before = rx(ns);

                // every forged IPv4 case the server routes to its TUN (IPv4 by the version nibble)
                List<Case> forged = OffloadCases.forged(CLIENT, SERVER, Cidr.parseAddress("2001:db8::2"),
                        Cidr.parseAddress("2001:db8::1"), MTU).stream().filter(c -> c.ipVersion() == 4).toList();
                Case valid = OffloadCases.udp(CLIENT, SERVER, 5300, 3000, 1000);
                try (Socket s = netns.call(() -> {
                    Socket so = new Socket();
                    so.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
                    return so;
                })) {
                    s.setSoTimeout(10_000);
                    OutputStream out = s.getOutputStream();
                    out.write(("PUT /ip HTTP/1.1\r\nHost: tunctl\r\nx-api-key: test\r\nTransfer-Encoding: chunked\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    for (Case c : forged) RawHttp.chunk(out, c.frame());
                    RawHttp.chunk(out, valid.frame());
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    String status = RawHttp.readLine(s.getInputStream());
                    assertEquals("HTTP/1.1 200 OK", status, "the server took the whole PUT body");
                }

                udp.socket().setSoTimeout(5000);
                byte[] packet = valid.packet();
                for (int k = 0; k < 3; k++) {
                    DatagramPacket d = new DatagramPacket(new byte[2048], 2048);
                    udp.socket().receive(d);
                    assertArrayEquals(Arrays.copyOfRange(packet, 28 + k * 1000, 28 + (k + 1) * 1000),
                            Arrays.copyOf(d.getData(), d.getLength()), "datagram " + k + " of the valid frame");
                }

                String metrics = RawHttp.metrics(netns, server.adminPort());
                // a forged frame whose IP lengths disagree with it is caught by the server's packet check first;
                // every other one by the TUN's offload check
                assertEquals(forged.size(), offloadDrops(metrics) + RawHttp.sample(metrics, "tunctl_http_malformed_packets_total\\{interface=\"" + DEV + "\"}"),
                        "every forged frame counted:\n" + metrics);
                assertTrue(metrics.contains("tunctl_http_client_rx_packets_total{interface=\"" + DEV
                        + "\",client=\"192.0.2.2\"} " + (forged.size() + 1)), metrics);
                Map<String, Long> after = rx(ns);
                assertEquals(before.get("rx_packets") + 1, after.get("rx_packets"),
                        "only the valid frame reached the kernel: " + before + " -> " + after);
                for (String k : RX) {
                    if (!k.equals("rx_packets") && !k.equals("rx_bytes")) assertEquals(before.get(k), after.get(k), k);
                }
                System.out.printf("http peer: %d forged frames (%s) dropped and counted by the server's TUN; kernel rx %s"
                        + " -> %s%n", forged.size(), forged.stream().map(c -> OffloadCheck.name(c.reason())).toList(),
                        before, after);
            } finally {
                udp.close();
                tunnel.close();
                ctx.close();
            }
        }
    }

    private static long offloadDrops(String metrics) {
        return RawHttp.sample(metrics, "tunctl_http_tun_offload_drops_total\\{interface=\"" + DEV + "\"}");
    }

    /** The TUN's rx counters as the kernel keeps them, read inside the namespace. */
    private static Map<String, Long> rx(Netns ns) {
        String[] cmd = new String[RX.length + 1];
        cmd[0] = "cat";
        for (int i = 0; i < RX.length; i++) cmd[i + 1] = "/sys/class/net/" + DEV + "/statistics/" + RX[i];
        String[] values = ns.exec(cmd).orThrow().trim().split("\\s+");
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < RX.length; i++) m.put(RX[i], Long.parseLong(values[i]));
        return m;
    }
}
