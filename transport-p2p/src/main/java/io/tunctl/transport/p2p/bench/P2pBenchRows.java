package io.tunctl.transport.p2p.bench;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.Benchmarkable;
import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The p2p transport's rows in {@code tunctl bench}. Bench-only: registered as a {@link Benchmarkable} service of its
 * own, never used by the transport itself, never exported.
 *
 * <p>Both rows run on a private DHT of three {@code tunctl p2p node}s in B (with one node both peers stay
 * firewalled), so the tunnel is found, punched and keyed exactly as on the public DHT, only without the internet.
 * <ul>
 *   <li>{@code p2p}: tunctl ↔ tunctl, nospoon's own config files (server in B, client in A, peers mode);</li>
 *   <li>{@code p2p-node}: the tunctl client in A ↔ a Node peer speaking nospoon's framing over {@code hyperdht} from
 *       npm in B ({@code nospoon-peer.js}, what nospoon 0.4.0 puts on the wire), whose packets reach a kernel TUN
 *       through a tunctl udp tunnel on B's loopback. hyperdht is installed once into the bench's cache.</li>
 * </ul>
 */
public final class P2pBenchRows implements Benchmarkable {
    /** The hyperdht the tests pin (transport-p2p's test package.json). */
    static final String HYPERDHT = "hyperdht@6.34.0";
    private static final HexFormat HEX = HexFormat.of();
    // fixed identities: the bench's namespaces are private, and fixed keys make the logs comparable between runs
    private static final byte[] SERVER_SEED = seed(0xb5);
    private static final byte[] CLIENT_SEED = seed(0xc1);

    @Override
    public String transport() { return "p2p"; }

    @Override
    public List<Setup> benchSetups(Network net) {
        return List.of(tunctlToTunctl(net), tunctlToNode(net));
    }

    /** Row {@code p2p}: nospoon's server config in B, its client config in A. */
    private static Setup tunctlToTunctl(Network net) {
        String server = String.join("\n",
                "// nospoon's server config, plus tunctl's bootstrap and port",
                "{",
                "  \"mode\": \"server\",",
                "  \"ip\": \"" + net.tunnelB() + "\",",
                "  \"seed\": \"" + HEX.formatHex(SERVER_SEED) + "\",",
                "  \"mtu\": " + net.mtu() + ",",
                "  \"peers\": { \"" + pub(CLIENT_SEED) + "\": \"" + address(net.tunnelA()) + "\" },",
                "  \"bootstrap\": " + bootstrap(net) + ",",
                "  \"port\": " + (net.port() + 3),
                "}", "");
        return new Setup("p2p", client(net), server, Map.of(), dhtNodes(net));
    }

    /**
     * Row {@code p2p-node}: the Node peer serves in B (nospoon's peers mode), its packets on 127.0.0.1:port+5; a
     * udp tunnel on 127.0.0.1:port+4 gives them B's TUN with tunnelB.
     */
    private static Setup tunctlToNode(Network net) {
        String peer = "{\"mode\":\"server\",\"seed\":\"" + HEX.formatHex(SERVER_SEED) + "\",\"peers\":{\""
                + pub(CLIENT_SEED) + "\":\"" + address(net.tunnelA()) + "\"},\"bootstrap\":" + bootstrap(net)
                + ",\"udpListen\":" + (net.port() + 5) + ",\"udpPeer\":" + (net.port() + 4)
                + ",\"modules\":\"%CACHE%/node_modules\"}\n";
        byte[] b = net.tunnelB().addressBytes();
        String tun = String.join("\n",
                "transport: udp",
                "interface: {name: tnbp" + ((b[b.length - 1] & 0xff) >> 2) + ", mtu: " + net.mtu()
                        + ", addresses: [\"" + net.tunnelB() + "\"]}",
                "udp: {listen: \"127.0.0.1:" + (net.port() + 4) + "\", peer: \"127.0.0.1:" + (net.port() + 5) + "\"}",
                "");
        List<Step> steps = new ArrayList<>(dhtNodes(net));
        steps.add(Step.serveUntil("listening " + pub(SERVER_SEED), "node", "nospoon-peer.js", "peer.json"));
        return new Setup("p2p-node", client(net), tun, Map.of("nospoon-peer.js", nodePeerScript(), "peer.json", peer),
                steps).withPrepare(List.of(Step.run("npm", "install", "--prefix", "%CACHE%", "--prefer-offline",
                "--no-audit", "--no-fund", "--no-progress", "--save-exact", HYPERDHT)));
    }

    /** nospoon's client config in A (the same for both rows: the server's key is the same). */
    private static String client(Network net) {
        return String.join("\n",
                "{",
                "  \"mode\": \"client\",",
                "  \"server\": \"" + pub(SERVER_SEED) + "\",",
                "  \"ip\": \"" + net.tunnelA() + "\",",
                "  \"seed\": \"" + HEX.formatHex(CLIENT_SEED) + "\",",
                "  \"mtu\": " + net.mtu() + ",",
                "  \"bootstrap\": " + bootstrap(net),
                "}", "");
    }

    /** Three DHT nodes on B's underlay address, ports port..port+2, the later ones joining through the first. */
    private static List<Step> dhtNodes(Network net) {
        String host = address(net.underlayB());
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            List<String> cmd = new ArrayList<>(List.of("%TUNCTL%", "p2p", "node", "--port",
                    Integer.toString(net.port() + i), "--host", host, "--bind", host));
            if (i > 0) cmd.addAll(List.of("--bootstrap", hostPort(net.underlayB(), net.port())));
            steps.add(Step.serveUntil("dht node " + hostPort(net.underlayB(), net.port() + i),
                    cmd.toArray(String[]::new)));
        }
        return steps;
    }

    private static String bootstrap(Network net) {
        return "[\"" + hostPort(net.underlayB(), net.port()) + "\"]";
    }

    static String nodePeerScript() {
        try (InputStream in = P2pBenchRows.class.getResourceAsStream("nospoon-peer.js")) {
            if (in == null) throw new IllegalStateException("nospoon-peer.js is missing from transport-p2p's jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] seed(int b) {
        byte[] s = new byte[32];
        java.util.Arrays.fill(s, (byte) b);
        return s;
    }

    private static String pub(byte[] seed) {
        return HEX.formatHex(Ed25519KeyPair.fromSeed(seed).publicKey());
    }

    private static String address(Cidr c) {
        return Cidr.addressString(c.addressBytes());
    }

    private static String address(InetAddress a) {
        return Cidr.addressString(a);
    }

    private static String hostPort(InetAddress a, int port) {
        String h = Cidr.addressString(a);
        return (a instanceof Inet6Address ? "[" + h + "]" : h) + ":" + port;
    }
}
