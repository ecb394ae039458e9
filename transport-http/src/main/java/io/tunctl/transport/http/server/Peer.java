package io.tunctl.transport.http.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.tunctl.transport.http.config.Endpoints;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A configured client as the server sees it: its current GET stream (at most one; a new GET replaces it), any
 * number of PUT streams, and its counters. Survives a config reload when the client's entry did not change.
 */
final class Peer {
    /** Bytes waiting in a GET's outbound buffer beyond which new packets for it are dropped. */
    static final long MAX_PENDING = 4L << 20;

    final Endpoints.Peer spec;
    final String label;
    private volatile Channel get;
    final Set<Channel> puts = ConcurrentHashMap.newKeySet();
    private final AtomicLong pending = new AtomicLong();
    private volatile long connectedSinceMillis;

    // client -> server (PUT) and server -> client (GET)
    final LongAdder rxBytes = new LongAdder();
    final LongAdder rxPackets = new LongAdder();
    final LongAdder txBytes = new LongAdder();
    final LongAdder txPackets = new LongAdder();
    final LongAdder drops = new LongAdder();
    final LongAdder connects = new LongAdder();

    Peer(Endpoints.Peer spec) {
        this.spec = spec;
        this.label = spec.ipString();
    }

    /** Makes {@code channel} the current GET; the previous one finishes its body and closes. */
    void attachGet(Channel channel) {
        Channel old = get;
        get = channel;
        pending.set(0);
        connectedSinceMillis = System.currentTimeMillis();
        connects.increment();
        if (old != null && old != channel) endGet(old);
    }

    void detachGet(Channel channel) {
        if (get == channel) {
            get = null;
            connectedSinceMillis = 0;
        }
    }

    static void endGet(Channel old) {
        old.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(f -> old.close());
    }

    boolean connected() { return get != null; }

    long connectedSinceMillis() { return connectedSinceMillis; }

    /**
     * Sends already-encoded frames ({@code packets} of them) on the current GET, or drops them when there is none
     * or when the client does not keep up. Takes ownership of {@code frames}.
     */
    void send(ByteBuf frames, int packets, long packetBytes) {
        Channel ch = get;
        int n = frames.readableBytes();
        if (ch == null || pending.get() > MAX_PENDING) {
            frames.release();
            drops.add(packets);
            return;
        }
        pending.addAndGet(n);
        txBytes.add(packetBytes);
        txPackets.add(packets);
        ch.writeAndFlush(new DefaultHttpContent(frames)).addListener(f -> pending.addAndGet(-n));
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
