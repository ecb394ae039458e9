package io.tunctl.transport.socks.flow;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.tunctl.transport.socks.proxy.DialException;
import io.tunctl.transport.socks.proxy.UdpAssociation;
import io.tunctl.transport.socks.proxy.Upstream;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * UDP sessions, one per application socket (source address and port): endpoint-independent, so one session
 * carries datagrams to any number of destinations through one association per upstream (proxy, direct), and
 * answers from any source come back to the application (full cone). A session ends after {@code idle} with no
 * datagram either way; at most {@code max} live at once, the least recently used one ends for a new one.
 *
 * <p>A datagram that cannot go (the proxy takes no UDP, the association failed) is answered with ICMP port
 * unreachable, so the application learns at once instead of waiting for a timeout; the first refusal by a proxy is
 * logged once with the proxy's own answer.
 */
final class UdpSessions {
    private static final System.Logger LOG = System.getLogger(UdpSessions.class.getName());
    /** Datagrams held per association while it is being set up. */
    private static final int QUEUE = 32;

    private final FlowDispatcher dispatcher;
    private final int max;
    private final long idleNanos;
    private final EventLoopGroup group;
    private final LinkedHashMap<InetSocketAddress, Session> sessions = new LinkedHashMap<>(64, 0.75f, true);
    private final ScheduledFuture<?> sweeper;
    private volatile boolean proxyRefusesUdp;
    private long lastEvictionLog;

    UdpSessions(FlowDispatcher dispatcher, int max, Duration idle, EventLoopGroup group) {
        this.dispatcher = dispatcher;
        this.max = max;
        this.idleNanos = idle.toNanos();
        this.group = group;
        this.sweeper = group.next().scheduleAtFixedRate(this::sweep, 1, 1, TimeUnit.SECONDS);
    }

    synchronized int size() { return sessions.size(); }

    /** Sends {@code payload} (ownership taken) from the application at {@code app} to {@code destination}. */
    void send(InetSocketAddress app, InetSocketAddress destination, ByteBuf payload) {
        Session s;
        Session evicted = null;
        boolean fresh = false;
        synchronized (this) {
            s = sessions.get(app);
            if (s == null) {
                if (sessions.size() >= max) {
                    Iterator<Session> it = sessions.values().iterator();
                    evicted = it.next();
                    it.remove();
                }
                s = new Session(app);
                sessions.put(app, s);
                fresh = true;
                dispatcher.count("udp_sessions_opened");
            }
        }
        if (evicted != null) {
            dispatcher.count("udp_sessions_evicted");
            long now = System.nanoTime();
            if (now - lastEvictionLog > TimeUnit.SECONDS.toNanos(5)) {
                lastEvictionLog = now;
                LOG.log(System.Logger.Level.WARNING, "socks: {0} UDP sessions (limits.udpSessions): ended the least "
                        + "recently used, {1}", max, evicted.app);
            }
            evicted.close();
        }
        if (fresh) s.classify();
        s.send(destination, payload);
    }

    private void sweep() {
        long now = System.nanoTime();
        List<Session> idle = new ArrayList<>();
        synchronized (this) {
            for (Iterator<Session> it = sessions.values().iterator(); it.hasNext(); ) {
                Session s = it.next();
                if (now - s.lastActive > idleNanos) {
                    it.remove();
                    idle.add(s);
                }
            }
        }
        for (Session s : idle) {
            dispatcher.count("udp_sessions_idle");
            s.close();
        }
    }

    void close() {
        sweeper.cancel(false);
        List<Session> all;
        synchronized (this) {
            all = new ArrayList<>(sessions.values());
            sessions.clear();
        }
        for (Session s : all) s.close();
    }

    private void forget(Session s) {
        synchronized (this) {
            sessions.remove(s.app, s);
        }
    }

    /** One application socket's session. */
    private final class Session {
        final InetSocketAddress app;
        volatile long lastActive = System.nanoTime();
        private Association viaProxy, viaDirect;
        private boolean closed;
        /** Whether the application's process is excluded (goes direct); null while the lookup runs. */
        private Boolean excluded;
        private ArrayDeque<Object[]> held;

        Session(InetSocketAddress app) { this.app = app; }

        /** Looks up the owning process once per session; datagrams wait (up to {@value QUEUE}) for the answer. */
        void classify() {
            var ex = dispatcher.exclusion();
            if (ex == null) {
                decided(false);
                return;
            }
            var owner = ex.excluded(false, app);
            if (owner.isDone()) {
                decided(owner.join());
            } else {
                owner.whenComplete((x, e) -> decided(Boolean.TRUE.equals(x)));
            }
        }

        /** Sets the decision and sends what waited for it (a datagram sent meanwhile may overtake them: UDP). */
        private void decided(boolean yes) {
            if (yes) dispatcher.count("udp_excluded");
            ArrayDeque<Object[]> waiting;
            synchronized (this) {
                excluded = yes;
                waiting = held;
                held = null;
            }
            if (waiting != null) for (Object[] d : waiting) send((InetSocketAddress) d[0], (ByteBuf) d[1]);
        }

        void send(InetSocketAddress destination, ByteBuf payload) {
            lastActive = System.nanoTime();
            Boolean ex;
            synchronized (this) {
                ex = excluded;
                if (ex == null) {
                    if (held == null) held = new ArrayDeque<>();
                    if (closed || held.size() >= QUEUE) {
                        dispatcher.count("udp_queue_full");
                        payload.release();
                    } else {
                        held.add(new Object[] {destination, payload});
                    }
                    return;
                }
            }
            boolean isDirect = ex || dispatcher.isDirect(destination.getAddress());
            Upstream up = isDirect ? dispatcher.direct() : dispatcher.upstreamFor(destination.getAddress());
            if (!isDirect && (proxyRefusesUdp || !up.url().carriesUdp())) {
                unreachable(destination, payload, "udp_proxy_no_udp");
                if (!proxyRefusesUdp) refusedByProxy(up, "the proxy scheme carries no UDP");
                return;
            }
            Association a;
            synchronized (this) {
                if (closed) {
                    payload.release();
                    return;
                }
                a = isDirect ? viaDirect : viaProxy;
                if (a == null) {
                    a = new Association(this, up, isDirect);
                    if (isDirect) viaDirect = a; else viaProxy = a;
                }
            }
            a.send(destination, payload);
        }

        void unreachable(InetSocketAddress destination, ByteBuf payload, String counter) {
            dispatcher.count(counter);
            dispatcher.engine().udpUnreachable(app, destination, payload);
        }

        synchronized void ended(Association a) {
            if (viaProxy == a) viaProxy = null;
            if (viaDirect == a) viaDirect = null;
        }

        void close() {
            Association p, d;
            synchronized (this) {
                closed = true;
                p = viaProxy;
                d = viaDirect;
                viaProxy = viaDirect = null;
                if (held != null) for (Object[] x : held) ((ByteBuf) x[1]).release();
                held = null;
            }
            if (p != null) p.close();
            if (d != null) d.close();
            forget(this);
        }
    }

    private void refusedByProxy(Upstream up, String why) {
        if (dispatcher.udpRefusalLogged.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "socks: the proxy {0} does not carry UDP ({1}); UDP flows through it "
                    + "get ICMP port unreachable (use a proxy with UDP ASSOCIATE, or list the destinations in 'direct')",
                    up.url(), why);
        }
    }

    /** The session's association with one upstream: connecting (datagrams held), ready, or gone. */
    private final class Association implements UdpAssociation.Receiver {
        private final Session session;
        private final Upstream upstream;
        private final ArrayDeque<Object[]> queue = new ArrayDeque<>();
        private UdpAssociation ready;
        private boolean done;

        Association(Session session, Upstream upstream, boolean direct) {
            this.session = session;
            this.upstream = upstream;
            Future<UdpAssociation> f = upstream.associate(group.next(), this);
            f.addListener(x -> opened(f));
        }

        private void opened(Future<UdpAssociation> f) {
            List<Object[]> held;
            synchronized (this) {
                held = new ArrayList<>(queue);
                queue.clear();
                if (f.isSuccess() && !done) {
                    ready = f.getNow();
                } else {
                    done = true;
                }
            }
            if (ready != null && f.isSuccess()) {
                for (Object[] d : held) ready.send((InetSocketAddress) d[0], (ByteBuf) d[1]);
                return;
            }
            if (f.isSuccess()) {
                f.getNow().close(); // closed while connecting
            } else {
                Throwable cause = f.cause();
                if (cause instanceof DialException d && d.reason() == DialException.Reason.UDP_NOT_SUPPORTED) {
                    proxyRefusesUdp = true;
                    refusedByProxy(upstream, d.getMessage());
                } else {
                    LOG.log(System.Logger.Level.INFO, "[UDP] {0} via {1}: {2}", session.app, upstream.url(),
                            cause == null ? "closed" : cause.getMessage());
                }
            }
            session.ended(this);
            for (Object[] d : held) session.unreachable((InetSocketAddress) d[0], (ByteBuf) d[1], "udp_association_failed");
        }

        void send(InetSocketAddress destination, ByteBuf payload) {
            UdpAssociation a;
            synchronized (this) {
                a = ready;
                if (a == null && !done) {
                    if (queue.size() >= QUEUE) {
                        dispatcher.count("udp_queue_full");
                        payload.release();
                    } else {
                        queue.add(new Object[] {destination, payload});
                    }
                    return;
                }
            }
            if (a != null) {
                a.send(destination, payload);
                dispatcher.count("udp_sent");
            } else {
                session.unreachable(destination, payload, "udp_association_failed");
            }
        }

        @Override
        public void datagram(InetSocketAddress source, ByteBuf payload) {
            session.lastActive = System.nanoTime();
            dispatcher.count("udp_received");
            dispatcher.engine().sendUdp(source, session.app, payload.retain());
        }

        @Override
        public void closed(Throwable cause) {
            synchronized (this) {
                done = true;
            }
            session.ended(this);
        }

        void close() {
            UdpAssociation a;
            List<Object[]> held;
            synchronized (this) {
                done = true;
                a = ready;
                ready = null;
                held = new ArrayList<>(queue);
                queue.clear();
            }
            for (Object[] d : held) ((ByteBuf) d[1]).release();
            if (a != null) a.close();
        }
    }
}
