package io.tunctl.transport.p2p.dht.rpc;

import java.net.InetSocketAddress;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An in-memory IPv4 network of {@link DhtNode}s on a {@link ManualScheduler}: each datagram arrives 1 ms after it
 * was sent, unless its source or destination is {@link #kill killed}. Records every datagram for assertions.
 */
final class SimNetwork {
    record Sent(InetSocketAddress from, InetSocketAddress to, byte[] data, long at) { }

    final ManualScheduler clock = new ManualScheduler();
    final List<Sent> sent = new ArrayList<>();
    private final Map<InetSocketAddress, Endpoint> endpoints = new HashMap<>();
    private final Set<InetSocketAddress> dead = new HashSet<>();
    private long seed = 1;

    final class Endpoint implements Link {
        final InetSocketAddress address;
        DhtNode node;
        /** Datagrams received by an endpoint without a node (a raw test peer). */
        final List<SimNetwork.Sent> inbox = new ArrayList<>();

        Endpoint(InetSocketAddress address) {
            this.address = address;
        }

        @Override
        public InetSocketAddress localAddress() {
            return address;
        }

        @Override
        public void send(byte[] datagram, InetSocketAddress to) {
            sent.add(new Sent(address, to, datagram.clone(), clock.nowMillis()));
            if (dead.contains(address) || dead.contains(to)) {
                return;
            }
            Endpoint e = endpoints.get(to);
            if (e == null) {
                return;
            }
            byte[] copy = datagram.clone();
            if (e.node == null) {
                e.inbox.add(new Sent(address, to, copy, clock.nowMillis()));
                return;
            }
            clock.schedule(() -> e.node.onDatagram(e, copy, address), 1);
        }
    }

    Endpoint endpoint(String host, int port) {
        InetSocketAddress a = new InetSocketAddress(host, port);
        if (endpoints.containsKey(a)) {
            throw new IllegalArgumentException("address in use: " + a);
        }
        Endpoint e = new Endpoint(a);
        endpoints.put(a, e);
        return e;
    }

    /** A node with a server socket at host:port and, if {@code clientPort > 0}, a client socket. Not started. */
    DhtNode node(String host, int port, int clientPort, DhtNodeOptions options) {
        Endpoint s = endpoint(host, port);
        Endpoint c = clientPort > 0 ? endpoint(host, clientPort) : null;
        DhtNode n = new DhtNode(s, c, clock, options, random(), () -> { });
        s.node = n;
        if (c != null) {
            c.node = n;
        }
        return n;
    }

    SecureRandom random() {
        try {
            SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
            r.setSeed(seed++);
            return r;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    void kill(InetSocketAddress a) {
        dead.add(a);
    }

    long sentTo(InetSocketAddress to) {
        return sent.stream().filter(s -> s.to.equals(to)).count();
    }
}
