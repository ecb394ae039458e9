package io.tunctl.transport.http.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.tunctl.transport.http.config.Endpoints;
import io.tunctl.transport.http.wire.ChunkedBody;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A configured client as the server sees it: its current GET stream (at most one; a new GET replaces it), any
 * number of PUT streams, and its counters. Survives a config reload when the client's entry did not change.
 */
final class Peer {
    final Endpoints.Peer spec;
    final String label;
    private volatile Channel get;
    final Set<Channel> puts = ConcurrentHashMap.newKeySet();
    private volatile long connectedSinceMillis;

    // client -> server (PUT) and server -> client (GET)
    final LongAdder rxBytes = new LongAdder();
    final LongAdder rxPackets = new LongAdder();
    final LongAdder txBytes = new LongAdder();
    final LongAdder txPackets = new LongAdder();
    final LongAdder drops = new LongAdder();
    final LongAdder connects = new LongAdder();

    // v2 ping bookkeeping (spec §1.7): 8 RTT samples, newest first; 999 ms marks an unanswered ping
    static final long PING_INTERVAL_MILLIS = 55_000;
    static final long PING_RETRY_MILLIS = 10_000;
    static final long PENALTY_MILLIS = 600_000;
    private final long[] rtt = new long[8];
    private boolean lastAnswered = true;
    private long nextPingMillis;
    private volatile long penaltyUntilMillis;

    Peer(Endpoints.Peer spec) {
        this.spec = spec;
        this.label = spec.name() != null ? spec.name() + "/" + spec.ipString() : spec.ipString();
    }

    /** v2: not penalised for slow or missing ping answers. */
    boolean online() { return online(System.currentTimeMillis()); }

    boolean online(long now) { return now >= penaltyUntilMillis; }

    /**
     * v2: called every second; true when a ping is due now. Before each ping the mean of the 6 best of the last
     * 8 samples decides the penalty; the new ping's slot starts as unanswered.
     */
    synchronized boolean pingDue(long now) {
        if (now < nextPingMillis) return false;
        long[] sorted = rtt.clone();
        java.util.Arrays.sort(sorted);
        long mean6 = 0;
        for (int i = 0; i < 6; i++) mean6 += sorted[i];
        mean6 /= 6;
        if (mean6 >= 500) penaltyUntilMillis = now + PENALTY_MILLIS;
        System.arraycopy(rtt, 0, rtt, 1, rtt.length - 1);
        rtt[0] = 999;
        nextPingMillis = now + (lastAnswered ? PING_INTERVAL_MILLIS : PING_RETRY_MILLIS);
        lastAnswered = false;
        return true;
    }

    /** v2: an echoed ping came back on a PUT. */
    synchronized void pong(long sentMillis, long now) {
        rtt[0] = Math.max(0, now - sentMillis);
        lastAnswered = true;
    }

    synchronized long lastRttMillis() { return rtt[0]; }

    /** Makes {@code channel} the current GET; the previous one finishes its body and closes. */
    void attachGet(Channel channel) {
        Channel old = get;
        get = channel;
        connectedSinceMillis = System.currentTimeMillis();
        synchronized (this) {
            nextPingMillis = connectedSinceMillis + PING_INTERVAL_MILLIS;
        }
        connects.increment();
        if (old != null && old != channel) endGet(old);
    }

    void detachGet(Channel channel) {
        if (get == channel) {
            get = null;
            connectedSinceMillis = 0;
        }
    }

    /** Ends a GET's chunked body cleanly, then closes its connection. */
    static void endGet(Channel old) {
        old.writeAndFlush(ChunkedBody.last(old.alloc())).addListener(f -> old.close());
    }

    boolean connected() { return get != null; }

    long connectedSinceMillis() { return connectedSinceMillis; }

    /**
     * Sends already-encoded frames ({@code packets} of them, in a buffer from {@link ChunkedBody#start}) as one
     * chunk on the current GET, or drops them when there is none or when the client does not keep up (its
     * connection's outbound buffer is above the high water mark). Takes ownership of {@code chunk}.
     */
    void send(ByteBuf chunk, int packets, long packetBytes) {
        Channel ch = get;
        if (ch == null || !ch.isWritable() || ChunkedBody.isEmpty(chunk)) {
            chunk.release();
            drops.add(packets);
            return;
        }
        txBytes.add(packetBytes);
        txPackets.add(packets);
        ch.writeAndFlush(ChunkedBody.finish(chunk), ch.voidPromise());
    }

    /** Sends a control frame (a v2 ping, in a buffer from {@link ChunkedBody#start}) on the current GET, or drops it. */
    void sendControl(ByteBuf chunk) {
        Channel ch = get;
        if (ch == null) {
            chunk.release();
            return;
        }
        ch.writeAndFlush(ChunkedBody.finish(chunk), ch.voidPromise());
    }

    /** Closes all of this client's streams (it was removed or changed by a reload). */
    void disconnect() {
        Channel g = get;
        get = null;
        if (g != null) g.close();
        for (Channel p : puts) p.close();
        puts.clear();
    }
}
