package io.tunctl.transport.http;

import io.tunctl.core.testkit.PacketDeviceContract;

import java.util.function.Function;

/**
 * The http tunnel as the TUNs see it passes the device contract: {@code a} is the kernel side of the server's
 * in-memory TUN, {@code b} the kernel side of the client's, and between them run the bridges, both tunnel ends and
 * a real loopback HTTP connection (GET down, PUT up).
 */
class HttpTunnelContractTest extends PacketDeviceContract {
    @Override
    protected Pair open() throws Exception {
        LoopbackPair p = new LoopbackPair(Function.identity(), Function.identity());
        try {
            MemoryNet.Iface server = p.net.await(LoopbackPair.SERVER, 1000);
            MemoryNet.Iface client = p.net.await(LoopbackPair.CLIENT, 1000);
            return new Pair(server.kernel(), client.kernel(), p);
        } catch (Exception | Error e) {
            p.close();
            throw e;
        }
    }

    @Override
    protected byte[] packetToA(int len, int seq) {
        return testPacket(LoopbackPair.CLIENT_IP, LoopbackPair.SERVER_IP, len, seq);
    }
}
