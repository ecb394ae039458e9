package io.tunctl.transport.p2p.hyperdht;

import io.tunctl.transport.p2p.dht.rpc.DhtNodeOptions;
import io.tunctl.transport.p2p.stream.SecureStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Helpers for the HyperDHT tests: Java nodes on 127.0.0.1, an echo handler, a collecting handler. */
final class Peers {
    private Peers() {
    }

    /** A Java HyperDHT node on 127.0.0.1 joining {@code bootstrap}, bootstrapped. */
    static HyperDht javaNode(List<String> bootstrap) throws Exception {
        HyperDht d = HyperDht.bind(DhtNodeOptions.defaults().withBind(new InetSocketAddress("127.0.0.1", 0))
                .withBootstrapText(bootstrap));
        d.fullyBootstrapped().get(30, TimeUnit.SECONDS);
        return d;
    }

    /**
     * A Java node that stays firewalled (no PING_NAT check during bootstrap): it cannot claim OPEN, so it connects
     * like a NATed peer would, here through the LAN shortcut.
     */
    static HyperDht firewalledJavaNode(List<String> bootstrap) throws Exception {
        HyperDht d = HyperDht.bind(DhtNodeOptions.defaults().withBind(new InetSocketAddress("127.0.0.1", 0))
                .withBootstrapText(bootstrap).withQuickFirewall(false));
        d.fullyBootstrapped().get(30, TimeUnit.SECONDS);
        return d;
    }

    /** Writes every message back; ends when the peer ends. */
    static void echo(HyperDhtConnection c) {
        c.handler(new SecureStream.Handler() {
            @Override
            public void onMessage(SecureStream s, byte[] buf, int off, int len) {
                try {
                    s.write(buf, off, len);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public void onEnd(SecureStream s) {
                s.end();
            }
        });
    }

    /** Collects what a connection receives until the peer ends or {@code want} bytes came. */
    static final class Collector implements SecureStream.Handler {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final CompletableFuture<byte[]> done = new CompletableFuture<>();
        private final int want;

        Collector(int want) {
            this.want = want;
        }

        @Override
        public synchronized void onMessage(SecureStream s, byte[] buf, int off, int len) {
            bytes.write(buf, off, len);
            if (want > 0 && bytes.size() >= want) {
                done.complete(bytes.toByteArray());
            }
        }

        @Override
        public synchronized void onEnd(SecureStream s) {
            done.complete(bytes.toByteArray());
        }

        @Override
        public synchronized void onClose(SecureStream s, Throwable cause) {
            if (cause != null) {
                done.completeExceptionally(cause);
            } else {
                done.complete(bytes.toByteArray());
            }
        }
    }
}
