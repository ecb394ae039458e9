package io.tunctl.transport.p2p.dht.rpc;

import java.net.InetSocketAddress;
import java.util.function.Consumer;

/** One request in flight: its encoded bytes (re-sent unchanged on retry), timer and callbacks. Node thread only. */
final class Outgoing {
    final int tid;
    final InetSocketAddress to;
    /** The id we believe the destination has (routing-table node), or null; a timeout then evicts it. */
    final byte[] toId;
    final byte[] token;
    final boolean internal;
    final long command;
    final byte[] target;
    final byte[] value;
    Link link;
    byte[] bytes;
    int sent;
    int retries = 3;
    long timeoutMillis;
    long firstSentAt = -1;
    Scheduler.Cancellable timer;
    boolean destroyed;
    /** Called when a send goes unanswered for one timeout; null once fired (a query counts the request as slow). */
    Runnable onCycle;
    Consumer<DhtReply> onResponse = r -> { };
    Consumer<DhtException> onError = e -> { };

    Outgoing(int tid, InetSocketAddress to, byte[] toId, byte[] token, boolean internal, long command, byte[] target,
            byte[] value) {
        this.tid = tid;
        this.to = to;
        this.toId = toId;
        this.token = token;
        this.internal = internal;
        this.command = command;
        this.target = target;
        this.value = value;
    }
}
