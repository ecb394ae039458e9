package io.tunctl.transport.p2p.hyperdht;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.tunctl.transport.p2p.crypto.Blake2b;
import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import io.tunctl.transport.p2p.dht.hyperdht.ConnectError;
import io.tunctl.transport.p2p.dht.hyperdht.ForwardTable;
import io.tunctl.transport.p2p.dht.hyperdht.RecordStore;
import io.tunctl.transport.p2p.dht.hyperdht.Router;
import io.tunctl.transport.p2p.dht.hyperdht.RpcAction;
import io.tunctl.transport.p2p.dht.messages.DhtCommands;
import io.tunctl.transport.p2p.dht.messages.DhtMessage;
import io.tunctl.transport.p2p.dht.messages.HandshakeMessage;
import io.tunctl.transport.p2p.dht.messages.PeerRecord;
import io.tunctl.transport.p2p.dht.rpc.DhtNode;
import io.tunctl.transport.p2p.dht.rpc.DhtNodeOptions;
import io.tunctl.transport.p2p.dht.rpc.DhtReply;
import io.tunctl.transport.p2p.dht.rpc.DhtRequest;
import io.tunctl.transport.p2p.dht.rpc.Query;
import io.tunctl.transport.p2p.dht.rpc.QueryOptions;
import io.tunctl.transport.p2p.udx.UdxSocket;
import io.tunctl.transport.p2p.udx.UdxStream;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A HyperDHT 6 peer (hyperdht-wire.md §4-§6, §9): a dht-rpc {@link DhtNode} with hyperdht's commands, on one UDP
 * socket that also carries the UDX streams of its connections.
 *
 * <ul>
 *   <li>every node routes PEER_HANDSHAKE and PEER_HOLEPUNCH between clients and servers ({@link Router}); once the
 *       node is persistent it also stores announces and answers FIND_PEER, LOOKUP, ANNOUNCE and UNANNOUNCE
 *       ({@link RecordStore}), so a network of these nodes alone serves Node peers;</li>
 *   <li>{@link #createServer} listens on a key pair: it announces itself to the 3 closest nodes and accepts
 *       connections ({@link HyperDhtServer});</li>
 *   <li>{@link #connect} finds a server by public key and opens an encrypted stream to it; {@link #lookup} only
 *       finds the nodes holding its announce.</li>
 * </ul>
 * The connection is direct when either side is reachable (not firewalled: it says FIREWALL.OPEN), through a LAN
 * address both sides share, or punched through both NATs (PEER_HOLEPUNCH rounds, NAT sampling and the consistent,
 * random-port and birthday strategies of hyperdht, on holepunch sockets that share the node's UDX streams; see
 * {@link Puncher}). {@link HyperDhtConnection#path()} says which. The blind relay is not wired yet: two random
 * (symmetric) NATs fail with {@code HOLEPUNCH_DOUBLE_RANDOMIZED_NATS}.
 *
 * <p>All state lives on the socket's event loop; public methods may be called from any thread, futures complete on
 * that loop (do not block in their callbacks).
 */
public final class HyperDht implements AutoCloseable {
    static final System.Logger LOG = System.getLogger(HyperDht.class.getName());
    private static final long MAINTENANCE_MILLIS = 5000;
    private static final int RELAY_CACHE_SIZE = 512;

    private final EventLoopGroup group;
    /** dht-rpc's server socket: the one others reach us on once we are not firewalled; owns the stream table. */
    private final UdxSocket socket;
    /** dht-rpc's client socket (requests leave from it while firewalled), a sibling of {@link #socket}. */
    private final UdxSocket clientSocket;
    /** Holepunch sockets open now (siblings of {@link #socket}), closed with the node. */
    private final java.util.Set<UdxSocket> siblings = new java.util.HashSet<>();
    private final io.tunctl.transport.p2p.dht.hyperdht.RandomPunchGate randomPunches =
            new io.tunctl.transport.p2p.dht.hyperdht.RandomPunchGate();
    private final DhtNode node;
    private final EventLoop loop;
    private final SecureRandom random = new SecureRandom();
    private final Ed25519KeyPair defaultKeyPair;
    private final PreparedHandshakes handshakes = new PreparedHandshakes(random);
    private final ForwardTable forwards = new ForwardTable();
    private final Router router = new Router(forwards);
    private final RecordStore records = new RecordStore(forwards, new SecureRandom());
    private final Map<String, HyperDhtServer> servers = new HashMap<>();
    /**
     * target hex -> the server's address and the relays it named in its last handshake with us (hyperdht's
     * relayAddressesCache, plus the server itself).
     */
    private final Map<String, CachedRoute> relayCache = new java.util.LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CachedRoute> e) {
            return size() > RELAY_CACHE_SIZE;
        }
    };
    /** Connects in progress, failed when the node closes. */
    private final java.util.Set<ClientConnect> connecting = new java.util.HashSet<>();
    private volatile boolean closed;
    /** tunctl's features this node announces in its handshakes ({@link io.tunctl.transport.p2p.noise.NoisePayload}). */
    private volatile long features;
    private static final long INTERFACES_TTL_NANOS = TimeUnit.SECONDS.toNanos(5);
    private List<InetAddress> interfaces;
    private long interfacesAt;

    private HyperDht(EventLoopGroup group, UdxSocket socket, UdxSocket clientSocket, DhtNodeOptions options) {
        this.group = group;
        this.socket = socket;
        this.clientSocket = clientSocket;
        this.loop = socket.eventLoop();
        CryptoWarmUp.startOnce();
        this.defaultKeyPair = Ed25519KeyPair.generate(random);
        this.node = DhtNode.create(socket, clientSocket == socket ? null : clientSocket, options);
        node.handle(DhtCommands.PEER_HANDSHAKE, this::onPeerHandshake);
        node.handle(DhtCommands.PEER_HOLEPUNCH, this::onPeerHolepunch);
        node.handle(DhtCommands.FIND_PEER, r -> stored(r, () -> records.onFindPeer(message(r), now())));
        node.handle(DhtCommands.LOOKUP, r -> stored(r, () -> records.onLookup(message(r), now())));
        node.handle(DhtCommands.ANNOUNCE, r -> stored(r, () -> records.onAnnounce(message(r), r.from(), node.id(),
                now())));
        node.handle(DhtCommands.UNANNOUNCE, r -> stored(r, () -> records.onUnannounce(message(r), node.id(),
                now())));
        // holepunch probes (1 byte) and UDX packets for streams that are gone: nothing to do with them yet
        node.onOtherMessage((s, buf, from) -> { });
        loop.schedule(this::maintain, MAINTENANCE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * Binds the server socket at {@code options.bind()} (IPv4; port 0 for any) and, with {@code
     * options.clientSocket()} (the default), a client socket on a random port of the same host, on a new event-loop
     * thread, and starts bootstrapping through {@code options.bootstrap()}. Two sockets as dht-rpc has them make the
     * firewall check honest behind a NAT: PING_NAT answers to the server socket only pass a NAT that lets
     * unsolicited packets in, whereas with one socket they would ride the mapping our own requests opened. UDX
     * streams are found on either socket (and on holepunch sockets), as in one UDX instance.
     */
    public static HyperDht bind(DhtNodeOptions options) throws IOException {
        Objects.requireNonNull(options, "options");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("hyperdht", true),
                EpollIoHandler.newFactory());
        UdxSocket socket = null;
        UdxSocket client = null;
        try {
            socket = UdxSocket.bind(options.bind(), group);
            client = options.clientSocket()
                    ? socket.bindSibling(new InetSocketAddress(options.bind().getAddress(), 0)) : socket;
            return new HyperDht(group, socket, client, options);
        } catch (IOException | RuntimeException e) {
            if (client != null && client != socket) {
                client.close();
            }
            if (socket != null) {
                socket.close();
            }
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** The dht-rpc node underneath (routing table, NAT state, raw requests and queries). */
    public DhtNode node() {
        return node;
    }

    /**
     * Keeps every socket of this node out of a tunnel it carries (the DHT's, the client socket, and holepunch
     * sockets bound later), so a full tunnel's default route never captures the tunnel's own packets.
     */
    public void keepOutOfTunnel(io.tunctl.core.tun.SocketBypass bypass) throws IOException {
        socket.keepOutOfTunnel(bypass);
        if (clientSocket != socket) clientSocket.keepOutOfTunnel(bypass);
    }

    /** The socket's bound address. */
    public InetSocketAddress localAddress() {
        return socket.localAddress();
    }

    /** Completes when the first walk through the bootstrap nodes is done. */
    public CompletableFuture<Void> fullyBootstrapped() {
        return node.fullyBootstrapped();
    }

    /** The key pair {@link #connect(byte[])} identifies itself with (random per instance, as hyperdht's). */
    public Ed25519KeyPair defaultKeyPair() {
        return defaultKeyPair;
    }

    /**
     * A server for {@code keyPair} that accepts the clients {@code firewall} lets in (null: everyone) and hands each
     * connection to {@code listener}. Call {@link HyperDhtServer#listen()} to announce it.
     */
    public HyperDhtServer createServer(Ed25519KeyPair keyPair, ConnectionFirewall firewall,
            HyperDhtServer.Listener listener) {
        return new HyperDhtServer(this, keyPair, firewall, listener);
    }

    /** Connects to the server with {@code publicKey}, as {@link #defaultKeyPair()}. */
    public CompletableFuture<HyperDhtConnection> connect(byte[] publicKey) {
        return connect(publicKey, defaultKeyPair);
    }

    /**
     * Finds the server with {@code publicKey} through the DHT, runs the Noise handshake through a node holding its
     * announce, and opens the encrypted stream. Fails with a {@link HyperDhtException}: {@code PEER_NOT_FOUND} (no
     * node holds an announce), {@code PEER_CONNECTION_FAILED} (no handshake answer, e.g. the server's firewall
     * rejected our key), {@code SERVER_ERROR}, {@code CANNOT_HOLEPUNCH} ...
     */
    public CompletableFuture<HyperDhtConnection> connect(byte[] publicKey, Ed25519KeyPair keyPair) {
        checkKey(publicKey);
        Objects.requireNonNull(keyPair, "keyPair");
        CompletableFuture<HyperDhtConnection> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(new IllegalStateException("HyperDHT node closed"));
            return result;
        }
        long calledAt = System.nanoTime();
        loop.execute(() -> {
            if (closed) {
                result.completeExceptionally(new IllegalStateException("HyperDHT node closed"));
                return;
            }
            ClientConnect c = new ClientConnect(this, keyPair, publicKey.clone(), result, calledAt);
            connecting.add(c);
            result.whenComplete((x, e) -> onLoop(() -> connecting.remove(c))); // a caller may cancel anywhere
            c.start();
        });
        return result;
    }

    /**
     * Makes the costly part of the next handshake with the server {@code publicKey} now, on a background thread, so
     * that the next {@link #connect(byte[], Ed25519KeyPair)} to it skips that work (a client that knows whom it will
     * dial, a daemon before its first connect, saves about as much time as the rest of a loopback connect takes). A
     * successful connect does this by itself for the next one.
     */
    public void prepare(byte[] publicKey, Ed25519KeyPair keyPair) {
        checkKey(publicKey);
        Objects.requireNonNull(keyPair, "keyPair");
        byte[] pk = publicKey.clone();
        onLoop(() -> handshakes.prepare(keyPair, pk));
    }

    /**
     * The nodes holding an announce of {@code publicKey}'s server (a FIND_PEER walk for {@code BLAKE2b(publicKey)}),
     * closest first; empty when none does.
     */
    public CompletableFuture<List<FoundPeer>> lookup(byte[] publicKey) {
        checkKey(publicKey);
        byte[] pk = publicKey.clone();
        List<FoundPeer> found = new ArrayList<>();
        Query q = node.query(Blake2b.hash256(pk), DhtCommands.FIND_PEER, null, QueryOptions.defaults().withOnReply(
                r -> {
                    PeerRecord rec = peerRecord(r, pk);
                    if (rec != null) {
                        found.add(new FoundPeer(r.from(), rec.publicKey(), rec.relayAddresses()));
                    }
                }));
        return q.finished().thenApply(x -> List.copyOf(found));
    }

    /** The peer record in a FIND_PEER reply if it is {@code publicKey}'s, else null. */
    static PeerRecord peerRecord(DhtReply r, byte[] publicKey) {
        if (r.error() != 0 || r.value() == null) {
            return null;
        }
        try {
            PeerRecord rec = PeerRecord.decode(r.value());
            return java.util.Arrays.equals(rec.publicKey(), publicKey) ? rec : null;
        } catch (IllegalArgumentException e) { // CompactDecodeException included
            return null;
        }
    }

    /** Closes every server (unannouncing them), the node and the socket. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        List<HyperDhtServer> open = call(() -> List.copyOf(servers.values()));
        for (HyperDhtServer s : open) {
            try {
                s.close().get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                LOG.log(System.Logger.Level.DEBUG, "server close: " + e);
            }
        }
        closed = true;
        try {
            call(() -> {
                for (ClientConnect c : List.copyOf(connecting)) {
                    c.abort("HyperDHT node closed");
                }
                handshakes.close();
                return null;
            });
        } catch (IllegalStateException e) {
            LOG.log(System.Logger.Level.DEBUG, "connects not aborted: " + e);
        }
        node.close();
        try {
            call(() -> {
                for (UdxSocket s : List.copyOf(siblings)) {
                    s.close();
                }
                siblings.clear();
                return null;
            });
        } catch (IllegalStateException e) {
            LOG.log(System.Logger.Level.DEBUG, "holepunch sockets not closed: " + e);
        }
        if (clientSocket != socket) {
            clientSocket.close();
        }
        socket.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    // ---- for the server and client (event loop)

    EventLoop loop() {
        return loop;
    }

    UdxSocket socket() {
        return socket;
    }

    /** hyperdht's {@code dht.socket}: where requests and direct streams leave from (the client socket while firewalled). */
    UdxSocket currentSocket() {
        return node.isFirewalled() ? clientSocket : socket;
    }

    /** A holepunch socket: a sibling of ours on the bound host, any port; closed with the node at the latest. */
    UdxSocket newSiblingSocket() throws IOException {
        if (closed) {
            throw new IOException("HyperDHT node closed");
        }
        UdxSocket s = socket.bindSibling(new InetSocketAddress(socket.localAddress().getAddress(), 0));
        siblings.add(s);
        return s;
    }

    void closeSiblingSocket(UdxSocket s) {
        siblings.remove(s);
        s.close();
    }

    /** The per-DHT limit on random punches (1 at a time, 20 s apart). */
    io.tunctl.transport.p2p.dht.hyperdht.RandomPunchGate randomPunches() {
        return randomPunches;
    }

    SecureRandom random() {
        return random;
    }

    PreparedHandshakes handshakes() {
        return handshakes;
    }

    ForwardTable forwards() {
        return forwards;
    }

    boolean isClosed() {
        return closed;
    }

    void register(byte[] target, HyperDhtServer server) {
        servers.put(HexFormat.of().formatHex(target), server);
    }

    void unregister(byte[] target, HyperDhtServer server) {
        servers.remove(HexFormat.of().formatHex(target), server);
        forwards.remove(target);
    }

    /**
     * Where the last connect to a server found it: {@code addresses} to handshake through, the server's own first;
     * {@code directRttMillis} the round trip of its direct answer, or -1 if it answered through a relay.
     */
    record CachedRoute(List<InetSocketAddress> addresses, long directRttMillis) {
        CachedRoute {
            addresses = List.copyOf(addresses);
        }
    }

    /** The route of the last connect to {@code target}, or null. */
    CachedRoute cachedRoute(byte[] target) {
        return relayCache.get(HexFormat.of().formatHex(target));
    }

    void cacheRoute(byte[] target, CachedRoute route) {
        relayCache.put(HexFormat.of().formatHex(target), route);
    }

    static long now() {
        return System.currentTimeMillis();
    }

    /** A UDX stream with a fresh random id on our socket (ids are uint32; a clash with a live stream is retried). */
    UdxStream newStream() {
        for (int i = 0;; i++) {
            int id = random.nextInt();
            try {
                return socket.createStream(id);
            } catch (IllegalStateException e) {
                if (i >= 8) { // 9 clashes in a row: the socket is closed, not full
                    throw e;
                }
            }
        }
    }

    /**
     * Announces tunctl's {@code features} ({@code NoisePayload.FEATURE_*} bits) in every later handshake, as a
     * client and as a server; a Node peer never reads them. Each {@link HyperDhtConnection} tells what its peer
     * announced.
     */
    public void announceFeatures(long features) {
        if (features < 0) throw new IllegalArgumentException("features must not be negative: " + features);
        this.features = features;
    }

    long features() {
        return features;
    }

    /**
     * Our LAN addresses to offer (hyperdht shares the local interfaces' IPv4 addresses with the socket's port): the
     * bound address if it is a concrete one, else every up interface's IPv4 address. Listing interfaces costs a few
     * milliseconds (a netlink dump per interface), so the list is kept for {@link #INTERFACES_TTL_NANOS}, as
     * hyperdht keeps udx's watched list instead of asking per connect.
     */
    List<InetSocketAddress> localAddresses() {
        InetSocketAddress bound = socket.localAddress();
        int port = bound.getPort();
        if (!bound.getAddress().isAnyLocalAddress()) {
            return List.of(new InetSocketAddress(bound.getAddress(), port));
        }
        long now = System.nanoTime();
        if (interfaces == null || now - interfacesAt > INTERFACES_TTL_NANOS) {
            List<InetAddress> found = new ArrayList<>();
            try {
                for (NetworkInterface ni : NetworkInterface.networkInterfaces().toList()) {
                    if (!ni.isUp() || ni.isLoopback()) {
                        continue;
                    }
                    for (InetAddress a : ni.inetAddresses().toList()) {
                        if (a instanceof Inet4Address) {
                            found.add(a);
                        }
                    }
                }
            } catch (SocketException e) {
                LOG.log(System.Logger.Level.DEBUG, "cannot list interfaces: " + e);
            }
            interfaces = List.copyOf(found);
            interfacesAt = now;
        }
        List<InetSocketAddress> out = new ArrayList<>(interfaces.size());
        for (InetAddress a : interfaces) {
            out.add(new InetSocketAddress(a, port));
        }
        return out;
    }

    /** Sends {@code action}'s datagram for request {@code req} (the router's and the record store's decisions). */
    static void act(DhtRequest req, RpcAction action) {
        act(req, action, null);
    }

    /** {@link #act(DhtRequest, RpcAction)}, a relayed request leaving from {@code via} (null: as it came). */
    static void act(DhtRequest req, RpcAction action, UdxSocket via) {
        switch (action) {
            case RpcAction.Reply r -> req.replyTo(r.value(), r.destination(req.from()), r.token(), r.closerNodes());
            case RpcAction.Relay r -> req.relay(r.value(), r.to(), via);
            case RpcAction.Drop d -> LOG.log(System.Logger.Level.DEBUG, () -> "dropped " + req + ": " + d.reason());
            case RpcAction.ToServer t -> throw new IllegalArgumentException("ToServer is not a datagram");
        }
    }

    /** The request as the pure layers take it. */
    static DhtMessage.Request message(DhtRequest r) {
        return new DhtMessage.Request(r.tid(), r.to(), r.fromId(), r.token(), r.internal(), r.command(), r.target(),
                r.value());
    }

    // ---- request handlers (event loop)

    private boolean onPeerHandshake(DhtRequest req) {
        RpcAction a = router.onPeerHandshake(message(req), req.from(), now());
        if (a instanceof RpcAction.ToServer t && t.message() instanceof HandshakeMessage hs) {
            HyperDhtServer s = servers.get(HexFormat.of().formatHex(t.target()));
            if (s != null) {
                s.onHandshake(req, hs);
            }
            return true;
        }
        act(req, a);
        return true;
    }

    private boolean onPeerHolepunch(DhtRequest req) {
        RpcAction a = router.onPeerHolepunch(message(req), req.from(), now());
        if (a instanceof RpcAction.ToServer t) {
            HyperDhtServer s = servers.get(HexFormat.of().formatHex(t.target()));
            if (s != null && t.message() instanceof io.tunctl.transport.p2p.dht.messages.HolepunchMessage hp) {
                s.onHolepunch(req, hp);
            }
            return true;
        }
        act(req, a);
        return true;
    }

    /** Storage commands are served only once persistent; otherwise dht-rpc answers UNKNOWN_COMMAND. */
    private boolean stored(DhtRequest req, Supplier<RpcAction> decide) {
        if (node.isEphemeral() || node.id() == null) {
            return false;
        }
        act(req, decide.get());
        return true;
    }

    private void maintain() {
        if (closed) {
            return;
        }
        long now = now();
        records.expire(now);
        for (HyperDhtServer s : servers.values()) {
            s.expire(now);
        }
        loop.schedule(this::maintain, MAINTENANCE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Runs {@code task} on the loop as a later task; dropped once the loop is gone. */
    void later(Runnable task) {
        try {
            loop.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed: the node closed its sockets itself
        }
    }

    /** Runs {@code task} on the loop (now if already there); dropped once the loop is gone. */
    void onLoop(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
            return;
        }
        try {
            loop.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed: nothing left to update
        }
    }

    <T> T call(Supplier<T> task) {
        if (loop.inEventLoop()) {
            return task.get();
        }
        try {
            return loop.submit(task::get).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (TimeoutException | java.util.concurrent.RejectedExecutionException e) {
            throw new IllegalStateException("the HyperDHT event loop did not answer", e);
        }
    }

    static void checkKey(byte[] publicKey) {
        Objects.requireNonNull(publicKey, "publicKey");
        if (publicKey.length != 32) {
            throw new IllegalArgumentException("a public key is 32 bytes, got " + publicKey.length);
        }
    }

    static HyperDhtException failure(ConnectError e, String message) {
        return new HyperDhtException(e, message);
    }
}
