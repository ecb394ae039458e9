package io.tunctl.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tunctl.core.tun.NetworkNamespace;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/** Drives TCP from namespace A to a target in namespace B and measures goodput. */
abstract sealed class Load implements AutoCloseable {
    final Exec exec;
    final Topology topo;

    Load(Exec exec, Topology topo) {
        this.exec = exec;
        this.topo = topo;
    }

    /** What the table says measured the rows. */
    abstract String describe();

    abstract void start() throws IOException;

    /** The TCP port the load's server listens on in B (on every address). */
    abstract int port();

    /** One run of {@code seconds}; returns Gbit/s received. */
    abstract double gbps(String target, int seconds, int streams) throws IOException;

    @Override
    public abstract void close();

    /** iperf3 from Debian: the usual tool, so numbers compare with bench/*.sh and other projects'. */
    static final class Iperf3 extends Load {
        static final int PORT = 5299;
        private static final ObjectMapper JSON = new ObjectMapper();

        private Process server;

        Iperf3(Exec exec, Topology topo) {
            super(exec, topo);
        }

        @Override
        public void close() {
            if (server != null) server.destroy();
        }

        @Override
        String describe() { return "iperf3"; }

        @Override
        int port() { return PORT; }

        @Override
        void start() throws IOException {
            server = exec.start("iperf3-server", "ip", "netns", "exec", topo.nsB, "iperf3", "-s", "-p",
                    Integer.toString(PORT));
            // iperf3 buffers its banner when writing to a file, so wait for the socket instead
            for (int i = 0; i < 100; i++) {
                String listening = exec.run(5, "ip", "netns", "exec", topo.nsB, "ss", "-Htln", "sport = :" + PORT);
                if (!listening.isBlank()) return;
                if (!server.isAlive()) break;
                Exec.sleep(50);
            }
            throw new IOException("iperf3 -s did not start listening on port " + PORT + " in " + topo.nsB);
        }

        @Override
        double gbps(String target, int seconds, int streams) throws IOException {
            String out = exec.run(seconds + 20L, "ip", "netns", "exec", topo.nsA, "iperf3", "-c", target, "-p",
                    Integer.toString(PORT), "-t", Integer.toString(seconds), "-O", seconds >= 4 ? "1" : "0", "-P",
                    Integer.toString(streams), "-J");
            JsonNode end = JSON.readTree(out).path("end").path("sum_received").path("bits_per_second");
            if (!end.isNumber()) throw new IOException("iperf3 to " + target + " gave no result: " + out.strip());
            return end.asDouble() / 1e9;
        }
    }

    /**
     * tunctl's own TCP load for machines without iperf3, run inside this JVM: a sink whose listening socket was
     * opened in namespace B, and senders whose sockets were opened in namespace A. Starting no process per round
     * keeps rounds short, and the load's own code is compiled once for every row.
     */
    static final class Builtin extends Load {
        /** Not iperf3's: rows that need the built-in load get it while the others use iperf3. */
        static final int PORT = 5298;
        private static final int BUFFER = 256 << 10;
        private final String why;
        private ServerSocketChannel listener;
        /** Accepted connections, closed with the load so no sink thread outlives the bench. */
        private final java.util.Set<SocketChannel> sinks = java.util.concurrent.ConcurrentHashMap.newKeySet();

        /** {@code why}: why iperf3 is not used, shown with the load's name. */
        Builtin(Exec exec, Topology topo, String why) {
            super(exec, topo);
            this.why = why;
        }

        @Override
        String describe() { return "builtin TCP load (" + why + ")"; }

        @Override
        int port() { return PORT; }

        @Override
        void start() throws IOException {
            listener = NetworkNamespace.named(topo.nsB).call(() -> {
                ServerSocketChannel s = ServerSocketChannel.open();
                s.bind(new InetSocketAddress(PORT));
                return s;
            });
            Thread.ofPlatform().daemon().name("bench-load-accept").start(this::accept);
        }

        private void accept() {
            try {
                while (true) {
                    SocketChannel c = listener.accept();
                    sinks.add(c);
                    Thread.ofPlatform().daemon().name("bench-load-sink").start(() -> {
                        sink(c);
                        sinks.remove(c);
                    });
                }
            } catch (IOException closed) {
                // close() ended the listener
            }
        }

        /** Reads the connection to its end, then writes back how many bytes arrived (8 bytes). */
        private static void sink(SocketChannel c) {
            try (c) {
                ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
                long total = 0;
                int n;
                while ((n = c.read(buf.clear())) >= 0) total += n;
                c.write(ByteBuffer.allocate(8).putLong(0, total));
            } catch (IOException ignored) {
                // the sender went away or timed out; it reports the failure
            }
        }

        /**
         * Writes for {@code seconds} over {@code streams} connections, half-closes them and takes the byte counts
         * the sink sends back (received, not sent), over the time until the last count came back.
         */
        @Override
        double gbps(String target, int seconds, int streams) throws IOException {
            return gbps(target, null, seconds, streams);
        }

        /**
         * As {@link #gbps(String, int, int)}, with each stream opened through the SOCKS5 server {@code socks5}
         * (a CONNECT to the target before the first byte is timed) when that is not null. Everything after the
         * CONNECT is the same code, so a row through a proxy compares fairly with one without.
         */
        double gbps(String target, InetSocketAddress socks5, int seconds, int streams) throws IOException {
            InetSocketAddress to = new InetSocketAddress(InetAddress.ofLiteral(target), PORT);
            String via = socks5 == null ? "" : " via SOCKS5 " + socks5.getAddress().getHostAddress() + ":"
                    + socks5.getPort();
            List<SocketChannel> channels = NetworkNamespace.named(topo.nsA).call(() -> {
                List<SocketChannel> opened = new ArrayList<>();
                try {
                    for (int i = 0; i < streams; i++) opened.add(open(to, socks5, 5_000));
                    return opened;
                } catch (IOException e) {
                    for (SocketChannel c : opened) c.close();
                    throw new IOException("cannot connect to " + to + via + " from " + topo.nsA + ": "
                            + e.getMessage(), e);
                }
            });
            long start = System.nanoTime();
            long end = start + seconds * 1_000_000_000L;
            LongAdder received = new LongAdder();
            List<Exception> failures = new CopyOnWriteArrayList<>();
            List<Thread> senders = new ArrayList<>();
            for (SocketChannel c : channels) {
                senders.add(Thread.ofPlatform().daemon().name("bench-load-send").start(() -> {
                    try (c) {
                        ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
                        while (System.nanoTime() < end) c.write(buf.clear());
                        c.shutdownOutput();
                        ByteBuffer count = ByteBuffer.allocate(8);
                        while (count.hasRemaining() && c.read(count) >= 0) { }
                        if (count.hasRemaining()) throw new IOException("the sink closed without its byte count");
                        received.add(count.getLong(0));
                    } catch (IOException e) {
                        failures.add(e);
                    }
                }));
            }
            // a path that stalls would block a write or the read forever: closing the channel ends both
            long grace = end + 10_000_000_000L;
            try {
                for (Thread t : senders) {
                    long left = grace - System.nanoTime();
                    if (left <= 0 || !t.join(java.time.Duration.ofNanos(left))) {
                        for (SocketChannel c : channels) c.close();
                        throw new IOException("load to " + to + " stalled: no byte count 10 s after sending ended");
                    }
                }
            } catch (InterruptedException e) {
                for (SocketChannel c : channels) c.close();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            if (!failures.isEmpty()) {
                throw new IOException("load to " + to + ": " + failures.getFirst().getMessage(), failures.getFirst());
            }
            double secs = (System.nanoTime() - start) / 1e9;
            return received.sum() * 8 / secs / 1e9;
        }

        /**
         * A blocking channel to {@code to}, directly or through the SOCKS5 server {@code socks5} (not null), opened
         * in the calling thread's namespace; connecting and each step of the SOCKS5 exchange wait
         * {@code timeoutMs} at most.
         */
        static SocketChannel open(InetSocketAddress to, InetSocketAddress socks5, int timeoutMs) throws IOException {
            SocketChannel c = SocketChannel.open();
            try {
                c.socket().connect(socks5 == null ? to : socks5, timeoutMs);
                if (socks5 != null) Socks5Connect.connect(c, to, timeoutMs);
                return c;
            } catch (IOException | RuntimeException e) {
                c.close();
                throw e;
            }
        }

        @Override
        public void close() {
            try {
                if (listener != null) listener.close();
                for (SocketChannel c : sinks) c.close();
            } catch (IOException ignored) {
                // nothing left to release
            }
        }
    }
}
