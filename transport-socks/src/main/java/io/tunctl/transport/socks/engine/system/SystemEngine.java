package io.tunctl.transport.socks.engine.system;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import io.tunctl.core.packet.Icmp;
import io.tunctl.core.packet.IpPacket;
import io.tunctl.core.packet.Ipv4;
import io.tunctl.core.packet.Ipv4Reassembler;
import io.tunctl.core.packet.Ipv6;
import io.tunctl.core.packet.Tcp;
import io.tunctl.core.packet.Udp;
import io.tunctl.core.spi.DeviceStats;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PacketDevice;
import io.tunctl.core.spi.PacketSink;
import io.tunctl.core.tun.SocketBypass;
import io.tunctl.netty.NettyTransport;
import io.tunctl.transport.socks.engine.Engine;
import io.tunctl.transport.socks.engine.EngineStats;
import io.tunctl.transport.socks.engine.FlowHandler;
import io.tunctl.transport.socks.engine.TcpFlow;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * {@code stack: system}: TCP is terminated by the kernel's own stack. A TCP packet from an application
 * ({@code A:a → D:d}) is rewritten in place to ({@code G:n → H:L}) — G the gateway address, n the flow's NAT
 * port, H the TUN's host address, L the port of a listening socket of ours — and written back into the TUN, where
 * the kernel delivers it to that listener; the listener's replies ({@code H:L → G:n}) come out of the TUN and are
 * rewritten back to ({@code D:d → A:a}). The kernel does the handshake, retransmission, congestion control and
 * offload; this class only moves headers (a GSO super-packet of 64 KiB costs one rewrite) and accepts the
 * connection. UDP datagrams and ICMP echo are handled here and by the {@link FlowHandler}.
 *
 * <p>Dial first: a new flow's SYN is held (a copy of it) until the handler {@link TcpFlow#admit admits} it — after
 * its upstream dial succeeded — and only then goes to the listener; a refused flow gets a reset or an ICMP error
 * built from the held SYN instead. The handler may also admit at once (accept first).
 *
 * <p>Threads: the bridge's pump calls {@link Device#write} with what the TUN read; event loops admit, refuse and
 * send UDP answers. Each thread writes what it made into the TUN through a sink of its own (no shared batch); the
 * NAT table is guarded by one lock, taken per TCP packet (uncontended in the pump's steady state).
 */
public final class SystemEngine implements Engine {
    private static final System.Logger LOG = System.getLogger(SystemEngine.class.getName());
    /** How long a flow that saw FIN both ways or a reset keeps its entry, for the last ACKs and retransmissions. */
    private static final long CLOSING_LINGER = TimeUnit.SECONDS.toNanos(10);
    /** An open flow with no packet for this long loses its entry (the listener's keepalive refreshes live ones). */
    private static final long OPEN_IDLE_DEFAULT = TimeUnit.HOURS.toNanos(2);
    private static final int MAX_PACKET = 65535 + 64;
    /** Incomplete IPv4 datagrams kept at once, and for how long (RFC 791's suggested upper bound is 15 s + ttl). */
    private static final int REASSEMBLY_DATAGRAMS = 64;
    private static final long REASSEMBLY_TIMEOUT = TimeUnit.SECONDS.toNanos(30);

    /**
     * @param hostV4     the TUN's IPv4 address (the listener binds there), or null
     * @param hostV6     the TUN's IPv6 address, or null
     * @param gatewayV4  the NAT side / virtual gateway for IPv4 (inside the TUN's prefix, not the host's), or null
     * @param gatewayV6  the same for IPv6, or null
     * @param mtu        the TUN's MTU
     * @param maxFlows   NAT entries at most (LRU eviction beyond)
     * @param maxPending flows waiting for their dial at most (new ones are reset beyond)
     * @param connectTimeout how long a held SYN may wait for its dial
     * @param tcpIdle    relays close after this long without bytes (0: never); open entries outlive it
     * @param echoAll    answer every echo request, not only the gateway's
     */
    public record Options(InetAddress hostV4, InetAddress hostV6, InetAddress gatewayV4, InetAddress gatewayV6,
                          int mtu, int maxFlows, int maxPending, Duration connectTimeout, Duration tcpIdle,
                          boolean echoAll) {}

    private final Options options;
    private final FlowHandler handler;
    private final EventLoopGroup group;
    private final NettyTransport netty;
    private final Device device = new Device();
    private final NatTable nat;
    private final Object lock = new Object();
    private final long openIdle;
    private final int host4, gw4;
    private final long host6Hi, host6Lo, gw6Hi, gw6Lo;
    private final boolean v4, v6;
    private volatile int listenPort4 = -1, listenPort6 = -1;
    private final List<ServerChannel> listeners = new ArrayList<>();
    private final ThreadLocal<Out> outs = new ThreadLocal<>();
    private final Set<Out> allOuts = ConcurrentHashMap.newKeySet();
    private final AtomicReference<Supplier<? extends PacketSink>> sinks = new AtomicReference<>();
    private final Map<String, LongAdder> drops = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final LongAdder rxPackets = new LongAdder(), rxBytes = new LongAdder();
    private final LongAdder txPackets = new LongAdder(), txBytes = new LongAdder();
    private int pending;
    private volatile boolean closed;
    private ScheduledFuture<?> sweeper;
    private long lastPendingWarning;
    private short ipId;
    /** Only the pump thread reassembles. */
    private Ipv4Reassembler reassembler;

    public SystemEngine(Options options, FlowHandler handler, EventLoopGroup group, NettyTransport netty) {
        this.options = Objects.requireNonNull(options, "options");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.group = group;
        this.netty = netty;
        this.nat = new NatTable(options.maxFlows());
        this.v4 = options.hostV4() != null && options.gatewayV4() != null;
        this.v6 = options.hostV6() != null && options.gatewayV6() != null;
        if (!v4 && !v6) throw new IllegalArgumentException("the engine needs a host and a gateway address of one IP version");
        this.host4 = v4 ? Ipv4.toInt(options.hostV4().getAddress()) : 0;
        this.gw4 = v4 ? Ipv4.toInt(options.gatewayV4().getAddress()) : 0;
        this.host6Hi = v6 ? hi(options.hostV6()) : 0;
        this.host6Lo = v6 ? lo(options.hostV6()) : 0;
        this.gw6Hi = v6 ? hi(options.gatewayV6()) : 0;
        this.gw6Lo = v6 ? lo(options.gatewayV6()) : 0;
        long idle = options.tcpIdle().toNanos();
        this.openIdle = idle > 0 ? Math.max(idle + TimeUnit.MINUTES.toNanos(1), TimeUnit.MINUTES.toNanos(5)) : OPEN_IDLE_DEFAULT;
    }

    /**
     * Binds the listeners on the TUN's host addresses (which must be up) and starts the expiry sweep. The IPv6
     * listener takes the IPv4 one's port when it can.
     */
    public void start() throws IOException {
        int p4 = v4 ? listen(options.hostV4(), 0) : -1;
        listening(p4, v6 ? listen(options.hostV6(), v4 ? p4 : 0) : -1);
        sweeper = group.next().scheduleAtFixedRate(this::sweep, 1, 1, TimeUnit.SECONDS);
        LOG.log(System.Logger.Level.INFO, "socks engine: system stack, listener on {0}{1}, gateway {2}{3}",
                v4 ? options.hostV4().getHostAddress() + ":" + listenPort4 : "",
                v6 ? (v4 ? " and " : "") + "[" + options.hostV6().getHostAddress() + "]:" + listenPort6 : "",
                v4 ? options.gatewayV4().getHostAddress() : "",
                v6 ? (v4 ? " and " : "") + options.gatewayV6().getHostAddress() : "");
    }

    private int listen(InetAddress host, int preferredPort) throws IOException {
        IOException last = null;
        // a fresh IPv6 address may still be tentative for a moment: retry briefly
        for (int attempt = 0; attempt < 40; attempt++) {
            ServerChannel sc = netty.serverSockets(SocketBypass.NONE).newChannel();
            sc.config().setOption(ChannelOption.SO_BACKLOG, Math.max(1024, options.maxPending() * 2));
            sc.config().setOption(ChannelOption.SO_REUSEADDR, true);
            sc.pipeline().addLast(new Acceptor());
            try {
                group.next().register(sc).sync();
                int port = attempt < 20 ? preferredPort : 0;
                sc.bind(new InetSocketAddress(host, port)).sync();
                synchronized (listeners) {
                    listeners.add(sc);
                }
                return ((InetSocketAddress) sc.localAddress()).getPort();
            } catch (Exception e) {
                sc.close();
                last = new IOException("cannot listen on " + host.getHostAddress() + ": " + e.getMessage(), e);
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                    throw last;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw last;
                }
            }
        }
        throw last;
    }

    /** The listeners' ports (tests that feed packets without a kernel set them directly). */
    void listening(int port4, int port6) {
        listenPort4 = port4;
        listenPort6 = port6;
    }

    @Override
    public PacketDevice device() { return device; }

    /** The port the kernel listener has for {@code family} 4 or 6 (-1 before {@link #start}). */
    public int listenPort(int family) { return family == 4 ? listenPort4 : listenPort6; }

    @Override
    public EngineStats stats() {
        long entries, waiting;
        synchronized (lock) {
            entries = nat.size();
            waiting = pending;
        }
        return new EngineStats(entries, waiting, snapshot(drops), snapshot(counts));
    }

    private static Map<String, Long> snapshot(Map<String, LongAdder> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    private void drop(String reason) { drops.computeIfAbsent(reason, k -> new LongAdder()).increment(); }

    private void count(String what) { counts.computeIfAbsent(what, k -> new LongAdder()).increment(); }

    // ------------------------------------------------------------------------------------------ packets in

    /** Handles one batch the TUN read (on the pump thread). */
    private void handle(PacketBatch batch) throws IOException {
        Out o = out();
        long now = System.nanoTime();
        for (int i = 0, n = batch.size(); i < n; i++) {
            MemorySegment s = batch.memory(i);
            long off = batch.offset(i);
            int len = batch.length(i);
            rxPackets.increment();
            rxBytes.add(len);
            long tp = IpPacket.transport(s, off, len);
            if (tp < 0 || IpPacket.length(s, off) > len) {
                drop("malformed");
                continue;
            }
            int version = IpPacket.version(s, off);
            if (version == 4 ? !v4 : !v6) {
                drop("no_gateway_for_version");
                continue;
            }
            if (version == 4 && Ipv4.isFragment(s, off)) {
                int whole = reassemble(s, off, len, now);
                if (whole <= 0) continue;
                s = reassembler.completed();
                off = reassembler.completedOffset();
                len = whole;
                tp = IpPacket.transport(s, off, len);
                if (IpPacket.transportProtocol(tp) != IpPacket.PROTO_UDP) {
                    drop("fragmented_" + (IpPacket.transportProtocol(tp) == IpPacket.PROTO_TCP ? "tcp" : "other"));
                    continue;
                }
            }
            long t = IpPacket.transportOffset(tp);
            switch (IpPacket.transportProtocol(tp)) {
                case IpPacket.PROTO_TCP -> tcp(batch, i, s, off, len, t, version, o, now);
                case IpPacket.PROTO_UDP -> udp(s, off, len, t, version);
                case IpPacket.PROTO_ICMP -> { if (version == 4) icmp(batch, i, s, off, len, t, 4, o); else drop("icmpv4_in_ipv6"); }
                case IpPacket.PROTO_ICMPV6 -> { if (version == 6) icmp(batch, i, s, off, len, t, 6, o); else drop("icmpv6_in_ipv4"); }
                case IpPacket.PROTO_FRAGMENT -> drop("ipv6_fragment");
                default -> drop("protocol");
            }
        }
        o.flush();
    }

    /**
     * Files an IPv4 fragment; returns the length of the datagram it completed (then in the reassembler's buffer),
     * or 0. The buffer (4 MiB for 64 datagrams) is made with the first fragment: most setups never see one.
     */
    private int reassemble(MemorySegment s, long off, int len, long now) {
        if (reassembler == null) {
            reassembler = new Ipv4Reassembler(Arena.ofAuto(), REASSEMBLY_DATAGRAMS, 65535, REASSEMBLY_TIMEOUT);
        }
        int n = reassembler.offer(s, off, len, now);
        if (n == Ipv4Reassembler.DROPPED) {
            drop("fragment_" + reassembler.lastDrop().name().toLowerCase(java.util.Locale.ROOT));
        } else if (n > 0) {
            count("datagrams_reassembled");
        }
        return Math.max(n, 0);
    }

    private void tcp(PacketBatch b, int i, MemorySegment s, long off, int len, long t, int version, Out o, long now) {
        if (t + Tcp.MIN_HEADER_LENGTH > off + len) {
            drop("malformed");
            return;
        }
        int sport = Tcp.sourcePort(s, t), dport = Tcp.destinationPort(s, t);
        int flags = Tcp.flags(s, t);
        if (version == 4) {
            int src = Ipv4.source(s, off), dst = Ipv4.destination(s, off);
            if (src == host4 && sport == listenPort4 && dst == gw4) {
                fromListener(b, i, s, off, len, t, 4, dport, flags, o, now);
                return;
            }
            fromApp(b, i, s, off, len, t, 4, 0, src & 0xffff_ffffL, sport, 0, dst & 0xffff_ffffL, dport, flags, o, now);
        } else {
            long sHi = Ipv6.sourceHigh(s, off), sLo = Ipv6.sourceLow(s, off);
            long dHi = Ipv6.destinationHigh(s, off), dLo = Ipv6.destinationLow(s, off);
            if (sHi == host6Hi && sLo == host6Lo && sport == listenPort6 && dHi == gw6Hi && dLo == gw6Lo) {
                fromListener(b, i, s, off, len, t, 6, dport, flags, o, now);
                return;
            }
            fromApp(b, i, s, off, len, t, 6, sHi, sLo, sport, dHi, dLo, dport, flags, o, now);
        }
    }

    /** The kernel listener's side of a flow: back to the application, as if from where it wanted to go. */
    private void fromListener(PacketBatch b, int i, MemorySegment s, long off, int len, long t, int version,
                              int natPort, int flags, Out o, long now) {
        synchronized (lock) {
            int e = nat.byNatPort(natPort);
            if (e < 0 || nat.family[e] != version || nat.state[e] == NatTable.PENDING) {
                drop("tcp_no_flow_for_listener");
                return;
            }
            if (version == 4) {
                NatRewrite.ipv4(b, i, s, off, len, t, (int) nat.dstLo[e], nat.dstPort[e], (int) nat.appLo[e], nat.appPort[e]);
            } else {
                NatRewrite.ipv6(b, i, s, off, len, t, nat.dstHi[e], nat.dstLo[e], nat.dstPort[e],
                        nat.appHi[e], nat.appLo[e], nat.appPort[e]);
            }
            track(e, flags, NatTable.FIN_LISTENER, now);
        }
        o.refs.addRef(b, i);
        if (o.refs.isFull()) o.flush();
    }

    private void fromApp(PacketBatch b, int i, MemorySegment s, long off, int len, long t, int version,
                         long aHi, long aLo, int aPort, long dHi, long dLo, int dPort, int flags, Out o, long now) {
        Flow fresh = null;
        synchronized (lock) {
            int e = nat.find(version, aHi, aLo, aPort, dHi, dLo, dPort);
            if (e < 0) {
                if ((flags & (Tcp.SYN | Tcp.ACK | Tcp.RST)) != Tcp.SYN) {
                    // a segment of no flow we know (evicted, or from before a restart): reset it, as a closed port would
                    if ((flags & Tcp.RST) == 0) {
                        drop("tcp_no_flow");
                        o.made(Replies.tcpReset(s, off, len, o));
                    }
                    return;
                }
                if (pending >= options.maxPending()) {
                    drop("tcp_pending_dials_full");
                    if (now - lastPendingWarning > TimeUnit.SECONDS.toNanos(5)) {
                        lastPendingWarning = now;
                        LOG.log(System.Logger.Level.WARNING, "socks: {0} dials in progress (limits.pendingDials); "
                                + "resetting new connections until some finish", pending);
                    }
                    o.made(Replies.tcpReset(s, off, len, o));
                    return;
                }
                if (nat.isFull()) evictOldest();
                e = nat.add(version, aHi, aLo, aPort, dHi, dLo, dPort, now);
                fresh = new Flow(e, version, aHi, aLo, aPort, dHi, dLo, dPort, b, i, s, off, len);
                nat.owner[e] = fresh;
                pending++;
                count("tcp_flows");
            } else if (nat.state[e] == NatTable.PENDING) {
                drop("tcp_syn_while_dialing"); // a retransmitted SYN: the held copy goes once the dial is done
                return;
            } else {
                rewriteToListener(b, i, s, off, len, t, version, e);
                track(e, flags, NatTable.FIN_APP, now);
                o.refs.addRef(b, i);
                if (o.refs.isFull()) o.flush();
                return;
            }
        }
        handler.tcpFlow(fresh);
    }

    private void rewriteToListener(PacketBatch b, int i, MemorySegment s, long off, int len, long t, int version, int e) {
        if (version == 4) {
            NatRewrite.ipv4(b, i, s, off, len, t, gw4, nat.natPort[e], host4, listenPort4);
        } else {
            NatRewrite.ipv6(b, i, s, off, len, t, gw6Hi, gw6Lo, nat.natPort[e], host6Hi, host6Lo, listenPort6);
        }
    }

    /** Notes FIN and RST; a flow that saw FIN both ways or a reset is closing and soon forgotten. Under the lock. */
    private void track(int e, int flags, int finBit, long now) {
        nat.touch(e, now);
        if ((flags & Tcp.RST) != 0) {
            nat.state[e] = NatTable.CLOSING;
            nat.fins[e] = NatTable.FIN_APP | NatTable.FIN_LISTENER;
        } else if ((flags & Tcp.FIN) != 0) {
            nat.fins[e] |= (byte) finBit;
            if (nat.fins[e] == (NatTable.FIN_APP | NatTable.FIN_LISTENER)) nat.state[e] = NatTable.CLOSING;
        }
    }

    /** Makes room for a new flow: the least recently used entry goes, and its connection with it. Under the lock. */
    private void evictOldest() {
        int e = nat.lruOldest();
        if (e < 0) return;
        Object owner = nat.owner[e];
        if (nat.state[e] == NatTable.PENDING) pending--;
        nat.remove(e);
        count("tcp_evicted");
        if (owner instanceof Flow f) f.lost("evicted: the NAT table is full (limits.flows)");
    }

    private void udp(MemorySegment s, long off, int len, long t, int version) {
        if (t + Udp.HEADER_LENGTH > off + len) {
            drop("malformed");
            return;
        }
        int ulen = Udp.length(s, t);
        if (ulen < Udp.HEADER_LENGTH || t + ulen > off + len) {
            drop("malformed");
            return;
        }
        InetSocketAddress src, dst;
        if (version == 4) {
            src = new InetSocketAddress(v4(Ipv4.source(s, off)), Udp.sourcePort(s, t));
            dst = new InetSocketAddress(v4(Ipv4.destination(s, off)), Udp.destinationPort(s, t));
        } else {
            src = new InetSocketAddress(v6(Ipv6.sourceHigh(s, off), Ipv6.sourceLow(s, off)), Udp.sourcePort(s, t));
            dst = new InetSocketAddress(v6(Ipv6.destinationHigh(s, off), Ipv6.destinationLow(s, off)), Udp.destinationPort(s, t));
        }
        count("udp_datagrams");
        handler.udpDatagram(src, dst, s, t + Udp.HEADER_LENGTH, ulen - Udp.HEADER_LENGTH);
    }

    private void icmp(PacketBatch b, int i, MemorySegment s, long off, int len, long t, int version, Out o) {
        if (t + Icmp.HEADER_LENGTH > off + len) {
            drop("malformed");
            return;
        }
        int type = Icmp.type(s, t);
        boolean toGateway = version == 4 ? Ipv4.destination(s, off) == gw4
                : Ipv6.destinationHigh(s, off) == gw6Hi && Ipv6.destinationLow(s, off) == gw6Lo;
        if (type == (version == 4 ? Icmp.V4_ECHO_REQUEST : Icmp.V6_ECHO_REQUEST)) {
            if (!toGateway && !options.echoAll()) {
                drop("icmp_echo_not_gateway");
                return;
            }
            if (Replies.echoReply(s, off, len)) {
                count("icmp_echo_replies");
                o.refs.addRef(b, i);
                if (o.refs.isFull()) o.flush();
            } else {
                drop("malformed");
            }
            return;
        }
        if (version == 6 && Replies.quietIcmp6(s, off, len)) {
            count("icmpv6_quiet"); // router solicitations and MLD reports: nothing here routes or listens
            return;
        }
        drop("icmp_other");
    }

    // ------------------------------------------------------------------------------------------ a TCP flow

    /** A flow between its SYN and the handler's answer; afterwards the engine's link to its accepted connection. */
    private final class Flow implements TcpFlow {
        private final int entry;
        private final int version;
        private final InetSocketAddress source, destination;
        /** The SYN as the application sent it, with its offload metadata (checksum offload of a local sender). */
        private final byte[] syn;
        private final int synFlags, synCsumStart, synCsumOffset;
        private Promise<Channel> accepted;
        private EventLoop loop;
        private volatile Channel channel;
        private boolean answered;

        Flow(int entry, int version, long aHi, long aLo, int aPort, long dHi, long dLo, int dPort,
             PacketBatch b, int i, MemorySegment s, long off, int len) {
            this.entry = entry;
            this.version = version;
            this.source = new InetSocketAddress(version == 4 ? v4((int) aLo) : v6(aHi, aLo), aPort);
            this.destination = new InetSocketAddress(version == 4 ? v4((int) dLo) : v6(dHi, dLo), dPort);
            this.syn = new byte[len];
            MemorySegment.copy(s, ValueLayout.JAVA_BYTE, off, syn, 0, len);
            this.synFlags = b.flags(i);
            this.synCsumStart = b.csumStart(i);
            this.synCsumOffset = b.csumOffset(i);
        }

        @Override
        public InetSocketAddress source() { return source; }

        @Override
        public InetSocketAddress destination() { return destination; }

        @Override
        public Future<Channel> admit(EventLoop loop) {
            Promise<Channel> p = loop.newPromise();
            Out o = out();
            synchronized (lock) {
                if (answered) throw new IllegalStateException("flow " + this + " was answered already");
                answered = true;
                if (nat.owner[entry] != this) {
                    p.tryFailure(new ClosedChannelException());
                    return p;
                }
                pending--;
                nat.state[entry] = NatTable.OPEN;
                this.loop = loop;
                this.accepted = p;
                // the held SYN goes to the listener now, as the flow's first packet
                MemorySegment slot = o.made.buffer(o.made.size());
                MemorySegment.copy(syn, 0, slot, ValueLayout.JAVA_BYTE, 0, syn.length);
                int j = o.made.commit(syn.length);
                o.made.setOffload(j, synFlags, 0, 0, 0, synCsumStart, synCsumOffset);
                long t = IpPacket.transportOffset(IpPacket.transport(slot, 0, syn.length));
                rewriteToListener(o.made, j, slot, 0, syn.length, t, version, entry);
                nat.touch(entry, System.nanoTime());
            }
            o.flush();
            try {
                loop.schedule(() -> {
                    if (p.tryFailure(new IOException("the application's handshake with " + destination + " did not complete"))) {
                        forget();
                    }
                }, Math.max(options.connectTimeout().toMillis(), 1000), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
                p.tryFailure(new ClosedChannelException());
                forget();
            }
            return p;
        }

        @Override
        public void refuse(Refusal how) {
            Out o = out();
            synchronized (lock) {
                if (answered) throw new IllegalStateException("flow " + this + " was answered already");
                answered = true;
                if (nat.owner[entry] != this) return;
                pending--;
                nat.remove(entry);
            }
            MemorySegment held = MemorySegment.ofArray(syn);
            switch (how) {
                case RESET -> o.made(Replies.tcpReset(held, 0, syn.length, o));
                case UNREACHABLE -> o.made(Replies.unreachable(Replies.HOST, held, 0, syn.length, o));
                case PROHIBITED -> o.made(Replies.unreachable(Replies.PROHIBITED, held, 0, syn.length, o));
                case DROP -> { }
            }
            count("tcp_refused_" + how.name().toLowerCase(java.util.Locale.ROOT));
            o.flush();
        }

        /** The listener accepted our connection: hand it over on the flow's loop. */
        void accepted(Channel child) {
            channel = child;
            child.config().setAutoRead(false);
            child.config().setOption(ChannelOption.SO_KEEPALIVE, true);
            loop.register(child).addListener(f -> {
                if (!f.isSuccess() || !accepted.trySuccess(child)) child.close();
            });
            // when the relay is done with it, the entry lingers only for the closing handshake
            child.closeFuture().addListener(f -> closing());
        }

        private void closing() {
            synchronized (lock) {
                if (nat.owner[entry] == this && nat.state[entry] == NatTable.OPEN) {
                    // the sockets are closed; FINs may still be on their way, so linger as for a FIN both ways
                    nat.state[entry] = NatTable.CLOSING;
                    nat.touch(entry, System.nanoTime());
                }
            }
        }

        /** Drops the entry (the application gave up, or it expired). */
        void forget() {
            synchronized (lock) {
                if (nat.owner[entry] == this) {
                    if (nat.state[entry] == NatTable.PENDING) pending--;
                    nat.remove(entry);
                }
            }
        }

        /** The entry went (evicted or expired): end the connection too. Called under the lock; closes async. */
        void lost(String why) {
            Channel c = channel;
            if (c != null) {
                c.config().setOption(ChannelOption.SO_LINGER, 0); // a reset, so the application learns at once
                c.close();
            }
            Promise<Channel> p = accepted;
            if (p != null) p.tryFailure(new IOException(why));
        }

        @Override
        public String toString() { return "tcp " + source + " -> " + destination; }
    }

    /** Accepts the listener's connections and gives each to the flow whose NAT port it comes from. */
    private final class Acceptor extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Channel child = (Channel) msg;
            InetSocketAddress remote = (InetSocketAddress) child.remoteAddress();
            Flow f = null;
            if (remote != null) {
                synchronized (lock) {
                    int e = nat.byNatPort(remote.getPort());
                    if (e >= 0 && nat.owner[e] instanceof Flow flow && flow.accepted != null && flow.channel == null) f = flow;
                }
            }
            if (f == null) {
                drop("tcp_accept_without_flow");
                child.unsafe().closeForcibly();
                return;
            }
            f.accepted(child);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!closed) LOG.log(System.Logger.Level.WARNING, "socks: accepting failed: {0}", cause.toString());
        }
    }

    /** Forgets entries past their time: closing ones after a linger, dials that never got an answer, idle flows. */
    private void sweep() {
        long now = System.nanoTime();
        long pendingLimit = options.connectTimeout().toNanos() + TimeUnit.SECONDS.toNanos(5);
        long shortest = Math.min(CLOSING_LINGER, pendingLimit);
        List<Flow> lost = new ArrayList<>();
        synchronized (lock) {
            int e = nat.lruOldest();
            while (e >= 0 && now - nat.lastSeen[e] >= shortest) {
                int next = nat.younger(e);
                long age = now - nat.lastSeen[e];
                byte st = nat.state[e];
                boolean expired = st == NatTable.CLOSING ? age >= CLOSING_LINGER
                        : st == NatTable.PENDING ? age >= pendingLimit : age >= openIdle;
                if (expired) {
                    if (st == NatTable.PENDING) pending--;
                    if (st == NatTable.OPEN && nat.owner[e] instanceof Flow f) lost.add(f);
                    nat.remove(e);
                }
                e = next;
            }
            for (Flow f : lost) f.lost("idle for " + TimeUnit.NANOSECONDS.toMinutes(openIdle) + " min");
        }
    }

    // ------------------------------------------------------------------------------------------ UDP answers

    @Override
    public void sendUdp(InetSocketAddress from, InetSocketAddress to, ByteBuf payload) {
        try {
            if (closed || sinks.get() == null) {
                drop("udp_reply_before_bridge");
                return;
            }
            Out o = out();
            int n = Replies.udp(from, to, payload, nextIpId(), options.mtu(), o);
            if (n < 0) drop(n == Replies.TOO_BIG_V6 ? "udp_reply_too_big_v6" : "udp_reply_unbuildable");
            else count("udp_replies");
            o.flush();
        } finally {
            payload.release();
        }
    }

    @Override
    public void udpUnreachable(InetSocketAddress app, InetSocketAddress destination, ByteBuf payload) {
        try {
            if (closed || sinks.get() == null) return;
            Out o = out();
            // rebuild the application's datagram (as it was sent) to quote it in the ICMP error
            MemorySegment scratch = o.scratch();
            int len = Replies.udpDatagram(app, destination, payload, 0, scratch);
            if (len > 0) {
                o.made(Replies.unreachable(Replies.PORT, scratch, 0, len, o));
                count("udp_port_unreachable");
            }
            o.flush();
        } finally {
            payload.release();
        }
    }

    private int nextIpId() {
        synchronized (lock) {
            return ++ipId & 0xffff;
        }
    }

    // ------------------------------------------------------------------------------------------ output

    private Out out() {
        Out o = outs.get();
        if (o == null) {
            o = new Out();
            outs.set(o);
            allOuts.add(o);
        }
        return o;
    }

    /**
     * What one thread sends into the TUN: references to packets of the batch it is handling (rewritten in place)
     * and packets it made (resets, ICMP errors, UDP answers), through a sink of its own.
     */
    final class Out {
        final PacketBatch refs = PacketBatch.references(64, MAX_PACKET);
        final PacketBatch made;
        private MemorySegment scratch;
        private PacketSink sink;

        Out() {
            // automatic arena: a sink closed by close() may race a last use on this thread
            made = PacketBatch.allocate(Arena.ofAuto(), 32, Math.max(options.mtu(), 1280));
        }

        /** The next free slot of {@link #made} (flushing first when full). */
        MemorySegment slot() {
            if (made.isFull()) flush();
            return made.buffer(made.size());
        }

        int slotSize() { return made.bufferSize(); }

        /** Commits {@code len} bytes written into {@link #slot()}; 0 or less: nothing was made. */
        void made(int len) {
            if (len > 0) made.commit(len);
        }

        /** A private buffer for one whole datagram (64 KiB), made on first use. */
        MemorySegment scratch() {
            if (scratch == null) scratch = Arena.ofAuto().allocate(MAX_PACKET);
            return scratch;
        }

        void flush() {
            try {
                send(refs);
                send(made);
            } finally {
                refs.clear();
                made.clear();
            }
        }

        private void send(PacketBatch batch) {
            if (batch.isEmpty()) return;
            PacketSink s = sink;
            if (s == null) {
                Supplier<? extends PacketSink> f = sinks.get();
                if (f == null || closed) {
                    drops.computeIfAbsent("no_bridge", k -> new LongAdder()).add(batch.size());
                    return;
                }
                s = sink = f.get();
            }
            long bytes = 0;
            for (int i = 0; i < batch.size(); i++) bytes += batch.length(i);
            try {
                s.accept(batch);
                txPackets.add(batch.size());
                txBytes.add(bytes);
            } catch (IOException | RuntimeException e) {
                drops.computeIfAbsent("tun_write", k -> new LongAdder()).add(batch.size());
                if (!closed) LOG.log(System.Logger.Level.WARNING, "socks: writing to the TUN failed: {0}", e.toString());
            }
        }

        void closeSink() {
            PacketSink s = sink;
            sink = null;
            if (s != null) s.close();
        }
    }

    /** The packet device the bridge joins to the TUN: writes are what the TUN read; what we send goes to sinks. */
    final class Device implements PacketDevice {
        @Override
        public int read(PacketBatch batch) {
            throw new UnsupportedOperationException("the socks engine pushes what it sends: use deliverTo");
        }

        @Override
        public void write(PacketBatch batch) throws IOException {
            if (closed) throw new ClosedChannelException();
            handle(batch);
        }

        @Override
        public boolean pushes() { return true; }

        @Override
        public void deliverTo(Supplier<? extends PacketSink> s) {
            Objects.requireNonNull(s, "sinks");
            if (!sinks.compareAndSet(null, s)) throw new IllegalStateException(describe() + ": deliverTo called twice");
        }

        @Override
        public int mtu() { return options.mtu(); }

        /** Super-packets are rewritten whole: the kernel segments them, or takes them as they are. */
        @Override
        public boolean acceptsGso() { return true; }

        @Override
        public String describe() { return "socks system engine"; }

        @Override
        public DeviceStats stats() {
            long d = 0;
            for (LongAdder a : drops.values()) d += a.sum();
            return new DeviceStats(rxPackets.sum(), rxBytes.sum(), txPackets.sum(), txBytes.sum(), d);
        }

        @Override
        public void close() throws IOException {
            SystemEngine.this.close();
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (sweeper != null) sweeper.cancel(false);
        synchronized (listeners) {
            for (ServerChannel sc : listeners) sc.close();
            listeners.clear();
        }
        List<Flow> open = new ArrayList<>();
        synchronized (lock) {
            for (Object o : nat.owner) if (o instanceof Flow f) open.add(f);
        }
        for (Flow f : open) {
            Channel c = f.channel;
            if (c != null) c.close();
        }
        for (Out o : allOuts) o.closeSink();
    }

    // ------------------------------------------------------------------------------------------ addresses

    private static InetAddress v4(int a) {
        try {
            return InetAddress.getByAddress(Ipv4.toBytes(a));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static InetAddress v6(long hi, long lo) {
        byte[] b = new byte[16];
        for (int k = 0; k < 8; k++) {
            b[k] = (byte) (hi >>> (56 - 8 * k));
            b[8 + k] = (byte) (lo >>> (56 - 8 * k));
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static long hi(InetAddress a) { return word(a.getAddress(), 0); }

    static long lo(InetAddress a) { return word(a.getAddress(), 8); }

    private static long word(byte[] b, int from) {
        long v = 0;
        for (int k = 0; k < 8; k++) v = v << 8 | (b[from + k] & 0xff);
        return v;
    }

    static boolean isV4(InetAddress a) { return a instanceof Inet4Address; }

    static boolean isV6(InetAddress a) { return a instanceof Inet6Address; }
}
