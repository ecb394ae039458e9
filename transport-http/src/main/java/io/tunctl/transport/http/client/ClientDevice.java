package io.tunctl.transport.http.client;

import io.netty.buffer.ByteBuf;
import io.tunctl.core.spi.DrivenDirection;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PollableDevice;
import io.tunctl.transport.http.StreamEnd;
import io.tunctl.transport.http.wire.ChunkedBody;
import io.tunctl.transport.http.wire.Frames;

import java.io.IOException;
import java.lang.foreign.ValueLayout;

/** The client's tunnel end: {@link #write} puts what the TUN read on the PUT stream. */
final class ClientDevice extends StreamEnd {
    private final HttpTunnelClient client;

    ClientDevice(HttpTunnelClient client, int mtu, System.Logger log) {
        super(mtu, log);
        this.client = client;
    }

    /** What the TUN read goes up the PUT stream; what arrives on the GET is written to the TUN by Netty. */
    @Override
    public void write(PacketBatch batch) throws IOException {
        ensureOpen();
        boolean v6 = client.conf6() != null;
        int total = 0;
        for (int i = 0; i < batch.size(); i++) total += Frames.wireSize(batch.length(i));
        ByteBuf out = null;
        int packets = 0;
        long bytes = 0;
        for (int i = 0; i < batch.size(); i++) {
            int len = batch.length(i);
            int version = len < 20 ? 0 : (batch.buffer(i).get(ValueLayout.JAVA_BYTE, 0) >>> 4) & 0xf;
            // tapotun carries IPv4 only; IPv6 goes up only when the server is a tunctl that gave us an address
            if (version != 4 && !(version == 6 && v6 && len >= 40)) {
                drops.increment();
                continue;
            }
            if (out == null) out = ChunkedBody.start(client.alloc(), total);
            Frames.encode(batch, i, out);
            packets++;
            bytes += len;
        }
        if (out == null) return;
        if (client.send(out)) {
            txPackets.add(packets);
            txBytes.add(bytes);
        } else {
            drops.add(packets);
        }
    }

    /**
     * Reads the TUN on the PUT stream's event loop, straight into the stream's chunks ({@link TunUplink}), where
     * Netty runs on epoll; declines under NIO, where the bridge's pump calls {@link #write}.
     */
    @Override
    public boolean drive(PollableDevice source, DrivenDirection direction) {
        return client.startUplink(source, direction, this);
    }

    @Override
    protected void closed() { client.stopUplink(); }

    /** True when IPv6 packets may go up: the server is a tunctl that gave this client an IPv6 address. */
    boolean carriesIpv6() { return client.conf6() != null; }

    /** Counts packets {@link TunUplink} put on the PUT stream. */
    void sent(int packets, long bytes) {
        txPackets.add(packets);
        txBytes.add(bytes);
    }

    /** Counts packets {@link TunUplink} read but could not send. */
    void dropped(int packets) { drops.add(packets); }

    @Override
    public String describe() { return "http-client " + client.name(); }
}
