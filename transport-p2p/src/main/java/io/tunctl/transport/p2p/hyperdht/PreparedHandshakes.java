package io.tunctl.transport.p2p.hyperdht;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.tunctl.transport.p2p.crypto.CryptoException;
import io.tunctl.transport.p2p.crypto.Ed25519Dh;
import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import io.tunctl.transport.p2p.noise.HyperdhtHandshake;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Noise message 1 made ahead of the connect that sends it. Its costly part (an ephemeral key pair, the subgroup check
 * of the server's key and two DH, about as much work as the rest of a connect on loopback) depends only on the two
 * static keys, not on the payload, so the next handshake with a server is made on a background thread once a connect
 * to it succeeds (or when asked, {@link HyperDht#prepare}), and a connect finds it ready: a reconnecting daemon does
 * not redo it on the critical path. Each prepared handshake is used once (its ephemeral key must not be reused);
 * a connect that finds none ready makes its own on the event loop, with the server's key checked once per
 * {@link #KEYS} recently used keys. Used on the event loop only; the work runs on one daemon thread.
 */
final class PreparedHandshakes {
    /** Servers (times local key pairs) whose next handshake is kept ready, and checked server keys kept. */
    static final int KEYS = 64;

    private final SecureRandom random;
    private final Map<String, CompletableFuture<HyperdhtHandshake>> ready = lru();
    private final Map<String, Ed25519Dh.PublicPoint> checked = lru();
    private ExecutorService worker;
    private boolean closed;
    /** False: every handshake made on the critical path from scratch, the server's key checked each time (tests). */
    private boolean ahead = true;

    PreparedHandshakes(SecureRandom random) {
        this.random = random;
    }

    /** A handshake towards {@code serverKey}: a prepared one if it is ready, else one made now (message 1 too). */
    HyperdhtHandshake take(Ed25519KeyPair keyPair, byte[] serverKey) throws CryptoException {
        String k = key(keyPair, serverKey);
        CompletableFuture<HyperdhtHandshake> f = ready.get(k);
        if (f != null && f.isDone()) {
            ready.remove(k);
            if (!f.isCompletedExceptionally()) {
                return f.join();
            }
        }
        // none ready (one still being made stays for the next connect)
        return HyperdhtHandshake.initiator(keyPair, ahead ? point(serverKey) : Ed25519Dh.publicPoint(serverKey),
                random).precompute();
    }

    /** Starts making the next handshake with {@code serverKey} unless one is ready or under way. */
    void prepare(Ed25519KeyPair keyPair, byte[] serverKey) {
        String k = key(keyPair, serverKey);
        if (closed || !ahead || ready.containsKey(k)) {
            return;
        }
        Ed25519Dh.PublicPoint known = checked.get(HexFormat.of().formatHex(serverKey));
        byte[] pk = serverKey.clone();
        if (worker == null) {
            // one thread that ends when idle: nothing lingers if the node is dropped unclosed
            ThreadPoolExecutor t = new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                    new DefaultThreadFactory("hyperdht-prepare", true));
            t.allowCoreThreadTimeOut(true);
            worker = t;
        }
        try {
            ready.put(k, CompletableFuture.supplyAsync(() -> {
                try {
                    Ed25519Dh.PublicPoint p = known != null ? known : Ed25519Dh.publicPoint(pk);
                    return HyperdhtHandshake.initiator(keyPair, p, random).precompute();
                } catch (CryptoException e) {
                    throw new IllegalArgumentException(e);
                }
            }, worker));
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /**
     * Whether work is done ahead (next handshakes prepared, checked keys kept); off, a connect does all its Noise work
     * as a first connect to that key does (a connect-time comparison with a client that keeps nothing of the kind).
     */
    void ahead(boolean on) {
        ahead = on;
        if (!on) {
            ready.clear();
            checked.clear();
        }
    }

    /** Whether a prepared handshake with {@code serverKey} is done (made or failed), for tests. */
    boolean isReady(Ed25519KeyPair keyPair, byte[] serverKey) {
        CompletableFuture<HyperdhtHandshake> f = ready.get(key(keyPair, serverKey));
        return f != null && f.isDone();
    }

    /** The checked point of {@code serverKey}, checking it now if it is not among the recent ones. */
    private Ed25519Dh.PublicPoint point(byte[] serverKey) throws CryptoException {
        String hex = HexFormat.of().formatHex(serverKey);
        Ed25519Dh.PublicPoint p = checked.get(hex);
        if (p == null) {
            p = Ed25519Dh.publicPoint(serverKey);
            checked.put(hex, p);
        }
        return p;
    }

    void close() {
        closed = true;
        ready.clear();
        if (worker != null) {
            worker.shutdownNow();
        }
    }

    private static String key(Ed25519KeyPair keyPair, byte[] serverKey) {
        HexFormat hex = HexFormat.of();
        return hex.formatHex(keyPair.publicKey()) + hex.formatHex(serverKey);
    }

    private static <V> Map<String, V> lru() {
        return new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> e) {
                return size() > KEYS;
            }
        };
    }
}
