package io.tunctl.transport.p2p.dht.rpc;

import io.tunctl.transport.p2p.dht.messages.DhtCommands;
import io.tunctl.transport.p2p.dht.messages.NodeId;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * An iterative Kademlia query (hyperdht-wire.md §2.7), step for step dht-rpc 6.27's {@code lib/query.js}: it asks
 * the closest known nodes first, up to {@code concurrency} at a time, learns closer nodes from each reply, keeps the
 * {@code k} closest OK replies that carry a valid node id, and ends when nothing is pending and nothing is in flight
 * (or only requests already slow are, with {@code k} replies in hand). A node that times out is marked down and the
 * nodes that told us about it get a DOWN_HINT. An optional commit phase then sends a follow-up to each of the closest
 * replies (hyperdht's ANNOUNCE).
 *
 * <p>Replies are delivered to {@link QueryOptions#onReply()} as they come; {@link #finished()} completes with this
 * query once it is done. All state is touched on the node's thread only; the accessors copy.
 */
public final class Query {
    private static final Object DONE = new Object();
    private static final Object DOWN = new Object();

    private final DhtNode node;
    private final byte[] target;
    private final boolean internal;
    private final long command;
    private final byte[] value;
    private final int k;
    private final int retries;
    private final QueryOptions.Commit commit;
    private final Consumer<DhtReply> onReply;
    private final List<InetSocketAddress> startNodes;
    int concurrency;

    private final List<DhtReply> closestReplies = new ArrayList<>();
    private final List<DhtReply> replies = new ArrayList<>();
    private final Map<String, Object> seen = new HashMap<>();
    private final ArrayList<DhtPeer> pending = new ArrayList<>();
    private final Set<Outgoing> requests = new HashSet<>();
    private final CompletableFuture<Query> finished = new CompletableFuture<>();
    private int inflight;
    private int slow;
    private boolean slowdown;
    private boolean fromTable;
    private boolean committing;
    private boolean ended;
    private int successes;
    private int errors;

    Query(DhtNode node, byte[] target, boolean internal, long command, byte[] value, QueryOptions options) {
        if (target == null || target.length != NodeId.LENGTH) {
            throw new IllegalArgumentException("query target must be 32 bytes");
        }
        this.node = node;
        this.target = target.clone();
        this.internal = internal;
        this.command = command;
        this.value = value == null ? null : value.clone();
        this.k = RoutingTable.K;
        this.retries = options.retries() >= 0 ? options.retries()
                : internal && command == DhtCommands.DOWN_HINT ? 3 : 5;
        this.commit = options.commit();
        this.onReply = options.onReply();
        this.startNodes = options.nodes();
        this.concurrency = options.concurrency() > 0 ? options.concurrency() : node.options().concurrency();
    }

    public byte[] target() {
        return target.clone();
    }

    public long command() {
        return command;
    }

    public boolean internal() {
        return internal;
    }

    public byte[] value() {
        return value == null ? null : value.clone();
    }

    /** Completes with this query when it is done (after the commit phase, if any); fails if it was destroyed. */
    public CompletableFuture<Query> finished() {
        return finished;
    }

    /** The up-to-k OK replies with a valid id, closest to the target first (final once {@link #finished()}). */
    public List<DhtReply> closestReplies() {
        return node.call(() -> List.copyOf(closestReplies));
    }

    /** The addresses of {@link #closestReplies()}, in the same order. */
    public List<InetSocketAddress> closestNodes() {
        return node.call(() -> closestReplies.stream().map(DhtReply::from).toList());
    }

    /** Every OK reply in arrival order. */
    public List<DhtReply> replies() {
        return node.call(() -> List.copyOf(replies));
    }

    public int successes() {
        return node.call(() -> successes);
    }

    public int errors() {
        return node.call(() -> errors);
    }

    /** Stops the query: in-flight requests are dropped and {@link #finished()} fails with REQUEST_DESTROYED. */
    public void destroy() {
        node.run(() -> end(new DhtException(DhtException.Code.REQUEST_DESTROYED, "query destroyed")));
    }

    // ---- node thread

    void open() {
        if (startNodes != null) {
            for (int i = startNodes.size() - 1; i >= 0; i--) { // reversed: pending is popped from the end
                addPending(DhtPeer.of(startNodes.get(i)), null);
            }
        }
        // as dht-rpc: the table's closest nodes join given ones (and are asked first) while fewer than k are known
        addFromTable();
        if (pending.size() >= k) {
            readMore();
            return;
        }
        node.resolveBootstrapNodes().whenComplete((nodes, e) -> {
            if (e == null) {
                for (DhtPeer p : nodes) {
                    addPending(p, null);
                }
            }
            readMore();
        });
    }

    private void addFromTable() {
        if (pending.size() >= k) {
            return;
        }
        fromTable = true;
        for (DhtPeer p : node.table().closest(target, k - pending.size())) {
            addPending(new DhtPeer(p.idRef(), p.address()), null);
        }
    }

    private boolean isCloser(byte[] id) {
        return closestReplies.size() < k || Xor.compare(target, id, closestReplies.getLast().fromId()) < 0;
    }

    @SuppressWarnings("unchecked")
    private boolean addPending(DhtPeer peer, InetSocketAddress ref) {
        String key = peer.key();
        Object refs = seen.get(key);
        boolean closer = isCloser(peer.idRef());
        if (refs == DONE) {
            return closer;
        }
        if (refs == DOWN) {
            if (ref != null) {
                downHint(ref, peer.address());
            }
            return closer;
        }
        if (refs != null) {
            if (ref != null) {
                ((List<InetSocketAddress>) refs).add(ref);
            }
            return closer;
        }
        if (!closer) {
            return false;
        }
        List<InetSocketAddress> list = new ArrayList<>(1);
        if (ref != null) {
            list.add(ref);
        }
        seen.put(key, list);
        pending.add(peer);
        return true;
    }

    private void readMore() {
        if (ended || committing) {
            return;
        }
        int limit = (slowdown ? 3 : concurrency) + slow;
        while (inflight < limit && !pending.isEmpty()) {
            DhtPeer next = pending.removeLast();
            if (!isCloser(next.idRef())) {
                continue;
            }
            visit(next);
        }
        // a walk from remembered nodes waits for the first answers before going broad
        if (!fromTable && successes == 0 && errors == 0) {
            slowdown = true;
        }
        if (!pending.isEmpty()) {
            return;
        }
        if (inflight == 0 || (slow == inflight && closestReplies.size() >= k)) {
            // fewer than a quarter of the given nodes answered: try the routing table too
            if (!fromTable && successes * 4 < k) {
                addFromTable();
                readMore();
                return;
            }
            flush();
        }
    }

    private void visit(DhtPeer to) {
        inflight++;
        Outgoing r = node.createRequest(to.address(), to.idRef(), null, internal, command, target, value);
        if (r == null) {
            end(new DhtException(DhtException.Code.NODE_CLOSED, "node closed"));
            return;
        }
        r.retries = retries;
        r.onCycle = () -> onCycle(r);
        r.onResponse = m -> onVisit(m, r);
        r.onError = e -> onError(e, r);
        requests.add(r);
        node.send(r, false);
    }

    private void dec(Outgoing r) {
        requests.remove(r);
        if (r.onCycle == null) {
            slow--;
        } else {
            r.onCycle = null;
        }
        inflight--;
    }

    private void onCycle(Outgoing r) {
        r.onCycle = null;
        slow++;
        readMore();
    }

    private void onVisit(DhtReply m, Outgoing r) {
        if (ended) {
            return;
        }
        dec(r);
        seen.put(DhtPeer.key(r.to), DONE);
        if (committing) {
            return;
        }
        if (m.error() == 0) {
            successes++;
        } else {
            errors++;
        }
        if (m.error() == 0 && m.fromId() != null && isCloser(m.fromId())) {
            pushClosest(m);
        }
        for (InetSocketAddress a : m.closerNodes()) {
            DhtPeer p = DhtPeer.of(a);
            if (!node.options().nodeFilter().test(a) || node.table().isSelf(p.idRef())) {
                continue;
            }
            // nodes come closest first: the first one that cannot improve the result ends the scan
            if (!addPending(p, m.from())) {
                break;
            }
        }
        if (!fromTable && successes + errors >= concurrency) {
            slowdown = false;
        }
        if (m.error() == 0) {
            replies.add(m);
            if (onReply != null) {
                try {
                    onReply.accept(m);
                } catch (RuntimeException e) {
                    DhtNode.LOG.log(System.Logger.Level.WARNING, "query reply listener failed", e);
                }
            }
        }
        readMore();
    }

    @SuppressWarnings("unchecked")
    private void onError(DhtException e, Outgoing r) {
        if (ended) {
            return;
        }
        String key = DhtPeer.key(r.to);
        Object refs = seen.get(key);
        if (e.code() == DhtException.Code.REQUEST_TIMEOUT) {
            seen.put(key, DOWN);
            if (refs instanceof List<?> list) {
                for (InetSocketAddress ref : (List<InetSocketAddress>) list) {
                    downHint(ref, r.to);
                }
            }
        }
        dec(r);
        errors++;
        readMore();
    }

    private void downHint(InetSocketAddress to, InetSocketAddress down) {
        node.sendDownHint(to, down);
    }

    private void pushClosest(DhtReply m) {
        closestReplies.add(m);
        for (int i = closestReplies.size() - 2; i >= 0; i--) {
            DhtReply prev = closestReplies.get(i);
            int cmp = Xor.compare(target, prev.fromId(), m.fromId());
            if (cmp < 0) {
                break;
            }
            if (cmp == 0) { // the same node answered twice
                closestReplies.remove(i + 1);
                break;
            }
            closestReplies.set(i + 1, prev);
            closestReplies.set(i, m);
        }
        if (closestReplies.size() > k) {
            closestReplies.removeLast();
        }
    }

    private void flush() {
        if (committing) {
            return;
        }
        committing = true;
        if (commit == null) {
            end(null);
            return;
        }
        if (closestReplies.isEmpty()) {
            end(new DhtException(DhtException.Code.COMMIT_FAILED, "too few nodes responded"));
            return;
        }
        int[] left = {closestReplies.size()};
        int[] ok = {0};
        Throwable[] last = {null};
        for (DhtReply m : List.copyOf(closestReplies)) {
            CompletableFuture<?> f;
            try {
                f = commit.commit(m, node, this);
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            f.whenComplete((v, e) -> node.run(() -> {
                if (e == null) {
                    ok[0]++;
                } else {
                    last[0] = e;
                }
                if (--left[0] == 0) {
                    end(ok[0] > 0 ? null : new DhtException(DhtException.Code.COMMIT_FAILED,
                            "every commit failed: " + last[0].getMessage(), last[0]));
                }
            }));
        }
    }

    /** Ends the query: leftover (slow) requests are dropped, as dht-rpc destroys the query's session. */
    private void end(DhtException error) {
        if (ended) {
            return;
        }
        ended = true;
        for (Outgoing r : List.copyOf(requests)) {
            node.destroy(r, new DhtException(DhtException.Code.REQUEST_DESTROYED, "query ended"));
        }
        requests.clear();
        node.queryEnded(this);
        if (error == null) {
            finished.complete(this);
        } else {
            finished.completeExceptionally(error);
        }
    }
}
