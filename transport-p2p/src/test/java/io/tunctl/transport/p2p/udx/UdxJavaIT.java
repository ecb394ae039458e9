package io.tunctl.transport.p2p.udx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.Unpooled;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Java to Java UDX on loopback: a 100 MiB transfer and the libudx retransmission timeout (about 13 s). */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UdxJavaIT {
    private static final InetSocketAddress ANY = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @Test
    void transfers100MiBBothWaysWithMatchingSha256() throws Exception {
        try (UdxSocket a = UdxSocket.bind(ANY); UdxSocket b = UdxSocket.bind(ANY)) {
            UdxStream x = a.createStream(0xfffffff0);
            UdxStream y = b.createStream(0x7);
            x.connect(0x7, b.localAddress());
            y.connect(0xfffffff0, a.localAddress());
            CompletableFuture<Object[]> atY = Transfer.async(() -> Transfer.receiveAll(y));
            CompletableFuture<Object[]> atX = Transfer.async(() -> Transfer.receiveAll(x));
            CompletableFuture<String> fromY = Transfer.async(() -> Transfer.sendRandom(y, 100L << 20, 7));
            long t0 = System.nanoTime();
            String fromX = Transfer.sendRandom(x, 100L << 20, 8);
            Object[] gotY = atY.get(100, TimeUnit.SECONDS);
            Object[] gotX = atX.get(100, TimeUnit.SECONDS);
            long nanos = System.nanoTime() - t0;
            assertEquals(100L << 20, gotY[0]);
            assertEquals(fromX, gotY[1]);
            assertEquals(100L << 20, gotX[0]);
            assertEquals(fromY.get(10, TimeUnit.SECONDS), gotX[1]);
            x.closeFuture().get(10, TimeUnit.SECONDS);
            y.closeFuture().get(10, TimeUnit.SECONDS);
            assertEquals(0, a.streamCount() + b.streamCount());
            System.out.printf("java <-> java: 2 x 100 MiB at once in %d ms; %s%n", nanos / 1_000_000, x.stats());
        }
    }

    @Test
    void unansweredDataTimesOutLikeLibudx() throws Exception {
        try (UdxSocket a = UdxSocket.bind(ANY);
             DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            UdxStream x = a.createStream(9);
            x.connect(10, (InetSocketAddress) silent.getLocalSocketAddress());
            long t0 = System.nanoTime();
            x.write(Unpooled.copiedBuffer("nobody home", StandardCharsets.US_ASCII));
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> x.closeFuture().get(40, TimeUnit.SECONDS));
            assertEquals("ETIMEDOUT", assertInstanceOf(UdxStreamException.class, e.getCause()).code());
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
            org.junit.jupiter.api.Assertions.assertTrue(seconds >= 12 && seconds <= 15, seconds + " s");
            assertEquals(0, a.streamCount());
        }
    }

}
