package io.tunctl.core.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the control sockets of running tunnels are, and the client side of their protocol. A running {@code tunctl
 * up} listens on one Unix domain socket per interface, {@code <dir>/netns-<inode>/<tun>.sock} beside its state file
 * ({@link StateFile#directory()}: per network namespace, mode 0600 so only root talks to it). The protocol is one
 * JSON request line and one JSON response line, after which the server closes the connection, so {@code socat}
 * works as a client too:
 *
 * <pre>echo '{"command":"status"}' | socat - UNIX-CONNECT:/run/tunctl/netns-4026531840/tun0.sock</pre>
 *
 * Commands: {@code status} (the {@link StatusReport} of that interface). A request the server cannot take gets
 * {@code {"error": "..."}}.
 */
public final class ControlSocket {
    static final String SUFFIX = ".sock";
    /** A response larger than this is not a status report. */
    private static final int MAX_RESPONSE = 16 << 20;

    private ControlSocket() {}

    /** The socket of interface {@code tun} in this thread's network namespace. */
    public static Path path(String tun) throws IOException {
        if (tun.isEmpty() || tun.contains("/") || tun.startsWith(".") || tun.length() > 255) {
            throw new IllegalArgumentException("'" + tun + "' is not an interface name");
        }
        return StateFile.directory().resolve(tun + SUFFIX);
    }

    /** The interface a socket path belongs to. */
    public static String interfaceOf(Path socket) {
        String f = socket.getFileName().toString();
        return f.endsWith(SUFFIX) ? f.substring(0, f.length() - SUFFIX.length()) : f;
    }

    /** The control sockets of this network namespace (live or left by a killed run), sorted. */
    public static List<Path> list() throws IOException {
        Path dir = StateFile.directory();
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (var ds = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path p : ds) out.add(p);
        }
        out.sort(null);
        return out;
    }

    /**
     * Sends one request line and returns the response line (without its newline). A socket nobody listens on any
     * more throws {@link java.net.ConnectException}; one this user may not open throws an {@link IOException}
     * whose message says {@code Permission denied}.
     */
    public static String request(Path socket, String line, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
             Selector sel = Selector.open()) {
            ch.connect(UnixDomainSocketAddress.of(socket)); // immediate for a local socket (or refused)
            ch.configureBlocking(false);
            ByteBuffer out = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
            ByteArrayOutputStream in = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(8192);
            SelectionKey key = ch.register(sel, SelectionKey.OP_WRITE | SelectionKey.OP_READ);
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) throw new IOException(socket + ": no answer within " + timeout.toMillis() + " ms");
                sel.select(Math.max(1, left / 1_000_000));
                if (out.hasRemaining() && key.isWritable()) {
                    ch.write(out);
                    if (!out.hasRemaining()) key.interestOps(SelectionKey.OP_READ);
                }
                if (key.isReadable()) {
                    buf.clear();
                    int n = ch.read(buf);
                    for (int i = 0; i < n; i++) {
                        if (buf.get(i) == '\n') {
                            in.write(buf.array(), 0, i);
                            return in.toString(StandardCharsets.UTF_8);
                        }
                    }
                    if (n > 0) in.write(buf.array(), 0, n);
                    if (n < 0) {
                        if (in.size() == 0) throw new IOException(socket + ": closed without an answer");
                        return in.toString(StandardCharsets.UTF_8);
                    }
                    if (in.size() > MAX_RESPONSE) throw new IOException(socket + ": answer too long");
                }
                sel.selectedKeys().clear();
            }
        }
    }
}
