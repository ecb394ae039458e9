package io.tunctl.transport.p2p.dht.rpc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A Kademlia routing table shaped like the npm {@code kademlia-routing-table} 1.0.6 that dht-rpc uses: one row per
 * bit of our id (a node's row is the length of the prefix its id shares with ours), each row at most {@code k} nodes
 * sorted by id. A full row refuses newcomers and tells the {@link FullRowListener}, which may ping the row's oldest
 * node and swap (dht-rpc's policy, in {@link DhtNode}). Not thread-safe: used on the node's thread.
 */
final class RoutingTable {
    static final int K = 20;

    /** Called when {@code newcomer} did not fit because its row holds {@code k} nodes already. */
    @FunctionalInterface
    interface FullRowListener {
        void onFull(DhtPeer newcomer, List<DhtPeer> row);
    }

    private final byte[] id;
    private final int k;
    private final List<DhtPeer>[] rows;
    private int size;
    private FullRowListener fullRowListener = (n, r) -> { };

    @SuppressWarnings({"unchecked", "rawtypes"})
    RoutingTable(byte[] id, int k) {
        if (id == null || id.length == 0) {
            throw new IllegalArgumentException("routing table id must not be empty");
        }
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
        this.id = id.clone();
        this.k = k;
        this.rows = new List[id.length * 8];
    }

    RoutingTable(byte[] id) {
        this(id, K);
    }

    void onFullRow(FullRowListener listener) {
        this.fullRowListener = listener;
    }

    byte[] id() {
        return id.clone();
    }

    boolean isSelf(byte[] other) {
        return Arrays.equals(id, other);
    }

    int k() {
        return k;
    }

    int size() {
        return size;
    }

    /**
     * Adds {@code node}, replacing an entry with the same id. Returns false (after calling the full-row listener) if
     * its row is full.
     */
    boolean add(DhtPeer node) {
        int r = Xor.row(id, node.idRef());
        List<DhtPeer> row = rows[r];
        if (row == null) {
            row = rows[r] = new ArrayList<>();
        }
        int at = search(row, node.idRef());
        if (at >= 0) {
            row.set(at, node);
            return true;
        }
        if (row.size() >= k) {
            fullRowListener.onFull(node, List.copyOf(row));
            return false;
        }
        row.add(-at - 1, node);
        size++;
        return true;
    }

    boolean remove(byte[] nodeId) {
        List<DhtPeer> row = rows[Xor.row(id, nodeId)];
        if (row == null) {
            return false;
        }
        int at = search(row, nodeId);
        if (at < 0) {
            return false;
        }
        row.remove(at);
        size--;
        return true;
    }

    DhtPeer get(byte[] nodeId) {
        List<DhtPeer> row = rows[Xor.row(id, nodeId)];
        if (row == null) {
            return null;
        }
        int at = search(row, nodeId);
        return at < 0 ? null : row.get(at);
    }

    /**
     * Up to {@code n} nodes near {@code target}: the target's row first, then rows further away (lower index), then
     * nearer ones. An approximation of XOR order that is exactly kademlia-routing-table's, so a node answers
     * FIND_NODE with the same list a Node peer would.
     */
    List<DhtPeer> closest(byte[] target, int n) {
        List<DhtPeer> result = new ArrayList<>(Math.min(n, Math.max(size, 0)));
        int d = Xor.row(id, target);
        for (int i = d; i >= 0 && result.size() < n; i--) {
            push(i, n, result);
        }
        for (int i = d + 1; i < rows.length && result.size() < n; i++) {
            push(i, n, result);
        }
        return result;
    }

    List<DhtPeer> closest(byte[] target) {
        return closest(target, k);
    }

    /** A uniformly random node, or null when empty. */
    DhtPeer random(Random random) {
        if (size == 0) {
            return null;
        }
        int n = random.nextInt(size);
        for (List<DhtPeer> row : rows) {
            if (row == null) {
                continue;
            }
            if (n < row.size()) {
                return row.get(n);
            }
            n -= row.size();
        }
        return null;
    }

    /** Every node, nearest rows to us last (the order of {@code closest(ourId)}). */
    List<DhtPeer> toList() {
        return closest(id, Integer.MAX_VALUE);
    }

    private void push(int i, int n, List<DhtPeer> result) {
        List<DhtPeer> row = rows[i];
        if (row == null) {
            return;
        }
        int missing = Math.min(n - result.size(), row.size());
        for (int j = 0; j < missing; j++) {
            result.add(row.get(j));
        }
    }

    /** Binary search by unsigned id order; {@code -(insertion point) - 1} when absent. */
    private static int search(List<DhtPeer> row, byte[] nodeId) {
        int l = 0;
        int r = row.size() - 1;
        while (l <= r) {
            int m = (l + r) >>> 1;
            int c = Arrays.compareUnsigned(nodeId, row.get(m).idRef());
            if (c == 0) {
                return m;
            }
            if (c < 0) {
                r = m - 1;
            } else {
                l = m + 1;
            }
        }
        return -l - 1;
    }
}
