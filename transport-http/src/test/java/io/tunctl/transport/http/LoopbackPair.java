package io.tunctl.transport.http;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.runtime.DefaultTunnelContext;
import io.tunctl.core.spi.TunnelContext;
import io.tunctl.transport.http.client.HttpTunnelClient;
import io.tunctl.transport.http.config.Endpoints;
import io.tunctl.transport.http.server.HttpTunnelServer;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One http server and one client over loopback HTTP, each with in-memory TUNs ({@link MemoryNet}), for the device
 * contract. The server is 192.0.2.1/24 and the client 192.0.2.2, so the contract's default packets
 * (192.0.2.1 → 192.0.2.2) go from the server's side to the client's and their mirror images come back.
 * Each side's {@link TunnelContext} can be wrapped (to take the tunnel end away from the bridge).
 */
final class LoopbackPair implements AutoCloseable {
    static final String SERVER = "cts0";
    static final String CLIENT = "ctc0";
    static final byte[] SERVER_IP = Cidr.parseAddress("192.0.2.1");
    static final byte[] CLIENT_IP = Cidr.parseAddress("192.0.2.2");
    private static final String TOKEN = "contract";
    static final int MTU = 1400;

    /** Few slots: each holds a 64 KiB super-packet, and a pair is made for every case. */
    final MemoryNet net = new MemoryNet(128);
    private final List<AutoCloseable> open = new ArrayList<>();
    final HttpTunnelServer server;
    final HttpTunnelClient client;

    /** Starts both ends and waits until the client's GET and PUT streams are up. */
    LoopbackPair(Function<? super DefaultTunnelContext, ? extends TunnelContext> serverCtx,
                 Function<? super DefaultTunnelContext, ? extends TunnelContext> clientCtx) throws Exception {
        try {
            Endpoints.Peer peer = LoopbackTunnelTest.peer(TOKEN, "192.0.2.2", null, List.of(), List.of());
            Endpoints.Server s = new Endpoints.Server(SERVER, 0, "127.0.0.1", Cidr.parse("192.0.2.1/24"), MTU,
                    List.of(), List.of(), List.of(peer), null, null, true, new Endpoints.Mark(0, 0));
            HttpTunnel st = HttpTunnel.open(List.of(s), context(serverCtx), null);
            open.add(st);
            server = st.servers().getFirst();
            Endpoints.Client c = new Endpoints.Client(CLIENT, URI.create("http://127.0.0.1:" + server.port() + "/ip"),
                    TOKEN, null, true, new Endpoints.Mark(0, 0));
            HttpTunnel ct = HttpTunnel.open(List.of(c), context(clientCtx), null);
            open.add(ct);
            client = ct.clients().getFirst();
            LoopbackTunnelTest.waitFor("client connected", 10_000, client::connected);
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    private TunnelContext context(Function<? super DefaultTunnelContext, ? extends TunnelContext> wrap) {
        DefaultTunnelContext ctx = net.context();
        open.add(ctx);
        return wrap.apply(ctx);
    }

    /** Closes the tunnels (client first), then the contexts and the in-memory TUNs; keeps going past failures. */
    @Override
    public void close() throws IOException {
        IOException first = null;
        for (AutoCloseable c : open.reversed()) {
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) first = e instanceof IOException io ? io : new IOException(e);
                else first.addSuppressed(e);
            }
        }
        net.close();
        if (first != null) throw first;
    }
}
