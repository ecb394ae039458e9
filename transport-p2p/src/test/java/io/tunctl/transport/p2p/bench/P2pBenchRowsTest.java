package io.tunctl.transport.p2p.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tunctl.core.config.ConfigDocument;
import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.Benchmarkable;
import io.tunctl.transport.p2p.config.NospoonFile;
import io.tunctl.transport.p2p.config.P2pSettings;
import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.*;

class P2pBenchRowsTest {

    private static Benchmarkable.Network network() throws Exception {
        return new Benchmarkable.Network(InetAddress.getByName("192.0.2.1"), InetAddress.getByName("192.0.2.2"),
                Cidr.parse("203.0.113.9/30"), Cidr.parse("203.0.113.10/30"), 51100, 1420);
    }

    private static P2pSettings nospoon(String text) throws Exception {
        return NospoonFile.recognise(ConfigDocument.parse(Path.of("bench.jsonc"), text)).orElseThrow().settings();
    }

    @Test
    void registeredAsABenchServiceForTheP2pTransport() {
        List<Benchmarkable> found = ServiceLoader.load(Benchmarkable.class).stream()
                .map(ServiceLoader.Provider::get).filter(b -> b instanceof P2pBenchRows).toList();
        assertEquals(1, found.size());
        assertEquals("p2p", found.getFirst().transport());
    }

    @Test
    void p2pRowIsNospoonsServerAndClientConfigsOnAPrivateDhtOfThreeNodes() throws Exception {
        List<Benchmarkable.Setup> setups = new P2pBenchRows().benchSetups(network());
        assertEquals(List.of("p2p", "p2p-node"), setups.stream().map(Benchmarkable.Setup::row).toList());
        Benchmarkable.Setup row = setups.getFirst();

        P2pSettings server = nospoon(row.configB());
        P2pSettings client = nospoon(row.configA());
        assertEquals(P2pSettings.Mode.SERVER, server.mode());
        assertEquals(Cidr.parse("203.0.113.10/30"), server.ip());
        assertEquals(1420, server.mtu());
        assertEquals(51103, server.port());
        assertEquals(P2pSettings.Mode.CLIENT, client.mode());
        assertEquals(Cidr.parse("203.0.113.9/30"), client.ip());
        assertEquals(1420, client.mtu());
        // the client's key is the server's only peer, at the client's address; the client dials the server's key
        byte[] serverKey = Ed25519KeyPair.fromSeed(server.seed()).publicKey();
        byte[] clientKey = Ed25519KeyPair.fromSeed(client.seed()).publicKey();
        assertArrayEquals(serverKey, client.serverKey());
        assertTrue(server.authMode());
        assertEquals(1, server.peers().size());
        P2pSettings.Peer peer = server.peers().values().iterator().next();
        assertEquals(HexFormat.of().formatHex(clientKey), peer.key().toLowerCase());
        assertEquals(List.of(Cidr.parse("203.0.113.9/32")), peer.prefixes());
        assertEquals(List.of("192.0.2.2:51100"), server.bootstrap().stream().map(Object::toString).toList());
        assertEquals(server.bootstrap().toString(), client.bootstrap().toString());

        assertTrue(row.prepare().isEmpty());
        assertEquals(3, row.stepsB().size());
        for (int i = 0; i < 3; i++) {
            Benchmarkable.Step node = row.stepsB().get(i);
            assertTrue(node.background());
            assertEquals(List.of("%TUNCTL%", "p2p", "node", "--port", "" + (51100 + i), "--host", "192.0.2.2", "--bind",
                    "192.0.2.2"), node.command().subList(0, 9));
            assertEquals(i == 0 ? List.of() : List.of("--bootstrap", "192.0.2.2:51100"), node.command().subList(9,
                    node.command().size()));
            assertEquals("dht node 192.0.2.2:" + (51100 + i), node.readyText());
        }
    }

    @Test
    void p2pNodeRowRunsTheNodePeerWithHyperdhtFromTheCacheBehindAUdpTunnel() throws Exception {
        Benchmarkable.Setup row = new P2pBenchRows().benchSetups(network()).get(1);
        P2pSettings client = nospoon(row.configA());
        assertEquals(Cidr.parse("203.0.113.9/30"), client.ip());

        // npm runs outside the namespaces (B has no way out), into the cache the peer's config points at
        assertEquals(1, row.prepare().size());
        List<String> npm = row.prepare().getFirst().command();
        assertEquals("npm", npm.getFirst());
        assertEquals(P2pBenchRows.HYPERDHT, npm.getLast());
        assertEquals("%CACHE%", npm.get(npm.indexOf("--prefix") + 1));

        assertEquals(4, row.stepsB().size());
        Benchmarkable.Step node = row.stepsB().getLast();
        assertEquals(List.of("node", "nospoon-peer.js", "peer.json"), node.command());
        assertTrue(node.background());
        String serverKey = HexFormat.of().formatHex(Ed25519KeyPair.fromSeed(client.seed()).publicKey());
        JsonNode peer = new ObjectMapper().readTree(row.files().get("peer.json"));
        assertEquals("server", peer.get("mode").asText());
        assertEquals("203.0.113.9", peer.get("peers").get(serverKey).asText());
        assertEquals("listening " + HexFormat.of().formatHex(client.serverKey()), node.readyText());
        assertEquals("%CACHE%/node_modules", peer.get("modules").asText());
        assertEquals(51105, peer.get("udpListen").asInt());
        assertEquals(51104, peer.get("udpPeer").asInt());
        assertTrue(row.files().get("nospoon-peer.js").contains("require(cfg.modules"));

        // B's TUN: a udp tunnel to the Node peer's socket, with the target address
        String tun = row.configB();
        assertTrue(tun.contains("transport: udp"), tun);
        assertTrue(tun.contains("addresses: [\"203.0.113.10/30\"]"), tun);
        assertTrue(tun.contains("listen: \"127.0.0.1:51104\", peer: \"127.0.0.1:51105\""), tun);
    }
}
