package io.tunctl.transport.p2p.dht.rpc;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Settings of one {@link Query}.
 *
 * @param onReply     called on the node's thread with every OK reply, as it arrives (null: none)
 * @param commit      after the walk, called for each of the closest replies; the query completes when the commits
 *                    do (null: no commit phase). {@link #autoCommit()} sends the query's command again with the
 *                    reply's token, as dht-rpc's {@code commit: true}
 * @param nodes       nodes to ask first; as in dht-rpc the routing table's closest nodes are added up to k (and
 *                    asked before them), then the bootstrap nodes if that is still fewer than k (null: none)
 * @param concurrency requests in flight (0: the node's setting)
 * @param retries     re-sends per request (-1: dht-rpc's default, 5, or 3 for DOWN_HINT)
 */
public record QueryOptions(Consumer<DhtReply> onReply, Commit commit, List<InetSocketAddress> nodes, int concurrency,
        int retries) {

    /** A commit step: what to send to one of the closest replies. */
    @FunctionalInterface
    public interface Commit {
        CompletableFuture<?> commit(DhtReply reply, DhtNode node, Query query);
    }

    /** dht-rpc's {@code commit: true}: repeat the query's command, target and value with the reply's token. */
    public static final Commit AUTO_COMMIT = (reply, node, query) -> {
        if (reply.token() == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("no token received from "
                    + reply.from()));
        }
        return node.request(query.command(), query.target(), query.value(), reply.token(), reply.from());
    };

    public static QueryOptions defaults() {
        return new QueryOptions(null, null, null, 0, -1);
    }

    public QueryOptions withOnReply(Consumer<DhtReply> r) {
        return new QueryOptions(r, commit, nodes, concurrency, retries);
    }

    public QueryOptions withCommit(Commit c) {
        return new QueryOptions(onReply, c, nodes, concurrency, retries);
    }

    public QueryOptions autoCommit() {
        return withCommit(AUTO_COMMIT);
    }

    public QueryOptions withNodes(List<InetSocketAddress> n) {
        return new QueryOptions(onReply, commit, n == null ? null : List.copyOf(n), concurrency, retries);
    }

    public QueryOptions withConcurrency(int c) {
        return new QueryOptions(onReply, commit, nodes, c, retries);
    }

    public QueryOptions withRetries(int r) {
        return new QueryOptions(onReply, commit, nodes, concurrency, r);
    }
}
