package io.tunctl.transport.p2p.dht.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.tunctl.transport.p2p.codec.CompactDecodeException;
import io.tunctl.transport.p2p.codec.CompactEncoder;
import io.tunctl.transport.p2p.crypto.Blake2b;
import io.tunctl.transport.p2p.dht.messages.DhtCommands;
import io.tunctl.transport.p2p.dht.messages.DhtMessage;
import io.tunctl.transport.p2p.dht.messages.NodeId;
import io.tunctl.transport.p2p.udx.UdxMessageHandler;
import io.tunctl.transport.p2p.udx.UdxSocket;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A dht-rpc 6.27 node (hyperdht-wire.md §2) on UDX sockets: it sends requests (tid, 1 s timeout, retries, a
 * congestion window), answers PING, PING_NAT, FIND_NODE, DOWN_HINT and DELAYED_PING, hands user commands (hyperdht's)
 * to {@link #handle registered handlers}, keeps a routing table of nodes that proved their id, runs iterative
 * {@link #query queries}, bootstraps, samples its public address from replies, and decides like dht-rpc when it is
 * reachable (not firewalled) and when it becomes persistent (puts its id on the wire and enters others' tables).
 *
 * <p>Like dht-rpc it may use two sockets: requests leave from the client socket while the node believes it is
 * firewalled and from the server socket afterwards, so a PING_NAT to the server socket proves reachability. With
 * one socket (client == server) everything goes through it, as the Java HyperDHT layer prefers; the firewall check
 * then proves less behind a NAT.
 *
 * <p>All state lives on one thread (the sockets' event loop); public methods may be called from any thread, and
 * futures and callbacks complete on that thread, so callbacks must not block.
 */
public final class DhtNode implements AutoCloseable {
    static final System.Logger LOG = System.getLogger(DhtNode.class.getName());

    /** hyperdht 6.34's public bootstrap nodes ({@code lib/constants.js} BOOTSTRAP_NODES). */
    public static final List<String> DEFAULT_BOOTSTRAP = List.of(
            "88.99.3.86@node1.hyperdht.org:49737",
            "142.93.90.113@node2.hyperdht.org:49737",
            "138.68.147.8@node3.hyperdht.org:49737");
    /** hyperdht's default port. */
    public static final int DEFAULT_PORT = 49737;

    static final long TICK_MILLIS = 5000;
    static final long DRAIN_MILLIS = 750;
    static final long SLEEPING_MILLIS = 3 * TICK_MILLIS;
    static final int STABLE_TICKS = 240;
    static final int MORE_STABLE_TICKS = 3 * STABLE_TICKS;
    static final int REFRESH_TICKS = 60;
    static final int RECENT_NODE = 12;
    static final int OLD_NODE = 360;
    private static final int ROTATE_SECRETS_EVERY = 10;
    private static final Executor DNS = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("dht-dns-", 0).factory());

    /** Handles a user command (request flag bit2 = 0). */
    @FunctionalInterface
    public interface RequestHandler {
        /**
         * Called on the node's thread. Return false to have the node answer UNKNOWN_COMMAND (with closer nodes), as
         * hyperdht does for storage commands while it is ephemeral; true when the request was (or will be) answered,
         * or is deliberately left unanswered.
         */
        boolean onRequest(DhtRequest request);
    }

    /** State changes, called on the node's thread. */
    public interface Listener {
        /** Bootstrapping finished (dht-rpc's {@code ready}). */
        default void onReady() {
        }

        /** The node became persistent: it has its public id and others will store it in their tables. */
        default void onPersistent() {
        }

        /** The node went back to ephemeral (after a sleep/wake-up). */
        default void onEphemeral() {
        }

        /** The sampled public address changed ({@code host} null or {@code port} 0 when unknown). */
        default void onNatUpdate(String host, int port) {
        }

        default void onNodeAdded(DhtPeer peer) {
        }

        default void onNodeRemoved(DhtPeer peer) {
        }
    }

    private final DhtNodeOptions options;
    private final Link server;
    private final Link client;
    private final Scheduler scheduler;
    private final SecureRandom random;
    private final List<BootstrapNode> bootstrapNodes;
    private final TokenSecrets tokens;
    private final CongestionWindow congestion;
    private final ArrayDeque<Outgoing> waiting = new ArrayDeque<>();
    private final Map<Integer, Outgoing> inflight = new HashMap<>();
    private final LinkedHashSet<DhtPeer> nodes = new LinkedHashSet<>(); // least recently seen first
    private final Set<Query> queries = new HashSet<>();
    private final Map<Long, RequestHandler> handlers = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final List<Set<String>> serverSocketWatchers = new ArrayList<>();
    private final Map<UdxSocket, Link> attached = new java.util.IdentityHashMap<>();
    private final List<String> nonPersistentSamples = new ArrayList<>();
    private final CompletableFuture<Void> bootstrapping = new CompletableFuture<>();
    private final boolean adaptive;
    private final boolean forcePersistent;
    private final Runnable onClose;
    private RoutingTable table;
    private NatSampler nat = new NatSampler();
    private volatile UdxMessageHandler otherMessages;
    private volatile boolean bootstrapped;
    private volatile boolean ephemeral = true;
    private volatile boolean firewalled;
    private volatile boolean closed;
    private volatile byte[] publicId;
    private int nextTid;
    private int rotateSecretsIn = ROTATE_SECRETS_EVERY;
    private long tick;
    private int refreshTicks;
    private int stableTicks;
    private long lastTick;
    private String lastHost;
    private int repinging;
    private int checks;
    private int downHintsSentThisTick;
    private Scheduler.Cancellable tickTimer;
    private Scheduler.Cancellable drainTimer;
    private boolean started;

    DhtNode(Link server, Link client, Scheduler scheduler, DhtNodeOptions options, SecureRandom random,
            Runnable onClose) {
        this.options = Objects.requireNonNull(options, "options");
        this.server = Objects.requireNonNull(server, "server");
        this.client = client == null ? server : client;
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.random = random;
        this.onClose = onClose;
        this.bootstrapNodes = options.bootstrap();
        this.tokens = new TokenSecrets(random);
        this.congestion = new CongestionWindow(options.maxWindow());
        this.firewalled = options.firewalled();
        this.adaptive = options.ephemeral() == null;
        this.forcePersistent = Boolean.FALSE.equals(options.ephemeral());
        this.nextTid = random.nextInt(65536);
        this.tick = randomOffset(100);
        this.refreshTicks = randomOffset(REFRESH_TICKS);
        this.stableTicks = adaptive ? STABLE_TICKS : 0;
        byte[] tableId = new byte[32];
        random.nextBytes(tableId);
        setTable(new RoutingTable(tableId));
    }

    // ---- construction

    /**
     * Binds the server socket at {@code options.bind()} (and a client socket on a random port of the same host if
     * {@code options.clientSocket()}), both on one event-loop thread owned by the node, and starts bootstrapping.
     */
    public static DhtNode bind(DhtNodeOptions options) throws IOException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("dht", true),
                EpollIoHandler.newFactory());
        UdxSocket serverSocket = null;
        UdxSocket clientSocket = null;
        try {
            serverSocket = UdxSocket.bind(options.bind(), group);
            if (options.clientSocket()) {
                clientSocket = UdxSocket.bind(new InetSocketAddress(options.bind().getAddress(), 0), group);
            }
            UdxSocket s = serverSocket;
            UdxSocket c = clientSocket;
            DhtNode node = attach(s, c, options, () -> {
                if (c != null) {
                    c.close();
                }
                s.close();
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            });
            node.start();
            return node;
        } catch (IOException | RuntimeException e) {
            if (clientSocket != null) {
                clientSocket.close();
            }
            if (serverSocket != null) {
                serverSocket.close();
            }
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    /**
     * A node on sockets the caller owns (they stay open after {@link #close()}); {@code clientSocket} may be null
     * (one socket for everything) or must share {@code serverSocket}'s event loop. Takes over their message
     * handlers: datagrams that are not dht-rpc messages go to {@link #onOtherMessage}. Starts bootstrapping.
     */
    @SuppressWarnings("exports") // for the HyperDHT layer inside this module; UDX itself stays unexported
    public static DhtNode create(UdxSocket serverSocket, UdxSocket clientSocket, DhtNodeOptions options) {
        DhtNode node = attach(serverSocket, clientSocket, options, () -> { });
        node.start();
        return node;
    }

    private static DhtNode attach(UdxSocket serverSocket, UdxSocket clientSocket, DhtNodeOptions options,
            Runnable onClose) {
        Objects.requireNonNull(serverSocket, "serverSocket");
        for (UdxSocket s : new UdxSocket[] {serverSocket, clientSocket}) {
            if (s != null && !(s.localAddress().getAddress() instanceof Inet4Address)) {
                throw new IllegalArgumentException("dht-rpc is IPv4 only; socket bound to " + s.localAddress());
            }
        }
        if (clientSocket != null && clientSocket.eventLoop() != serverSocket.eventLoop()) {
            throw new IllegalArgumentException("the client and server sockets must share one event loop");
        }
        Link s = new UdxLink(serverSocket);
        Link c = clientSocket == null ? s : new UdxLink(clientSocket);
        DhtNode node = new DhtNode(s, c, Scheduler.of(serverSocket.eventLoop()), options, new SecureRandom(), onClose);
        UdxMessageHandler hs = (sock, buf, from) -> node.onUdxMessage(s, sock, buf, from);
        serverSocket.onMessage(hs);
        if (clientSocket != null) {
            UdxMessageHandler hc = (sock, buf, from) -> node.onUdxMessage(c, sock, buf, from);
            clientSocket.onMessage(hc);
        }
        return node;
    }

    private record UdxLink(UdxSocket socket) implements Link {
        @Override
        public InetSocketAddress localAddress() {
            return socket.localAddress();
        }

        @Override
        public UdxSocket udxSocket() {
            return socket;
        }

        @Override
        public void send(byte[] datagram, InetSocketAddress to) {
            socket.send(Unpooled.wrappedBuffer(datagram), to);
        }
    }

    private void onUdxMessage(Link link, UdxSocket socket, ByteBuf buf, InetSocketAddress from) {
        int n = buf.readableBytes();
        if (n >= 2) {
            int first = buf.getUnsignedByte(buf.readerIndex());
            if (first == DhtMessage.REQUEST_ID || first == DhtMessage.RESPONSE_ID) {
                onDatagram(link, ByteBufUtil.getBytes(buf), from);
                return;
            }
        }
        UdxMessageHandler h = otherMessages;
        if (h != null) {
            h.onMessage(socket, buf, from);
        }
    }

    /**
     * Lets {@code socket} (on the node's event loop) carry this node's requests and responses too, as hyperdht's
     * holepunch sockets do: dht-rpc messages arriving on it are handled like those on the node's own sockets (but
     * never sampled for our NAT: it is "external"), everything else goes to {@code otherMessages}. Requests are sent
     * from it with {@link #request(InetSocketAddress, byte[], boolean, long, byte[], byte[], int, UdxSocket)}, and
     * replies to requests that arrived on it leave from it. Detached when the socket closes ({@link #detach}).
     */
    @SuppressWarnings("exports")
    public void attach(UdxSocket socket, UdxMessageHandler otherMessages) {
        UdxSocket own = server.udxSocket();
        if (own == null || socket.eventLoop() != own.eventLoop()) {
            throw new IllegalArgumentException("an attached socket must run on the node's event loop");
        }
        Link link = new UdxLink(socket);
        socket.onMessage((sock, buf, from) -> {
            int n = buf.readableBytes();
            if (n >= 2) {
                int first = buf.getUnsignedByte(buf.readerIndex());
                if (first == DhtMessage.REQUEST_ID || first == DhtMessage.RESPONSE_ID) {
                    onDatagram(link, ByteBufUtil.getBytes(buf), from);
                    return;
                }
            }
            if (otherMessages != null) {
                otherMessages.onMessage(sock, buf, from);
            }
        });
        run(() -> attached.put(socket, link));
    }

    /** Forgets a socket {@link #attach}ed before (its requests in flight time out). */
    @SuppressWarnings("exports")
    public void detach(UdxSocket socket) {
        socket.onMessage(null);
        run(() -> attached.remove(socket));
    }

    /** The node's server socket when it runs on UDX sockets, else null. */
    @SuppressWarnings("exports")
    public UdxSocket serverSocket() {
        return server.udxSocket();
    }

    /** The node's client socket (the server socket when it has only one), or null off UDX. */
    @SuppressWarnings("exports")
    public UdxSocket clientSocket() {
        return client.udxSocket();
    }

    /**
     * Sets the handler for datagrams on the node's sockets that are not dht-rpc messages (holepunch probes, UDX
     * packets for streams not yet known); null drops them.
     */
    @SuppressWarnings("exports")
    public void onOtherMessage(UdxMessageHandler handler) {
        this.otherMessages = handler;
    }

    /** Starts the timers and bootstrapping (once). */
    void start() {
        run(() -> {
            if (started || closed) {
                return;
            }
            started = true;
            lastTick = scheduler.nowMillis();
            tickTimer = scheduler.schedule(this::onTickTimer, TICK_MILLIS);
            drainTimer = scheduler.schedule(this::onDrainTimer, DRAIN_MILLIS);
            if (options.publicHost() != null) {
                natAdd(options.publicHost(), server.localAddress().getPort());
            }
            bootstrap();
        });
    }

    // ---- public API

    public DhtNodeOptions options() {
        return options;
    }

    /** Our node id while persistent, else null (ephemeral nodes have no id on the wire). */
    public byte[] id() {
        byte[] id = publicId;
        return id == null ? null : id.clone();
    }

    /** The id our routing table is built around (random while ephemeral). */
    public byte[] tableId() {
        return call(() -> table.id());
    }

    public boolean isEphemeral() {
        return ephemeral;
    }

    public boolean isFirewalled() {
        return firewalled;
    }

    public boolean isBootstrapped() {
        return bootstrapped;
    }

    /** Completes when bootstrapping is done (dht-rpc's {@code fullyBootstrapped()}). */
    public CompletableFuture<Void> fullyBootstrapped() {
        return bootstrapping;
    }

    /** The server socket's bound address. */
    public InetSocketAddress localAddress() {
        return server.localAddress();
    }

    /** The address requests currently leave from (the client socket while firewalled). */
    public InetSocketAddress requestAddress() {
        return (firewalled ? client : server).localAddress();
    }

    /** Our public host as sampled from others' replies, or null. */
    public String host() {
        return call(() -> nat.host());
    }

    /** Our public port as sampled (0: unknown or randomized by a NAT). */
    public int port() {
        return call(() -> nat.port());
    }

    /**
     * Our address as others can reach it, or null: known only when not firewalled and the sampled port is the server
     * socket's (dht-rpc's {@code remoteAddress()}; hyperdht claims FIREWALL.OPEN with it).
     */
    public InetSocketAddress remoteAddress() {
        return call(() -> {
            if (nat.host() == null || nat.port() == 0 || firewalled) {
                return null;
            }
            int port = server.localAddress().getPort();
            return port == nat.port() ? new InetSocketAddress(nat.host(), port) : null;
        });
    }

    /** A snapshot of the routing table, nodes sharing the longest id prefix with us last. */
    public List<DhtPeer> routingTable() {
        return call(() -> List.copyOf(table.toList()));
    }

    /** Nodes heard from recently, newest first (dht-rpc's {@code toArray()}). */
    public List<InetSocketAddress> recentNodes(int limit) {
        return call(() -> nodes.reversed().stream().limit(limit).map(DhtPeer::address).toList());
    }

    /** Adds a node to the routing table without asking it (dht-rpc's {@code addNode}). */
    public void addNode(InetSocketAddress address) {
        DhtPeer p = DhtPeer.of(address);
        run(() -> addNode(p));
    }

    /** Registers the handler for user command {@code command} (replacing any), or removes it if null. */
    public void handle(long command, RequestHandler handler) {
        if (handler == null) {
            handlers.remove(command);
        } else {
            handlers.put(command, handler);
        }
    }

    public void addListener(Listener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeListener(Listener listener) {
        listeners.remove(listener);
    }

    /** PING (internal), retried 3 times. */
    public CompletableFuture<DhtReply> ping(InetSocketAddress to) {
        return request(to, null, true, DhtCommands.PING, null, null, 3);
    }

    /** A user command to one node, retried 3 times (up to 4 sends). */
    public CompletableFuture<DhtReply> request(long command, byte[] target, byte[] value, byte[] token,
            InetSocketAddress to) {
        return request(to, token, false, command, target, value, 3);
    }

    /**
     * One request (internal or user command) with {@code retries} re-sends. The future completes with the reply
     * (whatever its error code) or fails with a {@link DhtException}; cancelling it abandons the request.
     */
    public CompletableFuture<DhtReply> request(InetSocketAddress to, byte[] token, boolean internal, long command,
            byte[] target, byte[] value, int retries) {
        return request(to, token, internal, command, target, value, retries, null);
    }

    /**
     * {@link #request(InetSocketAddress, byte[], boolean, long, byte[], byte[], int)} sent from {@code via}, a socket
     * {@link #attach}ed to this node (null: the node's own request socket). The reply must come back to that socket.
     */
    @SuppressWarnings("exports")
    public CompletableFuture<DhtReply> request(InetSocketAddress to, byte[] token, boolean internal, long command,
            byte[] target, byte[] value, int retries, UdxSocket via) {
        checkAddress(to);
        CompletableFuture<DhtReply> f = new CompletableFuture<>();
        byte[] tk = token == null ? null : token.clone();
        byte[] tg = target == null ? null : target.clone();
        byte[] v = value == null ? null : value.clone();
        run(() -> {
            Outgoing r = createRequest(to, null, tk, internal, command, tg, v);
            if (r == null) {
                f.completeExceptionally(new DhtException(DhtException.Code.NODE_CLOSED, "node closed"));
                return;
            }
            if (via != null) {
                Link l = via == server.udxSocket() ? server : via == client.udxSocket() ? client : attached.get(via);
                if (l == null) {
                    destroy(r, new DhtException(DhtException.Code.REQUEST_DESTROYED, "socket " + via.localAddress()
                            + " is not attached"));
                    f.completeExceptionally(new DhtException(DhtException.Code.REQUEST_DESTROYED, "socket "
                            + via.localAddress() + " is not attached"));
                    return;
                }
                r.link = l;
            }
            r.retries = Math.max(0, retries);
            r.onResponse = f::complete;
            r.onError = f::completeExceptionally;
            f.whenComplete((x, e) -> {
                if (f.isCancelled()) {
                    run(() -> destroy(r, new DhtException(DhtException.Code.REQUEST_DESTROYED, "cancelled")));
                }
            });
            send(r, false);
        });
        return f;
    }

    /** An iterative FIND_NODE (internal) for {@code target}. */
    public Query findNode(byte[] target) {
        return startQuery(target, true, DhtCommands.FIND_NODE, null, QueryOptions.defaults());
    }

    /** An iterative query of user command {@code command} (hyperdht's FIND_PEER, LOOKUP, ANNOUNCE ...). */
    public Query query(byte[] target, long command, byte[] value, QueryOptions queryOptions) {
        return startQuery(target, false, command, value, queryOptions);
    }

    /** An iterative query of an internal command. */
    public Query queryInternal(byte[] target, long command, byte[] value, QueryOptions queryOptions) {
        return startQuery(target, true, command, value, queryOptions);
    }

    /** A background FIND_NODE for a random table node's id (or ours), keeping the table fresh. */
    public void refresh() {
        run(() -> {
            DhtPeer n = table.random(random);
            backgroundQuery(n != null ? n.idRef() : table.id());
        });
    }

    /** Stops timers, fails what is in flight, and closes the sockets if the node owns them. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            call(() -> {
                shutDown();
                return null;
            });
        } catch (RuntimeException e) {
            closed = true; // the loop is gone already
        }
        onClose.run();
    }

    private void shutDown() {
        if (closed) {
            return;
        }
        closed = true;
        if (tickTimer != null) {
            tickTimer.cancel();
        }
        if (drainTimer != null) {
            drainTimer.cancel();
        }
        waiting.clear();
        for (Outgoing r : List.copyOf(inflight.values())) {
            destroy(r, new DhtException(DhtException.Code.NODE_CLOSED, "node closed"));
        }
        for (Query q : List.copyOf(queries)) {
            q.destroy();
        }
        bootstrapping.completeExceptionally(new DhtException(DhtException.Code.NODE_CLOSED, "node closed"));
    }

    // ---- thread helpers

    /** Runs {@code task} on the node's thread (now, if already on it). */
    void run(Runnable task) {
        if (scheduler.inThread()) {
            task.run();
        } else {
            scheduler.execute(task);
        }
    }

    /** Runs {@code task} on the node's thread and waits (at most 10 s) for its result. */
    <T> T call(Supplier<T> task) {
        if (scheduler.inThread()) {
            return task.get();
        }
        CompletableFuture<T> f = new CompletableFuture<>();
        scheduler.execute(() -> {
            try {
                f.complete(task.get());
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the DHT node's thread", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the DHT node's thread did not answer within 10 s", e);
        }
    }

    RoutingTable table() {
        return table;
    }

    private void setTable(RoutingTable t) {
        t.onFullRow(this::onFullRow);
        table = t;
    }

    private int randomOffset(int n) {
        return n - (int) (random.nextDouble() * 0.5 * n);
    }

    private static void checkAddress(InetSocketAddress to) {
        Objects.requireNonNull(to, "to");
        if (to.isUnresolved() || !(to.getAddress() instanceof Inet4Address) || to.getPort() == 0) {
            throw new IllegalArgumentException("dht-rpc needs a resolved IPv4 address with a port, got " + to);
        }
    }

    private static String host(InetSocketAddress a) {
        return a.getAddress().getHostAddress();
    }

    private void emit(java.util.function.Consumer<Listener> event) {
        for (Listener l : listeners) {
            try {
                event.accept(l);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "DHT listener failed", e);
            }
        }
    }

    // ---- requests out (node thread)

    Outgoing createRequest(InetSocketAddress to, byte[] toId, byte[] token, boolean internal, long command,
            byte[] target, byte[] value) {
        if (closed) {
            return null;
        }
        int tid = -1;
        for (int i = 0; i < 65536; i++) {
            int t = nextTid;
            nextTid = (nextTid + 1) & 0xffff;
            if (!inflight.containsKey(t)) {
                tid = t;
                break;
            }
        }
        if (tid < 0) {
            return null; // 65536 requests in flight: cannot happen under the congestion window
        }
        Outgoing r = new Outgoing(tid, to, toId, token, internal, command, target, value);
        r.link = firewalled ? client : server;
        inflight.put(tid, r);
        return r;
    }

    /** Sends now, or queues behind the congestion window unless {@code force}. */
    void send(Outgoing r, boolean force) {
        if (r.destroyed) {
            return;
        }
        if (r.bytes == null) {
            boolean withId = !ephemeral && r.link == server;
            r.bytes = new DhtMessage.Request(r.tid, r.to, withId ? table.id() : null, r.token, r.internal, r.command,
                    r.target, r.value).encode();
        }
        if (!force && congestion.isFull()) {
            waiting.add(r);
            return;
        }
        sendNow(r);
    }

    private void sendNow(Outgoing r) {
        if (r.destroyed) {
            return;
        }
        r.sent++;
        if (r.firstSentAt < 0) {
            r.firstSentAt = scheduler.nowMillis();
        }
        congestion.send();
        r.link.send(r.bytes, r.to);
        if (r.timer != null) {
            r.timer.cancel();
        }
        long timeout = r.timeoutMillis > 0 ? r.timeoutMillis : options.requestTimeoutMillis();
        r.timer = scheduler.schedule(() -> onRequestTimer(r), timeout);
    }

    private void onRequestTimer(Outgoing r) {
        r.timer = null;
        if (r.destroyed) {
            return;
        }
        Runnable cycle = r.onCycle;
        if (cycle != null) {
            cycle.run();
        }
        if (r.destroyed) {
            return;
        }
        if (r.sent > r.retries) {
            destroy(r, new DhtException(DhtException.Code.REQUEST_TIMEOUT, "no reply from " + r.to + " after "
                    + r.sent + " sends"));
            onTimeout(r);
        } else {
            send(r, false);
        }
    }

    /** Drops a request; its error callback runs if it was still in flight. */
    void destroy(Outgoing r, DhtException error) {
        if (r.destroyed) {
            return;
        }
        r.destroyed = true;
        if (r.timer != null) {
            r.timer.cancel();
            r.timer = null;
        }
        waiting.remove(r);
        if (inflight.remove(r.tid, r)) {
            congestion.recv();
            r.onError.accept(error);
        }
    }

    private void onTimeout(Outgoing r) {
        if (r.toId == null) {
            return;
        }
        DhtPeer p = table.get(r.toId);
        if (p != null) {
            removeNode(p);
        }
    }

    /** An internal request whose outcome only matters to the node's own bookkeeping. */
    private Outgoing requestInternal(InetSocketAddress to, long command, byte[] value,
            java.util.function.Consumer<DhtReply> onResponse, java.util.function.Consumer<DhtException> onError) {
        Outgoing r = createRequest(to, null, null, true, command, null, value);
        if (r == null) {
            return null;
        }
        r.onResponse = onResponse;
        r.onError = onError;
        send(r, false);
        return r;
    }

    void sendDownHint(InetSocketAddress to, InetSocketAddress down) {
        int limit = options.downHintsPerTick();
        if (limit != -1 && downHintsSentThisTick >= limit) {
            return;
        }
        downHintsSentThisTick++;
        requestInternal(to, DhtCommands.DOWN_HINT, new CompactEncoder(6).ipv4Address(down).toByteArray(), m -> { },
                e -> { });
    }

    // ---- datagrams in (node thread)

    /** One datagram from {@code link}; malformed ones are dropped, as dht-rpc does. */
    void onDatagram(Link link, byte[] data, InetSocketAddress from) {
        if (closed || data.length < 2 || from.getPort() == 0 || !(from.getAddress() instanceof Inet4Address)) {
            return;
        }
        if (link == server && !serverSocketWatchers.isEmpty()) {
            String h = host(from);
            for (Set<String> w : serverSocketWatchers) {
                w.add(h);
            }
        }
        boolean external = link != (firewalled ? client : server);
        try {
            if ((data[0] & 0xff) == DhtMessage.REQUEST_ID) {
                onRequest(link, DhtMessage.Request.decode(data), from, external);
            } else if ((data[0] & 0xff) == DhtMessage.RESPONSE_ID) {
                onResponse(DhtMessage.Response.decode(data), from, external);
            }
        } catch (CompactDecodeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "dropped malformed dht-rpc datagram from " + from + ": "
                    + e.getMessage());
        }
    }

    private void onResponse(DhtMessage.Response res, InetSocketAddress from, boolean external) {
        Outgoing r = inflight.get(res.tid());
        // matched by tid and by source: a stray or forged reply from elsewhere cannot complete our request
        if (r == null || !r.to.equals(from)) {
            return;
        }
        inflight.remove(r.tid);
        if (r.timer != null) {
            r.timer.cancel();
            r.timer = null;
        }
        r.destroyed = true;
        congestion.recv();
        DhtReply reply = new DhtReply(res.tid(), from, NodeId.verified(res, from), res.to(), res.token(),
                res.closerNodes(), res.error(), res.value(), scheduler.nowMillis() - r.firstSentAt);
        addNodeFromNetwork(!external, from, reply.fromId(), res.to());
        r.onResponse.accept(reply);
    }

    private void onRequest(Link link, DhtMessage.Request m, InetSocketAddress from, boolean external) {
        byte[] fromId = NodeId.verified(m, from);
        DhtRequest req = new DhtRequest(this, link, m, from, fromId);
        if (m.token() != null && !tokens.isValid(host(from), m.token())) {
            sendReply(req, from, DhtCommands.ERROR_INVALID_TOKEN, null, true, true);
            return;
        }
        if (fromId != null) {
            addNodeFromNetwork(!external, from, fromId, m.to());
        }
        if (m.internal()) {
            onInternalRequest(req);
            return;
        }
        RequestHandler h = handlers.get(m.command());
        boolean handled = false;
        if (h != null) {
            try {
                handled = h.onRequest(req);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "handler for command " + m.command() + " failed", e);
                return;
            }
        }
        if (!handled) {
            sendReply(req, from, DhtCommands.ERROR_UNKNOWN_COMMAND, null, false, true);
        }
    }

    private void onInternalRequest(DhtRequest req) {
        byte[] value = req.message().value();
        switch ((int) Math.min(req.command(), Integer.MAX_VALUE)) {
            case DhtCommands.PING -> sendReply(req, req.from(), 0, null, false, false);
            case DhtCommands.PING_NAT -> {
                // "can you reach my other socket?": answer to the port named in the value, same host
                if (value == null || value.length < 2) {
                    return;
                }
                int port = (value[0] & 0xff) | (value[1] & 0xff) << 8;
                if (port == 0) {
                    return;
                }
                sendReply(req, new InetSocketAddress(req.from().getAddress(), port), 0, null, false, false);
            }
            case DhtCommands.FIND_NODE -> {
                if (req.message().target() == null) {
                    return;
                }
                sendReply(req, req.from(), 0, null, false, true);
            }
            case DhtCommands.DOWN_HINT -> {
                if (value == null || value.length < 6) {
                    return;
                }
                if (checks < 10) {
                    byte[] id = Blake2b.hash256(java.util.Arrays.copyOf(value, 6));
                    DhtPeer p = table.get(id);
                    if (p != null && (p.pinged < tick || p.downHints == 0)) {
                        p.downHints++;
                        check(p);
                    }
                }
                sendReply(req, req.from(), 0, null, false, false);
            }
            case DhtCommands.DELAYED_PING -> {
                if (value == null || value.length < 4) {
                    return;
                }
                long delay = (value[0] & 0xffL) | (value[1] & 0xffL) << 8 | (value[2] & 0xffL) << 16
                        | (value[3] & 0xffL) << 24;
                if (delay > options.maxPingDelayMillis()) {
                    return;
                }
                scheduler.schedule(() -> {
                    if (!closed) {
                        sendReply(req, req.from(), 0, null, false, false);
                    }
                }, delay);
            }
            default -> sendReply(req, req.from(), DhtCommands.ERROR_UNKNOWN_COMMAND, null, false, true);
        }
    }

    /** Encodes and sends a response to {@code req} from the socket it arrived on. Any thread. */
    void sendReply(DhtRequest req, InetSocketAddress to, long error, byte[] value, boolean token,
            boolean closerNodes) {
        checkAddress(to);
        byte[] v = value == null ? null : value.clone();
        run(() -> {
            if (closed) {
                return;
            }
            Link link = req.link();
            boolean withId = !ephemeral && link == server;
            byte[] target = req.message().target();
            List<InetSocketAddress> closer = target != null && closerNodes
                    ? table.closest(target).stream().map(DhtPeer::address).toList() : List.of();
            byte[] bytes = new DhtMessage.Response(req.tid(), to, withId ? table.id() : null,
                    token ? tokens.current(host(to)) : null, closer, error, v).encode();
            link.send(bytes, to);
        });
    }

    void relay(DhtRequest req, byte[] value, InetSocketAddress to, UdxSocket via) {
        checkAddress(to);
        byte[] v = value == null ? null : value.clone();
        run(() -> {
            if (closed) {
                return;
            }
            Link link = via == null ? req.link() : via == server.udxSocket() ? server
                    : via == client.udxSocket() ? client : attached.get(via);
            if (link == null) {
                return; // the puncher socket closed meanwhile
            }
            boolean withId = !ephemeral && link == server;
            DhtMessage.Request m = req.message();
            link.send(new DhtMessage.Request(m.tid(), to, withId ? table.id() : null, null, m.internal(),
                    m.command(), m.target(), v).encode(), to);
        });
    }

    // ---- routing table upkeep (node thread)

    private void addNodeFromNetwork(boolean sample, InetSocketAddress from, byte[] fromId, InetSocketAddress to) {
        if (!options.nodeFilter().test(from)) {
            return;
        }
        if (fromId == null) {
            sampleBootstrapMaybe(from, to);
            return;
        }
        DhtPeer old = table.get(fromId);
        if (old != null) {
            if (sample && (old.sampled == 0 || tick - old.sampled >= OLD_NODE)) {
                old.to = to;
                old.sampled = tick;
                natAdd(host(to), to.getPort());
            }
            old.pinged = old.seen = tick;
            nodes.remove(old);
            nodes.addLast(old);
            return;
        }
        DhtPeer p = new DhtPeer(fromId, from);
        p.to = to;
        addNode(p);
    }

    /** Ephemeral nodes (bootstrap nodes of a fresh network) still tell us our address: take a few samples. */
    private void sampleBootstrapMaybe(InetSocketAddress from, InetSocketAddress to) {
        if (nonPersistentSamples.size() >= Math.max(1, bootstrapNodes.size())) {
            return;
        }
        String key = DhtPeer.key(from);
        if (nonPersistentSamples.contains(key)) {
            return;
        }
        nonPersistentSamples.add(key);
        natAdd(host(to), to.getPort());
    }

    private void addNode(DhtPeer p) {
        if (nodes.contains(p) || table.isSelf(p.idRef())) {
            return;
        }
        p.added = p.pinged = p.seen = tick;
        DhtPeer replaced = table.get(p.idRef());
        if (!table.add(p)) {
            return;
        }
        if (replaced != null) {
            nodes.remove(replaced);
        }
        nodes.addLast(p);
        if (p.to != null && p.sampled == 0) {
            p.sampled = tick;
            natAdd(host(p.to), p.to.getPort());
        }
        emit(l -> l.onNodeAdded(p));
    }

    private void removeNode(DhtPeer p) {
        if (!nodes.remove(p)) {
            return;
        }
        table.remove(p.idRef());
        emit(l -> l.onNodeRemoved(p));
    }

    private void natAdd(String h, int p) {
        String prevHost = nat.host();
        int prevPort = nat.port();
        nat.add(h, p);
        if (!Objects.equals(prevHost, nat.host()) || prevPort != nat.port()) {
            String nh = nat.host();
            int np = nat.port();
            emit(l -> l.onNatUpdate(nh, np));
        }
    }

    /** A full row: once bootstrapped, ping its least recently pinged node and swap it out if it is gone. */
    private void onFullRow(DhtPeer newcomer, List<DhtPeer> row) {
        if (!bootstrapped || repinging >= 3) {
            return;
        }
        DhtPeer oldest = null;
        for (DhtPeer n : row) {
            if (n.pinged == tick) {
                continue;
            }
            if (oldest == null || oldest.pinged > n.pinged || (oldest.pinged == n.pinged && oldest.added > n.added)) {
                oldest = n;
            }
        }
        if (oldest == null) {
            return;
        }
        if (tick - oldest.pinged < RECENT_NODE && tick - oldest.added > OLD_NODE) {
            return;
        }
        DhtPeer old = oldest;
        long lastSeen = old.seen;
        old.pinged = tick;
        repinging++;
        Runnable swap = () -> {
            repinging--;
            removeNode(old);
            addNode(newcomer);
        };
        requestInternal(old.address(), DhtCommands.PING, null, m -> {
            if (old.seen <= lastSeen) {
                swap.run();
            } else {
                repinging--;
            }
        }, e -> swap.run());
    }

    /** PINGs a node; it leaves the table if it does not answer, or answers without proving its id again. */
    private void check(DhtPeer p) {
        p.pinged = tick;
        long lastSeen = p.seen;
        checks++;
        requestInternal(p.address(), DhtCommands.PING, null, m -> {
            checks--;
            if (p.seen <= lastSeen) {
                removeNode(p);
            }
        }, e -> {
            checks--;
            removeNode(p);
        });
    }

    private void pingSome() {
        int cnt = inflight.size() > 2 ? 3 : 5;
        if (nodes.isEmpty()) { // tiny DHT: ask the bootstrap nodes again
            refreshNow();
            return;
        }
        List<DhtPeer> oldestFirst = new ArrayList<>(nodes);
        if (tick - oldestFirst.getFirst().pinged < RECENT_NODE) {
            cnt = 2;
        }
        int i = 0;
        while (cnt-- > 0) {
            DhtPeer p = i < oldestFirst.size() ? oldestFirst.get(i) : null;
            if (p == null || tick == p.pinged) {
                continue; // as dht-rpc: a node pinged this tick uses up a slot without advancing
            }
            check(p);
            i++;
        }
    }

    private void refreshNow() {
        DhtPeer n = table.random(random);
        backgroundQuery(n != null ? n.idRef() : table.id());
    }

    // ---- timers (node thread)

    private void onDrainTimer() {
        if (closed) {
            return;
        }
        if (--rotateSecretsIn == 0) {
            rotateSecretsIn = ROTATE_SECRETS_EVERY;
            tokens.rotate();
        }
        congestion.drain();
        while (!congestion.isFull() && !waiting.isEmpty()) {
            sendNow(waiting.poll());
        }
        drainTimer = scheduler.schedule(this::onDrainTimer, DRAIN_MILLIS);
    }

    private void onTickTimer() {
        if (closed) {
            return;
        }
        tickTimer = scheduler.schedule(this::onTickTimer, TICK_MILLIS);
        onTick();
    }

    void onTick() {
        long now = scheduler.nowMillis();
        if (now - lastTick > SLEEPING_MILLIS) {
            onWakeup();
        } else {
            tick++;
        }
        lastTick = now;
        if (!bootstrapped) {
            return;
        }
        if (adaptive && ephemeral && --stableTicks <= 0) {
            if (Objects.equals(lastHost, nat.host())) {
                stableTicks = MORE_STABLE_TICKS; // the same network was checked already
            } else {
                updateNetworkState(false);
            }
        }
        if ((tick & 7) == 0) {
            pingSome();
        }
        if (((tick & 63) == 0 && nodes.size() < table.k()) || --refreshTicks <= 0) {
            refreshNow();
        }
        downHintsSentThisTick = 0;
    }

    /** Back from a sleep: everything looks old, ping soon, refresh next tick, and be ephemeral again. */
    private void onWakeup() {
        tick += 2L * OLD_NODE;
        tick += 8 - (tick & 7) - 2;
        stableTicks = MORE_STABLE_TICKS;
        refreshTicks = 1;
        lastHost = null;
        if (adaptive && !ephemeral) {
            ephemeral = true;
            publicId = null;
            emit(Listener::onEphemeral);
        }
    }

    // ---- queries (node thread)

    private Query startQuery(byte[] target, boolean internal, long command, byte[] value, QueryOptions o) {
        Query q = new Query(this, target, internal, command, value, o == null ? QueryOptions.defaults() : o);
        run(() -> {
            if (closed) {
                q.destroy();
                return;
            }
            refreshTicks = REFRESH_TICKS;
            queries.add(q);
            q.open();
        });
        return q;
    }

    void queryEnded(Query q) {
        queries.remove(q);
    }

    /** FIND_NODE at low concurrency that speeds up while the node is otherwise idle. */
    private Query backgroundQuery(byte[] target) {
        refreshTicks = REFRESH_TICKS;
        int background = Math.min(options.concurrency(), Math.max(2, options.concurrency() / 8));
        Query[] self = new Query[1];
        QueryOptions o = QueryOptions.defaults().withConcurrency(background)
                .withOnReply(m -> self[0].concurrency = inflight.size() < 3 ? options.concurrency() : background);
        self[0] = new Query(this, target, true, DhtCommands.FIND_NODE, null, o);
        queries.add(self[0]);
        self[0].open();
        return self[0];
    }

    /**
     * The bootstrap nodes as peers: a suggested IP that answers a PING is used as is, otherwise the host name is
     * resolved (IPv4); nodes that cannot be resolved are skipped. Completes on the node's thread.
     */
    CompletableFuture<List<DhtPeer>> resolveBootstrapNodes() {
        CompletableFuture<List<DhtPeer>> chain = CompletableFuture.completedFuture(new ArrayList<>());
        for (BootstrapNode b : bootstrapNodes) {
            chain = chain.thenCompose(list -> resolve(b).thenApplyAsync(addr -> {
                if (addr != null) {
                    list.add(DhtPeer.of(addr));
                }
                return list;
            }, this::run));
        }
        return chain;
    }

    private CompletableFuture<InetSocketAddress> resolve(BootstrapNode b) {
        if (b.suggestedIp() != null) {
            InetSocketAddress suggested = new InetSocketAddress(b.suggestedIp(), b.port());
            return ping(suggested).handle((r, e) -> e == null ? CompletableFuture.completedFuture(suggested)
                    : lookup(b)).thenCompose(f -> f);
        }
        return lookup(b);
    }

    private CompletableFuture<InetSocketAddress> lookup(BootstrapNode b) {
        if (BootstrapNode.isIpv4Literal(b.host())) {
            return CompletableFuture.completedFuture(new InetSocketAddress(b.host(), b.port()));
        }
        return CompletableFuture.supplyAsync(() -> {
            try {
                for (InetAddress a : InetAddress.getAllByName(b.host())) {
                    if (a instanceof Inet4Address) {
                        return new InetSocketAddress(a, b.port());
                    }
                }
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> "cannot resolve bootstrap node " + b + ": " + e);
            }
            return null;
        }, DNS);
    }

    // ---- bootstrap and network state (node thread)

    private void bootstrap() {
        boolean[] first = {firewalled && options.quickFirewall() && !forcePersistent};
        boolean[] testNat = {false};
        bootstrapRound(0, first, testNat);
    }

    private void bootstrapRound(int round, boolean[] first, boolean[] testNat) {
        if (closed) {
            return;
        }
        QueryOptions o = QueryOptions.defaults()
                .withConcurrency(Math.min(options.concurrency(), Math.max(2, options.concurrency() / 8)))
                .withOnReply(m -> {
                    // quick NAT heuristic: one PING_NAT to the first responder; if it reaches our server socket
                    // before the walk ends, run the full firewall check right after it
                    if (!first[0]) {
                        return;
                    }
                    first[0] = false;
                    requestInternal(m.from(), DhtCommands.PING_NAT, portValue(), r -> testNat[0] = true, e -> { });
                });
        Query q = new Query(this, table.id(), true, DhtCommands.FIND_NODE, null, o);
        queries.add(q);
        q.open();
        q.finished().whenComplete((x, e) -> run(() -> {
            if (closed) {
                return;
            }
            if (bootstrapped || (!testNat[0] && !forcePersistent) || round == 1) {
                finishBootstrap();
                return;
            }
            updateNetworkState(!forcePersistent).whenComplete((ok, err) -> run(() -> {
                if (err != null || !ok) {
                    finishBootstrap();
                } else {
                    bootstrapRound(round + 1, first, testNat);
                }
            }));
        }));
    }

    private void finishBootstrap() {
        if (bootstrapped) {
            return;
        }
        bootstrapped = true;
        emit(Listener::onReady);
        bootstrapping.complete(null);
    }

    private byte[] portValue() {
        int port = server.localAddress().getPort();
        return new byte[] {(byte) port, (byte) (port >>> 8)};
    }

    /**
     * dht-rpc's {@code _updateNetworkState}: with a consistent sampled address, check reachability (if firewalled)
     * and, unless {@code onlyFirewall}, become persistent with the id of our public address. Completes with whether
     * the state was updated.
     */
    CompletableFuture<Boolean> updateNetworkState(boolean onlyFirewall) {
        if (!ephemeral || (onlyFirewall && !firewalled)) {
            return CompletableFuture.completedFuture(false);
        }
        String h = nat.host();
        int p = nat.port();
        if (!onlyFirewall) {
            stableTicks = MORE_STABLE_TICKS;
            lastHost = h;
        }
        if (h == null || p == 0) {
            return CompletableFuture.completedFuture(false);
        }
        NatSampler sampler = firewalled ? new NatSampler() : nat;
        CompletableFuture<Boolean> check = firewalled ? checkIfFirewalled(sampler)
                : CompletableFuture.completedFuture(false);
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        check.whenComplete((stillFirewalled, e) -> run(() -> {
            if (e != null || stillFirewalled || closed) {
                result.complete(false);
                return;
            }
            firewalled = false;
            if (!ephemeral || !h.equals(nat.host()) || p != nat.port()) {
                result.complete(false);
                return;
            }
            if (!h.equals(sampler.host()) || sampler.port() == 0) {
                result.complete(false);
                return;
            }
            byte[] id = NodeId.of(new InetSocketAddress(sampler.host(), sampler.port()));
            if (!onlyFirewall) {
                ephemeral = false;
            }
            if (sampler != nat) {
                String prevHost = nat.host();
                int prevPort = nat.port();
                nonPersistentSamples.clear();
                nat = sampler;
                if (!Objects.equals(prevHost, nat.host()) || prevPort != nat.port()) {
                    emit(l -> l.onNatUpdate(sampler.host(), sampler.port()));
                }
            }
            if (!table.isSelf(id)) {
                List<DhtPeer> old = table.toList();
                setTable(new RoutingTable(id));
                for (DhtPeer n : old) {
                    if (table.isSelf(n.idRef())) {
                        continue;
                    }
                    if (!table.add(n)) {
                        nodes.remove(n);
                    }
                }
                if (bootstrapped) {
                    refreshNow(); // a new id: our neighbourhood moved
                }
            }
            if (!ephemeral) {
                publicId = table.id();
                emit(Listener::onPersistent);
            }
            result.complete(true);
        }));
        return result;
    }

    /**
     * Asks up to 5 recently seen nodes (plus bootstrap nodes if fewer) to PING_NAT our server socket. Completes with
     * true (still firewalled) unless enough answers reached the server socket and they agree that our public address
     * is our host with the server socket's port.
     */
    private CompletableFuture<Boolean> checkIfFirewalled(NatSampler sampler) {
        List<InetSocketAddress> targets = new ArrayList<>();
        for (DhtPeer p : nodes.reversed()) {
            if (targets.size() >= 5) {
                break;
            }
            targets.add(p.address());
        }
        CompletableFuture<List<InetSocketAddress>> all = targets.size() < 5
                ? resolveBootstrapNodes().thenApply(b -> {
                    b.forEach(p -> targets.add(p.address()));
                    return targets;
                })
                : CompletableFuture.completedFuture(targets);
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        all.whenComplete((list, e) -> run(() -> {
            if (e != null || list.isEmpty() || closed) {
                result.complete(true);
                return;
            }
            Set<String> hosts = new HashSet<>();
            serverSocketWatchers.add(hosts);
            List<DhtReply> pongs = new ArrayList<>();
            int[] missing = {list.size()};
            Runnable done = () -> {
                serverSocketWatchers.remove(hosts);
                int count = 0;
                for (DhtReply r : pongs) {
                    if (hosts.contains(host(r.from()))) {
                        count++;
                        sampler.add(host(r.to()), r.to().getPort());
                    }
                }
                int serverPort = server.localAddress().getPort();
                boolean fw = count < (list.size() >= 5 ? 3 : 1)
                        || sampler.host() == null || !sampler.host().equals(nat.host())
                        || sampler.port() == 0 || sampler.port() != serverPort;
                result.complete(fw);
            };
            byte[] value = portValue();
            for (InetSocketAddress to : list) {
                Outgoing r = requestInternal(to, DhtCommands.PING_NAT, value, m -> {
                    pongs.add(m);
                    if (--missing[0] == 0) {
                        done.run();
                    }
                }, err -> {
                    if (--missing[0] == 0) {
                        done.run();
                    }
                });
                if (r == null) {
                    done.run();
                    return;
                }
            }
        }));
        return result;
    }
}
