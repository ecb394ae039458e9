package io.tunctl.transport.socks.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP server for proxy tests, on a loopback address and a free port: either an echo server that, once the
 * client half-closes, writes {@link #EOF_TRAILER} and closes (so a test can see that data still flows back after
 * its {@code shutdownOutput}), or a sender that writes N bytes of {@link #pattern} and closes. Threads per
 * connection, all ended by {@link #close()}.
 */
public final class TcpTarget implements AutoCloseable {
    /** What the echo server sends after the client's FIN, before its own. */
    public static final String EOF_TRAILER = "<eof>";

    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread acceptor;

    private interface Serve {
        void on(Socket s) throws IOException;
    }

    private TcpTarget(InetAddress bind, Serve serve) {
        try {
            server = new ServerSocket(0, 50, bind);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        acceptor = Thread.ofPlatform().daemon().name("tcp-target-" + server.getLocalPort()).start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    accepted.incrementAndGet();
                    sockets.add(s);
                    Thread.ofPlatform().daemon().start(() -> {
                        try (s) {
                            serve.on(s);
                        } catch (IOException e) {
                            // the client went away: nothing to serve
                        }
                    });
                } catch (IOException e) {
                    return; // closed
                }
            }
        });
    }

    /** Echoes what it reads; on the client's FIN writes {@link #EOF_TRAILER} and closes. */
    public static TcpTarget echo(InetAddress bind) {
        return new TcpTarget(bind, s -> {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[16384];
            for (int n; (n = in.read(buf)) > 0; ) out.write(buf, 0, n);
            out.write(EOF_TRAILER.getBytes(StandardCharsets.US_ASCII));
            out.flush();
        });
    }

    /** Writes {@code n} bytes of {@link #pattern} at once after accepting, then closes. */
    public static TcpTarget sender(InetAddress bind, int n) {
        return new TcpTarget(bind, s -> {
            s.getOutputStream().write(pattern(n));
            s.getOutputStream().flush();
            s.shutdownOutput();
            // wait for the client's FIN (bounded by close()) so that our close is not a RST on unread data
            s.getInputStream().transferTo(OutputStream.nullOutputStream());
        });
    }

    /** Bytes {@code i % 251} for i in [0, n): no period that lines up with buffer sizes. */
    public static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (i % 251);
        return b;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** Connections accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // closing
            }
        }
        try {
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
