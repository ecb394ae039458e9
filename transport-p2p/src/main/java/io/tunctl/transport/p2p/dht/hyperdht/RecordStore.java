package io.tunctl.transport.p2p.dht.hyperdht;

import io.tunctl.transport.p2p.codec.CompactDecodeException;
import io.tunctl.transport.p2p.crypto.Blake2b;
import io.tunctl.transport.p2p.dht.messages.AnnounceMessage;
import io.tunctl.transport.p2p.dht.messages.DhtMessage;
import io.tunctl.transport.p2p.dht.messages.LookupReply;
import io.tunctl.transport.p2p.dht.messages.PeerRecord;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * What a persistent (storing) node does with FIND_PEER, LOOKUP, ANNOUNCE and UNANNOUNCE (hyperdht
 * {@code lib/persistent.js}, hyperdht-wire.md §5.3), as pure decisions over a bounded, expiring store.
 *
 * <ul>
 *   <li>ANNOUNCE with a valid signature: a server announcing itself ({@code hash(peer.publicKey) == target}) becomes
 *       a router forward in the {@link ForwardTable} pointing at the ANNOUNCE's UDP source; any other announce (a
 *       topic) adds the peer record to the target's records. An announce may carry a {@code refresh} value; a later
 *       ANNOUNCE with no peer but {@code refresh = r'} where {@code BLAKE2b-256(r') == r} renews the record without a
 *       signature (hyperdht's refresh chain). A {@code bump} raises the target's bump unless it is more than 60 s
 *       ahead of {@code now}.</li>
 *   <li>UNANNOUNCE with a valid signature removes that key's forward and record.</li>
 *   <li>FIND_PEER answers with the forward's record, LOOKUP with up to 20 records (a uniform random sample when more
 *       are stored) plus the forward's record if there is room.</li>
 * </ul>
 * Like Node, a request missing its target, token or value, or with a bad signature, gets no reply at all. Token
 * validity is dht-rpc's job and is assumed checked before these methods are called. {@code now} is wall-clock
 * milliseconds (the bump check compares with it, as Node compares with {@code Date.now()}).
 */
public final class RecordStore {
    public static final int LOOKUP_MAX = 20;
    public static final int MAX_RELAYS = 3;
    static final long MAX_BUMP_DRIFT_MILLIS = 60_000;

    private record Entry(byte[] record, long expiresAt) {
    }

    private record Refresh(byte[] target, byte[] record, boolean announceSelf, long expiresAt) {
    }

    private record Bump(long bump, long expiresAt) {
    }

    private final ForwardTable forwards;
    private final int maxRecords;
    private final long maxAgeMillis;
    private final RandomGenerator random;
    /** target hex -> public key hex -> entry; the global insertion order lives in {@link #order}. */
    private final Map<String, LinkedHashMap<String, Entry>> records = new HashMap<>();
    /** "target/publicKey" keys, oldest first, for the global size bound. */
    private final LinkedHashMap<String, String[]> order = new LinkedHashMap<>();
    private final LinkedHashMap<String, Refresh> refreshes = new LinkedHashMap<>();
    private final LinkedHashMap<String, Bump> bumps = new LinkedHashMap<>();

    public RecordStore(ForwardTable forwards, RandomGenerator random) {
        this(forwards, ForwardTable.DEFAULT_MAX_SIZE, ForwardTable.DEFAULT_MAX_AGE_MILLIS, random);
    }

    public RecordStore(ForwardTable forwards, int maxRecords, long maxAgeMillis, RandomGenerator random) {
        if (maxRecords < 1 || maxAgeMillis < 1) {
            throw new IllegalArgumentException("maxRecords and maxAgeMillis must be positive");
        }
        this.forwards = forwards;
        this.maxRecords = maxRecords;
        this.maxAgeMillis = maxAgeMillis;
        this.random = random;
    }

    /** FIND_PEER: the forward's record (a server that announced itself here), else an empty reply. */
    public RpcAction onFindPeer(DhtMessage.Request req, long now) {
        if (req.target() == null) {
            return new RpcAction.Drop("FIND_PEER without target");
        }
        ForwardTable.Forward f = forwards.get(req.target(), now);
        return RpcAction.Reply.generic(f == null ? null : f.record().clone());
    }

    /** LOOKUP: up to 20 records for the topic plus the forward's record, as a {@link LookupReply}; null if none. */
    public RpcAction onLookup(DhtMessage.Request req, long now) {
        if (req.target() == null) {
            return new RpcAction.Drop("LOOKUP without target");
        }
        String k = ForwardTable.key(req.target());
        List<PeerRecord> peers = new ArrayList<>();
        for (byte[] r : sample(k, now)) {
            peers.add(PeerRecord.decode(r));
        }
        ForwardTable.Forward f = forwards.get(req.target(), now);
        if (f != null && peers.size() < LOOKUP_MAX) {
            peers.add(PeerRecord.decode(f.record()));
        }
        if (peers.isEmpty()) {
            return RpcAction.Reply.generic(null);
        }
        Bump b = bumps.get(k);
        long bump = b != null && b.expiresAt() > now ? b.bump() : 0;
        return RpcAction.Reply.generic(new LookupReply(peers, bump).encode());
    }

    /**
     * ANNOUNCE from {@code from} (the UDP source: where a self-announcing server's handshakes will be forwarded).
     *
     * @param nodeId this node's id (the one the announcer signed for); a node without one stores nothing
     */
    public RpcAction onAnnounce(DhtMessage.Request req, InetSocketAddress from, byte[] nodeId, long now) {
        if (req.target() == null || req.token() == null || nodeId == null) {
            return new RpcAction.Drop("ANNOUNCE without target, token or node id");
        }
        AnnounceMessage ann = decode(req.value());
        if (ann == null) {
            return new RpcAction.Drop("ANNOUNCE value does not decode");
        }
        if (ann.peer() == null) {
            return ann.refresh() == null ? new RpcAction.Drop("ANNOUNCE with neither peer nor refresh")
                    : onRefresh(ann.refresh(), from, now);
        }
        if (ann.signature() == null || !AnnounceSignatures.verifyAnnounce(ann, req.target(), nodeId, req.token())) {
            return new RpcAction.Drop("ANNOUNCE signature does not verify");
        }
        PeerRecord peer = ann.peer();
        if (peer.relayAddresses().size() > MAX_RELAYS) {
            peer = new PeerRecord(peer.publicKey(), peer.relayAddresses().subList(0, MAX_RELAYS));
        }
        byte[] record = peer.encode();
        boolean self = isSelf(req.target(), peer.publicKey());
        String k = ForwardTable.key(req.target());
        if (self) {
            forwards.putForward(req.target(), from, record, now);
            remove(k, ForwardTable.key(peer.publicKey()));
        } else {
            Bump current = bumps.get(k);
            long cur = current != null && current.expiresAt() > now ? current.bump() : 0;
            if (ann.bump() > cur && ann.bump() <= now + MAX_BUMP_DRIFT_MILLIS) {
                bumps.remove(k);
                bumps.put(k, new Bump(ann.bump(), now + maxAgeMillis));
                trim(bumps);
            }
            add(k, ForwardTable.key(peer.publicKey()), record, now);
        }
        if (ann.refresh() != null) {
            String rk = ForwardTable.key(ann.refresh());
            refreshes.remove(rk);
            refreshes.put(rk, new Refresh(req.target().clone(), record, self, now + maxAgeMillis));
            trim(refreshes);
        }
        return RpcAction.Reply.ack();
    }

    /** A refresh-only ANNOUNCE: {@code hash(refresh)} names an earlier announce, which is renewed. */
    private RpcAction onRefresh(byte[] refresh, InetSocketAddress from, long now) {
        String previous = ForwardTable.key(Blake2b.hash256(refresh));
        Refresh r = refreshes.get(previous);
        if (r == null || r.expiresAt() <= now) {
            return new RpcAction.Drop("ANNOUNCE refresh matches no earlier announce");
        }
        byte[] publicKey = java.util.Arrays.copyOf(r.record(), 32);
        String k = ForwardTable.key(r.target());
        if (r.announceSelf()) {
            forwards.putForward(r.target(), from, r.record(), now);
            remove(k, ForwardTable.key(publicKey));
        } else {
            add(k, ForwardTable.key(publicKey), r.record(), now);
        }
        refreshes.remove(previous);
        refreshes.put(ForwardTable.key(refresh), new Refresh(r.target(), r.record(), r.announceSelf(),
                now + maxAgeMillis));
        return RpcAction.Reply.ack();
    }

    /** UNANNOUNCE: with a valid signature, forget that key's forward (if it announced itself) and record. */
    public RpcAction onUnannounce(DhtMessage.Request req, byte[] nodeId, long now) {
        if (req.target() == null || req.token() == null || nodeId == null) {
            return new RpcAction.Drop("UNANNOUNCE without target, token or node id");
        }
        AnnounceMessage un = decode(req.value());
        if (un == null || un.peer() == null || un.signature() == null) {
            return new RpcAction.Drop("UNANNOUNCE value missing or without peer and signature");
        }
        if (!AnnounceSignatures.verifyUnannounce(un, req.target(), nodeId, req.token())) {
            return new RpcAction.Drop("UNANNOUNCE signature does not verify");
        }
        unannounce(req.target(), un.peer().publicKey());
        return RpcAction.Reply.ack();
    }

    /** Forgets {@code publicKey} under {@code target} (also used when this node's own server stops). */
    public void unannounce(byte[] target, byte[] publicKey) {
        String k = ForwardTable.key(target);
        if (isSelf(target, publicKey)) {
            ForwardTable.Forward f = forwards.get(target, Long.MIN_VALUE);
            if (f != null && !f.local()) {
                forwards.remove(target);
            }
        }
        remove(k, ForwardTable.key(publicKey));
    }

    /** The stored topic records of {@code target} (not the forward), oldest first. */
    public List<PeerRecord> records(byte[] target, long now) {
        LinkedHashMap<String, Entry> set = records.get(ForwardTable.key(target));
        List<PeerRecord> out = new ArrayList<>();
        if (set != null) {
            for (Entry e : set.values()) {
                if (e.expiresAt() > now) {
                    out.add(PeerRecord.decode(e.record()));
                }
            }
        }
        return out;
    }

    /** Number of stored topic records. */
    public int size() {
        return order.size();
    }

    /** Drops everything that expired; call now and then. */
    public void expire(long now) {
        for (Iterator<Map.Entry<String, String[]>> it = order.entrySet().iterator(); it.hasNext();) {
            String[] tk = it.next().getValue();
            LinkedHashMap<String, Entry> set = records.get(tk[0]);
            Entry e = set == null ? null : set.get(tk[1]);
            if (e == null || e.expiresAt() <= now) {
                it.remove();
                if (set != null) {
                    set.remove(tk[1]);
                    if (set.isEmpty()) {
                        records.remove(tk[0]);
                    }
                }
            }
        }
        refreshes.values().removeIf(r -> r.expiresAt() <= now);
        bumps.values().removeIf(b -> b.expiresAt() <= now);
        forwards.expire(now);
    }

    private List<byte[]> sample(String k, long now) {
        LinkedHashMap<String, Entry> set = records.get(k);
        List<byte[]> live = new ArrayList<>();
        if (set != null) {
            for (Entry e : set.values()) {
                if (e.expiresAt() > now) {
                    live.add(e.record());
                }
            }
        }
        if (live.size() <= LOOKUP_MAX) {
            return live;
        }
        // partial Fisher-Yates: a uniform sample of 20 without replacement, like Node's RecordCache.get(k, 20)
        for (int i = 0; i < LOOKUP_MAX; i++) {
            int j = i + random.nextInt(live.size() - i);
            byte[] t = live.get(i);
            live.set(i, live.get(j));
            live.set(j, t);
        }
        return live.subList(0, LOOKUP_MAX);
    }

    private void add(String target, String publicKey, byte[] record, long now) {
        String ok = target + "/" + publicKey;
        order.remove(ok);
        order.put(ok, new String[] {target, publicKey});
        records.computeIfAbsent(target, x -> new LinkedHashMap<>()).put(publicKey,
                new Entry(record, now + maxAgeMillis));
        while (order.size() > maxRecords) {
            Iterator<String[]> it = order.values().iterator();
            String[] oldest = it.next();
            it.remove();
            LinkedHashMap<String, Entry> set = records.get(oldest[0]);
            set.remove(oldest[1]);
            if (set.isEmpty()) {
                records.remove(oldest[0]);
            }
        }
    }

    private void remove(String target, String publicKey) {
        order.remove(target + "/" + publicKey);
        LinkedHashMap<String, Entry> set = records.get(target);
        if (set != null) {
            set.remove(publicKey);
            if (set.isEmpty()) {
                records.remove(target);
            }
        }
    }

    private <V> void trim(LinkedHashMap<String, V> map) {
        while (map.size() > maxRecords) {
            Iterator<String> it = map.keySet().iterator();
            it.next();
            it.remove();
        }
    }

    static boolean isSelf(byte[] target, byte[] publicKey) {
        return java.security.MessageDigest.isEqual(Blake2b.hash256(publicKey), target);
    }

    private static AnnounceMessage decode(byte[] value) {
        if (value == null) {
            return null;
        }
        try {
            return AnnounceMessage.decode(value);
        } catch (CompactDecodeException e) {
            return null;
        }
    }
}
