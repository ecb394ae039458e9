package io.tunctl.core.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tunctl.core.spi.InterfaceHandle;
import io.tunctl.core.spi.Tunnel;
import io.tunctl.core.spi.TunnelStatus;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * The server side of {@link ControlSocket}: one listening socket per interface of a running tunnel, served by the
 * thread that would otherwise only wait for the tunnel to end ({@link #serve}), through one selector. It adds no
 * platform thread: the wait for the tunnel's end moves to a virtual thread, parked on the tunnel's latch.
 *
 * <p>A socket left by a killed run (nobody answers on it) is replaced; one a live process answers on is left alone
 * and this interface gets no socket. Sockets are bound in a private directory, made 0600 and then renamed into
 * place, so nobody else can connect in between. {@link #close} removes them.
 */
public final class ControlServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ControlServer.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_REQUEST = 4096;
    private static final int MAX_CONNECTIONS = 16;
    private static final long CONNECTION_TIMEOUT_NANOS = Duration.ofSeconds(5).toNanos();

    private final Selector selector;
    /** Listening socket → its interface name. */
    private final Map<ServerSocketChannel, String> listeners = new LinkedHashMap<>();
    private final List<Path> paths = new ArrayList<>();
    /** Interface name → its status request's answer (a JSON object). */
    private final Function<String, ObjectNode> status;
    private volatile boolean closed;
    private volatile boolean serving;

    private ControlServer(Selector selector, Function<String, ObjectNode> status) {
        this.selector = selector;
        this.status = status;
    }

    /**
     * Binds the sockets of every interface of {@code context} for {@code tunnel} (transport {@code transport}); its
     * clock for uptime starts now.
     */
    public static ControlServer start(String transport, Tunnel tunnel, DefaultTunnelContext context)
            throws IOException {
        Instant started = Instant.now();
        List<InterfaceHandle> ifs = context.interfaces();
        Function<String, ObjectNode> report = name -> {
            InterfaceHandle h = ifs.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
            TunnelStatus st = TunnelStatus.NONE;
            String error = null;
            try {
                st = tunnel.status();
            } catch (RuntimeException e) {
                error = String.valueOf(e.getMessage() != null ? e.getMessage() : e);
            }
            // the pid when asked: ProcessHandle's first use costs the start ≈7 ms (its reaper pool's classes)
            return StatusReport.json(ProcessHandle.current().pid(), transport, StatusReport.interfaceOf(h), st, error,
                    ProcessFootprint.current(), started, Instant.now());
        };
        return bind(ifs.stream().map(InterfaceHandle::name).toList(), report);
    }

    /** Binds one socket per name, answering status requests with {@code status}. */
    public static ControlServer bind(List<String> interfaces, Function<String, ObjectNode> status) throws IOException {
        ControlServer s = new ControlServer(Selector.open(), status);
        try {
            for (String name : interfaces) {
                Path target = ControlSocket.path(name);
                ServerSocketChannel ch = listen(target);
                if (ch == null) continue;
                s.paths.add(target);
                s.listeners.put(ch, name);
                ch.configureBlocking(false);
                ch.register(s.selector, SelectionKey.OP_ACCEPT);
            }
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** The socket paths this server listens on. */
    public List<Path> paths() { return List.copyOf(paths); }

    /** A listening socket at {@code target} (0600), or null when a live process already answers there. */
    private static ServerSocketChannel listen(Path target) throws IOException {
        Path dir = target.getParent();
        Files.createDirectories(dir);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            if (answers(target)) {
                LOG.log(System.Logger.Level.WARNING, "{0} is served by another process; no control socket for this "
                        + "interface", target);
                return null;
            }
            Files.deleteIfExists(target); // left by a killed run
        }
        Path tmpDir = privateDirectory(dir);
        Path tmp = tmpDir.resolve("s");
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(tmp), MAX_CONNECTIONS);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE); // rename(2): the socket keeps working
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            Files.deleteIfExists(tmp);
            throw e;
        } finally {
            Files.deleteIfExists(tmpDir);
        }
    }

    /**
     * A new directory in {@code dir} only its owner can enter (mkdir's own mode, so never a moment without), where
     * the socket is bound before its mode is set. Named from the clock and retried on a clash, not by
     * {@link Files#createTempDirectory}, whose SecureRandom (the security providers' set-up) would cost the start ≈7 ms.
     */
    private static Path privateDirectory(Path dir) throws IOException {
        var mode = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
        for (int attempt = 0; ; attempt++) {
            Path p = dir.resolve(".ctl-" + Long.toHexString(System.nanoTime()) + "-" + attempt);
            try {
                return Files.createDirectory(p, mode);
            } catch (FileAlreadyExistsException clash) {
                if (attempt == 99) throw clash;
            }
        }
    }

    /** Whether a process accepts connections on the socket at {@code p}. */
    private static boolean answers(Path p) {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(p));
            return true;
        } catch (ConnectException refused) {
            return false;
        } catch (IOException other) {
            return false; // not a socket, or not one we can use: replace it
        }
    }

    // ------------------------------------------------------------------------------------------ serving

    /**
     * Serves requests on the calling thread until {@code tunnel} ends, then returns, or throws what ended it. After
     * {@link #close} it stops serving and only waits for the end.
     */
    public void serve(Tunnel tunnel) throws IOException, InterruptedException {
        serving = true;
        CompletableFuture<Void> ended = new CompletableFuture<>();
        Thread.ofVirtual().name("tunctl-await").start(() -> {
            try {
                tunnel.await();
                ended.complete(null);
            } catch (Throwable t) {
                ended.completeExceptionally(t);
            }
            selector.wakeup();
        });
        Map<SocketChannel, Connection> open = new LinkedHashMap<>();
        try {
            while (!ended.isDone() && !closed) {
                long next = Long.MAX_VALUE;
                for (Connection c : open.values()) next = Math.min(next, c.deadline);
                long waitMs = next == Long.MAX_VALUE ? 0 : Math.max(1, (next - System.nanoTime()) / 1_000_000);
                selector.select(waitMs);
                if (Thread.interrupted()) throw new InterruptedException();
                for (SelectionKey k : selector.selectedKeys()) handle(k, open);
                selector.selectedKeys().clear();
                long now = System.nanoTime();
                open.values().removeIf(c -> {
                    if (now - c.deadline < 0) return false;
                    c.close();
                    return true;
                });
            }
        } catch (ClosedSelectorException closedMeanwhile) {
            // close() from the shutdown hook
        } finally {
            for (Connection c : open.values()) c.close();
            selector.close();
        }
        try {
            ended.get();
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case IOException io -> throw io;
                case InterruptedException ie -> throw ie;
                case RuntimeException re -> throw re;
                case Error err -> throw err;
                default -> throw new IOException(e.getCause());
            }
        }
    }

    private void handle(SelectionKey k, Map<SocketChannel, Connection> open) {
        try {
            if (!k.isValid()) return;
            if (k.isAcceptable()) {
                ServerSocketChannel l = (ServerSocketChannel) k.channel();
                SocketChannel ch = l.accept();
                if (ch == null) return;
                if (open.size() >= MAX_CONNECTIONS) {
                    ch.close();
                    return;
                }
                ch.configureBlocking(false);
                Connection c = new Connection(ch, listeners.get(l), System.nanoTime() + CONNECTION_TIMEOUT_NANOS);
                open.put(ch, c);
                c.key = ch.register(selector, SelectionKey.OP_READ, c);
                return;
            }
            Connection c = (Connection) k.attachment();
            if (c == null) return;
            if (k.isReadable() && c.out == null) {
                int n = c.channel.read(c.in);
                String line = c.line(n < 0);
                if (line != null) {
                    c.out = ByteBuffer.wrap((respond(line, c.iface, status) + "\n").getBytes(StandardCharsets.UTF_8));
                    k.interestOps(SelectionKey.OP_WRITE);
                } else if (n < 0) {
                    open.remove(c.channel);
                    c.close();
                    return;
                }
            }
            if (c.out != null && (k.isWritable() || k.interestOps() == SelectionKey.OP_WRITE)) {
                c.channel.write(c.out);
                if (!c.out.hasRemaining()) {
                    open.remove(c.channel);
                    c.close();
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "control connection: " + e);
            if (k.attachment() instanceof Connection c) {
                open.remove(c.channel);
                c.close();
            }
        }
    }

    /** One client: its request as it arrives, then the response as it leaves. */
    private static final class Connection {
        final SocketChannel channel;
        final String iface;
        final long deadline;
        final ByteBuffer in = ByteBuffer.allocate(MAX_REQUEST);
        ByteBuffer out;
        SelectionKey key;

        Connection(SocketChannel channel, String iface, long deadline) {
            this.channel = channel;
            this.iface = iface;
            this.deadline = deadline;
        }

        /** The request line once complete (at a newline, at the end of input, or when too long), else null. */
        String line(boolean eof) {
            for (int i = 0; i < in.position(); i++) {
                if (in.get(i) == '\n') return new String(in.array(), 0, i, StandardCharsets.UTF_8);
            }
            if (eof && in.position() > 0) return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8);
            if (!in.hasRemaining()) return "\u0000too long";
            return null;
        }

        void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }

    /**
     * The response line to request {@code line} on interface {@code iface}'s socket: I/O-free apart from what
     * {@code status} does.
     */
    static String respond(String line, String iface, Function<String, ObjectNode> status) {
        if (line.equals("\u0000too long")) return error("request longer than " + MAX_REQUEST + " bytes");
        JsonNode req;
        try {
            req = JSON.readTree(line.strip());
        } catch (IOException | RuntimeException e) {
            return error("request is not JSON: one line like {\"command\":\"status\"} expected");
        }
        if (req == null || !req.isObject()) return error("request must be a JSON object like {\"command\":\"status\"}");
        JsonNode cmd = req.get("command");
        if (cmd == null || !cmd.isTextual()) return error("request has no \"command\" (known: status)");
        return switch (cmd.asText()) {
            case "status" -> {
                try {
                    yield status.apply(iface).toString();
                } catch (RuntimeException e) {
                    yield error("status failed: " + e);
                }
            }
            default -> error("unknown command '" + cmd.asText() + "' (known: status)");
        };
    }

    private static String error(String message) {
        return JSON.createObjectNode().put("error", message).toString();
    }

    // ------------------------------------------------------------------------------------------ close

    /** Stops serving and removes the sockets; idempotent, from any thread. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        for (ServerSocketChannel ch : listeners.keySet()) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing a listener cannot fail in a way that matters here
            }
        }
        for (Path p : paths) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot remove " + p + ": " + e.getMessage());
            }
        }
        if (!paths.isEmpty()) {
            try {
                Files.deleteIfExists(paths.getFirst().getParent()); // the namespace's folder goes with its last file
            } catch (DirectoryNotEmptyException busy) {
                // another interface's state or socket is there
            } catch (IOException ignored) {
                // left for the next run
            }
        }
        if (serving) {
            selector.wakeup(); // serve() closes it
        } else {
            try {
                selector.close();
            } catch (IOException ignored) {
                // an epoll descriptor: nothing to lose
            }
        }
    }
}
