package io.tunctl.benchmarks.udx;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.tunctl.transport.p2p.udx.UdxSocket;
import io.tunctl.transport.p2p.udx.UdxStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * UDX bulk-transfer throughput on loopback, one stream, one process per end or both ends in one process.
 * A bench harness rather than JMH: each run is a whole transfer over real sockets, and bench/udx.sh runs it
 * next to udx-native peers. Prints one line per run: {@code RESULT <label> <MB/s>}.
 *
 * <pre>
 * UdxThroughput pair &lt;MiB&gt;                              Java to Java, two sockets in this JVM
 * UdxThroughput send &lt;MiB&gt; &lt;port&gt; &lt;localId&gt; &lt;remotePort&gt; &lt;remoteId&gt;   Java sender to any peer
 * UdxThroughput recv &lt;MiB&gt; &lt;port&gt; &lt;localId&gt; &lt;remotePort&gt; &lt;remoteId&gt;   Java receiver from any peer
 * </pre>
 */
public final class UdxThroughput {
    private static final InetAddress LO = InetAddress.getLoopbackAddress();

    private UdxThroughput() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        long bytes = Long.parseLong(args[1]) << 20;
        long warmup = Long.getLong("udx.warmupMiB", 128) << 20;
        if (warmup > 0) {
            pair(warmup, true); // JIT-compile the stream code paths before the measured transfer
        }
        switch (mode) {
            case "pair" -> pair(bytes, false);
            case "send", "recv" -> {
                int port = Integer.parseInt(args[2]);
                int localId = Integer.parseUnsignedInt(args[3]);
                int remotePort = Integer.parseInt(args[4]);
                int remoteId = Integer.parseUnsignedInt(args[5]);
                try (UdxSocket socket = UdxSocket.bind(new InetSocketAddress(LO, port))) {
                    UdxStream s = socket.createStream(localId);
                    s.connect(remoteId, new InetSocketAddress(LO, remotePort));
                    System.out.println("READY");
                    System.out.flush();
                    if (mode.equals("send")) {
                        long t0 = System.nanoTime();
                        send(s, bytes);
                        s.closeFuture().get(120, TimeUnit.SECONDS);
                        report("java-send", bytes, System.nanoTime() - t0, s);
                    } else {
                        long[] r = receive(s);
                        s.end().get(30, TimeUnit.SECONDS);
                        report("java-recv", r[0], r[1], s);
                    }
                }
            }
            default -> throw new IllegalArgumentException("mode must be pair, send or recv: " + mode);
        }
    }

    private static void pair(long bytes, boolean quiet) throws Exception {
        try (UdxSocket a = UdxSocket.bind(new InetSocketAddress(LO, 0));
             UdxSocket b = UdxSocket.bind(new InetSocketAddress(LO, 0))) {
            UdxStream x = a.createStream(1);
            UdxStream y = b.createStream(2);
            x.connect(2, b.localAddress());
            y.connect(1, a.localAddress());
            CompletableFuture<long[]> got = new CompletableFuture<>();
            Thread.ofPlatform().start(() -> { // not supplyAsync: the common pool may have a single thread
                try {
                    long[] r = receive(y);
                    y.end();
                    got.complete(r);
                } catch (Exception e) {
                    got.completeExceptionally(e);
                }
            });
            send(x, bytes);
            long[] r = got.get(300, TimeUnit.SECONDS);
            if (r[0] != bytes) {
                throw new IllegalStateException("received " + r[0] + " of " + bytes + " bytes");
            }
            if (!quiet) {
                report("java-java", r[0], r[1], x);
            }
        }
    }

    private static void send(UdxStream s, long total) throws Exception {
        byte[] chunk = new byte[65536];
        new SplittableRandom(7).nextBytes(chunk);
        for (long sent = 0; sent < total; sent += chunk.length) {
            while (!s.awaitWritable(Duration.ofSeconds(1))) {
                if (s.isClosed()) {
                    throw new IllegalStateException("stream closed: " + s.stats());
                }
            }
            int n = (int) Math.min(chunk.length, total - sent);
            ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(n);
            buf.writeBytes(chunk, 0, n);
            s.write(buf);
        }
        s.end().get(120, TimeUnit.SECONDS);
    }

    /** Returns {bytes, nanos from first byte to EOF}. */
    private static long[] receive(UdxStream s) throws Exception {
        byte[] buf = new byte[1 << 17];
        long n = 0;
        long t0 = 0;
        try (InputStream in = s.inputStream()) {
            int k;
            while ((k = in.read(buf)) >= 0) {
                if (t0 == 0) {
                    t0 = System.nanoTime();
                }
                n += k;
            }
        }
        return new long[] {n, System.nanoTime() - t0};
    }

    private static void report(String label, long bytes, long nanos, UdxStream s) {
        System.out.printf(Locale.ROOT, "RESULT %s %.1f MB/s (%d bytes in %d ms) %s cpu[%s]%n", label,
                bytes / 1e6 / (nanos / 1e9), bytes, nanos / 1_000_000, s.stats(), threadCpu());
    }

    /** CPU seconds per live thread (event loops, application threads) and for the whole process. */
    private static String threadCpu() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        StringBuilder b = new StringBuilder();
        for (java.lang.management.ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
            long ns = t == null ? -1 : mx.getThreadCpuTime(t.getThreadId());
            if (ns > 50_000_000L) {
                b.append(String.format(Locale.ROOT, "%s=%.2fs ", t.getThreadName(), ns / 1e9));
            }
        }
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            b.append(String.format(Locale.ROOT, "process=%.2fs", os.getProcessCpuTime() / 1e9));
        }
        return b.toString();
    }
}
