package io.tunctl.transport.p2p.dht.rpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunctl.transport.p2p.dht.messages.DhtCommands;
import io.tunctl.transport.p2p.dht.messages.DhtMessage;
import io.tunctl.transport.p2p.dht.messages.NodeId;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** DhtNode on a simulated network and a fake clock: timing, retries, tokens, queries, persistence. */
class DhtNodeSimTest {
    private static final InetSocketAddress HOLE = new InetSocketAddress("10.0.0.250", 1);

    private final SimNetwork net = new SimNetwork();

    private static DhtNodeOptions lonely() {
        return DhtNodeOptions.defaults().withBootstrap(List.of());
    }

    private static DhtException failure(CompletableFuture<?> f) {
        assertTrue(f.isCompletedExceptionally(), "should have failed: " + f);
        try {
            f.get();
        } catch (ExecutionException e) {
            return (DhtException) e.getCause();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("no failure");
    }

    @Test
    void requestIsSentFourTimesOneSecondApartThenTimesOut() {
        DhtNode a = net.node("10.0.0.1", 1000, 0, lonely());
        a.start();
        net.clock.advance(10);
        assertTrue(a.isBootstrapped(), "nothing to ask: bootstrapped at once");
        long t0 = net.clock.nowMillis();
        CompletableFuture<DhtReply> f = a.ping(HOLE);
        net.clock.advance(3999);
        assertFalse(f.isDone(), "still retrying before 4 s");
        assertEquals(List.of(0L, 1000L, 2000L, 3000L),
                net.sent.stream().filter(s -> s.to().equals(HOLE)).map(s -> s.at() - t0).toList());
        net.clock.advance(1);
        assertEquals(DhtException.Code.REQUEST_TIMEOUT, failure(f).code());
        // every retry is the same datagram (same tid)
        assertEquals(1, net.sent.stream().filter(s -> s.to().equals(HOLE)).map(s -> HexFormat.of().formatHex(s.data()))
                .distinct().count());
    }

    @Test
    void congestionWindowHoldsBackRequestsBeyondEightyPerSlot() {
        // a long timeout: an unanswered request that times out gives its send back, as an answer does
        DhtNode a = net.node("10.0.0.1", 1000, 0, lonely().withRequestTimeoutMillis(10_000));
        a.start();
        net.clock.advance(10);
        List<CompletableFuture<DhtReply>> all = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            all.add(a.request(new InetSocketAddress("10.0.1." + (i % 200 + 1), 7), null, true, DhtCommands.PING,
                    null, null, 0));
        }
        assertEquals(80, net.sent.size(), "80 in the first slot");
        net.clock.advance(750);
        assertEquals(160, net.sent.size(), "80 more in the next");
        net.clock.advance(1500);
        assertEquals(160, net.sent.size(), "at most 160 over the last four slots");
        net.clock.advance(750);
        assertEquals(200, net.sent.size(), "the first slot left the window");
        net.clock.advance(30_000);
        assertEquals(200, net.sent.size());
        assertTrue(all.stream().allMatch(f -> failure(f).code() == DhtException.Code.REQUEST_TIMEOUT));
    }

    @Test
    void pingReplyCarriesOurAddressAndCancelledRequestsAreDropped() throws Exception {
        DhtNode a = net.node("10.0.0.1", 1000, 0, lonely());
        DhtNode b = net.node("10.0.0.2", 2000, 0, lonely());
        a.start();
        b.start();
        net.clock.advance(10);
        CompletableFuture<DhtReply> f = a.ping(b.localAddress());
        net.clock.advance(5);
        DhtReply r = f.get();
        assertEquals(0, r.error());
        assertEquals(new InetSocketAddress("10.0.0.1", 1000), r.to());
        assertEquals(b.localAddress(), r.from());
        assertNull(r.fromId(), "b is ephemeral");
        assertEquals(2, r.rttMillis(), "1 ms each way");

        CompletableFuture<DhtReply> g = a.ping(HOLE);
        g.cancel(false);
        int before = net.sent.size();
        net.clock.advance(10_000);
        assertEquals(before, net.sent.size(), "a cancelled request is not retried");
    }

    @Test
    void internalCommandsAnswerAsDhtRpc() {
        DhtNode b = net.node("10.0.0.2", 2000, 0, lonely());
        b.start();
        SimNetwork.Endpoint raw = net.endpoint("10.0.0.9", 900);
        SimNetwork.Endpoint other = net.endpoint("10.0.0.9", 901);
        net.clock.advance(10);
        InetSocketAddress to = b.localAddress();
        byte[] target = new byte[32];
        // PING_NAT: the reply goes to the port named in the value
        raw.send(new DhtMessage.Request(1, to, null, null, true, DhtCommands.PING_NAT, null, new byte[] {(byte) 0x85,
                0x03}).encode(), to);
        // FIND_NODE without a target and PING_NAT without a port get no reply at all
        raw.send(new DhtMessage.Request(2, to, null, null, true, DhtCommands.FIND_NODE, null, null).encode(), to);
        raw.send(new DhtMessage.Request(3, to, null, null, true, DhtCommands.PING_NAT, null, new byte[1]).encode(),
                to);
        // an unknown internal command and an unhandled user command: UNKNOWN_COMMAND
        raw.send(new DhtMessage.Request(4, to, null, null, true, 99, target, null).encode(), to);
        raw.send(new DhtMessage.Request(5, to, null, null, false, DhtCommands.FIND_PEER, target, null).encode(), to);
        // garbage that starts like a request is dropped
        raw.send(new byte[] {0x03, (byte) 0xff, (byte) 0xff}, to);
        raw.send(new DhtMessage.Request(6, to, null, null, true, DhtCommands.PING, null, null).encode(), to);
        net.clock.advance(10);

        assertEquals(1, other.inbox.size());
        DhtMessage.Response pingNat = DhtMessage.Response.decode(other.inbox.getFirst().data());
        assertEquals(1, pingNat.tid());
        assertEquals(new InetSocketAddress("10.0.0.9", 901), pingNat.to());
        List<DhtMessage.Response> got = raw.inbox.stream().map(s -> DhtMessage.Response.decode(s.data())).toList();
        assertEquals(List.of(4, 5, 6), got.stream().map(DhtMessage.Response::tid).toList());
        assertEquals(DhtCommands.ERROR_UNKNOWN_COMMAND, got.get(0).error());
        assertEquals(DhtCommands.ERROR_UNKNOWN_COMMAND, got.get(1).error());
        assertNull(got.get(1).token());
        assertEquals(0, got.get(2).error());
        assertNull(got.get(2).id(), "ephemeral: no id on the wire");
    }

    @Test
    void tokensGateUserCommandsAndExpire() throws Exception {
        DhtNode a = net.node("10.0.0.1", 1000, 0, lonely());
        DhtNode b = net.node("10.0.0.2", 2000, 0, lonely());
        AtomicInteger handled = new AtomicInteger();
        b.handle(DhtCommands.LOOKUP, req -> {
            req.reply(new byte[] {1});
            return true;
        });
        b.handle(DhtCommands.ANNOUNCE, req -> {
            handled.incrementAndGet();
            req.reply(null, false, false);
            return true;
        });
        a.start();
        b.start();
        net.clock.advance(10);
        byte[] target = new byte[32];
        CompletableFuture<DhtReply> lookup = a.request(DhtCommands.LOOKUP, target, null, null, b.localAddress());
        net.clock.advance(5);
        byte[] token = lookup.get().token();
        assertNotNull(token, "a generic reply carries a token");
        assertArrayEquals(new byte[] {1}, lookup.get().value());

        byte[] forged = token.clone();
        forged[0] ^= 1;
        CompletableFuture<DhtReply> bad = a.request(DhtCommands.ANNOUNCE, target, null, forged, b.localAddress());
        net.clock.advance(5);
        assertEquals(DhtCommands.ERROR_INVALID_TOKEN, bad.get().error());
        assertNotNull(bad.get().token(), "INVALID_TOKEN comes with a fresh token");
        assertEquals(0, handled.get(), "the handler never sees a bad token");

        CompletableFuture<DhtReply> good = a.request(DhtCommands.ANNOUNCE, target, null, token, b.localAddress());
        net.clock.advance(5);
        assertEquals(0, good.get().error());
        assertEquals(1, handled.get());

        net.clock.advance(15_000); // two rotations of 7.5 s
        CompletableFuture<DhtReply> late = a.request(DhtCommands.ANNOUNCE, target, null, token, b.localAddress());
        net.clock.advance(5);
        assertEquals(DhtCommands.ERROR_INVALID_TOKEN, late.get().error());
        assertEquals(1, handled.get());
    }

    /** A bootstrap node and {@code n} persistent nodes joined through it, all bootstrapped. */
    private List<DhtNode> network(int n) {
        List<DhtNode> nodes = new ArrayList<>();
        DhtNode boot = net.node("10.0.0.1", 49737, 0,
                DhtNodeOptions.bootstrapper("10.0.0.1", new InetSocketAddress("10.0.0.1", 49737)));
        boot.start();
        net.clock.advance(10);
        nodes.add(boot);
        DhtNodeOptions member = DhtNodeOptions.defaults().withBootstrapText(List.of("10.0.0.1:49737"))
                .withEphemeral(false).withFirewalled(false);
        for (int i = 0; i < n; i++) {
            DhtNode node = net.node("10.0.2." + (i + 1), 3000 + i, 0, member);
            node.start();
            net.clock.advance(200);
            nodes.add(node);
        }
        net.clock.advance(20_000);
        for (DhtNode node : nodes) {
            assertTrue(node.isBootstrapped());
            assertFalse(node.isEphemeral(), node.localAddress() + " persistent");
            assertArrayEquals(NodeId.of(node.localAddress()), node.id(), "id = hash of the public address");
        }
        return nodes;
    }

    private int targets;

    /** A reproducible random target (the simulation is deterministic, so a failure replays). */
    private byte[] target() {
        byte[] t = new byte[32];
        new java.util.Random(1000 + targets++).nextBytes(t);
        return t;
    }

    /**
     * The walk's result is Kademlia's approximation, as in dht-rpc: 20 replies, closest first, and most of the true 20
     * closest (dht-rpc itself misses one or two of them in about 40% of walks on small networks).
     */
    private static void assertMostlyClosest(List<String> truth, List<DhtReply> replies, byte[] target, String what) {
        List<String> found = replies.stream().map(r -> HexFormat.of().formatHex(r.fromId())).toList();
        assertEquals(truth.size(), found.size(), what);
        assertEquals(found.stream().sorted((a, b) -> Xor.compare(target, HexFormat.of().parseHex(a),
                HexFormat.of().parseHex(b))).toList(), found, what + ": closest first");
        long hits = found.stream().filter(truth::contains).count();
        assertTrue(hits >= truth.size() - 3, what + ": only " + hits + " of the true closest\nfound " + found
                + "\ntruth " + truth);
    }

    private static List<String> closestIds(List<DhtNode> nodes, byte[] target, int k) {
        return nodes.stream().map(DhtNode::id).sorted((x, y) -> Xor.compare(target, x, y)).limit(k)
                .map(HexFormat.of()::formatHex).toList();
    }

    @Test
    void queryFindsTheTwentyClosestNodesOfTheNetwork() {
        List<DhtNode> nodes = network(60);
        for (DhtNode node : nodes) {
            assertTrue(node.routingTable().size() >= 20, node.localAddress() + " table "
                    + node.routingTable().size());
        }
        DhtNode client = net.node("10.0.3.1", 5000, 5001, DhtNodeOptions.defaults()
                .withBootstrapText(List.of("10.0.0.1:49737")));
        client.start();
        net.clock.advance(20_000);
        assertTrue(client.isBootstrapped());
        for (int round = 0; round < 5; round++) {
            byte[] target = target();
            List<DhtReply> seen = new ArrayList<>();
            Query q = client.findNode(target);
            Query q2 = client.query(target, DhtCommands.FIND_PEER, null, QueryOptions.defaults()
                    .withOnReply(seen::add));
            nodes.forEach(n -> n.handle(DhtCommands.FIND_PEER, req -> {
                req.reply(new byte[] {42});
                return true;
            }));
            net.clock.advance(30_000);
            assertTrue(q.finished().isDone() && !q.finished().isCompletedExceptionally());
            assertMostlyClosest(closestIds(nodes, target, 20), q.closestReplies(), target, "round " + round);
            assertTrue(q2.finished().isDone());
            assertEquals(20, q2.closestReplies().size());
            assertFalse(seen.isEmpty());
            assertTrue(seen.stream().allMatch(r -> r.value() != null && r.value()[0] == 42 && r.token() != null));
        }
    }

    @Test
    void autoCommitSendsTheCommandWithEachClosestNodesToken() {
        List<DhtNode> nodes = network(30);
        AtomicInteger announces = new AtomicInteger();
        for (DhtNode n : nodes) {
            n.handle(DhtCommands.ANNOUNCE, req -> {
                if (req.token() != null) {
                    announces.incrementAndGet();
                }
                req.reply(null);
                return true;
            });
        }
        Query q = nodes.get(5).query(new byte[32], DhtCommands.ANNOUNCE, new byte[] {7},
                QueryOptions.defaults().autoCommit());
        net.clock.advance(30_000);
        assertTrue(q.finished().isDone() && !q.finished().isCompletedExceptionally());
        assertEquals(20, announces.get(), "one committed ANNOUNCE per closest reply");
    }

    @Test
    void deadNodesAreHintedDownAndLeaveTables() {
        // fewer live nodes than k: the query has to wait for the dead ones to time out (with more it would drop
        // them as slow once it had k replies, as dht-rpc does, and hint nobody)
        List<DhtNode> nodes = network(15);
        byte[] target = target();
        List<DhtNode> closest = nodes.stream().sorted(Comparator.comparing(DhtNode::id,
                (x, y) -> Xor.compare(target, x, y))).toList();
        List<InetSocketAddress> killed = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            killed.add(closest.get(i).localAddress());
            net.kill(closest.get(i).localAddress());
        }
        DhtNode asker = closest.getLast();
        int mark = net.sent.size();
        Query q = asker.findNode(target);
        net.clock.advance(60_000);
        assertTrue(q.finished().isDone() && !q.finished().isCompletedExceptionally(), "terminates");
        for (DhtReply r : q.closestReplies()) {
            assertFalse(killed.contains(r.from()));
        }
        long hints = net.sent.subList(mark, net.sent.size()).stream()
                .filter(s -> (s.data()[0] & 0xff) == DhtMessage.REQUEST_ID)
                .map(s -> DhtMessage.Request.decode(s.data()))
                .filter(m -> m.internal() && m.command() == DhtCommands.DOWN_HINT).count();
        assertTrue(hints > 0, "DOWN_HINTs sent");
        net.clock.advance(10 * 60_000); // pings and refreshes notice the dead nodes
        for (DhtNode n : nodes) {
            if (killed.contains(n.localAddress())) {
                continue;
            }
            for (DhtPeer p : n.routingTable()) {
                assertFalse(killed.contains(p.address()), n.localAddress() + " still lists " + p);
            }
        }
    }

    @Test
    void adaptiveNodeOpensThenBecomesPersistentAfterTwentyStableMinutes() {
        network(20);
        DhtNode e = net.node("10.0.4.1", 6000, 6001, DhtNodeOptions.defaults()
                .withBootstrapText(List.of("10.0.0.1:49737")));
        e.start();
        net.clock.advance(30_000);
        assertTrue(e.isBootstrapped());
        assertFalse(e.isFirewalled(), "PING_NAT reached the server socket");
        assertTrue(e.isEphemeral());
        assertNull(e.id());
        assertEquals(new InetSocketAddress("10.0.4.1", 6000), e.remoteAddress());
        assertEquals(new InetSocketAddress("10.0.4.1", 6000), e.requestAddress(), "requests now use the server socket");
        net.clock.advance(21 * 60_000L);
        assertFalse(e.isEphemeral());
        assertArrayEquals(NodeId.of(new InetSocketAddress("10.0.4.1", 6000)), e.id());
    }

    @Test
    void unreachableNodeStaysFirewalledAndEphemeral() {
        network(20);
        DhtNode f = net.node("10.0.5.1", 7000, 7001, DhtNodeOptions.defaults()
                .withBootstrapText(List.of("10.0.0.1:49737")));
        net.kill(new InetSocketAddress("10.0.5.1", 7000)); // nothing reaches its server socket
        f.start();
        net.clock.advance(30_000);
        assertTrue(f.isBootstrapped());
        assertTrue(f.isFirewalled());
        assertNull(f.remoteAddress());
        net.clock.advance(25 * 60_000L);
        assertTrue(f.isFirewalled());
        assertTrue(f.isEphemeral());
        assertEquals("10.0.5.1", f.host(), "its public host is known all the same");
        assertEquals(7001, f.port(), "as the client socket's port");
    }

    @Test
    void queryStopsWaitingForSlowNodesOnceItHasKReplies() {
        List<DhtNode> nodes = network(40);
        byte[] target = target();
        List<DhtNode> closest = nodes.stream().sorted(Comparator.comparing(DhtNode::id,
                (x, y) -> Xor.compare(target, x, y))).toList();
        for (int i = 0; i < 3; i++) {
            net.kill(closest.get(i).localAddress());
        }
        DhtNode asker = closest.getLast();
        long t0 = net.clock.nowMillis();
        Query q = asker.findNode(target);
        long[] doneAt = {-1};
        q.finished().whenComplete((x, e) -> doneAt[0] = net.clock.nowMillis());
        net.clock.advance(30_000);
        assertTrue(doneAt[0] > 0);
        assertTrue(doneAt[0] - t0 < 2_000, "ended " + (doneAt[0] - t0) + " ms after the start, not after the 6 s"
                + " a dead node takes to time out");
        assertMostlyClosest(closestIds(nodes.stream().filter(n -> !closest.subList(0, 3).contains(n)).toList(),
                target, 20), q.closestReplies(), target, "without the dead nodes");
    }

    @Test
    void fullRowKeepsALiveOldestNodeAndSwapsADeadOne() throws Exception {
        List<DhtNode> nodes = network(60);
        DhtNode x = nodes.get(7);
        byte[] self = x.tableId();
        int row = 0; // half of all ids fall in row 0: fill it with live nodes
        for (DhtNode n : nodes) {
            long inRow = x.routingTable().stream().filter(p -> Xor.row(self, p.id()) == row).count();
            if (inRow == RoutingTable.K) {
                break;
            }
            if (n != x && Xor.row(self, n.id()) == row) {
                x.addNode(n.localAddress());
            }
        }
        List<DhtPeer> members = x.routingTable().stream().filter(p -> Xor.row(self, p.id()) == row).toList();
        assertEquals(RoutingTable.K, members.size(), "row 0 full");
        DhtNodeOptions member = DhtNodeOptions.defaults().withBootstrapText(List.of("10.0.0.1:49737"))
                .withEphemeral(false).withFirewalled(false);
        List<DhtNode> newcomers = new ArrayList<>();
        for (int port = 10_000; newcomers.size() < 2 && port < 20_000; port++) {
            if (Xor.row(self, NodeId.of(new InetSocketAddress("10.0.9.1", port))) == row) {
                DhtNode n = net.node("10.0.9.1", port, 0, member);
                n.start();
                newcomers.add(n);
            }
        }
        net.clock.advance(20_000);
        assertFalse(newcomers.get(0).isEphemeral());

        // every member answers the re-ping: the newcomer stays out
        x.ping(newcomers.get(0).localAddress());
        net.clock.advance(10_000);
        assertFalse(x.routingTable().stream().anyMatch(p -> p.address().equals(newcomers.get(0).localAddress())),
                "a full row of live nodes keeps its members");
        assertEquals(RoutingTable.K, x.routingTable().stream().filter(p -> Xor.row(self, p.id()) == row).count());

        // the row's nodes die: the next newcomer replaces one after the re-ping times out
        members.forEach(m -> net.kill(m.address()));
        x.ping(newcomers.get(1).localAddress());
        net.clock.advance(10_000);
        assertTrue(x.routingTable().stream().anyMatch(p -> p.address().equals(newcomers.get(1).localAddress())),
                "swapped in for a dead node");
    }

    @Test
    void filteredNodesAreNeitherAskedNorKept() {
        List<DhtNode> nodes = network(25);
        InetSocketAddress banned = nodes.get(4).localAddress();
        DhtNode f = net.node("10.0.6.1", 8000, 0, DhtNodeOptions.defaults()
                .withBootstrapText(List.of("10.0.0.1:49737")).withNodeFilter(a -> !a.equals(banned)));
        f.start();
        net.clock.advance(20_000);
        Query q = f.findNode(nodes.get(4).id()); // the banned node's own id
        net.clock.advance(20_000);
        assertTrue(q.finished().isDone());
        assertFalse(f.routingTable().stream().anyMatch(p -> p.address().equals(banned)));
        assertEquals(0, net.sent.stream().filter(s -> s.from().getAddress().getHostAddress().equals("10.0.6.1")
                && s.to().equals(banned)).count(), "never asked");
        assertTrue(DhtNodeOptions.HYPERDHT_NODE_FILTER.test(banned));
        assertFalse(DhtNodeOptions.HYPERDHT_NODE_FILTER.test(new InetSocketAddress("150.136.142.116", 1)));
    }
}
