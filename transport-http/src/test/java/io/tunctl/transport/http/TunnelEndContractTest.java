package io.tunctl.transport.http;

import io.tunctl.core.spi.Bridge;
import io.tunctl.core.spi.InterfaceHandle;
import io.tunctl.core.spi.InterfaceSpec;
import io.tunctl.core.spi.PacketDevice;
import io.tunctl.core.spi.TunnelContext;
import io.tunctl.core.testkit.PacketDeviceContract;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The http tunnel ends themselves pass the device contract as push devices: {@code a} is the server's tunnel end,
 * {@code b} the client's, joined by a real loopback HTTP connection. Each end is taken from its tunnel instead of
 * being bridged to a TUN ({@link Tap}), so the suite calls {@code deliverTo} and {@code write} on it directly.
 */
class TunnelEndContractTest extends PacketDeviceContract {
    @Override
    protected Pair open() throws Exception {
        Tap[] taps = new Tap[2];
        LoopbackPair p = new LoopbackPair(ctx -> taps[0] = new Tap(ctx), ctx -> taps[1] = new Tap(ctx));
        try {
            return new Pair(taps[0].end.get(10, TimeUnit.SECONDS), taps[1].end.get(10, TimeUnit.SECONDS), p);
        } catch (Exception | Error e) {
            p.close();
            throw e;
        }
    }

    @Override
    protected byte[] packetToA(int len, int seq) {
        return testPacket(LoopbackPair.CLIENT_IP, LoopbackPair.SERVER_IP, len, seq);
    }

    /**
     * A tunnel context that opens interfaces as usual but hands the tunnel end to the test instead of bridging it
     * to the TUN. The bridge it returns owns the end as a real one does: closing it closes the end.
     */
    static final class Tap implements TunnelContext {
        private final TunnelContext inner;
        final CompletableFuture<PacketDevice> end = new CompletableFuture<>();

        Tap(TunnelContext inner) {
            this.inner = inner;
        }

        @Override
        public InterfaceHandle openInterface(InterfaceSpec spec) throws IOException {
            return inner.openInterface(spec);
        }

        @Override
        public Optional<InterfaceSpec> interfaceSpec() { return inner.interfaceSpec(); }

        @Override
        public Bridge bridge(PacketDevice tun, PacketDevice transport) {
            if (!end.complete(transport)) throw new IllegalStateException("a second tunnel end: " + transport.describe());
            CountDownLatch closed = new CountDownLatch(1);
            return new Bridge() {
                @Override
                public void await() throws InterruptedException {
                    closed.await();
                }

                /** Nothing is pumped here: the test drives the end. */
                @Override
                public Counters counters() {
                    return new Counters(0, 0, 0, 0, 0);
                }

                @Override
                public void close() {
                    try {
                        transport.close();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    } finally {
                        closed.countDown();
                    }
                }
            };
        }

        @Override
        public void onClose(AutoCloseable resource) {
            inner.onClose(resource);
        }

        @Override
        public System.Logger logger() { return inner.logger(); }
    }
}
