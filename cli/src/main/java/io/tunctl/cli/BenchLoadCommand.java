package io.tunctl.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code tunctl bench-load serve|send}: the bench's built-in TCP load for machines without iperf3. {@code serve}
 * sinks every connection; {@code send} writes for N seconds over M connections and prints the receive rate.
 */
@Command(name = "bench-load", hidden = true, description = "Built-in TCP load generator used by 'tunctl bench'.")
final class BenchLoadCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "serve|send")
    String mode;

    @Option(names = "--port", defaultValue = "5299")
    int port;

    @Option(names = "--to", paramLabel = "ADDR:PORT")
    String to;

    @Option(names = "--seconds", defaultValue = "2")
    int seconds;

    @Option(names = "--streams", defaultValue = "1")
    int streams;

    @Override
    public Integer call() throws Exception {
        return switch (mode) {
            case "serve" -> serve();
            case "send" -> send();
            default -> throw new picocli.CommandLine.ParameterException(spec.commandLine(), "want serve or send");
        };
    }

    /** Accepts forever; each connection is read to its end, then its byte count is written back (8 bytes). */
    private int serve() throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(port));
            spec.commandLine().getOut().println("READY");
            spec.commandLine().getOut().flush();
            while (true) {
                SocketChannel c = server.accept();
                Thread.ofPlatform().daemon().start(() -> sink(c));
            }
        }
    }

    private static void sink(SocketChannel c) {
        try (c) {
            ByteBuffer buf = ByteBuffer.allocateDirect(256 << 10);
            long total = 0;
            int n;
            while ((n = c.read(buf.clear())) >= 0) total += n;
            c.write(ByteBuffer.allocate(8).putLong(0, total));
        } catch (IOException ignored) {
            // the sender went away; nothing to report to it
        }
    }

    /** Sends for {@code seconds}, then half-closes and reads back what the sink counted (received, not sent). */
    private int send() throws Exception {
        int colon = to.lastIndexOf(':');
        InetSocketAddress target = new InetSocketAddress(to.substring(0, colon), Integer.parseInt(to.substring(colon + 1)));
        LongAdder received = new LongAdder();
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        List<Exception> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int i = 0; i < streams; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try (SocketChannel c = SocketChannel.open(target)) {
                    c.setOption(StandardSocketOptions.TCP_NODELAY, false);
                    ByteBuffer buf = ByteBuffer.allocateDirect(256 << 10);
                    while (System.nanoTime() < end) c.write(buf.clear());
                    c.shutdownOutput();
                    ByteBuffer count = ByteBuffer.allocate(8);
                    while (count.hasRemaining() && c.read(count) >= 0) { }
                    received.add(count.getLong(0));
                } catch (IOException e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : threads) t.join(seconds * 1000L + 30_000);
        if (!failures.isEmpty()) throw failures.getFirst();
        double secs = (System.nanoTime() - start) / 1e9;
        spec.commandLine().getOut().printf("bits_per_second %.0f%n", received.sum() * 8 / secs);
        return ExitCodes.OK;
    }
}
