package io.tunctl.transport.p2p.dht.hyperdht;

import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * hyperdht's router table ({@code Router.forwards}, hyperdht-wire.md §5.3, §6.2): for each server target
 * ({@code BLAKE2b-256(publicKey)}), where its handshakes go. Two kinds of entries:
 * <ul>
 *   <li>a <b>forward</b>, stored when a server announced itself to this node: the UDP source address of that
 *       ANNOUNCE ({@code relay}) and the encoded peer record that FIND_PEER returns; it expires after
 *       {@code maxAgeMillis} unless announced again, and the oldest are evicted beyond {@code maxSize};</li>
 *   <li>a <b>local server</b>, for a server listening on this node: never expires nor is evicted (Node
 *       {@code retain}s it), and makes the router hand handshakes to the server logic.</li>
 * </ul>
 * Node's cache expires entries in generations (after 2/3 to 4/3 of maxAge); this one expires each entry exactly
 * {@code maxAgeMillis} after it was last set. Not thread-safe: the node's event loop owns it.
 */
public final class ForwardTable {
    /** Node's defaults: 65536 entries, 20 minutes. */
    public static final int DEFAULT_MAX_SIZE = 65536;
    public static final long DEFAULT_MAX_AGE_MILLIS = 20 * 60 * 1000L;

    /**
     * @param relay  where handshakes for the target are forwarded (null for a local server)
     * @param record the encoded {@link io.tunctl.transport.p2p.dht.messages.PeerRecord} FIND_PEER answers with
     * @param local  a server listening on this node
     */
    public record Forward(InetSocketAddress relay, byte[] record, boolean local, long expiresAt) {
    }

    private final int maxSize;
    private final long maxAgeMillis;
    private final LinkedHashMap<String, Forward> forwards = new LinkedHashMap<>();
    private final Map<String, Forward> locals = new java.util.HashMap<>();

    public ForwardTable() {
        this(DEFAULT_MAX_SIZE, DEFAULT_MAX_AGE_MILLIS);
    }

    public ForwardTable(int maxSize, long maxAgeMillis) {
        if (maxSize < 1 || maxAgeMillis < 1) {
            throw new IllegalArgumentException("maxSize and maxAgeMillis must be positive");
        }
        this.maxSize = maxSize;
        this.maxAgeMillis = maxAgeMillis;
    }

    /** A server announced itself here from {@code relay}: (re)store its forward entry. */
    public void putForward(byte[] target, InetSocketAddress relay, byte[] record, long now) {
        String k = key(target);
        if (locals.containsKey(k)) {
            return; // a server listening here keeps its entry, as Node's retained entries do
        }
        forwards.remove(k);
        forwards.put(k, new Forward(relay, record.clone(), false, now + maxAgeMillis));
        while (forwards.size() > maxSize) {
            Iterator<String> it = forwards.keySet().iterator();
            it.next();
            it.remove();
        }
    }

    /** A server starts listening on this node for {@code target}. */
    public void putLocal(byte[] target, byte[] record) {
        String k = key(target);
        forwards.remove(k);
        locals.put(k, new Forward(null, record.clone(), true, Long.MAX_VALUE));
    }

    /** The entry for a target, or null (expired entries are removed on the way). */
    public Forward get(byte[] target, long now) {
        if (target == null) {
            return null;
        }
        String k = key(target);
        Forward local = locals.get(k);
        if (local != null) {
            return local;
        }
        Forward f = forwards.get(k);
        if (f != null && f.expiresAt() <= now) {
            forwards.remove(k);
            return null;
        }
        return f;
    }

    public void remove(byte[] target) {
        String k = key(target);
        forwards.remove(k);
        locals.remove(k);
    }

    /** Drops expired forwards; call now and then so a quiet node does not keep stale entries. */
    public void expire(long now) {
        forwards.values().removeIf(f -> f.expiresAt() <= now);
    }

    public int size() {
        return forwards.size() + locals.size();
    }

    static String key(byte[] target) {
        return HexFormat.of().formatHex(target);
    }
}
