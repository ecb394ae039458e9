package io.tunctl.transport.socks.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/** A {@link UdpAssociation.Receiver} that queues what comes back as "source text" lines. */
final class UdpCollector implements UdpAssociation.Receiver {
    record Datagram(InetSocketAddress source, String text) {}

    final BlockingQueue<Datagram> datagrams = new LinkedBlockingQueue<>(1000);
    final CompletableFuture<Throwable> closed = new CompletableFuture<>();
    private int closedCalls;

    @Override
    public void datagram(InetSocketAddress source, ByteBuf payload) {
        datagrams.offer(new Datagram(source, payload.toString(StandardCharsets.UTF_8)));
    }

    @Override
    public synchronized void closed(Throwable cause) {
        closedCalls++;
        closed.complete(cause);
    }

    synchronized int closedCalls() {
        return closedCalls;
    }

    Datagram next() throws InterruptedException {
        Datagram d = datagrams.poll(Client.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (d == null) fail("no datagram within " + Client.WAIT);
        return d;
    }

    static ByteBuf bytes(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    }
}
