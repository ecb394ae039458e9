package io.tunctl.transport.http;

import io.tunctl.core.config.ConfigDocument;
import io.tunctl.core.config.ConfigProblems;
import io.tunctl.core.packet.Cidr;
import io.tunctl.core.runtime.DefaultTunnelContext;
import io.tunctl.core.spi.RouteSpec;
import io.tunctl.transport.http.client.HttpTunnelClient;
import io.tunctl.transport.http.config.ConfigCompiler;
import io.tunctl.transport.http.config.Endpoints;
import io.tunctl.transport.http.config.TapotunFile;
import io.tunctl.transport.http.server.HttpTunnelServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** A tapotun v2 server (the spec's hub example) with two tunctl clients over loopback, in-memory TUNs. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class V2LoopbackTest {

    @Test
    void hubExampleForwardsByAclAndPushesRoutes() throws Exception {
        ConfigDocument doc = ConfigDocument.read(Path.of(getClass().getResource("/tapotun/v2-server.json").toURI()));
        Endpoints.Server file = (Endpoints.Server) ConfigCompiler.compile(TapotunFile.recognise(doc).orElseThrow(),
                new ConfigProblems(doc)).getFirst();
        Endpoints.Server s = new Endpoints.Server(file.name(), 0, "127.0.0.1", file.net(), file.mtu(), file.extraIps(),
                file.localRoutes(), file.clients(), null, null, true, file.mark(), file.kernelRoutes(), file.v2());
        try (MemoryNet net = new MemoryNet(); DefaultTunnelContext sctx = net.context();
             HttpTunnel st = HttpTunnel.open(List.of(s), sctx, null);
             DefaultTunnelContext actx = net.context(); DefaultTunnelContext bctx = net.context()) {
            HttpTunnelServer server = st.servers().getFirst();
            URI url = URI.create("http://127.0.0.1:" + server.port() + "/ip");
            Endpoints.Mark none = new Endpoints.Mark(0, 0);
            try (HttpTunnel at = HttpTunnel.open(List.of(new Endpoints.Client("va", url, "test", null, true, none)), actx, null);
                 HttpTunnel bt = HttpTunnel.open(List.of(new Endpoints.Client("vb", url, "foo", null, true, none)), bctx, null)) {
                HttpTunnelClient a = at.clients().getFirst(), b = bt.clients().getFirst();
                LoopbackTunnelTest.waitFor("both v2 clients", 10_000, () -> a.connected() && b.connected());
                assertEquals(2, a.conf().generation(), "the client detected v2 from the x-tun-conf length");
                MemoryNet.Iface ia = net.await("va", 1000), ib = net.await("vb", 1000), srv = net.interfaces.get("corp0");
                assertTrue(ia.routes.contains(RouteSpec.to(Cidr.parse("10.70.0.0/24"))), "route pushed to a: " + ia.routes);
                assertTrue(ia.addresses.contains(Cidr.parse("10.50.0.2/24")));

                byte[] toLan = MemoryNet.udp4("10.50.0.2", "10.70.0.5", 120, 1);
                ia.inject(toLan);
                assertArrayEquals(toLan, ib.receive(5000).packet(), "a reaches b's LAN");
                byte[] toServer = MemoryNet.udp4("10.50.0.3", "10.50.0.1", 80, 2);
                ib.inject(toServer);
                assertArrayEquals(toServer, srv.receive(5000).packet());
                byte[] down = MemoryNet.udp4("10.50.0.1", "10.50.0.2", 1400, 3);
                srv.inject(down);
                assertArrayEquals(down, ia.receive(5000).packet());
            }
        }
    }
}
